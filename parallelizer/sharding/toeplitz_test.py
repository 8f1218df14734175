"""Software Toeplitz hash against the Microsoft RSS verification vectors."""

import ipaddress
import random
import sys

import numpy as np
import pytest

from parallelizer.sharding import toeplitz

MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa")
# (destination, dst port, source, src port, IPv4 hash, IPv4+TCP hash), from
# "Verifying the RSS Hash Calculation" (Microsoft NDIS documentation).
MS_VECTORS = [
    ("161.142.100.80", 1766, "66.9.149.187", 2794, 0x323E8FC2, 0x51CCC178),
    ("65.69.140.83", 4739, "199.92.111.2", 14230, 0xD718262A, 0xC626B0EA),
    ("12.22.207.184", 38024, "24.19.198.95", 12898, 0xD2D0A5DE, 0x5C2B394A),
    ("209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xAFC7327F),
    ("202.188.127.2", 1303, "153.39.163.191", 44251, 0x5D1809C5, 0x10E828A2),
]


def ip(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


@pytest.mark.parametrize("dst,dport,src,sport,h_ip,h_tcp", MS_VECTORS)
def test_microsoft_vectors(dst, dport, src, sport, h_ip, h_tcp):
    assert toeplitz.toeplitz_hash(MS_KEY, toeplitz.ipv4_input(ip(src), ip(dst))) == h_ip
    assert toeplitz.toeplitz_hash(MS_KEY, toeplitz.ipv4_l4_input(ip(src), ip(dst), sport, dport)) == h_tcp


# The IPv6 table of the same document (destination, dst port, source, src
# port, IPv6 hash, IPv6+TCP hash): 288-bit inputs, the whole 40-byte key.
MS_VECTORS_IPV6 = [
    ("3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794, 0x2CC18CD5, 0x40207D3D),
    ("ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230, 0x0F0C461C, 0xDDE51BBF),
    ("fe80::200:f8ff:fe21:67cf", 38024, "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, 0x4B61E985, 0x02D1FEEF),
]


@pytest.mark.parametrize("dst,dport,src,sport,h_ip,h_tcp", MS_VECTORS_IPV6)
def test_microsoft_ipv6_vectors(dst, dport, src, sport, h_ip, h_tcp):
    s, d = int(ipaddress.IPv6Address(src)), int(ipaddress.IPv6Address(dst))
    data = toeplitz.ipv6_l4_input(s, d, sport, dport)
    assert len(data) == 36
    assert toeplitz.toeplitz_hash(MS_KEY, data[:32]) == h_ip
    assert toeplitz.toeplitz_hash(MS_KEY, data) == h_tcp
    # The vectorized path over input bits agrees (every RETA size bit of the hash).
    bits = toeplitz.ipv6_flows_to_bits([(s, d, sport, dport)])
    assert toeplitz.bits_reta_indexes(MS_KEY, 512, bits)[0] == h_tcp & 511


def test_52_byte_key_uses_only_its_first_bits_for_ipv4():
    extended = MS_KEY + bytes(range(12))
    data = toeplitz.ipv4_l4_input(ip("66.9.149.187"), ip("161.142.100.80"), 2794, 1766)
    assert toeplitz.toeplitz_hash(extended, data) == 0x51CCC178


def test_key_too_short_is_rejected():
    with pytest.raises(ValueError, match="cannot hash"):
        toeplitz.toeplitz_hash(bytes(8), bytes(12))


@pytest.mark.parametrize("key_length", [40, 52])
@pytest.mark.parametrize("reta_size", [64, 128, 512])
def test_vectorized_reta_index_matches_scalar_hash(key_length, reta_size):
    rng = random.Random(key_length * reta_size)
    key = bytes(rng.getrandbits(8) for _ in range(key_length))
    flows = np.array(
        [
            [rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16)]
            for _ in range(300)
        ],
        dtype=np.uint64,
    )
    fast = toeplitz.reta_indexes(key, reta_size, flows)
    for row, index in zip(flows.tolist(), fast.tolist(), strict=True):
        h = toeplitz.toeplitz_hash(key, toeplitz.ipv4_l4_input(*row))
        assert toeplitz.reta_index(h, reta_size) == index


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

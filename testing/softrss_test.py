"""testing/softrss.py on IPv6 frames against Microsoft's IPv6 RSS vectors (the
hash input it builds, hashed by the reference Toeplitz): rss_hf types,
extension-header chains, fragments and malformed chains. Frames are built
byte by byte here (RFC 8200), not with testing/frames.py."""

import ipaddress
import struct
import sys

import pytest

from parallelizer.sharding.toeplitz import toeplitz_hash
from testing import softrss

MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa")
SRC, DST, SPORT, DPORT = "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766
HASH_L3, HASH_L4 = 0x2CC18CD5, 0x40207D3D
ALL6 = softrss.RSS_IPV6 | softrss.RSS_TCP6 | softrss.RSS_UDP6
V4 = softrss.RSS_IPV4 | softrss.RSS_TCP | softrss.RSS_UDP


def frame(proto=6, ext=(), frag_offset=0, more=False, cut=0) -> bytes:
    """Ethernet + IPv6 + 8-byte extension headers `ext` + TCP/UDP/8 bytes."""
    l4 = struct.pack("!HH", SPORT, DPORT) + bytes(16 if proto == 6 else 4)
    headers, kinds = b"", list(ext) + [proto]
    for i, kind in enumerate(ext):
        second = struct.pack("!H", frag_offset << 3 | more) if kind == 44 else b"\0\0"
        headers += bytes([kinds[i + 1], 0]) + second + bytes(4)
    payload = (headers + l4)[: len(headers + l4) - cut]
    ip = struct.pack("!IHBB", 6 << 28, len(payload), kinds[0], 64)
    ip += ipaddress.IPv6Address(SRC).packed + ipaddress.IPv6Address(DST).packed
    return b"\x02" * 12 + b"\x86\xdd" + ip + payload


def hashed(f: bytes, rss_hf: int) -> int:
    data = softrss.hash_input(f, rss_hf)
    return toeplitz_hash(MS_KEY, data) if data else 0


def test_vector_and_types():
    assert hashed(frame(), ALL6) == HASH_L4
    assert hashed(frame(proto=17), ALL6) == HASH_L4  # same ports, same input
    assert hashed(frame(), softrss.RSS_IPV6) == HASH_L3  # TCP type off: addresses
    assert hashed(frame(), V4) == 0  # an IPv4-only rss_hf does not hash IPv6
    assert hashed(frame(proto=58), ALL6) == HASH_L3
    assert hashed(frame(proto=58), softrss.RSS_OTHER6) == HASH_L3
    assert hashed(frame(proto=58), softrss.RSS_TCP6) == 0


@pytest.mark.parametrize("ext", [(0,), (60,), (0, 43, 60), (60, 60, 60, 60, 60, 60, 60, 60)])
def test_extension_headers_keep_the_4_tuple(ext):
    assert hashed(frame(ext=ext), ALL6) == HASH_L4


def test_fragments_hash_addresses():
    assert hashed(frame(ext=(44,), more=True), ALL6) == HASH_L3  # first fragment
    assert hashed(frame(ext=(44,), frag_offset=9), ALL6) == HASH_L3
    assert hashed(frame(ext=(44,), frag_offset=9), softrss.RSS_FRAG_IPV6) == HASH_L3
    assert hashed(frame(ext=(44,), frag_offset=9), softrss.RSS_TCP6) == 0


def test_malformed_is_not_hashed():
    """Negative controls: what nflib calls malformed gets RETA entry 0."""
    assert hashed(frame(ext=(60,) * 9), ALL6) == 0  # more than NF_IPV6_MAX_EXT_HEADERS
    assert hashed(frame(ext=(60, 0)), ALL6) == 0  # hop-by-hop not first
    f = frame()
    assert hashed(f[:-1], ALL6) == 0  # payload length past the frame
    assert hashed(frame(cut=1), ALL6) == HASH_L3  # truncated TCP header: addresses only
    bad_version = f[:14] + bytes([0x40]) + f[15:]
    assert hashed(bad_version, ALL6) == 0


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

"""frames.py against dpkt (an independent builder) byte for byte, the
checksum checker's negative control, and the harness's import name."""

from __future__ import annotations

import os
import random
import sys

import dpkt
import pytest

import testing
from testing import frame_checks, frames, nfpar_runfiles


def dpkt_udp(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    udp = dpkt.udp.UDP(sport=sport, dport=dport, data=payload)
    udp.ulen = len(udp)
    packet = dpkt.ip.IP(src=frames.ip(src), dst=frames.ip(dst), p=dpkt.ip.IP_PROTO_UDP, ttl=64, data=udp)
    packet.len = len(packet)
    eth = dpkt.ethernet.Ethernet(
        src=frames.mac("02:00:00:00:00:01"), dst=frames.mac("02:00:00:00:00:02"), type=0x0800, data=packet
    )
    return bytes(eth)


def dpkt_tcp(src: str, dst: str, sport: int, dport: int, flags: int, payload: bytes) -> bytes:
    tcp = dpkt.tcp.TCP(sport=sport, dport=dport, flags=flags, seq=1, data=payload)
    packet = dpkt.ip.IP(src=frames.ip(src), dst=frames.ip(dst), p=dpkt.ip.IP_PROTO_TCP, ttl=64, data=tcp)
    packet.len = len(packet)
    eth = dpkt.ethernet.Ethernet(
        src=frames.mac("02:00:00:00:00:01"), dst=frames.mac("02:00:00:00:00:02"), type=0x0800, data=packet
    )
    return bytes(eth)


def _addr(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(256)) for _ in range(4))


def test_builders_match_dpkt_byte_for_byte() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        src, dst = _addr(rng), _addr(rng)
        sport, dport = rng.randrange(65536), rng.randrange(65536)
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        assert frames.udp_frame(src, dst, sport, dport, payload) == dpkt_udp(src, dst, sport, dport, payload)
        flags = rng.randrange(256)
        assert frames.tcp_frame(src, dst, sport, dport, flags, payload) == dpkt_tcp(
            src, dst, sport, dport, flags, payload
        )


def test_checker_accepts_built_frames_and_rejects_a_flipped_bit() -> None:
    frame = frames.udp_frame("10.0.0.1", "10.0.0.2", 1000, 53)
    assert frame_checks.checksums_valid(frame)
    for offset in (14 + 12, 14 + 20 + 8):  # IPv4 source address, UDP payload
        bad = bytearray(frame)
        bad[offset] ^= 0x01
        assert not frame_checks.checksums_valid(bytes(bad)), offset  # negative control


_DPKT_EXT = {
    frames.HOP_BY_HOP: lambda nxt: dpkt.ip6.IP6HopOptsHeader(nxt=nxt, len=0, data=b"\x01\x04" + bytes(4)),
    frames.DEST_OPTS: lambda nxt: dpkt.ip6.IP6DstOptsHeader(nxt=nxt, len=0, data=b"\x01\x04" + bytes(4)),
    frames.ROUTING: lambda nxt: dpkt.ip6.IP6RoutingHeader(nxt=nxt, len=0, type=0, segs_left=0),
}


def dpkt_ip6(
    src: str,
    dst: str,
    l4: dpkt.Packet | bytes,
    proto: int,
    ext_headers: tuple[int, ...] = (),
    fragment: frames.Fragment | None = None,
) -> bytes:
    """The same frame as frames.ipv6_frame, built by dpkt (which computes the
    TCP/UDP checksum over the IPv6 pseudo-header itself when sum is 0)."""
    kinds = list(ext_headers) + ([frames.FRAGMENT] if fragment else [])
    headers = []
    for i, kind in enumerate(kinds):
        nxt = kinds[i + 1] if i + 1 < len(kinds) else proto
        if kind == frames.FRAGMENT:
            headers.append(
                dpkt.ip6.IP6FragmentHeader(
                    nxt=nxt, frag_off=fragment.offset, m_flag=int(fragment.more), id=fragment.ident
                )
            )
        else:
            headers.append(_DPKT_EXT[kind](nxt))
    packet = dpkt.ip6.IP6(src=frames.ip6(src), dst=frames.ip6(dst), nxt=kinds[0] if kinds else proto, hlim=64)
    packet.v = 6
    packet.all_extension_headers = headers
    packet.p = proto
    packet.data = l4
    packet.plen = sum(len(h) for h in headers) + len(bytes(l4))
    eth = dpkt.ethernet.Ethernet(
        src=frames.mac("02:00:00:00:00:01"), dst=frames.mac("02:00:00:00:00:02"), type=0x86DD, data=packet
    )
    return bytes(eth)


def _addr6(rng: random.Random) -> str:
    return frames.ip6_text(rng.getrandbits(128))


def test_ipv6_builders_match_dpkt_byte_for_byte() -> None:
    rng = random.Random(6)
    chains = [
        (),
        (frames.HOP_BY_HOP,),
        (frames.HOP_BY_HOP, frames.ROUTING, frames.DEST_OPTS),
        (frames.DEST_OPTS,),
    ]
    for i in range(2000):
        src, dst = _addr6(rng), _addr6(rng)
        sport, dport = rng.randrange(65536), rng.randrange(65536)
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        chain = chains[i % len(chains)]
        fragment = frames.Fragment(0, bool(rng.randrange(2)), rng.getrandbits(32)) if i % 3 == 0 else None
        udp = dpkt.udp.UDP(sport=sport, dport=dport, data=payload)
        udp.ulen = len(udp)
        built = frames.udp6_frame(src, dst, sport, dport, payload, chain, fragment)
        expected = dpkt_ip6(src, dst, udp, dpkt.ip.IP_PROTO_UDP, chain, fragment)
        if udp.sum == 0:  # dpkt leaves a computed 0; IPv6 sends it as 0xFFFF (RFC 8200 8.1)
            continue
        assert built == expected, (src, dst, chain, fragment)
        flags = rng.randrange(256)
        tcp = dpkt.tcp.TCP(sport=sport, dport=dport, flags=flags, seq=1, data=payload)
        built = frames.tcp6_frame(src, dst, sport, dport, flags, payload, chain, fragment)
        assert built == dpkt_ip6(src, dst, tcp, dpkt.ip.IP_PROTO_TCP, chain, fragment)
        assert frame_checks.checksums_valid(built)


def test_ipv6_later_fragment_carries_payload_only() -> None:
    fragment = frames.Fragment(offset=3, more=False, ident=7)
    built = frames.udp6_frame("2001:db8::1", "2001:db8::2", 1, 2, b"abcdefgh", fragment=fragment)
    assert built == dpkt_ip6("2001:db8::1", "2001:db8::2", b"abcdefgh", dpkt.ip.IP_PROTO_UDP, (), fragment)
    assert built[14 + 6] == frames.FRAGMENT  # Next Header of the fixed header
    assert len(built) == 14 + 40 + 8 + 8


def test_ipv6_udp_checksum_hand_computed() -> None:
    # UDP 2001:db8::1 port 1 -> 2001:db8::2 port 2, no payload. One's-complement
    # sum of the pseudo-header (src, dst, upper-layer length 8, next header 17)
    # and the header (1, 2, length 8, checksum 0):
    # 2*0x2001 + 2*0x0db8 + 1 + 2 + 8 + 0x11 + 1 + 2 + 8 = 0x5b99 -> ~ = 0xa466.
    built = frames.udp6_frame("2001:db8::1", "2001:db8::2", 1, 2, b"")
    assert built[14 + 40 :] == bytes.fromhex("0001 0002 0008 a466")
    assert built[12:14] == b"\x86\xdd"
    assert built[14:18] == bytes.fromhex("60000000")  # version 6, class 0, flow label 0
    assert built[18:22] == bytes.fromhex("0008 11 40")  # payload length 8, UDP, hop limit 64


def test_ipv6_checker_rejects_a_flipped_bit_and_a_zero_udp_checksum() -> None:
    frame = frames.udp6_frame("2001:db8::1", "2001:db8:1::2", 1000, 53, ext_headers=(frames.HOP_BY_HOP,))
    assert frame_checks.checksums_valid(frame)
    for offset in (14 + 8 + 15, 14 + 40 + 8 + 8 + 1):  # IPv6 source address, UDP payload
        bad = bytearray(frame)
        bad[offset] ^= 0x01
        assert not frame_checks.checksums_valid(bytes(bad)), offset  # negative control
    zero = bytearray(frame)
    zero[14 + 40 + 8 + 6 : 14 + 40 + 8 + 8] = b"\x00\x00"
    assert not frame_checks.checksums_valid(bytes(zero))  # no "no checksum" in IPv6


def test_the_harness_is_nfpars_own_testing_package() -> None:
    # Bazel 4 puts every runfiles repository on sys.path: `testing` must be ours.
    assert os.path.dirname(os.path.abspath(testing.__file__)) == os.path.join(
        nfpar_runfiles.root(), "testing"
    )


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

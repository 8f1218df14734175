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


def test_the_harness_is_nfpars_own_testing_package() -> None:
    # Bazel 4 puts every runfiles repository on sys.path: `testing` must be ours.
    assert os.path.dirname(os.path.abspath(testing.__file__)) == os.path.join(
        nfpar_runfiles.root(), "testing"
    )


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

"""Deterministic traffic profiles for tests and benchmarks.

A profile yields a time-ordered list of `TrafficPacket`s (input port, timestamp,
frame). Everything is derived from a seed, so two calls with the same arguments
give byte-identical traffic.

Ports follow the two-port convention of the NFs: port 0 faces the LAN/clients,
port 1 the WAN/servers; replies travel on port 1 with the 5-tuple reversed.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import random
import struct
from collections.abc import Iterator, Sequence

from testing import frames as framing


@dataclasses.dataclass(frozen=True)
class Flow:
    src_ip: int
    dst_ip: int
    src_port: int
    dst_port: int
    proto: int  # 6 TCP or 17 UDP
    family: int = 4  # 4: 32-bit addresses; 6: 128-bit IPv6 addresses

    def reversed(self) -> Flow:
        return Flow(self.dst_ip, self.src_ip, self.dst_port, self.src_port, self.proto, self.family)


FAMILIES = ("ipv4", "ipv6", "mixed")
CLIENT6_PREFIX = 0x20010DB8000000010000000000000000  # 2001:db8:0:1::/64
SERVER6_PREFIX = 0x20010DB8000000000000000000000000  # the /48s are 2001:db8:XXXX::/48


@dataclasses.dataclass(frozen=True)
class TrafficPacket:
    port: int
    timestamp_ns: int
    frame: bytes
    flow: Flow | None  # None for frames that are not well-formed TCP/UDP


@dataclasses.dataclass(frozen=True)
class TrafficSpec:
    """What to generate. Rates are per packet, so traffic is independent of time."""

    packets: int = 10_000
    flows: int = 1_000
    distribution: str = "uniform"  # "uniform" or "zipf"
    zipf_s: float = 1.1
    churn: float = 0.0  # probability that a packet starts a new flow replacing a random one
    reply_fraction: float = 0.5  # share of packets that are replies (port 1) of a flow seen before
    frame_size: int = 64  # bytes on the wire without FCS (>= 60 for TCP)
    proto_mix: float = 0.5  # share of TCP flows (rest UDP)
    pps: float = 1_000_000.0  # packet rate, for timestamps
    start_ns: int = 1_000_000_000
    seed: int = 1
    servers: int = 0  # >0: client-to-server traffic, destinations drawn Zipf-popular from this many servers
    lan_prefix: int = 0x0A000000  # 10.0.0.0/8 clients
    wan_prefix: int = 0  # 0: random public-ish addresses
    # Address plans (docs/BENCHMARKS.md): clients are lan_prefix | random
    # low lan_host_bits (24: the 10/8 default; 8: one /24 LAN; 12: one /20),
    # and with server_prefixes > 0 the servers are hosts of that many random
    # /24s instead of random addresses.
    lan_host_bits: int = 24
    server_prefixes: int = 0
    # Address family of each new flow: "ipv4", "ipv6", or "mixed" (IPv6 with
    # probability ipv6_share). IPv6 plan (docs/BENCHMARKS.md): clients are
    # hosts of one /64 (CLIENT6_PREFIX) with random interface IDs; servers are
    # hosts of server6_prefixes random /48s inside SERVER6_PREFIX.
    family: str = "ipv4"
    ipv6_share: float = 0.5
    server6_prefixes: int = 3

    def validate(self) -> None:
        problems = []
        if self.packets < 0:
            problems.append(f"packets={self.packets}: must be >= 0")
        if self.flows < 1:
            problems.append(f"flows={self.flows}: must be >= 1")
        if self.distribution not in ("uniform", "zipf"):
            problems.append(f"distribution={self.distribution!r}: must be 'uniform' or 'zipf'")
        if self.distribution == "zipf" and self.zipf_s <= 0:
            problems.append(f"zipf_s={self.zipf_s}: must be > 0")
        for name in ("churn", "reply_fraction", "proto_mix"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                problems.append(f"{name}={value}: must be within [0, 1]")
        if self.frame_size < 60 or self.frame_size > 9000:
            problems.append(f"frame_size={self.frame_size}: must be within [60, 9000]")
        if self.pps <= 0:
            problems.append(f"pps={self.pps}: must be > 0")
        if not 1 <= self.lan_host_bits <= 24:
            problems.append(f"lan_host_bits={self.lan_host_bits}: must be within [1, 24]")
        if self.family not in FAMILIES:
            problems.append(f"family={self.family!r}: must be one of {', '.join(FAMILIES)}")
        if not 0.0 <= self.ipv6_share <= 1.0:
            problems.append(f"ipv6_share={self.ipv6_share}: must be within [0, 1]")
        if self.server6_prefixes < 1:
            problems.append(f"server6_prefixes={self.server6_prefixes}: must be >= 1")
        if self.server_prefixes < 0 or (self.server_prefixes and not self.servers):
            problems.append(
                f"server_prefixes={self.server_prefixes}: must be >= 0, and > 0 only with servers"
            )
        if problems:
            raise ValueError("invalid traffic spec: " + "; ".join(problems))


class _ZipfSampler:
    """Samples ranks 0..n-1 with P(k) proportional to 1/(k+1)^s."""

    def __init__(self, n: int, s: float, rng: random.Random):
        weights = [1.0 / (k + 1) ** s for k in range(n)]
        self._cumulative = list(itertools.accumulate(weights))
        self._rng = rng

    def sample(self) -> int:
        x = self._rng.random() * self._cumulative[-1]
        return min(bisect.bisect_right(self._cumulative, x), len(self._cumulative) - 1)


def _servers(spec: TrafficSpec, rng: random.Random) -> list[int]:
    """Server addresses: random, or hosts (.1 to .254) of server_prefixes /24s."""
    if not spec.server_prefixes:
        return [rng.getrandbits(32) for _ in range(spec.servers)]
    prefixes = [rng.getrandbits(24) << 8 for _ in range(spec.server_prefixes)]
    return [prefixes[rng.randrange(len(prefixes))] | rng.randrange(1, 255) for _ in range(spec.servers)]


def _servers6(spec: TrafficSpec, rng: random.Random, count: int) -> list[int]:
    """IPv6 server addresses: random hosts (subnet and interface ID) of
    server6_prefixes random /48s of SERVER6_PREFIX."""
    prefixes = [SERVER6_PREFIX | rng.getrandbits(16) << 80 for _ in range(spec.server6_prefixes)]
    return [prefixes[rng.randrange(len(prefixes))] | rng.getrandbits(80) for _ in range(count)]


def _random_flow6(
    spec: TrafficSpec, rng: random.Random, server_pick: _ZipfSampler | None, servers6: Sequence[int]
) -> Flow:
    src = CLIENT6_PREFIX | rng.getrandbits(64)
    if server_pick is not None:
        dst = servers6[server_pick.sample()]
        dst_port = 80 if rng.random() < 0.7 else 443
    else:
        dst = _servers6(spec, rng, 1)[0]
        dst_port = rng.randrange(1, 65536)
    proto = 6 if rng.random() < spec.proto_mix else 17
    return Flow(src, dst, rng.randrange(1024, 65536), dst_port, proto, family=6)


def _is_ipv6_flow(spec: TrafficSpec, rng: random.Random) -> bool:
    if spec.family == "ipv4":
        return False
    return spec.family == "ipv6" or rng.random() < spec.ipv6_share


def _random_flow(
    spec: TrafficSpec,
    rng: random.Random,
    server_pick: _ZipfSampler | None,
    servers: Sequence[int],
    servers6: Sequence[int] = (),
) -> Flow:
    if _is_ipv6_flow(spec, rng):
        return _random_flow6(spec, rng, server_pick, servers6)
    src = spec.lan_prefix | rng.getrandbits(spec.lan_host_bits) if spec.lan_prefix else rng.getrandbits(32)
    if server_pick is not None:
        dst = servers[server_pick.sample()]
        dst_port = 80 if rng.random() < 0.7 else 443
    else:
        dst = (spec.wan_prefix | rng.getrandbits(24)) if spec.wan_prefix else rng.getrandbits(32)
        dst_port = rng.randrange(1, 65536)
    proto = 6 if rng.random() < spec.proto_mix else 17
    return Flow(src, dst, rng.randrange(1024, 65536), dst_port, proto)


def generate(spec: TrafficSpec) -> list[TrafficPacket]:
    """Client flows on port 0 and their replies on port 1, per `spec`."""
    spec.validate()
    rng = random.Random(spec.seed)
    servers: list[int] = []
    servers6: list[int] = []
    server_pick = None
    if spec.servers > 0:
        servers = _servers(spec, rng)
        server_pick = _ZipfSampler(spec.servers, spec.zipf_s, rng)
        if spec.family != "ipv4":  # drawn only then: IPv4 traffic stays byte-identical
            servers6 = _servers6(spec, rng, spec.servers)
    flows = [_random_flow(spec, rng, server_pick, servers, servers6) for _ in range(spec.flows)]
    seen = [False] * spec.flows
    flow_pick = _ZipfSampler(spec.flows, spec.zipf_s, rng) if spec.distribution == "zipf" else None
    gap_ns = 1e9 / spec.pps
    packets = []
    for i in range(spec.packets):
        if spec.churn and rng.random() < spec.churn:
            victim = rng.randrange(spec.flows)
            flows[victim] = _random_flow(spec, rng, server_pick, servers, servers6)
            seen[victim] = False
        index = flow_pick.sample() if flow_pick else rng.randrange(spec.flows)
        flow = flows[index]
        timestamp = spec.start_ns + int(i * gap_ns)
        if seen[index] and rng.random() < spec.reply_fraction:
            wire_flow, port = flow.reversed(), 1
        else:
            wire_flow, port = flow, 0
            seen[index] = True
        packets.append(
            TrafficPacket(port, timestamp, framing.l4_frame(wire_flow, spec.frame_size), wire_flow)
        )
    return packets


def spoofed_wan(
    count: int, seed: int, start_ns: int = 1_000_000_000, pps: float = 1e6
) -> list[TrafficPacket]:
    """Unsolicited WAN packets (random endpoints), which stateful NFs must drop."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        flow = Flow(
            rng.getrandbits(32),
            rng.getrandbits(32),
            rng.randrange(1, 65536),
            rng.randrange(1, 65536),
            rng.choice((6, 17)),
        )
        out.append(TrafficPacket(1, start_ns + int(i * 1e9 / pps), framing.l4_frame(flow, 64), flow))
    return out


def port_scan(
    sources: int, ports_per_source: int, seed: int, start_ns: int = 1_000_000_000, pps: float = 1e6
) -> list[TrafficPacket]:
    """Each source touches many destination ports of one target, interleaved."""
    rng = random.Random(seed)
    scanners = [rng.getrandbits(32) for _ in range(sources)]
    target = rng.getrandbits(32)
    out = []
    i = 0
    for port_index in range(ports_per_source):
        for src in scanners:
            flow = Flow(src, target, 40000 + port_index % 20000, 1 + port_index, 6)
            out.append(TrafficPacket(0, start_ns + int(i * 1e9 / pps), framing.l4_frame(flow, 64), flow))
            i += 1
    return out


def malformed(seed: int, start_ns: int = 1_000_000_000) -> list[TrafficPacket]:
    """One frame per parse failure class, on both ports."""
    rng = random.Random(seed)
    flow = Flow(rng.getrandbits(32), rng.getrandbits(32), 1234, 80, 6)
    good = framing.l4_frame(flow, 64)
    frames = [
        good[:10],  # truncated Ethernet
        good[:12] + b"\x86\xdd" + good[14:],  # IPv6 EtherType
        good[:20],  # truncated IPv4
        good[:14] + bytes([0x44]) + good[15:],  # IHL 4
        good[:16] + b"\xff\xff" + good[18:],  # total length past the frame
        good[:20] + b"\x20\x00" + good[22:],  # more-fragments flag
        good[:23] + b"\x2f" + good[24:],  # GRE: unknown L4
        good[: 14 + 20 + 8],  # TCP header truncated
    ]
    out = []
    for i, frame in enumerate(frames * 2):
        out.append(TrafficPacket(i % 2, start_ns + i * 1000, frame, None))
    return out


def malformed6(seed: int, start_ns: int = 1_000_000_000) -> list[TrafficPacket]:
    """One IPv6 frame per IPv6 parse class that has no ports or is malformed
    (nflib statuses IPV6_OTHER .. TRUNCATED_L4_IPV6), on both ports."""
    rng = random.Random(seed)
    src, dst = CLIENT6_PREFIX | rng.getrandbits(64), _servers6(TrafficSpec(), rng, 1)[0]
    flow = Flow(src, dst, 1234, 80, 6, family=6)
    good = framing.l4_frame(flow, 80)
    nine_dest_opts = (framing.DEST_OPTS,) * 9  # one more than nflib walks
    frames = [
        framing.ipv6_frame(src, dst, 58, 0, 0, bytes(8), framing.CLIENT_MAC, framing.SERVER_MAC),  # ICMPv6
        framing.ipv6_frame(
            src,
            dst,
            17,
            1234,
            53,
            bytes(8),
            framing.CLIENT_MAC,
            framing.SERVER_MAC,
            fragment=framing.Fragment(offset=0, more=True),
        ),  # first fragment
        framing.ipv6_frame(
            src,
            dst,
            17,
            1234,
            53,
            bytes(16),
            framing.CLIENT_MAC,
            framing.SERVER_MAC,
            fragment=framing.Fragment(offset=2, more=False),
        ),  # later fragment
        good[: 14 + 30],  # truncated IPv6 header
        good[:18] + b"\xff\xff" + good[20:],  # payload length past the frame
        good[:14] + bytes([0x45]) + good[15:],  # version 4 behind 0x86DD
        framing.ipv6_frame(
            src, dst, 6, 1234, 80, b"", framing.CLIENT_MAC, framing.SERVER_MAC, ext_headers=nine_dest_opts
        ),  # extension chain too long
        good[:18] + b"\x00\x0a" + good[20 : 14 + 40 + 10],  # TCP header cut inside the payload
    ]
    return [TrafficPacket(i % 2, start_ns + i * 1000, frame, None) for i, frame in enumerate(frames * 2)]


def merge(*streams: Sequence[TrafficPacket]) -> list[TrafficPacket]:
    """Interleaves streams by timestamp (stable), re-spacing equal timestamps."""
    merged = sorted(itertools.chain(*streams), key=lambda p: p.timestamp_ns)
    out: list[TrafficPacket] = []
    last = -1
    for packet in merged:
        ts = max(packet.timestamp_ns, last + 1)
        out.append(dataclasses.replace(packet, timestamp_ns=ts))
        last = ts
    return out


def ip_text(addr: int) -> str:
    return ".".join(str(b) for b in struct.pack("!I", addr))


def iter_port(packets: Sequence[TrafficPacket], port: int) -> Iterator[TrafficPacket]:
    return (p for p in packets if p.port == port)

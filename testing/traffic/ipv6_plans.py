"""IPv6 and mixed-family traffic from IPv4 traffic, with realistic IPv6
address plans (docs/BENCHMARKS.md, "IPv6 and mixed families"; the soundness
check's ipv6/mixed profiles, docs/SOUNDNESS.md).

The IPv4 traffic of profiles.py is kept flow for flow and packet for packet;
a chosen share of its flows becomes IPv6, so an IPv6 or mixed run differs
from the IPv4 run it derives from only in the family (and the frame length:
IPv6 TCP frames are at least 74 bytes, UDP 62). That makes "IPv6 / IPv4"
ratios measured on the same flows, popularity and timing.

Addresses map one to one (per plan seed), role-free, so a flow and its
replies map alike whichever side is looked at:

* LAN hosts (the IPv4 LAN prefix, 10/8 in profiles.py) become hosts of one
  /64 (CLIENT_PREFIX) with random 64-bit interface IDs (RFC 8981 temporary
  addresses: nothing about the host is in its low bits);
* every other address becomes a host of one of a few /48s (SERVER_PREFIXES
  of them: a few provider or data-centre allocations) with a random subnet
  and interface ID, so Zipf-popular servers stay Zipf-popular.

Which flows become IPv6 is decided per flow by a hash of its two endpoints
in either order, so both directions of a flow share its family."""

from __future__ import annotations

import dataclasses
import hashlib
import struct
from collections.abc import Sequence

from testing import frames as framing
from testing.traffic.profiles import Flow, TrafficPacket

CLIENT_PREFIX = 0x20010DB8_0A00_0001 << 64  # 2001:db8:a00:1::/64, the LAN of the IPv4 10/8
SERVER_PREFIXES = 3  # /48s of the servers
LAN_PREFIX = 0x0A000000  # profiles.TrafficSpec.lan_prefix's default
LAN_MASK = 0xFF000000


@dataclasses.dataclass(frozen=True)
class AddressPlan:
    seed: int = 1
    server_prefixes: int = SERVER_PREFIXES
    lan_prefix: int = LAN_PREFIX
    lan_mask: int = LAN_MASK

    def _hash(self, tag: bytes, value: bytes | int, size: int) -> int:
        data = value if isinstance(value, bytes) else value.to_bytes(16, "big")
        key = tag + self.seed.to_bytes(8, "big", signed=True)
        return int.from_bytes(hashlib.blake2b(data, digest_size=size, key=key).digest(), "big")

    def prefixes48(self) -> list[int]:
        """The servers' /48s: 2001:db8::/32 subnets (documentation space) picked by the seed."""
        return [
            (0x20010DB8 << 96) | ((self._hash(b"p48", k, 2) | 0x8000) << 80)
            for k in range(self.server_prefixes)
        ]

    def address(self, ipv4: int) -> int:
        """The IPv6 address standing for `ipv4` (see the module docstring)."""
        if ipv4 & self.lan_mask == self.lan_prefix:
            return CLIENT_PREFIX | self._hash(b"iid", ipv4, 8)
        bits = self._hash(b"srv", ipv4, 12)  # 96 bits: /48 pick, 16-bit subnet, 64-bit interface ID
        prefix = self.prefixes48()[(bits >> 80) % self.server_prefixes]
        return prefix | (bits & (2**80 - 1))

    def is_ipv6(self, flow: Flow, ipv6_share: float) -> bool:
        """Whether `flow` (either direction) is one of the `ipv6_share` of flows that are IPv6."""
        a, b = sorted(((flow.src_ip, flow.src_port), (flow.dst_ip, flow.dst_port)))
        draw = self._hash(b"fam", struct.pack("!IHIHB", *a, *b, flow.proto), 8) / 2**64
        return draw < ipv6_share

    def flow6(self, flow: Flow) -> Flow:
        return Flow(
            self.address(flow.src_ip), self.address(flow.dst_ip), flow.src_port, flow.dst_port, flow.proto, 6
        )


DEFAULT_PLAN = AddressPlan()


def convert_packets(
    packets: Sequence[TrafficPacket], ipv6_share: float, plan: AddressPlan | None = None
) -> list[TrafficPacket]:
    """`packets` with the `ipv6_share` of their IPv4 flows made IPv6 (MACs,
    ports, timestamps kept; frames of `packets`' length or the family's
    minimum). Packets without a flow are kept as they are."""
    plan = plan or DEFAULT_PLAN
    if not 0.0 <= ipv6_share <= 1.0:
        raise ValueError(f"ipv6_share={ipv6_share}: must be within [0, 1]")
    cache: dict[Flow, Flow | None] = {}
    out = []
    for p in packets:
        f = p.flow
        if f is None or f.family != 4:
            out.append(p)
            continue
        if f not in cache:
            cache[f] = plan.flow6(f) if plan.is_ipv6(f, ipv6_share) else None
        f6 = cache[f]
        if f6 is None:
            out.append(p)
            continue
        frame = framing.l4_frame(f6, len(p.frame), src_mac=p.frame[6:12], dst_mac=p.frame[0:6])
        out.append(dataclasses.replace(p, frame=frame, flow=f6))
    return out


def flow_of_frame(frame: bytes) -> Flow | None:
    """The IPv4 TCP/UDP flow of an Ethernet + 20-byte-header IPv4 frame, else None."""
    if len(frame) < 14 + 20 + 4 or frame[12:14] != framing.ETHERTYPE_IPV4 or frame[14] != 0x45:
        return None
    proto = frame[23]
    if proto not in (framing.TCP, framing.UDP) or (frame[20] & 0x3F or frame[21]):
        return None
    src, dst, sport, dport = struct.unpack_from("!IIHH", frame, 26)
    return Flow(src, dst, sport, dport, proto)


def convert_frame(
    frame: bytes, ipv6_share: float, plan: AddressPlan | None = None, cache: dict | None = None
) -> bytes:
    """One frame converted as convert_packets converts a packet (for traffic
    that is already frames: the soundness check's timed traffic)."""
    plan = plan or DEFAULT_PLAN
    flow = flow_of_frame(frame)
    if flow is None:
        return frame
    cache = {} if cache is None else cache
    if flow not in cache:
        cache[flow] = plan.flow6(flow) if plan.is_ipv6(flow, ipv6_share) else None
    f6 = cache[flow]
    if f6 is None:
        return frame
    return framing.l4_frame(f6, len(frame), src_mac=frame[6:12], dst_mac=frame[0:6])

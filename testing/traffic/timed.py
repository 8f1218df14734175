"""Timed traffic of an NF's test spec: the profiles (profiles.py) turned into timed packets with
reply links (which earlier client packet a server packet answers), plus NF
specific shaping and background (shapes.py, from the NF's test spec).

Profiles are generated on two canonical ports (0: clients, 1: servers) and
then spread over the NF's ports by role (nf_spec.ROLES): each flow opens from
one client port and is answered from one server port, both chosen by its
5-tuple, so an N-port NF gets traffic from every client port and replies on
every server port; with one port of each role the traffic is unchanged."""

from __future__ import annotations

import dataclasses
import random
import struct
from collections.abc import Callable, Sequence

from testing import frames
from testing.inmem import Packet
from testing.traffic import profiles
from testing.traffic.profiles import Flow, TrafficPacket, TrafficSpec

# heartbeat_loss needs servers that heartbeat (shapes.py); the others apply to
# any NF. ipv6 (IPv6 only) and mixed (each flow IPv6 with probability 1/2) are
# Zipf traffic with some malformed and port-less IPv6 frames. mixed is a
# default, so every NF meets IPv6 (the dual-stack NFs keep state on it, the
# others pass or drop it, docs/NFS.md); ipv6 is opt-in, because an IPv4-only
# NF that drops IPv6 (the NAT) has nothing to compare on it.
DUAL_STACK_PROFILES = ("ipv6", "mixed")
DEFAULT_PROFILES = ("uniform", "zipf", "churn", "spoofed", "portscan", "overflow", "malformed", "mixed")
PROFILES = (*DEFAULT_PROFILES, "heartbeat_loss", "ipv6")
TWO_PORTS = ("client", "server")
CHURN_EXPIRY_NS = 1_000_000  # NF expiry for the churn profile: 1 ms ...
CHURN_SPAN_EXPIRIES = 6  # ... and the trace spans 6 of them


@dataclasses.dataclass(frozen=True)
class Traffic:
    packets: list[Packet]
    # reply index -> index of the client packet it answers (its output decides
    # the reply's header fields: servers answer what they received).
    answers: dict[int, int]


@dataclasses.dataclass(frozen=True)
class Shape:
    """NF-specific shaping of the generic traffic (shapes.py, from the NF's test spec)."""

    flow: Callable[[Flow], Flow] = lambda f: f  # applied to client flows
    macs_from_ips: bool = False
    # (start_ns, end_ns, profile) -> extra packets (e.g. heartbeats)
    background: Callable[[int, int, str], list[Packet]] | None = None


def mac_of(ip: int) -> bytes:
    """A host's own MAC from its address (the low 32 bits: an IPv6 host's
    random interface ID keeps them apart)."""
    return b"\x02\x01" + struct.pack("!I", ip & 0xFFFFFFFF)


def port_mac(port: int, roles: Sequence[str]) -> bytes:
    """MAC of the hosts behind `port`: the first client port's hosts have
    frames.CLIENT_MAC, the first server port's frames.SERVER_MAC, the hosts
    of any other port a MAC of their own (02:00:00:00:10:<port>)."""
    if port == roles.index("client"):
        return frames.CLIENT_MAC
    if port == roles.index("server"):
        return frames.SERVER_MAC
    return bytes((2, 0, 0, 0, 0x10, port))


def _spread_key(flow: Flow) -> int:
    """A flow's pick among the ports of a role (the same for both directions
    once the flow is oriented client -> server)."""
    return flow.src_ip * 7 + flow.dst_ip * 5 + flow.src_port * 3 + flow.dst_port + flow.proto


def _rename_macs(frame: bytes, renames: dict[bytes, bytes]) -> bytes:
    if len(frame) < 12:
        return frame
    dst, src = frame[0:6], frame[6:12]
    return renames.get(dst, dst) + renames.get(src, src) + frame[12:]


def _to_ports(stream: Sequence[TrafficPacket], roles: Sequence[str]) -> list[TrafficPacket]:
    """Moves canonical port 0 (clients) and 1 (servers) onto the NF's ports by
    role; the canonical client and server MACs become the chosen ports' MACs
    (port_mac)."""
    clients = [p for p, r in enumerate(roles) if r == "client"]
    servers = [p for p, r in enumerate(roles) if r == "server"]
    out = []
    for i, p in enumerate(stream):
        if p.flow is None:
            pick = i
        else:
            pick = _spread_key(p.flow if p.port == 0 else p.flow.reversed())
        client, server = clients[pick % len(clients)], servers[pick % len(servers)]
        renames = {frames.CLIENT_MAC: port_mac(client, roles), frames.SERVER_MAC: port_mac(server, roles)}
        port = client if p.port == 0 else server
        out.append(dataclasses.replace(p, port=port, frame=_rename_macs(p.frame, renames)))
    return out


def _frame(
    flow: Flow, size: int, shape: Shape, src_mac: bytes | None = None, dst_mac: bytes | None = None
) -> bytes:
    if shape.macs_from_ips:
        src_mac, dst_mac = mac_of(flow.src_ip), mac_of(flow.dst_ip)
    return frames.l4_frame(
        flow, size, src_mac=src_mac or frames.CLIENT_MAC, dst_mac=dst_mac or frames.SERVER_MAC
    )


def _shape(packets: Sequence[TrafficPacket], shape: Shape) -> list[TrafficPacket]:
    """Applies the flow shaping to client flows (and to their replies)."""
    out = []
    for p in packets:
        if p.flow is None:
            out.append(p)
            continue
        client = p.flow if p.port == 0 else p.flow.reversed()
        shaped = shape.flow(client)
        wire = shaped if p.port == 0 else shaped.reversed()
        src_mac, dst_mac = (
            (frames.CLIENT_MAC, frames.SERVER_MAC) if p.port == 0 else (frames.SERVER_MAC, frames.CLIENT_MAC)
        )
        out.append(
            dataclasses.replace(p, flow=wire, frame=_frame(wire, len(p.frame), shape, src_mac, dst_mac))
        )
    return out


def _link(packets: Sequence[TrafficPacket]) -> dict[int, int]:
    """Server packets (port 1) answering the latest client packet of their flow."""
    last: dict[Flow, int] = {}
    answers = {}
    for i, p in enumerate(packets):
        if p.flow is None:
            continue
        if p.port == 0:
            last[p.flow] = i
        elif p.flow.reversed() in last:
            answers[i] = last[p.flow.reversed()]
    return answers


def _respace(packets: list[TrafficPacket]) -> list[TrafficPacket]:
    return profiles.merge(packets)


def build(profile: str, packets: int, seed: int, shape: Shape, roles: Sequence[str] = TWO_PORTS) -> Traffic:
    """roles: of the NF's ports (nf_spec.ROLES); background packets come with
    their own ports."""
    start = 1_000_000_000
    spec = TrafficSpec(packets=packets, flows=max(packets // 6, 8), seed=seed, start_ns=start, frame_size=64)
    if profile == "uniform":
        stream = profiles.generate(spec)
    elif profile == "zipf":
        stream = profiles.generate(dataclasses.replace(spec, distribution="zipf", zipf_s=1.2))
    elif profile in ("churn", "heartbeat_loss"):
        span_s = CHURN_EXPIRY_NS * CHURN_SPAN_EXPIRIES / 1e9
        stream = profiles.generate(
            dataclasses.replace(spec, flows=max(packets // 20, 8), churn=0.03, pps=packets / span_s)
        )
    elif profile == "spoofed":
        stream = profiles.merge(
            profiles.generate(dataclasses.replace(spec, packets=packets // 2)),
            profiles.spoofed_wan(packets // 2, seed=seed + 1, start_ns=start),
        )
    elif profile == "portscan":
        scans = profiles.port_scan(
            sources=6, ports_per_source=max(packets // 12, 1), seed=seed + 2, start_ns=start
        )
        # Half the scanners scan from the WAN side (port 1), half from the LAN.
        scanners = sorted({p.flow.src_ip for p in scans})
        wan = set(scanners[::2])
        scans = [dataclasses.replace(p, port=1) if p.flow.src_ip in wan else p for p in scans]
        stream = profiles.merge(profiles.generate(dataclasses.replace(spec, packets=packets // 2)), scans)
    elif profile == "overflow":
        stream = profiles.generate(dataclasses.replace(spec, flows=max(packets // 3, 8)))
    elif profile in DUAL_STACK_PROFILES:
        family = "ipv6" if profile == "ipv6" else "mixed"
        dual = dataclasses.replace(spec, packets=packets - packets // 16, distribution="zipf", family=family)
        bad = []
        for k in range(max(packets // 256, 1)):
            bad += profiles.malformed6(seed + k, start_ns=start + k * 40_000)
        stream = profiles.merge(profiles.generate(dual), bad)
    elif profile == "malformed":
        bad = []
        for k in range(max(packets // 32, 1)):
            bad += profiles.malformed(seed + k, start_ns=start + k * 20_000)
        stream = profiles.merge(profiles.generate(dataclasses.replace(spec, packets=packets // 2)), bad)
    else:
        raise ValueError(f"unknown profile {profile!r}: expected one of {', '.join(PROFILES)}")
    stream = _respace(_shape(stream, shape))
    answers = _link(stream)
    stream = _to_ports(stream, roles)
    out = [Packet(p.port, p.timestamp_ns, p.frame) for p in stream]
    if shape.background is not None:
        extra = shape.background(out[0].timestamp_ns, out[-1].timestamp_ns, profile)
        out, answers = _merge_background(out, answers, extra)
    return Traffic(out, answers)


def _merge_background(packets: list[Packet], answers: dict[int, int], extra: list[Packet]):
    """Merges background packets in by time (before traffic at equal times),
    keeping every timestamp distinct, and renumbers the reply links."""
    tagged = [(p.timestamp_ns, 0, i, p) for i, p in enumerate(extra)]
    tagged += [(p.timestamp_ns, 1, i, p) for i, p in enumerate(packets)]
    tagged.sort(key=lambda t: (t[0], t[1], t[2]))
    new_index = {}
    out = []
    last = -1
    for ts, kind, i, p in tagged:
        ts = max(ts, last + 1)
        last = ts
        if kind == 1:
            new_index[i] = len(out)
        out.append(Packet(p.port, ts, p.frame))
    return out, {new_index[r]: new_index[c] for r, c in answers.items()}


def _reverse_frame6(frame: bytes) -> bytes | None:
    """reverse_frame for IPv6 without extension headers (what the profiles
    send as flows)."""
    if len(frame) < 14 + 40 + 8 or frame[14] >> 4 != 6:
        return None
    proto = frame[14 + 6]
    if proto not in (6, 17) or (proto == 6 and len(frame) < 14 + 40 + 20):
        return None
    src = int.from_bytes(frame[22:38], "big")
    dst = int.from_bytes(frame[38:54], "big")
    sport, dport = struct.unpack_from("!HH", frame, 54)
    flow = Flow(dst, src, dport, sport, proto, family=6)
    return frames.l4_frame(flow, len(frame), src_mac=frame[0:6], dst_mac=frame[6:12])


def reverse_frame(frame: bytes) -> bytes | None:
    """The frame a server sends back for `frame` (addresses, ports and MACs
    swapped, checksums recomputed), or None when it is not IPv4 or IPv6 TCP/UDP."""
    if len(frame) >= 14 and frame[12:14] == b"\x86\xdd":
        return _reverse_frame6(frame)
    if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00" or frame[14] != 0x45:
        return None
    proto = frame[23]
    if proto not in (6, 17) or (proto == 6 and len(frame) < 14 + 40):
        return None
    src, dst = struct.unpack_from("!II", frame, 26)
    sport, dport = struct.unpack_from("!HH", frame, 34)
    flow = Flow(dst, src, dport, sport, proto)
    return frames.l4_frame(flow, len(frame), src_mac=frame[0:6], dst_mac=frame[6:12])


def random_ips(count: int, seed: int, prefix: int) -> list[int]:
    rng = random.Random(seed)
    return [prefix | rng.getrandbits(16) for _ in range(count)]

"""Benchmark traffic: the three mixes (uniform, Zipf-skewed, high churn) as
deterministic pcaps, adapted per NF (tools/bench/nf_setups.py).

Every host gets its own MAC (02:00 + its IPv4 address), so MAC-keyed NFs see as
many stations as there are hosts. Pcaps are written with nanosecond timestamps,
one per NF port.
"""

from __future__ import annotations

import dataclasses
import os
import struct
import zlib
from collections.abc import Sequence

from testing import frames as framing
from testing import pcap
from testing.traffic import profiles
from tools.bench import nf_setups

CHURN = 0.1  # per-packet probability that a new flow replaces a random one
ZIPF_S = 1.1
PPS = 1e6  # packet rate of the timestamps
# The churn mix shortens the NFs' expiry to this many mean gaps between two
# packets of one flow, so that replaced flows are forgotten within the run (the
# runtime repeats the trace shifted by its span) and the tables stay below about
# 75% full (40k live flows + 10% x 80k replaced ones in 65536 entries): the mix
# measures churn, not a full table (docs/BENCHMARKS.md: full nflib maps).
CHURN_EXPIRY_GAPS = 2


@dataclasses.dataclass(frozen=True)
class Mix:
    name: str
    spec: profiles.TrafficSpec
    expiry_ns: int | None  # expiry passed to the NF (None: the NF's default)
    # IPv6 and mixed-family mixes: the share of flows that are IPv6 and the
    # IPv4 mix of the same spec they are measured against (the report divides
    # their rates by the base's, measured in the same run).
    ipv6_share: float = 0.0
    base: str | None = None


@dataclasses.dataclass(frozen=True)
class Trace:
    """Input files and the NF options that go with them."""

    mix: str
    pcap_options: tuple[str, ...]  # --pcap=PORT:FILE
    nf_args: tuple[str, ...]
    packets: int


def mixes(packets: int, flows: int, seed: int, churn_expiry_gaps: float = CHURN_EXPIRY_GAPS) -> list[Mix]:
    """`churn_expiry_gaps`: the churn mix's expiry in mean flow gaps (larger:
    fuller tables; 8 keeps about 72k flows live, more than 65536 entries)."""
    uniform = profiles.TrafficSpec(
        packets=packets, flows=flows, distribution="uniform", frame_size=64, pps=PPS, seed=seed
    )
    churn_expiry = int(churn_expiry_gaps * flows / PPS * 1e9)
    out = [
        Mix("uniform", uniform, None),
        Mix("zipf", dataclasses.replace(uniform, distribution="zipf", zipf_s=ZIPF_S), None),
        Mix("churn", dataclasses.replace(uniform, churn=CHURN), churn_expiry),
        *address_plan_mixes(uniform),
    ]
    return out + family_mixes(out)


# IPv6 and mixed-family mixes (docs/BENCHMARKS.md, "IPv6 and mixed families"):
# name -> (IPv4 base mix, share of flows that are IPv6), generated with the
# base's spec and the IPv6 address plan of testing/traffic/profiles.py
# (clients: hosts of one /64 with random interface IDs; servers: hosts of
# random /48s, or with "servers" the 64 Zipf-popular servers in 3 /48s).
FAMILY_MIXES = {
    "ipv6": ("uniform", 1.0),
    "mixed50": ("uniform", 0.5),
    "mixed10": ("uniform", 0.1),
    "ipv6_zipf": ("zipf", 1.0),
    "ipv6_churn": ("churn", 1.0),
    "servers6": ("servers", 1.0),
}


def family_mixes(ipv4: Sequence[Mix]) -> list[Mix]:
    by_name = {m.name: m for m in ipv4}
    out = []
    for name, (base, share) in FAMILY_MIXES.items():
        b = by_name[base]
        family = "ipv6" if share == 1 else "mixed"
        spec = dataclasses.replace(b.spec, family=family, ipv6_share=share)
        out.append(dataclasses.replace(b, name=name, spec=spec, ipv6_share=share, base=base))
    return out


# Address plans (docs/BENCHMARKS.md, "Address plans"): the LAN is one /24 or
# one /20 instead of 10/8, or the clients talk to servers in a few /24s.
LAN24_HOST_BITS = 8
LAN20_HOST_BITS = 12
SERVER_PREFIXES = 3
SERVERS = 64


def address_plan_mixes(uniform: profiles.TrafficSpec) -> list[Mix]:
    lan24 = dataclasses.replace(uniform, lan_host_bits=LAN24_HOST_BITS)
    return [
        Mix("lan24", lan24, None),
        Mix("lan20", dataclasses.replace(uniform, lan_host_bits=LAN20_HOST_BITS), None),
        Mix("servers", dataclasses.replace(uniform, servers=SERVERS, server_prefixes=SERVER_PREFIXES), None),
        Mix("lan24_zipf", dataclasses.replace(lan24, distribution="zipf", zipf_s=ZIPF_S), None),
    ]


def host_mac(ip: int) -> bytes:
    """02:00 + the IPv4 address, or + the low 32 bits of an IPv6 address (its
    random interface ID's: distinct for the hosts of a run but by chance)."""
    return b"\x02\x00" + (ip & 0xFFFFFFFF).to_bytes(4, "big")


def with_host_macs(packets: Sequence[profiles.TrafficPacket]) -> list[profiles.TrafficPacket]:
    out = []
    for p in packets:
        if p.flow is None:
            out.append(p)
            continue
        frame = host_mac(p.flow.dst_ip) + host_mac(p.flow.src_ip) + p.frame[12:]
        out.append(dataclasses.replace(p, frame=frame))
    return out


def _ip(text: str) -> int:
    return int.from_bytes(bytes(int(x) for x in text.split(".")), "big")


def vip_backends(
    packets: Sequence[profiles.TrafficPacket],
    vip: str,
    backends: int,
    heartbeat_port: int,
    frame_size: int,
    vip6: str = "",
) -> list[profiles.TrafficPacket]:
    """Clients (port 0) address the VIP; replies (port 1) come from one of
    `backends` backends (192.0.2.1...), which first send a heartbeat each.
    IPv6 flows address `vip6` and are answered by as many IPv6 backends
    (2001:db8:ba::1...)."""
    ipv6 = any(p.flow is not None and p.flow.family == 6 for p in packets)
    if ipv6 and not vip6:
        raise ValueError("IPv6 flows for a VIP service without an IPv6 VIP (the bench section's vip6)")
    vips = {4: _ip(vip), 6: framing.ip6_int(vip6) if vip6 else 0}
    backend_ips = {4: [_ip("192.0.2.0") + 1 + i for i in range(backends)]}
    backend_ips[6] = [framing.ip6_int("2001:db8:ba::") + 1 + i for i in range(backends)] if ipv6 else []
    start = packets[0].timestamp_ns if packets else 1_000_000_000
    beating = [(family, ip) for family in (4, 6) for ip in backend_ips[family]]
    out = []
    for i, (family, ip) in enumerate(beating):
        flow = profiles.Flow(ip, vips[family], heartbeat_port, heartbeat_port, 17, family)
        frame = framing.l4_frame(flow, frame_size, host_mac(ip), host_mac(vips[family]))
        out.append(profiles.TrafficPacket(1, start - (len(beating) - i) * 1000, frame, flow))
    for p in packets:
        f = p.flow
        if f is None:
            continue
        vip_ip = vips[f.family]
        if p.port == 0:
            flow = profiles.Flow(f.src_ip, vip_ip, f.src_port, f.dst_port, f.proto, f.family)
        else:  # a reply to client (dst_ip, dst_port)
            client = f.dst_ip.to_bytes(4 if f.family == 4 else 16, "big") + struct.pack("!H", f.dst_port)
            backend = backend_ips[f.family][zlib.crc32(client) % backends]
            flow = profiles.Flow(backend, f.dst_ip, f.src_port, f.dst_port, f.proto, f.family)
        frame = framing.l4_frame(flow, len(p.frame), host_mac(flow.src_ip), host_mac(flow.dst_ip))
        out.append(dataclasses.replace(p, frame=frame, flow=flow))
    return out


def static_table(packets: Sequence[profiles.TrafficPacket]) -> str:
    """Bridge table text: LAN hosts (sources on port 0) behind port 0, the hosts
    they talk to behind port 1."""
    side: dict[int, int] = {}
    for p in packets:
        if p.flow is None:
            continue
        lan, wan = (p.flow.src_ip, p.flow.dst_ip) if p.port == 0 else (p.flow.dst_ip, p.flow.src_ip)
        side.setdefault(lan, 0)
        side.setdefault(wan, 1)
    lines = [f"{host_mac(ip).hex(':')} {port}" for ip, port in sorted(side.items())]
    return "# generated by tools/bench: MAC PORT\n" + "\n".join(lines) + "\n"


def write_pcap(path: str, packets: Sequence[profiles.TrafficPacket]) -> None:
    """Classic pcap with nanosecond timestamps."""
    pcap.write_ns(path, ((p.timestamp_ns, p.frame) for p in packets))


def write_trace(
    packets: Sequence[profiles.TrafficPacket], setup: nf_setups.NfSetup, mix: Mix, directory: str
) -> Trace:
    """The mix's packets adapted to `setup`, as one pcap per port under `directory`
    (reused when an NF with the same adaptation already wrote them)."""
    variant = setup.workload.value
    if setup.workload is nf_setups.Workload.VIP_BACKENDS:  # NFs with other backends write their own
        variant += f"_{setup.vip}_{setup.vip6}_{setup.backends}_{setup.heartbeat_port}"
    stem = os.path.join(directory, f"{mix.name}_{variant}")
    pcaps = {port: f"{stem}_{port}.pcap" for port in (0, 1)}
    table = stem + "_table.txt"
    count_file = stem + ".count"
    if not os.path.exists(count_file):
        if setup.workload is nf_setups.Workload.VIP_BACKENDS:
            adapted = vip_backends(
                packets, setup.vip, setup.backends, setup.heartbeat_port, mix.spec.frame_size, setup.vip6
            )
        else:
            adapted = with_host_macs(packets)
        if setup.workload is nf_setups.Workload.STATIC_TABLE:
            with open(table, "w", encoding="utf-8") as f:
                f.write(static_table(adapted))
        for port, path in pcaps.items():
            write_pcap(path, [p for p in adapted if p.port == port])
        with open(count_file, "w", encoding="utf-8") as f:
            f.write(f"{len(adapted)}\n")
    with open(count_file, encoding="utf-8") as f:
        count = int(f.read())
    args = [f"--table={table}"] if setup.workload is nf_setups.Workload.STATIC_TABLE else []
    if mix.expiry_ns is not None and setup.expiry_option:
        args.append(f"{setup.expiry_option}={mix.expiry_ns // 1_000_000}ms")
    pcap_options = tuple(f"--pcap={port}:{path}" for port, path in pcaps.items())
    return Trace(mix.name, pcap_options, tuple(args), count)

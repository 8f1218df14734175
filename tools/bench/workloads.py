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
    return [
        Mix("uniform", uniform, None),
        Mix("zipf", dataclasses.replace(uniform, distribution="zipf", zipf_s=ZIPF_S), None),
        Mix("churn", dataclasses.replace(uniform, churn=CHURN), churn_expiry),
        *address_plan_mixes(uniform),
    ]


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
    return b"\x02\x00" + ip.to_bytes(4, "big")


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
    packets: Sequence[profiles.TrafficPacket], vip: str, backends: int, heartbeat_port: int, frame_size: int
) -> list[profiles.TrafficPacket]:
    """Clients (port 0) address the VIP; replies (port 1) come from one of
    `backends` backends (192.0.2.1...), which first send a heartbeat each."""
    vip_ip = _ip(vip)
    backend_ips = [_ip("192.0.2.0") + 1 + i for i in range(backends)]
    start = packets[0].timestamp_ns if packets else 1_000_000_000
    out = []
    for i, ip in enumerate(backend_ips):
        flow = profiles.Flow(ip, vip_ip, heartbeat_port, heartbeat_port, 17)
        frame = framing.l4_frame(flow, frame_size, host_mac(ip), host_mac(vip_ip))
        out.append(profiles.TrafficPacket(1, start - (backends - i) * 1000, frame, flow))
    for p in packets:
        f = p.flow
        if f is None:
            continue
        if p.port == 0:
            flow = profiles.Flow(f.src_ip, vip_ip, f.src_port, f.dst_port, f.proto)
        else:  # a reply to client (dst_ip, dst_port)
            backend = backend_ips[zlib.crc32(struct.pack("!IH", f.dst_ip, f.dst_port)) % backends]
            flow = profiles.Flow(backend, f.dst_ip, f.src_port, f.dst_port, f.proto)
        frame = framing.l4_frame(flow, frame_size, host_mac(flow.src_ip), host_mac(flow.dst_ip))
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
        variant += f"_{setup.vip}_{setup.backends}_{setup.heartbeat_port}"
    stem = os.path.join(directory, f"{mix.name}_{variant}")
    pcaps = {port: f"{stem}_{port}.pcap" for port in (0, 1)}
    table = stem + "_table.txt"
    count_file = stem + ".count"
    if not os.path.exists(count_file):
        if setup.workload is nf_setups.Workload.VIP_BACKENDS:
            adapted = vip_backends(
                packets, setup.vip, setup.backends, setup.heartbeat_port, mix.spec.frame_size
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

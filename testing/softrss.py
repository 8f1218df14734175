"""Python reference of the NIC's RSS queue choice (independent of the C
softrss.c): Toeplitz over IPv4 (src, dst[, sport, dport]) by packet type and
rss_hf, then the RETA the runtimes program: the plan's own table when the run
has the plan's worker count, else the RETA rule (parallelizer/sharding/reta.py,
the same function as the runtimes' nf_par_default_reta by
//tests/parallel:reta_rule_test). Used to pre-split traffic per queue for DPDK
devices without RSS (split) and to check the in-memory dispatch."""

from __future__ import annotations

import functools
import struct

import dpkt

from parallelizer.sharding import reta
from parallelizer.sharding.toeplitz import toeplitz_hash

RSS_IPV4 = 1 << 2
RSS_FRAG_IPV4 = 1 << 3
RSS_TCP = 1 << 4
RSS_UDP = 1 << 5
RSS_OTHER = 1 << 7


# The planner's Toeplitz hash (checked against the Microsoft RSS vectors).
toeplitz = toeplitz_hash


def hash_input(frame: bytes, rss_hf: int) -> bytes:
    """The bytes a NIC hashes for frame (empty: not hashed)."""
    try:
        eth = dpkt.ethernet.Ethernet(frame)
    except (dpkt.UnpackError, dpkt.NeedData):
        return b""
    ip = eth.data
    if not isinstance(ip, dpkt.ip.IP) or len(frame) < 14 + 20:
        return b""
    pair = ip.src + ip.dst
    fragment = bool(ip.mf or ip.offset)
    if fragment:
        return pair if rss_hf & (RSS_IPV4 | RSS_FRAG_IPV4) else b""
    l4 = ip.data
    if isinstance(l4, (dpkt.tcp.TCP, dpkt.udp.UDP)):
        bit = RSS_TCP if isinstance(l4, dpkt.tcp.TCP) else RSS_UDP
        if rss_hf & bit:
            return pair + struct.pack("!HH", l4.sport, l4.dport)
        return pair if rss_hf & RSS_IPV4 else b""
    return pair if rss_hf & (RSS_IPV4 | RSS_OTHER) else b""


def entry_of(frame: bytes, key: bytes, rss_hf: int, reta_size: int) -> int:
    """The RETA entry (index) RSS reads for frame."""
    data = hash_input(frame, rss_hf)
    value = toeplitz(key, data) if data else 0
    return value & (reta_size - 1)


@functools.cache
def rule_table(reta_size: int, workers: int) -> tuple[int, ...]:
    return tuple(reta.table(reta_size, workers))


def queue_of_entry(entry: int, reta_size: int, workers: int) -> int:
    """The queue of RETA entry `entry` under the RETA rule."""
    return rule_table(reta_size, workers)[entry]


def run_table(plan, workers: int) -> tuple[int, ...]:
    """The RETA a run of `plan` (a plan_pb2.Plan) on `workers` workers uses, as
    nf_par_run_reta picks it: the plan's table at the plan's worker count, else
    the rule's."""
    tables = {tuple(p.reta) for p in plan.ports if p.reta}
    if tables and workers == plan.cores:
        (table,) = tables  # codegen refuses plans whose ports differ
        return table
    return rule_table(plan.reta_size, workers)


def queue_of(frame: bytes, key: bytes, rss_hf: int, reta_size: int, workers: int, table=None) -> int:
    """The queue RSS sends frame to: `table` (a RETA of reta_size entries, e.g.
    run_table(plan, workers)) or, without one, the RETA rule's."""
    table = rule_table(reta_size, workers) if table is None else table
    return table[entry_of(frame, key, rss_hf, reta_size)]


def split(packets, plan, workers: int, ports: int = 2) -> dict[int, list[list[bytes]]]:
    """(port, frame) packets spread over `workers` RX queues per port as the
    NIC's RSS would under the plan's keys and the RETA rule: port -> queue ->
    frames (the input of dpdk_harness.presplit_vdevs)."""
    keys = {p.port: p for p in plan.ports}
    queues: dict[int, list[list[bytes]]] = {port: [[] for _ in range(workers)] for port in range(ports)}
    for port, frame in packets:
        rss = keys[port]
        queues[port][queue_of(frame, bytes.fromhex(rss.key_hex), rss.rss_hf, plan.reta_size, workers)].append(
            frame
        )
    return queues

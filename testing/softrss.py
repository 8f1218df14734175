"""Python reference of the NIC's RSS queue choice (independent of the C
softrss.c): Toeplitz over IPv4 (src, dst[, sport, dport]) or IPv6 (src 16
bytes, dst 16 bytes[, sport, dport]; DPDK's rte_ipv6_tuple order) by packet
type and rss_hf, then the RETA the runtimes program: the plan's own table when the run
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
RSS_IPV6 = 1 << 8
RSS_FRAG_IPV6 = 1 << 9
RSS_TCP6 = 1 << 10
RSS_UDP6 = 1 << 11
RSS_OTHER6 = 1 << 13
# IPv6 extension headers walked before the upper-layer header (RFC 8200 4.1:
# hop-by-hop only first, routing, destination options, fragment), at most
# IPV6_MAX_EXT of them (nflib/packet.h NF_IPV6_MAX_EXT_HEADERS); a longer or
# broken chain is not hashed. Any fragment header: no ports (a NIC hashes
# every fragment of a datagram on its addresses).
IPV6_HOPOPTS = 0
IPV6_FRAGMENT = 44
IPV6_EXT = (IPV6_HOPOPTS, 43, IPV6_FRAGMENT, 60)
IPV6_MAX_EXT = 8


# The planner's Toeplitz hash (checked against the Microsoft RSS vectors).
toeplitz = toeplitz_hash


def _ipv6_input(frame: bytes, rss_hf: int) -> bytes:
    """Hash input of an IPv6 frame (EtherType 0x86DD), parsed from the bytes."""
    if len(frame) < 14 + 40 or frame[14] >> 4 != 6:
        return b""
    end = 14 + 40 + struct.unpack_from("!H", frame, 18)[0]
    if end > len(frame):
        return b""
    pair = frame[22:38] + frame[38:54]  # src, dst: rte_ipv6_tuple's order
    nxt, at, count, fragment = frame[20], 14 + 40, 0, False
    while nxt in IPV6_EXT:
        if count == IPV6_MAX_EXT or (nxt == IPV6_HOPOPTS and count):
            return b""
        if nxt == IPV6_FRAGMENT:
            if at + 8 > end:
                return b""
            fragment = True
            if struct.unpack_from("!H", frame, at + 2)[0] >> 3:
                break  # a later fragment: the rest is data
            length = 8
        else:
            if at + 2 > end or at + (frame[at + 1] + 1) * 8 > end:
                return b""
            length = (frame[at + 1] + 1) * 8
        nxt, at, count = frame[at], at + length, count + 1
    if fragment:
        return pair if rss_hf & (RSS_IPV6 | RSS_FRAG_IPV6) else b""
    need = {6: 20, 17: 8}.get(nxt)
    if need is None:
        return pair if rss_hf & (RSS_IPV6 | RSS_OTHER6) else b""
    bit = RSS_TCP6 if nxt == 6 else RSS_UDP6
    if at + need <= end and rss_hf & bit:
        return pair + frame[at : at + 4]
    return pair if rss_hf & RSS_IPV6 else b""  # truncated L4 or type not hashed


def hash_input(frame: bytes, rss_hf: int) -> bytes:
    """The bytes a NIC hashes for frame (empty: not hashed)."""
    if len(frame) >= 14 and frame[12:14] == b"\x86\xdd":
        return _ipv6_input(frame, rss_hf)
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

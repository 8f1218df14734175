"""Python reference of the NIC's RSS queue choice (independent of the C
softrss.c): Toeplitz over IPv4 (src, dst[, sport, dport]) by packet type and
rss_hf, RETA entry i -> queue i mod workers. Used to pre-split traffic per
queue for DPDK devices without RSS and to check the in-memory dispatch."""

from __future__ import annotations

import struct

import dpkt

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


def queue_of(frame: bytes, key: bytes, rss_hf: int, reta_size: int, workers: int) -> int:
    data = hash_input(frame, rss_hf)
    value = toeplitz(key, data) if data else 0
    return (value & (reta_size - 1)) % workers

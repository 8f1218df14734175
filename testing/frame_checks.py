"""Checks of frames written with dpkt, independent of the builder they judge
(frames.py computes its checksums itself)."""

from __future__ import annotations

import struct

import dpkt


def checksums_valid(frame: bytes) -> bool:
    """True when the IPv4 header checksum and the TCP/UDP checksum are correct."""
    eth = dpkt.ethernet.Ethernet(frame)
    packet = eth.data
    if not isinstance(packet, dpkt.ip.IP):
        return False
    header = bytes(packet)[: packet.hl * 4]
    if dpkt.in_cksum(header) != 0:
        return False
    l4 = packet.data
    if isinstance(l4, (dpkt.tcp.TCP, dpkt.udp.UDP)):
        if isinstance(l4, dpkt.udp.UDP) and l4.sum == 0:
            return True
        raw = bytes(packet)[packet.hl * 4 : packet.len]
        pseudo = packet.src + packet.dst + struct.pack("!BBH", 0, packet.p, len(raw))
        return dpkt.in_cksum(pseudo + raw) == 0
    return True

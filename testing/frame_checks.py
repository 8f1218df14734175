"""Checks of frames written with dpkt, independent of the builder they judge
(frames.py computes its checksums itself)."""

from __future__ import annotations

import struct

import dpkt


def _l4_sum_ok(l4: object, raw: bytes, pseudo: bytes) -> bool:
    if isinstance(l4, dpkt.udp.UDP) and l4.sum == 0:
        return True
    return dpkt.in_cksum(pseudo + raw) == 0


def _ipv6_checksums_valid(packet: dpkt.ip6.IP6, frame: bytes) -> bool:
    """The TCP/UDP checksum over the IPv6 pseudo-header (RFC 8200 8.1); a UDP
    checksum of 0 is invalid in IPv6. Non-first fragments carry no L4 header."""
    l4 = packet.data
    if not isinstance(l4, (dpkt.tcp.TCP, dpkt.udp.UDP)):
        return True
    fragment = packet.extension_hdrs.get(dpkt.ip.IP_PROTO_FRAGMENT)
    if fragment is not None and fragment.frag_off != 0:
        return True
    if isinstance(l4, dpkt.udp.UDP) and l4.sum == 0:
        return False
    chain = sum(ext.length for ext in packet.all_extension_headers)
    raw = frame[14 + 40 + chain : 14 + 40 + packet.plen]
    pseudo = packet.src + packet.dst + struct.pack("!I3xB", len(raw), packet.p)
    return _l4_sum_ok(l4, raw, pseudo)


def checksums_valid(frame: bytes) -> bool:
    """True when the IPv4 header checksum and the TCP/UDP checksum are correct
    (IPv6: the TCP/UDP checksum; IPv6 has no header checksum)."""
    eth = dpkt.ethernet.Ethernet(frame)
    packet = eth.data
    if isinstance(packet, dpkt.ip6.IP6):
        return _ipv6_checksums_valid(packet, frame)
    if not isinstance(packet, dpkt.ip.IP):
        return False
    header = bytes(packet)[: packet.hl * 4]
    if dpkt.in_cksum(header) != 0:
        return False
    l4 = packet.data
    if isinstance(l4, (dpkt.tcp.TCP, dpkt.udp.UDP)):
        raw = bytes(packet)[packet.hl * 4 : packet.len]
        pseudo = packet.src + packet.dst + struct.pack("!BBH", 0, packet.p, len(raw))
        return _l4_sum_ok(l4, raw, pseudo)
    return True

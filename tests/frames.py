"""Builders of test frames (Ethernet / IPv4 / TCP / UDP) with correct checksums."""

from __future__ import annotations

import random
import socket
import struct

import dpkt


def mac(text: str) -> bytes:
    return bytes(int(part, 16) for part in text.split(":"))


def ip(text: str) -> bytes:
    return socket.inet_aton(text)


def udp_frame(
    src_ip: str,
    dst_ip: str,
    src_port: int,
    dst_port: int,
    payload: bytes = b"x" * 18,
    src_mac: str = "02:00:00:00:00:01",
    dst_mac: str = "02:00:00:00:00:02",
) -> bytes:
    udp = dpkt.udp.UDP(sport=src_port, dport=dst_port, data=payload)
    udp.ulen = len(udp)
    packet = dpkt.ip.IP(src=ip(src_ip), dst=ip(dst_ip), p=dpkt.ip.IP_PROTO_UDP, ttl=64, data=udp)
    packet.len = len(packet)
    eth = dpkt.ethernet.Ethernet(
        src=mac(src_mac), dst=mac(dst_mac), type=dpkt.ethernet.ETH_TYPE_IP, data=packet
    )
    return bytes(eth)


def tcp_frame(
    src_ip: str,
    dst_ip: str,
    src_port: int,
    dst_port: int,
    flags: int = dpkt.tcp.TH_SYN,
    payload: bytes = b"",
    src_mac: str = "02:00:00:00:00:01",
    dst_mac: str = "02:00:00:00:00:02",
) -> bytes:
    tcp = dpkt.tcp.TCP(sport=src_port, dport=dst_port, flags=flags, seq=1, data=payload)
    packet = dpkt.ip.IP(src=ip(src_ip), dst=ip(dst_ip), p=dpkt.ip.IP_PROTO_TCP, ttl=64, data=tcp)
    packet.len = len(packet)
    eth = dpkt.ethernet.Ethernet(
        src=mac(src_mac), dst=mac(dst_mac), type=dpkt.ethernet.ETH_TYPE_IP, data=packet
    )
    return bytes(eth)


def random_udp_frames(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    frames = []
    for _ in range(count):
        src = socket.inet_ntoa(struct.pack("!I", rng.getrandbits(32)))
        dst = socket.inet_ntoa(struct.pack("!I", rng.getrandbits(32)))
        frames.append(udp_frame(src, dst, rng.randrange(1, 65536), rng.randrange(1, 65536)))
    return frames


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

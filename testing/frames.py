"""The one builder of test and benchmark frames: Ethernet / IPv4 / TCP|UDP with
correct checksums, built with struct (fast enough for million-packet traces).

Two ways in, one layout: `l4_frame` takes a profiles.Flow and a frame size
(traffic profiles, the matrix, benchmarks); `udp_frame` / `tcp_frame` take
dotted addresses and a payload (hand-written test packets). Their checker is
frame_checks.py, written with dpkt so that it does not share this code."""

from __future__ import annotations

import random
import socket
import struct
from typing import TYPE_CHECKING

from testing.frame_checks import checksums_valid  # noqa: F401  (the builders' checker, one import away)

if TYPE_CHECKING:
    from testing.traffic.profiles import Flow

CLIENT_MAC = bytes.fromhex("020000000001")
SERVER_MAC = bytes.fromhex("020000000002")
TCP, UDP = 6, 17
TCP_SYN = 0x02
ETHERTYPE_IPV4 = b"\x08\x00"
_IP_DONT_FRAGMENT = 0x4000
_TTL = 64


def mac(text: str) -> bytes:
    return bytes(int(part, 16) for part in text.split(":"))


def ip(text: str) -> bytes:
    return socket.inet_aton(text)


def _ip_int(text: str) -> int:
    return int.from_bytes(ip(text), "big")


def ones_complement_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data: bytes) -> int:
    return (~ones_complement_sum(data)) & 0xFFFF


def ipv4_frame(
    src_ip: int,
    dst_ip: int,
    proto: int,
    src_port: int,
    dst_port: int,
    payload: bytes,
    src_mac: bytes,
    dst_mac: bytes,
    tcp_flags: int = TCP_SYN,
    dont_fragment: bool = True,
) -> bytes:
    """A TCP (proto 6: seq 1, window 65535) or UDP (17) frame; the UDP checksum
    0 is sent as 0xFFFF (RFC 768)."""
    l4_header_len = 20 if proto == TCP else 8
    total_len = 20 + l4_header_len + len(payload)
    fragment = _IP_DONT_FRAGMENT if dont_fragment else 0
    ip_header = struct.pack("!BBHHHBBHII", 0x45, 0, total_len, 0, fragment, _TTL, proto, 0, src_ip, dst_ip)
    ip_header = ip_header[:10] + struct.pack("!H", checksum(ip_header)) + ip_header[12:]
    if proto == TCP:
        l4 = struct.pack("!HHIIBBHHH", src_port, dst_port, 1, 0, 5 << 4, tcp_flags, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", src_port, dst_port, l4_header_len + len(payload), 0)
    pseudo = struct.pack("!IIBBH", src_ip, dst_ip, 0, proto, len(l4) + len(payload))
    l4_sum = checksum(pseudo + l4 + payload)
    if proto == UDP and l4_sum == 0:
        l4_sum = 0xFFFF
    offset = 16 if proto == TCP else 6
    l4 = l4[:offset] + struct.pack("!H", l4_sum) + l4[offset + 2 :]
    return dst_mac + src_mac + ETHERTYPE_IPV4 + ip_header + l4 + payload


def l4_frame(
    flow: Flow, frame_size: int = 64, src_mac: bytes = CLIENT_MAC, dst_mac: bytes = SERVER_MAC
) -> bytes:
    """A frame of exactly frame_size bytes (>= 54 for TCP, >= 42 for UDP),
    zero payload, don't-fragment set."""
    l4_header_len = 20 if flow.proto == TCP else 8
    payload = bytes(max(0, frame_size - 14 - 20 - l4_header_len))
    return ipv4_frame(
        flow.src_ip, flow.dst_ip, flow.proto, flow.src_port, flow.dst_port, payload, src_mac, dst_mac
    )


def udp_frame(
    src_ip: str,
    dst_ip: str,
    src_port: int,
    dst_port: int,
    payload: bytes = b"x" * 18,
    src_mac: str = "02:00:00:00:00:01",
    dst_mac: str = "02:00:00:00:00:02",
) -> bytes:
    return ipv4_frame(
        _ip_int(src_ip),
        _ip_int(dst_ip),
        UDP,
        src_port,
        dst_port,
        payload,
        mac(src_mac),
        mac(dst_mac),
        dont_fragment=False,
    )


def tcp_frame(
    src_ip: str,
    dst_ip: str,
    src_port: int,
    dst_port: int,
    flags: int = TCP_SYN,
    payload: bytes = b"",
    src_mac: str = "02:00:00:00:00:01",
    dst_mac: str = "02:00:00:00:00:02",
) -> bytes:
    return ipv4_frame(
        _ip_int(src_ip),
        _ip_int(dst_ip),
        TCP,
        src_port,
        dst_port,
        payload,
        mac(src_mac),
        mac(dst_mac),
        tcp_flags=flags,
        dont_fragment=False,
    )


def random_udp_frames(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    frames = []
    for _ in range(count):
        src = socket.inet_ntoa(struct.pack("!I", rng.getrandbits(32)))
        dst = socket.inet_ntoa(struct.pack("!I", rng.getrandbits(32)))
        frames.append(udp_frame(src, dst, rng.randrange(1, 65536), rng.randrange(1, 65536)))
    return frames

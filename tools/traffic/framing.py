"""Fast construction of Ethernet/IPv4/TCP|UDP frames with correct checksums."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.traffic.profiles import Flow

CLIENT_MAC = bytes.fromhex("020000000001")
SERVER_MAC = bytes.fromhex("020000000002")


def ones_complement_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data: bytes) -> int:
    return (~ones_complement_sum(data)) & 0xFFFF


def l4_frame(
    flow: Flow, frame_size: int = 64, src_mac: bytes = CLIENT_MAC, dst_mac: bytes = SERVER_MAC
) -> bytes:
    """A frame of exactly frame_size bytes (>= 60 for TCP, >= 42 for UDP)."""
    l4_header_len = 20 if flow.proto == 6 else 8
    payload_len = max(0, frame_size - 14 - 20 - l4_header_len)
    payload = bytes(payload_len)
    total_len = 20 + l4_header_len + payload_len
    ip_header = struct.pack(
        "!BBHHHBBHII", 0x45, 0, total_len, 0, 0x4000, 64, flow.proto, 0, flow.src_ip, flow.dst_ip
    )
    ip_header = ip_header[:10] + struct.pack("!H", checksum(ip_header)) + ip_header[12:]
    if flow.proto == 6:
        l4 = struct.pack("!HHIIBBHHH", flow.src_port, flow.dst_port, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", flow.src_port, flow.dst_port, l4_header_len + payload_len, 0)
    pseudo = struct.pack("!IIBBH", flow.src_ip, flow.dst_ip, 0, flow.proto, len(l4) + payload_len)
    l4_sum = checksum(pseudo + l4 + payload)
    if flow.proto == 17 and l4_sum == 0:
        l4_sum = 0xFFFF
    offset = 16 if flow.proto == 6 else 6
    l4 = l4[:offset] + struct.pack("!H", l4_sum) + l4[offset + 2 :]
    return dst_mac + src_mac + b"\x08\x00" + ip_header + l4 + payload

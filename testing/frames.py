"""The one builder of test and benchmark frames: Ethernet / IPv4 or IPv6 /
TCP|UDP with correct checksums, built with struct (fast enough for
million-packet traces).

Two ways in, one layout per family: `l4_frame` takes a profiles.Flow (IPv4 or
IPv6, by its `family`) and a frame size (traffic profiles, the matrix,
benchmarks); `udp_frame` / `tcp_frame` (dotted IPv4) and `udp6_frame` /
`tcp6_frame` (IPv6 text, optional extension headers and fragment header) take
addresses and a payload (hand-written test packets). Their checker is
frame_checks.py, written with dpkt so that it does not share this code."""

from __future__ import annotations

import dataclasses
import random
import socket
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING

from testing.frame_checks import checksums_valid  # noqa: F401  (the builders' checker, one import away)

if TYPE_CHECKING:
    from testing.traffic.profiles import Flow

CLIENT_MAC = bytes.fromhex("020000000001")
SERVER_MAC = bytes.fromhex("020000000002")
TCP, UDP = 6, 17
TCP_SYN = 0x02
ETHERTYPE_IPV4 = b"\x08\x00"
ETHERTYPE_IPV6 = b"\x86\xdd"
# IPv6 extension header types (RFC 8200 4.1) the builder can put before the
# upper-layer header, each as its smallest (8-byte) form.
HOP_BY_HOP, ROUTING, FRAGMENT, DEST_OPTS = 0, 43, 44, 60
IPV6_HEADER_LEN = 40
_IP_DONT_FRAGMENT = 0x4000
_TTL = 64


def mac(text: str) -> bytes:
    return bytes(int(part, 16) for part in text.split(":"))


def ip(text: str) -> bytes:
    return socket.inet_aton(text)


def _ip_int(text: str) -> int:
    return int.from_bytes(ip(text), "big")


def ip6(text: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, text)


def ip6_int(text: str) -> int:
    return int.from_bytes(ip6(text), "big")


def ip6_text(addr: int) -> str:
    return socket.inet_ntop(socket.AF_INET6, addr.to_bytes(16, "big"))


def ones_complement_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data: bytes) -> int:
    return (~ones_complement_sum(data)) & 0xFFFF


def _l4_segment(
    proto: int, src_port: int, dst_port: int, payload: bytes, tcp_flags: int, pseudo: bytes
) -> bytes:
    """TCP (seq 1, window 65535) or UDP header + payload with the checksum over
    `pseudo` (the family's pseudo-header) and the segment; UDP 0 is sent as 0xFFFF."""
    if proto == TCP:
        l4 = struct.pack("!HHIIBBHHH", src_port, dst_port, 1, 0, 5 << 4, tcp_flags, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0)
    l4_sum = checksum(pseudo + l4 + payload)
    if proto == UDP and l4_sum == 0:
        l4_sum = 0xFFFF
    offset = 16 if proto == TCP else 6
    return l4[:offset] + struct.pack("!H", l4_sum) + l4[offset + 2 :] + payload


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
    pseudo = struct.pack("!IIBBH", src_ip, dst_ip, 0, proto, l4_header_len + len(payload))
    l4 = _l4_segment(proto, src_port, dst_port, payload, tcp_flags, pseudo)
    return dst_mac + src_mac + ETHERTYPE_IPV4 + ip_header + l4


@dataclasses.dataclass(frozen=True)
class Fragment:
    """An IPv6 Fragment header. offset in 8-byte units; at offset 0 the
    fragment starts with the TCP/UDP header (its checksum covers this fragment's
    part only: the builder makes test frames, not reassemblable datagrams), at
    any other offset it carries the payload bytes only, without ports."""

    offset: int = 0
    more: bool = True
    ident: int = 0x12345678


def _ext_header(kind: int, next_header: int, fragment: Fragment) -> bytes:
    """The smallest form of one extension header: options headers with one PadN
    option, a routing header with no segments left, or the fragment header."""
    if kind in (HOP_BY_HOP, DEST_OPTS):
        return struct.pack("!BBBB4x", next_header, 0, 1, 4)
    if kind == ROUTING:
        return struct.pack("!BBBB4x", next_header, 0, 0, 0)
    if kind == FRAGMENT:
        field = (fragment.offset & 0x1FFF) << 3 | int(fragment.more)
        return struct.pack("!BBHI", next_header, 0, field, fragment.ident & 0xFFFFFFFF)
    raise ValueError(f"extension header type {kind}: must be one of 0, 43, 44, 60")


def ipv6_frame(
    src_ip: int,
    dst_ip: int,
    proto: int,
    src_port: int,
    dst_port: int,
    payload: bytes,
    src_mac: bytes,
    dst_mac: bytes,
    tcp_flags: int = TCP_SYN,
    ext_headers: Sequence[int] = (),
    fragment: Fragment | None = None,
    hop_limit: int = _TTL,
    flow_label: int = 0,
) -> bytes:
    """An IPv6 TCP or UDP frame (proto 6 or 17; any other proto: `payload` as
    the upper-layer bytes), with the extension headers `ext_headers` (types, in
    order) and, when `fragment` is given, a Fragment header after them. The
    checksum covers the IPv6 pseudo-header (RFC 8200 8.1) with the final
    destination (routing headers here have no segments left)."""
    src, dst = src_ip.to_bytes(16, "big"), dst_ip.to_bytes(16, "big")
    if fragment is not None and fragment.offset != 0:
        upper = payload
    elif proto in (TCP, UDP):
        l4_len = (20 if proto == TCP else 8) + len(payload)
        pseudo = src + dst + struct.pack("!I3xB", l4_len, proto)
        upper = _l4_segment(proto, src_port, dst_port, payload, tcp_flags, pseudo)
    else:
        upper = payload
    kinds = list(ext_headers) + ([FRAGMENT] if fragment is not None else [])
    chain = b""
    next_header = proto
    for kind in reversed(kinds):
        chain = _ext_header(kind, next_header, fragment or Fragment()) + chain
        next_header = kind
    first = (6 << 28) | (flow_label & 0xFFFFF)
    header = struct.pack("!IHBB", first, len(chain) + len(upper), next_header, hop_limit) + src + dst
    return dst_mac + src_mac + ETHERTYPE_IPV6 + header + chain + upper


def l4_frame(
    flow: Flow, frame_size: int = 64, src_mac: bytes = CLIENT_MAC, dst_mac: bytes = SERVER_MAC
) -> bytes:
    """A frame of exactly frame_size bytes (IPv4: >= 54 for TCP, >= 42 for UDP;
    IPv6: >= 74 for TCP, >= 62 for UDP), zero payload, IPv4 don't-fragment set."""
    l4_header_len = 20 if flow.proto == TCP else 8
    if flow.family == 6:
        payload = bytes(max(0, frame_size - 14 - IPV6_HEADER_LEN - l4_header_len))
        return ipv6_frame(
            flow.src_ip, flow.dst_ip, flow.proto, flow.src_port, flow.dst_port, payload, src_mac, dst_mac
        )
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


def udp6_frame(
    src_ip: str,
    dst_ip: str,
    src_port: int,
    dst_port: int,
    payload: bytes = b"x" * 18,
    ext_headers: Sequence[int] = (),
    fragment: Fragment | None = None,
    src_mac: str = "02:00:00:00:00:01",
    dst_mac: str = "02:00:00:00:00:02",
) -> bytes:
    return ipv6_frame(
        ip6_int(src_ip),
        ip6_int(dst_ip),
        UDP,
        src_port,
        dst_port,
        payload,
        mac(src_mac),
        mac(dst_mac),
        ext_headers=ext_headers,
        fragment=fragment,
    )


def tcp6_frame(
    src_ip: str,
    dst_ip: str,
    src_port: int,
    dst_port: int,
    flags: int = TCP_SYN,
    payload: bytes = b"",
    ext_headers: Sequence[int] = (),
    fragment: Fragment | None = None,
    src_mac: str = "02:00:00:00:00:01",
    dst_mac: str = "02:00:00:00:00:02",
) -> bytes:
    return ipv6_frame(
        ip6_int(src_ip),
        ip6_int(dst_ip),
        TCP,
        src_port,
        dst_port,
        payload,
        mac(src_mac),
        mac(dst_mac),
        tcp_flags=flags,
        ext_headers=ext_headers,
        fragment=fragment,
    )


def random_udp_frames(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    frames = []
    for _ in range(count):
        src = socket.inet_ntoa(struct.pack("!I", rng.getrandbits(32)))
        dst = socket.inet_ntoa(struct.pack("!I", rng.getrandbits(32)))
        frames.append(udp_frame(src, dst, rng.randrange(1, 65536), rng.randrange(1, 65536)))
    return frames

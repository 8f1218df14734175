"""Writes the seed corpus of tests/fuzz (checked in under corpus/; rerun after
changing a harness's input format):

    .venv/bin/python3 tests/fuzz/make_corpus.py

corpus/packet: op(1) value(6) frame, per frame kind (IPv4 and IPv6 of every
               parse class) and setter (packet_fuzz.c);
corpus/nf:     mode(1) then events port(1) delta(2) length(2) frame (nf_fuzz.c):
               flows in both directions, the frame kinds on each port, expiry
               gaps, with and without reply mode;
corpus/pcap:   whole pcap files, valid and broken (pcap_fuzz.c)."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import sys

import dpkt

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from testing import frames

HERE = os.path.dirname(os.path.abspath(__file__))


def ipv4(
    proto: int,
    payload: bytes,
    ihl: int = 5,
    off: int = 0,
    total: int | None = None,
    version: int = 4,
    src: str = "10.0.0.1",
    dst: str = "192.0.2.1",
) -> bytes:
    """An IPv4 frame built by hand, for the shapes dpkt refuses to build."""
    options = b"\x01" * (max(ihl, 5) * 4 - 20)
    length = total if total is not None else 20 + len(options) + len(payload)
    header = (
        struct.pack(
            "!BBHHHBBH4s4s",
            (version << 4) | ihl,
            0,
            length & 0xFFFF,
            1,
            off,
            64,
            proto,
            0,
            frames.ip(src),
            frames.ip(dst),
        )
        + options
    )
    header = header[:10] + struct.pack("!H", dpkt.in_cksum(header)) + header[12:]
    return frames.mac("02:00:00:00:00:02") + frames.mac("02:00:00:00:00:01") + b"\x08\x00" + header + payload


def kinds() -> dict[str, bytes]:
    udp = frames.udp_frame("10.0.0.1", "192.0.2.1", 1234, 80)
    tcp = frames.tcp_frame("10.0.0.1", "192.0.2.1", 40000, 443)
    tcp_data = frames.tcp_frame("10.0.0.2", "192.0.2.9", 40001, 80, flags=dpkt.tcp.TH_ACK, payload=b"GET /")
    icmp = bytes(
        dpkt.ethernet.Ethernet(
            src=frames.mac("02:00:00:00:00:01"),
            dst=frames.mac("02:00:00:00:00:02"),
            data=dpkt.ip.IP(
                src=frames.ip("10.0.0.1"),
                dst=frames.ip("192.0.2.1"),
                p=1,
                data=dpkt.icmp.ICMP(type=8, data=dpkt.icmp.ICMP.Echo(id=1, seq=1)),
            ),
        )
    )
    no_csum = bytearray(udp)
    no_csum[40:42] = b"\0\0"
    bad_csum = bytearray(udp)
    bad_csum[40] ^= 0xFF
    vlan = udp[:12] + b"\x81\x00\x00\x05" + udp[12:]
    ip6 = bytes(
        dpkt.ethernet.Ethernet(
            src=frames.mac("02:00:00:00:00:01"),
            dst=frames.mac("02:00:00:00:00:02"),
            type=0x86DD,
            data=dpkt.ip6.IP6(
                src=b"\x20\x01" + b"\0" * 13 + b"\1",
                dst=b"\x20\x01" + b"\0" * 13 + b"\2",
                nxt=17,
                hlim=64,
                data=dpkt.udp.UDP(sport=1, dport=2, data=b"v6"),
            ),
        )
    )
    arp = frames.mac("ff:ff:ff:ff:ff:ff") + frames.mac("02:00:00:00:00:01") + b"\x08\x06" + b"\0" * 28
    udp_hdr = udp[34:42]
    return {
        "udp": udp,
        "tcp_syn": tcp,
        "tcp_data": tcp_data,
        "icmp": icmp,
        "gre": ipv4(47, b"\0" * 8),
        "udp_no_csum": bytes(no_csum),
        "udp_bad_csum": bytes(bad_csum),
        "tcp_options_ihl6": ipv4(6, tcp[34:], ihl=6),
        "frag_first": ipv4(17, udp_hdr + b"x" * 16, off=0x2000),
        "frag_later": ipv4(17, b"y" * 16, off=0x0003),
        "vlan": vlan,
        "ipv6": ip6,
        "arp": arp,
        "trunc_eth": udp[:10],
        "trunc_ipv4": udp[:24],
        "bad_ihl": ipv4(17, udp_hdr, ihl=4),
        "bad_version": ipv4(17, udp_hdr, version=6),
        "total_too_big": ipv4(17, udp_hdr, total=400),
        "total_too_small": ipv4(17, udp_hdr, total=12),
        "trunc_l4": ipv4(17, udp_hdr[:4], total=24),
        "padded_udp": udp + b"\0" * 20,
        "full_1514": frames.udp_frame("10.0.0.3", "192.0.2.3", 5000, 53, payload=b"z" * 1472),
        "jumbo_9000": frames.udp_frame("10.0.0.4", "192.0.2.4", 5001, 53, payload=b"j" * 8958),
    }


def ipv6(
    chain: list[tuple[int, bytes]],
    upper: int,
    payload: bytes,
    plen_delta: int = 0,
    version: int = 6,
    pad: int = 0,
) -> bytes:
    """An IPv6 frame built by hand (RFC 8200): extension headers given as
    (type, body after the next-header byte), the upper layer's protocol and
    bytes (a TCP/UDP checksum field at its RFC offset is filled over the
    pseudo-header); plen_delta moves the payload length field."""
    src = bytes.fromhex("20010db8000000010000000000000001")
    dst = bytes.fromhex("20010db8000200000000000000000002")
    types = [t for t, _ in chain] + [upper]
    headers = b"".join(bytes([types[i + 1]]) + body for i, (_, body) in enumerate(chain))
    at = {6: 16, 17: 6}.get(upper)
    if at is not None and len(payload) >= at + 2 and payload[at : at + 2] == b"\xff\xff":
        pseudo = src + dst + struct.pack("!I3xB", len(payload), upper)
        blank = payload[:at] + b"\0\0" + payload[at + 2 :]
        payload = (
            payload[:at] + struct.pack("!H", dpkt.in_cksum(pseudo + blank) or 0xFFFF) + payload[at + 2 :]
        )
    plen = len(headers) + len(payload) + plen_delta
    fixed = struct.pack("!IHBB", (version << 28) | 0xABCDE, plen & 0xFFFF, types[0], 64) + src + dst
    return (
        frames.mac("02:00:00:00:00:02")
        + frames.mac("02:00:00:00:00:01")
        + b"\x86\xdd"
        + fixed
        + headers
        + payload
        + b"\0" * pad
    )


def ipv6_kinds() -> dict[str, bytes]:
    """IPv6 frames of every class nflib's parser tells apart (docs/NFLIB.md)."""
    udp = struct.pack("!HHH", 5353, 53, 16) + b"\xff\xff" + b"q" * 8  # checksum filled in
    tcp = struct.pack("!HHIIBBH", 40000, 443, 1, 0, 5 << 4, 0x02, 512) + b"\xff\xff" + b"\0\0"
    opts = b"\0" + b"\x01\x04\0\0\0\0"  # Hdr Ext Len 0, PadN: 8 bytes in all
    hbh, rt, dst_opts = (0, opts), (43, b"\0" + b"\x00\x02\x00\0\0\0"), (60, opts)

    def frag(offset: int, more: int) -> tuple[int, bytes]:
        return (44, b"\0" + struct.pack("!HI", offset << 3 | more, 7))

    return {
        "v6_udp": ipv6([], 17, udp),
        "v6_tcp": ipv6([], 6, tcp),
        "v6_udp_no_csum": ipv6([], 17, udp[:6] + b"\0\0" + udp[8:]),
        "v6_hbh_tcp": ipv6([hbh], 6, tcp),
        "v6_chain_udp": ipv6([hbh, rt, dst_opts], 17, udp),
        "v6_chain_max": ipv6([hbh] + [dst_opts] * 7, 17, udp),
        "v6_chain_too_long": ipv6([hbh] + [dst_opts] * 8, 17, udp),
        "v6_chain_long_hdr": ipv6([(60, b"\x03" + b"\x01\x1c" + b"\0" * 28)], 6, tcp),
        "v6_hbh_not_first": ipv6([dst_opts, hbh], 17, udp),
        "v6_frag_first": ipv6([frag(0, 1)], 17, udp),
        "v6_frag_atomic": ipv6([frag(0, 0), dst_opts], 6, tcp),
        "v6_frag_later": ipv6([frag(100, 1)], 17, b"y" * 16),
        "v6_frag_first_short": ipv6([frag(0, 1)], 6, tcp[:12]),
        "v6_icmp": ipv6([], 58, b"\x80\0\0\0\0\1\0\1"),
        "v6_no_next": ipv6([dst_opts], 59, b""),
        "v6_ah": ipv6([], 51, b"\x11\x04" + b"\0" * 22),
        "v6_esp": ipv6([], 50, b"\0" * 16),
        "v6_trunc_fixed": ipv6([], 17, udp)[: 14 + 30],
        "v6_trunc_version": ipv6([], 17, udp)[:15],
        "v6_bad_version": ipv6([], 17, udp, version=4),
        "v6_plen_past_frame": ipv6([], 17, udp, plen_delta=1),
        "v6_chain_cut": ipv6([hbh, rt], 17, b"", plen_delta=-4),
        "v6_trunc_l4": ipv6([], 6, tcp[:10]),
        "v6_padded": ipv6([rt], 17, udp, pad=26),
    }


def event(port: int, frame: bytes, delta_us: int = 10, delta_ms: int | None = None) -> bytes:
    delta = 0x8000 | delta_ms if delta_ms is not None else delta_us
    return struct.pack("<BHH", port, delta, len(frame)) + frame


# Frame kinds every setter is seeded with (the others are seeded parse-only).
SETTER_KINDS = (
    "udp",
    "tcp_syn",
    "udp_no_csum",
    "tcp_options_ihl6",
    "frag_first",
    "v6_udp",
    "v6_tcp",
    "v6_udp_no_csum",
    "v6_chain_udp",
    "v6_frag_first",
    "v6_frag_atomic",
)
SETTER_OPS = 10  # packet_fuzz.c op_field: eth, ipv4, l4 ports, ipv6 src/dst/flow label/hop limit


def packet_corpus(k: dict[str, bytes]) -> dict[str, bytes]:
    out = {}
    value = bytes([198, 51, 100, 7, 0x1F, 0x90])
    for name, frame in {**k, **ipv6_kinds()}.items():
        if len(frame) > 2000:
            continue
        out[f"{name}_parse"] = b"\xff" + value + frame
        for op in range(SETTER_OPS) if name in SETTER_KINDS else ():
            out[f"{name}_op{op}"] = bytes([op]) + value + frame
    return out


def nf_corpus(k: dict[str, bytes]) -> dict[str, bytes]:
    lan = [frames.udp_frame(f"10.0.0.{i}", "192.0.2.1", 1000 + i, 80) for i in range(1, 5)]
    wan = frames.udp_frame("192.0.2.1", "198.51.100.1", 80, 1025)
    syn = k["tcp_syn"]
    out = {}
    for mode in (0, 1):
        tag = "reply" if mode else "plain"
        out[f"flows_{tag}"] = bytes([mode]) + b"".join(event(0, f) for f in lan) + event(1, wan)
        out[f"tcp_{tag}"] = bytes([mode]) + event(0, syn) + event(1, syn) + event(0, k["tcp_data"])
        out[f"expiry_{tag}"] = (
            bytes([mode])
            + event(0, lan[0])
            + event(0, lan[1], delta_ms=30000)
            + event(0, lan[0], delta_ms=30000)
            + event(1, wan)
        )
        out[f"many_flows_{tag}"] = bytes([mode]) + b"".join(
            event(0, frames.udp_frame(f"10.0.{i // 250}.{i % 250 + 1}", "192.0.2.1", 2000 + i, 53))
            for i in range(80)
        )
    for port in (0, 1):  # the frame kinds, in reply mode, into each side
        for name, frame in k.items():
            if name != "jumbo_9000" or port == 0:
                out[f"{name}_p{port}"] = b"\x01" + event(port, frame)
    return out


def pcap(records: list[bytes], magic: int = 0xA1B2C3D4, endian: str = "<", linktype: int = 1) -> bytes:
    data = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for i, r in enumerate(records):
        data += struct.pack(endian + "IIII", 1000 + i, 500 * i, len(r), len(r)) + r
    return data


def pcap_corpus(k: dict[str, bytes]) -> dict[str, bytes]:
    some = [k["udp"], k["tcp_syn"], k["trunc_eth"], b""]
    good = pcap(some)
    return {
        "empty": pcap([]),
        "three": good,
        "nanos": pcap(some, magic=0xA1B23C4D),
        "big_endian": pcap(some, endian=">"),
        "big_endian_nanos": pcap(some, magic=0xA1B23C4D, endian=">"),
        "jumbo": pcap([k["jumbo_9000"]]),
        "linktype_raw": pcap(some, linktype=101),
        "pcapng": b"\x0a\x0d\x0d\x0a" + good[4:],
        "short_header": good[:20],
        "truncated_record_header": good[: 24 + 10],
        "caplen_past_end": good[:-3],
        "caplen_huge": good[:24] + struct.pack("<IIII", 1, 0, 0x7FFFFFFF, 60) + b"\0" * 60,
    }


def write(directory: str, files: dict[str, bytes]) -> None:
    path = os.path.join(HERE, "corpus", directory)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, data in sorted(files.items()):
        digest = hashlib.sha1(data).hexdigest()[:8]
        with open(os.path.join(path, f"{name}-{digest}"), "wb") as f:
            f.write(data)


def main() -> None:
    k = kinds()
    write("packet", packet_corpus(k))
    write("nf", nf_corpus(k))
    write("pcap", pcap_corpus(k))


if __name__ == "__main__":
    main()

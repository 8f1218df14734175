"""Pcap files of the harness: nanosecond pcaps (what the in-memory runtime and
the benchmarks read, timestamps kept exact) and microsecond ones through dpkt
(what DPDK's net_pcap reads and writes)."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Sequence

import dpkt

MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1
_RECORD = struct.Struct("<IIII")


def write_ns(path: str, packets: Iterable[tuple[int, bytes]]) -> None:
    """(timestamp ns, frame) records, in the given order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", MAGIC_NS, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        for timestamp_ns, frame in packets:
            seconds, nanos = divmod(timestamp_ns, 1_000_000_000)
            f.write(_RECORD.pack(seconds, nanos, len(frame), len(frame)))
            f.write(frame)


def write(path: str, frames: Sequence[bytes], start_ts: float = 1.0, gap_s: float = 1e-6) -> None:
    """Microsecond pcap, one frame every gap_s seconds."""
    with open(path, "wb") as f:
        writer = dpkt.pcap.Writer(f, linktype=dpkt.pcap.DLT_EN10MB)
        for i, frame in enumerate(frames):
            writer.writepkt(frame, ts=start_ts + i * gap_s)


def read(path: str) -> list[bytes]:
    """The frames of a pcap; none when the file does not exist (a port that sent nothing)."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        return [bytes(buf) for _, buf in dpkt.pcap.Reader(f)]

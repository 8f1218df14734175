"""Compares a parallel run's per-packet outcomes with the sequential NF's, up to
the plan's declared differences (declared.py), and reports divergences by packet,
flow, worker and both outcomes."""

from __future__ import annotations

import dataclasses
import itertools
import socket
import struct
from collections.abc import Sequence

from tests.equivalence import declared as declared_lib
from tests.equivalence.runner import Outcome, Packet, Run

IPV4 = declared_lib.IPV4
MAX_REPORTED = 8


def flow_of(frame: bytes) -> tuple | None:
    """(proto, src ip, src port, dst ip, dst port) of an IPv4 TCP/UDP frame."""
    if len(frame) < IPV4 + 24 or frame[12:14] != b"\x08\x00" or frame[IPV4] >> 4 != 4:
        return None
    proto = frame[IPV4 + 9]
    if proto not in (6, 17):
        return None
    l4 = IPV4 + (frame[IPV4] & 15) * 4
    if len(frame) < l4 + 4:
        return None
    sport, dport = struct.unpack_from("!HH", frame, l4)
    return (proto, frame[IPV4 + 12 : IPV4 + 16], sport, frame[IPV4 + 16 : IPV4 + 20], dport)


def flow_text(frame: bytes) -> str:
    flow = flow_of(frame)
    if flow is None:
        return f"no TCP/UDP flow ({len(frame)} bytes, ethertype {frame[12:14].hex() or '-'})"
    proto, src, sport, dst, dport = flow
    name = {6: "tcp", 17: "udp"}[proto]
    return f"{name} {socket.inet_ntoa(src)}:{sport} -> {socket.inet_ntoa(dst)}:{dport}"


def verdict_text(verdict: int) -> str:
    return {-1: "drop", -2: "flood"}.get(verdict, f"port {verdict}")


def _checksum_offsets(frame: bytes, field: str) -> list[int]:
    """Checksums covering `field`: IPv4 header (addresses) and TCP/UDP."""
    out = [IPV4 + 10] if field.startswith("ipv4.") else []
    if len(frame) >= IPV4 + 20:
        l4 = IPV4 + (frame[IPV4] & 15) * 4
        offset = {6: l4 + 16, 17: l4 + 6}.get(frame[IPV4 + 9])
        if offset is not None and len(frame) >= offset + 2:
            out.append(offset)
    return out


def _blank(frame: bytearray, field: str) -> None:
    offset, size = declared_lib.FIELDS[field]
    if len(frame) < offset + size:
        return
    for at in [offset, *_checksum_offsets(frame, field)]:
        width = size if at == offset else 2
        frame[at : at + width] = bytes(width)


def _field(frame: bytes, field: str) -> int | None:
    offset, size = declared_lib.FIELDS[field]
    if len(frame) < offset + size:
        return None
    return int.from_bytes(frame[offset : offset + size], "big")


@dataclasses.dataclass
class Divergence:
    index: int
    text: str


@dataclasses.dataclass
class Result:
    divergences: list[Divergence]
    index_problems: list[str]
    compared: int

    def ok(self) -> bool:
        return not self.divergences and not self.index_problems

    def report(self, label: str) -> str:
        lines = [
            f"{label}: {len(self.divergences)} of {self.compared} packets diverge, "
            f"{len(self.index_problems)} declared-difference violations"
        ]
        lines += [d.text for d in self.divergences[:MAX_REPORTED]]
        if len(self.divergences) > MAX_REPORTED:
            lines.append(f"... and {len(self.divergences) - MAX_REPORTED} more")
        lines += self.index_problems[:MAX_REPORTED]
        return "\n".join(lines)


def _describe(
    i: int, packet: Packet, seq: Outcome, par: Outcome, seq_frame: bytes, par_frame: bytes, reference: str
) -> str:
    text = (
        f"packet {i} (port {packet.port}, t={packet.timestamp_ns} ns, flow {flow_text(packet.frame)}, "
        f"worker {par.worker}): {reference} {verdict_text(seq.verdict)}, parallel {verdict_text(par.verdict)}"
    )
    if seq.verdict == par.verdict and seq_frame != par_frame:
        first = next(
            (b for b in range(min(len(seq_frame), len(par_frame))) if seq_frame[b] != par_frame[b]),
            min(len(seq_frame), len(par_frame)),
        )
        text += (
            f"; frames differ from byte {first}: {reference} {seq.frame[first : first + 8].hex()}, "
            f"parallel {par.frame[first : first + 8].hex()}"
        )
    return text


def compare(
    seq_packets: Sequence[Packet],
    par_packets: Sequence[Packet],
    seq: Run,
    par: Run,
    decl: declared_lib.Declared,
    strategy: str,
    workers: int,
    idle_ns: int | None = None,
    nf_args: Sequence[str] = (),
    reference: str = "sequential",
) -> Result:
    """idle_ns: a flow idle for longer (the NF's expiry in this traffic) may come
    back as a new flow with another index value; None: flows never expire.
    nf_args: the NF's options (its configured capacities bound index values).
    reference: how reports name the `seq` run."""
    divergences: list[Divergence] = []
    problems: list[str] = []
    # (field, flow) -> [sequential value, parallel value, first, last, last ns, worker, IndexField]
    # of the flow's current lifetime; closed lifetimes go to `lifetimes`.
    keys: dict[tuple, list] = {}
    lifetimes: list[list] = []
    for i, (sp, pp, so, po) in enumerate(
        zip(seq_packets, par_packets, seq.outcomes, par.outcomes, strict=True)
    ):
        seq_frame, par_frame = bytearray(so.frame), bytearray(po.frame)
        for f in decl.index_fields:
            if sp.port == f.writer_port and so.verdict >= 0 and po.verdict >= 0:
                s_value, p_value = _field(so.frame, f.writer_field), _field(po.frame, f.writer_field)
                key = (f.writer_field, flow_of(sp.frame))
                entry = keys.get(key)
                idle = sp.timestamp_ns - entry[4] if entry is not None else 0
                expired = idle_ns is not None and idle > idle_ns
                if entry is not None and (entry[1] != p_value or expired):
                    # A new lifetime: the value changed, or the flow may have
                    # expired (then even an equal value is a new allocation).
                    if entry[0] == s_value and entry[1] != p_value and not expired:
                        problems.append(
                            f"packet {i} (flow {flow_text(sp.frame)}, worker {po.worker}): "
                            f"{f.writer_field} {p_value}, but packet {entry[2]} of the same live flow "
                            f"got {entry[1]} (sequential: {s_value} for both, idle {idle} ns)"
                        )
                    lifetimes.append(entry)
                    entry = None
                if entry is None:
                    entry = keys[key] = [s_value, p_value, i, i, 0, po.worker, f, key[1]]
                entry[3], entry[4] = i, sp.timestamp_ns
                _blank(seq_frame, f.writer_field)
                _blank(par_frame, f.writer_field)
            if sp.port == f.reader_port and _field(sp.frame, f.reader_field) != _field(
                pp.frame, f.reader_field
            ):
                _blank(seq_frame, f.reader_field)
                _blank(par_frame, f.reader_field)
        if (so.verdict, bytes(seq_frame)) != (po.verdict, bytes(par_frame)):
            divergences.append(
                Divergence(i, _describe(i, sp, so, po, bytes(seq_frame), bytes(par_frame), reference))
            )
    problems += _check_index_values(lifetimes + list(keys.values()), decl, strategy, workers, nf_args)
    return Result(divergences, problems, len(seq_packets))


def _check_index_values(
    lifetimes: list[list], decl, strategy: str, workers: int, nf_args: Sequence[str]
) -> list[str]:
    problems = []
    by_value: dict[tuple, list] = {}
    for _, value, first, last, _, worker, f, flow in lifetimes:
        by_value.setdefault((f.writer_field, value), []).append((first, last, flow))
        if f.base is None or value is None:
            continue
        index = value - f.base
        if strategy == "sn":
            capacity = decl.capacity_per_worker(f.object, workers, nf_args)
            low, high = worker * capacity, (worker + 1) * capacity
        else:
            low, high = 0, decl.capacity(f.object, nf_args)
        if not low <= index < high:
            problems.append(
                f"{f.writer_field} {value} of flow {flow} (worker {worker}): index {index} outside the "
                f"worker's range [{low}, {high}) ({strategy}, {workers} workers, object {f.object})"
            )
    for (field, value), users in by_value.items():
        users.sort()
        for (a_first, a_last, a_flow), (b_first, _, b_flow) in itertools.pairwise(users):
            if b_first <= a_last and a_flow != b_flow:
                problems.append(
                    f"{field} {value} given to two live flows: {a_flow} (packets {a_first}..{a_last}) "
                    f"and {b_flow} (from packet {b_first})"
                )
    return problems

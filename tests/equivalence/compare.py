"""Compares a parallel run's per-packet outcomes with the sequential NF's, up to
the plan's declared differences (declared.py), and reports divergences by packet,
flow, worker and both outcomes.

The comparison is exact up to a renaming of allocated values (docs/EQUIVALENCE.md,
"What may differ"). A shared-nothing run may allocate other values
than the sequential NF for the plan's index fields (decl.index_fields: NAT
external ports from per-worker ranges), and nothing else may differ:

* Lifetimes. Every forwarded packet on an index field's writer port pairs the
  sequential output's writer-field value s with the parallel one p. Per flow
  (the sequential input's 5-tuple) the pair holds for a lifetime: a flow idle
  for longer than idle_ns (the NF's expiry) may start a new lifetime with any
  pair. Within a lifetime a changed p is a violation; a changed s shows as a
  divergence (the translation below gives the lifetime's s).
* Bijection. Lifetimes that are live at the same time (their packet intervals
  overlap) never share s with different p, nor p with different s
  (_check_bijection, _check_index_values); p also lies in the owning worker's
  index range (_check_index_values).
* Translation instead of blanking. The parallel frames are put into the
  sequential run's naming, then (verdict, frame) must be byte-equal, checksums
  included:
  - writer port: the output's writer field p becomes its lifetime's s;
  - reader port: the inputs' reader fields (s, p) must be a pair the mapping
    has given (to the flow the reply answers; usually still live, but a reply
    may answer a lifetime that has ended, in both runs), or equal in both runs
    (then nothing is translated: the same value, e.g. an unsolicited packet).
    The parallel input is translated and must equal the sequential input byte
    for byte (any packet: inputs differ only through replies built from
    outputs). In the outputs (as the NF left them, dropped or not) the reader
    field is translated only where each run's output still holds its own
    input's value (the NF copied it); where either rewrote it (the NAT restores
    the internal port) the raw bytes are compared.
  Namespaces: a sequential value is named by the reference instance that
  allocated it (the reference outcome's worker: 0 for the sequential NF, k for
  the per-worker references of the overflow profile, each its own NF), so the
  bijection is between (reference instance, s) and p.
  Renaming a field updates the IPv4 header checksum (ipv4.* fields) and the
  TCP/UDP checksum incrementally with nflib's RFC 1624 eqn. 3 (packet.c): a UDP
  checksum of 0 (none) stays 0 and an update that computes to 0 is written as
  0xffff. Both results are the canonical representative of the same ones'
  complement sum, so a correctly renamed frame is byte-equal, and any other
  byte difference (a wrong checksum, an undeclared field, a port restored to
  the wrong value) is a divergence.

Why this is sound: the translation only substitutes, at the declared field's
offset, a value the mapping pairs with it, and the mapping is checked to be a
bijection per lifetime that every packet of the flow (outbound and replies)
follows; all other bytes are compared raw. So a parallel run passes only if
renaming its allocated values by one consistent bijection yields exactly the
sequential run's frames and verdicts.

What it cannot see:
* A sequential output whose reader field equals its input's value looks copied
  even when the NF rewrote it to the same number (a NAT internal port equal to
  the external one): if the parallel NF then left its own reply port in place
  instead of restoring it, the translation maps it to the same bytes.
* Lifetimes end by idleness (idle_ns) as judged from writer-port packets only:
  a flow idle past idle_ns may take any new pair, even if the NF kept it alive.
* A reply that answers an ended lifetime is translated with that lifetime's
  pair, although its values may since have been given to other flows (in
  either run): its outcome is then compared exactly, and a NAT that forwarded
  it to the new holder in one run only would show as a divergence that a
  different (legitimate) allocation can cause. In the matrix such replies
  have equal outcomes (the NAT also checks the remote endpoint).
* A dropped packet's frame is compared as the NF left it (stricter than what
  is observable).
* Fields are at the offsets of an Ethernet + IPv4 header without options
  (declared.FIELDS); frames with options, fragments (ports) or other protocols
  are compared raw, without renaming.
"""

from __future__ import annotations

import dataclasses
import itertools
import socket
import struct
from collections.abc import Sequence

from testing.inmem import Outcome, Packet, Run
from tests.equivalence import declared as declared_lib

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


def _csum_update16(csum: int, old: int, new: int) -> int:
    """RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), as nflib's csum_update16."""
    total = (~csum & 0xFFFF) + (~old & 0xFFFF) + new
    total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _csum_update(csum: int, old: int, new: int) -> int:
    """nflib's csum_update32 (a port is a 32-bit value with a zero high half)."""
    csum = _csum_update16(csum, old >> 16, new >> 16)
    return _csum_update16(csum, old & 0xFFFF, new & 0xFFFF)


def _ipv4_ok(frame: bytes) -> bool:
    """An Ethernet + IPv4 frame without options (declared.FIELDS' offsets)."""
    return len(frame) >= IPV4 + 20 and frame[12:14] == b"\x08\x00" and frame[IPV4] == 0x45


def _not_fragment(frame: bytes) -> bool:
    return struct.unpack_from("!H", frame, IPV4 + 6)[0] & 0x3FFF == 0


def _l4_checksum_at(frame: bytes) -> int | None:
    """Offset of the TCP/UDP checksum the NF's setters keep right (nflib
    packet.c): TCP or UDP, first fragment, checksum inside the frame."""
    if not _ipv4_ok(frame) or struct.unpack_from("!H", frame, IPV4 + 6)[0] & 0x1FFF:
        return None
    offset = {6: IPV4 + 20 + 16, 17: IPV4 + 20 + 6}.get(frame[IPV4 + 9])
    if offset is None or len(frame) < offset + 2:
        return None
    return offset


def _value(frame: bytes, field: str) -> int | None:
    """The field's value, or None when the frame does not carry it where
    declared.FIELDS says (not IPv4 without options; for ports: not an
    unfragmented TCP/UDP datagram)."""
    offset, size = declared_lib.FIELDS[field]
    if not _ipv4_ok(frame) or len(frame) < offset + size:
        return None
    if field.startswith("l4.") and (frame[IPV4 + 9] not in (6, 17) or not _not_fragment(frame)):
        return None
    return int.from_bytes(frame[offset : offset + size], "big")


def _rename(frame: bytearray, field: str, value: int) -> None:
    """Writes `value` into `field` (which _value reads) and keeps the checksums
    as the NF's setters would: IPv4 header checksum for addresses, TCP/UDP
    checksum (pseudo-header included) incrementally; UDP checksum 0 stays 0, an
    updated one that computes to 0 is written as 0xffff (RFC 768)."""
    offset, size = declared_lib.FIELDS[field]
    old = int.from_bytes(frame[offset : offset + size], "big")
    if old == value:
        return
    frame[offset : offset + size] = value.to_bytes(size, "big")
    if field.startswith("ipv4."):
        at = IPV4 + 10
        csum = _csum_update(int.from_bytes(frame[at : at + 2], "big"), old, value)
        frame[at : at + 2] = csum.to_bytes(2, "big")
    at = _l4_checksum_at(frame)
    if at is None:
        return
    csum = int.from_bytes(frame[at : at + 2], "big")
    if frame[IPV4 + 9] == 17:
        if csum == 0:
            return
        csum = _csum_update(csum, old, value) or 0xFFFF
    else:
        csum = _csum_update(csum, old, value)
    frame[at : at + 2] = csum.to_bytes(2, "big")


def _first_difference(a: bytes, b: bytes) -> int | None:
    if a == b:
        return None
    return next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))


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
    i: int,
    packet: Packet,
    seq: Outcome,
    par: Outcome,
    seq_frame: bytes,
    par_frame: bytes,
    reference: str,
    notes: Sequence[str] = (),
) -> str:
    """par_frame: the parallel output in the sequential run's naming; notes: the
    renamings applied and why the packet diverges where it is not its output."""
    text = (
        f"packet {i} (port {packet.port}, t={packet.timestamp_ns} ns, flow {flow_text(packet.frame)}, "
        f"worker {par.worker}): {reference} {verdict_text(seq.verdict)}, parallel {verdict_text(par.verdict)}"
    )
    first = _first_difference(seq_frame, par_frame)
    if seq.verdict == par.verdict and first is not None:
        renamed = " (renamed)" if par_frame != par.frame else ""
        text += (
            f"; frames differ from byte {first}: {reference} {seq_frame[first : first + 8].hex()}, "
            f"parallel{renamed} {par_frame[first : first + 8].hex()}"
        )
    if notes:
        text += "; " + "; ".join(notes)
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
    reference: how reports name the `seq` run. Exact up to the renaming of
    decl.index_fields' values (module docstring)."""
    divergences: list[Divergence] = []
    problems: list[str] = []
    # (field, namespace, flow) -> [sequential value, parallel value, first, last, last ns, worker,
    # IndexField, flow, namespace] of the flow's current lifetime; closed lifetimes go to
    # `lifetimes`. namespace: the reference instance that named the sequential value (the
    # reference outcome's worker: 0 for the sequential NF, k for per-worker references).
    keys: dict[tuple, list] = {}
    lifetimes: list[list] = []
    # The lifetime most recently given each (IndexField, namespace, sequential value) and
    # (IndexField, parallel value): the current mapping; and each pair ever given.
    by_par: dict[tuple, list] = {}
    by_seq: dict[tuple, list] = {}
    pairs: dict[tuple, list] = {}
    for i, (sp, pp, so, po) in enumerate(
        zip(seq_packets, par_packets, seq.outcomes, par.outcomes, strict=True)
    ):
        par_input, par_frame = bytearray(pp.frame), bytearray(po.frame)
        notes: list[str] = []
        for f in decl.index_fields:
            if sp.port == f.reader_port and pp.port == f.reader_port:
                s_in, p_in = _value(sp.frame, f.reader_field), _value(pp.frame, f.reader_field)
                if s_in is not None and p_in is not None and s_in != p_in:
                    held = pairs.get((f, so.worker, s_in, p_in))
                    if held is None:
                        notes.append(
                            f"input {f.reader_field}: parallel {p_in} was never the image of {reference} "
                            f"{s_in} ({_mapping_text(f, so.worker, s_in, p_in, by_seq, by_par)})"
                        )
                    else:
                        _rename(par_input, f.reader_field, s_in)
                        # Translate the output (as the NF left it, dropped or
                        # not) only where both runs copied their input's value;
                        # a rewritten field is compared raw.
                        if (
                            _value(so.frame, f.reader_field) == s_in
                            and _value(po.frame, f.reader_field) == p_in
                        ):
                            _rename(par_frame, f.reader_field, s_in)
                        current = held is by_par.get((f, p_in)) and held is by_seq.get((f, so.worker, s_in))
                        notes.append(
                            f"{f.reader_field} {p_in} read as {s_in}"
                            + ("" if current else f" (an ended lifetime: packets {held[2]}..{held[3]})")
                        )
            if sp.port == f.writer_port and so.verdict >= 0 and po.verdict >= 0:
                s_value, p_value = _value(so.frame, f.writer_field), _value(po.frame, f.writer_field)
                if s_value is None or p_value is None:
                    continue
                key = (f.writer_field, so.worker, flow_of(sp.frame))
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
                    entry = keys[key] = [s_value, p_value, i, i, 0, po.worker, f, key[2], so.worker]
                    by_par[(f, p_value)] = by_seq[(f, so.worker, s_value)] = entry
                    pairs[(f, so.worker, s_value, p_value)] = entry
                entry[3], entry[4] = i, sp.timestamp_ns
                # The lifetime's sequential value: a sequential run that changed
                # its value within a live lifetime while the parallel one did
                # not shows as a frame difference.
                _rename(par_frame, f.writer_field, entry[0])
                if entry[0] != p_value:
                    notes.append(f"{f.writer_field} {p_value} renamed {entry[0]}")
        input_first = _first_difference(sp.frame, bytes(par_input))
        if input_first is not None:
            notes.insert(
                0,
                f"inputs differ from byte {input_first}: {reference} "
                f"{sp.frame[input_first : input_first + 8].hex()}, parallel "
                f"{bytes(par_input[input_first : input_first + 8]).hex()}",
            )
        if input_first is not None or (so.verdict, so.frame) != (po.verdict, bytes(par_frame)):
            divergences.append(
                Divergence(i, _describe(i, sp, so, po, so.frame, bytes(par_frame), reference, notes))
            )
    ended = lifetimes + list(keys.values())
    problems += _check_bijection(ended)
    problems += _check_index_values(ended, decl, strategy, workers, nf_args)
    return Result(divergences, problems, len(seq_packets))


def _mapping_text(f, namespace: int, s_in: int, p_in: int, by_seq: dict, by_par: dict) -> str:
    parts = []
    held = by_par.get((f, p_in))
    parts.append(
        f"parallel {p_in} last given to flow {held[7]} (sequential {held[0]}, packets {held[2]}..{held[3]})"
        if held
        else f"parallel {p_in} never given"
    )
    held = by_seq.get((f, namespace, s_in))
    parts.append(
        f"sequential {s_in} last given to flow {held[7]} (parallel {held[1]}, packets {held[2]}..{held[3]})"
        if held
        else f"sequential {s_in} never given"
    )
    return ", ".join(parts)


def _check_bijection(lifetimes: list[list]) -> list[str]:
    """Lifetimes live at the same time (overlapping packet intervals) that share
    a sequential value must share the parallel one (the converse, a parallel
    value given to two live flows, is _check_index_values')."""
    problems = []
    by_value: dict[tuple, list] = {}
    for s_value, p_value, first, last, _, _, f, flow, namespace in lifetimes:
        by_value.setdefault((f, namespace, s_value), []).append((first, last, flow, p_value))
    for (f, _, s_value), users in by_value.items():
        users.sort()
        for (a_first, a_last, a_flow, a_par), (b_first, _, b_flow, b_par) in itertools.pairwise(users):
            if b_first <= a_last and a_par != b_par:
                problems.append(
                    f"{f.writer_field}: sequential {s_value} mapped to parallel {a_par} (flow {a_flow}, "
                    f"packets {a_first}..{a_last}) and {b_par} (flow {b_flow}, from packet {b_first}) "
                    f"while both are live: not a bijection"
                )
    return problems


def _check_index_values(
    lifetimes: list[list], decl, strategy: str, workers: int, nf_args: Sequence[str]
) -> list[str]:
    problems = []
    by_value: dict[tuple, list] = {}
    for _, value, first, last, _, worker, f, flow, _ in lifetimes:
        by_value.setdefault((f.writer_field, value), []).append((first, last, flow))
        if f.base is None or value is None:
            continue
        index = value - f.base
        if strategy == "shared_nothing":
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

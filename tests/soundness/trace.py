"""Reads the soundness driver's output (driver.c, trace.c) and writes its input."""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Sequence

from testing.inmem import Packet


@dataclasses.dataclass(frozen=True)
class Access:
    packet: int  # input index; -1: nf_state_create
    obj: str  # the object's name (its constructor's, = the plan's)
    kind: str  # map, dchain, vector, sketch, lpm, cht
    op: str  # get_hit, put_new, alloc, refresh, read, write, expire, ... (trace.c)
    index: int | None = None  # dchain / vector index
    value: int | None = None  # map value found or stored, estimate, ...
    key: bytes | None = None  # map / sketch key bytes, lpm address, cht hash


@dataclasses.dataclass(frozen=True)
class Outcome:
    index: int
    port: int
    verdict: int  # output port, -1 drop, -2 flood
    frame: bytes  # as the NF left it


@dataclasses.dataclass(frozen=True)
class Trace:
    objects: dict[str, str]  # name -> kind
    accesses: list[Access]
    outcomes: list[Outcome]


def write_input(path: str, packets: Sequence[Packet]) -> None:
    with open(path, "wb") as f:
        for p in packets:
            f.write(struct.pack("<HQI", p.port, p.timestamp_ns, len(p.frame)))
            f.write(p.frame)


def _opt_int(text: str) -> int | None:
    return None if text == "-" else int(text)


def parse(text: str) -> Trace:
    objects: dict[int, tuple[str, str]] = {}
    accesses: list[Access] = []
    outcomes: list[Outcome] = []
    for line in text.splitlines():
        parts = line.split(" ")
        if parts[0] == "A":
            _, packet, obj, op, index, value, key = parts
            kind, name = objects.get(int(obj), ("?", f"<unnamed object {obj}>"))
            accesses.append(
                Access(
                    int(packet),
                    name,
                    kind,
                    op,
                    _opt_int(index),
                    _opt_int(value),
                    None if key == "-" else bytes.fromhex(key),
                )
            )
        elif parts[0] == "P":
            _, index, port, verdict, frame = parts
            outcomes.append(Outcome(int(index), int(port), int(verdict), bytes.fromhex(frame)))
        elif parts[0] == "O":
            _, obj, kind, name = parts
            objects[int(obj)] = (kind, name)
        else:
            raise ValueError(f"unexpected trace line {line!r}")
    return Trace({name: kind for kind, name in objects.values()}, accesses, outcomes)

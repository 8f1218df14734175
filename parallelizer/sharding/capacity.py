"""Honest capacity of partitioned objects (docs/SHARDING.md, "Capacity").

A partitioned object gets a per-core share of the capacity the NF asks for
at run time. When RSS splits the entries unevenly, the fullest core runs out
first: with per-core capacity c on q cores and a split whose max/mean is b,
the first core is full when the total reaches c q / b entries, whatever room
the other cores still have. The sequential NF fills at its capacity C.

A per-core headroom h > 1 sizes each share above C / q, at h C / q, so that a
split up to b = h admits C entries before any core is full; it costs
(share - C / q) q entries of memory more than the sequential NF, and the
parallel NF may then admit up to share x q > C entries in total (both are
declared differences: docs/EQUIVALENCE.md).

`share` is the runtime's rule (nflib/instance.c resolve_share, with the
percent that codegen carries into nf_par_object.headroom_percent); the C
unit test //tests/capacity:share_rule_test compares the two.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from parallelizer.sharding import quality
from proto import nf_description_pb2 as desc_pb2

# Headroom is carried to the runtime as a whole percent (uint16).
MAX_HEADROOM = 64.0  # beyond cores x 1/cores the share is the whole capacity anyway
PERCENT = 100


def headroom_percent(headroom: float) -> int:
    """The percent the runtime applies (1.5 -> 150); 100 means none."""
    return round(headroom * PERCENT)


def _round_down_pow2(value: int) -> int:
    return 1 << (value.bit_length() - 1) if value > 0 else 0


def share(requested: int, cores: int, percent: int) -> int:
    """Entries one of `cores` instances gets of `requested` (nflib's
    NF_LAYOUT_SHARE). Without headroom (percent <= 100): requested / cores,
    rounded down (to a power of two when requested is one), so the shares sum
    to at most requested and disjoint index ranges stay in [0, requested).
    With headroom: ceil(requested x percent / (100 cores)), never above
    requested; no power-of-two rounding, which could double the memory the
    headroom costs (nflib's maps size their buckets from any capacity)."""
    if percent <= PERCENT:
        value = requested // cores
        pow2 = requested > 0 and requested & (requested - 1) == 0
        return _round_down_pow2(value) if pow2 else value
    return min(requested, -(-requested * percent // (PERCENT * cores)))


def effective_entries(per_core: int, cores: int, max_over_mean: float, total: int) -> int:
    """Entries in total when the fullest core is full, at a split of
    `max_over_mean` (at most what the cores hold together)."""
    if max_over_mean <= 0:
        return per_core * cores
    return min(per_core * cores, math.floor(per_core * cores / max_over_mean + 1e-9))


def _struct_bytes(struct_fields) -> int:
    """Size of a described struct: the end of its last field."""
    return max((f.offset_bytes + (f.width_bits + 7) // 8 for f in struct_fields), default=0)


@dataclasses.dataclass(frozen=True)
class EntrySize:
    bytes: int  # 0: the description does not give it
    how: str


def entry_bytes(obj: desc_pb2.StateObject) -> EntrySize:
    """Bytes one entry of the object holds, as far as the description says:
    a map entry is its key plus the int32 value it maps to; a sketch counts
    per width, not per key (nothing to add per entry); a vector cell is its
    value struct; a dchain, CHT or LPM entry has no described struct."""
    kind = desc_pb2.StateObject.Kind
    if obj.kind == kind.MAP and obj.key_fields:
        key = _struct_bytes(obj.key_fields)
        return EntrySize(key + 4, f"key {obj.key_type} {key} B + int32 value")
    if obj.kind == kind.VECTOR and obj.value_fields:
        value = _struct_bytes(obj.value_fields)
        return EntrySize(value, f"cell {obj.value_type} {value} B")
    return EntrySize(0, f"{kind.Name(obj.kind).lower()} entry size is not in the description")


def check_headroom(headroom: float) -> None:
    if not (math.isfinite(headroom) and 1.0 <= headroom <= MAX_HEADROOM):
        raise ValueError(f"capacity headroom {headroom} must be between 1 and {MAX_HEADROOM:g}")
    if abs(headroom * PERCENT - headroom_percent(headroom)) > 1e-6:
        raise ValueError(
            f"capacity headroom {headroom} has more than 2 decimals (the runtime applies whole percents)"
        )


@dataclasses.dataclass(frozen=True)
class Split:
    """How a port's flows fall on the queues under the plan's RETA."""

    traffic: str
    port: int
    queues: int
    max_over_mean: float


def measured_splits(
    port: int,
    key: bytes,
    hashed_fields: list[str],
    table: list[int],
    seed: int,
    profile_rows: np.ndarray | None = None,
) -> list[Split]:
    """Entries (flows, one per distinct hash input) per queue of the port's
    key under `table`: uniform flows, each address plan of a hashed address
    field (quality.address_plan_traffic, one flow per host; mixes whose flows
    weigh differently count packets, not entries, and are left out), and the profile's
    distinct flows."""
    queues = max(table) + 1
    array = np.asarray(table)
    out = []

    def add(name: str, rows: np.ndarray) -> None:
        if len(rows) == 0:
            return
        loads = quality.table_loads(key, rows, np.ones(len(rows)), array)
        loads = np.pad(loads, (0, queues - len(loads)))
        out.append(Split(name, port, queues, round(quality.max_over_mean(loads), 4)))

    add("uniform flows", quality.uniform_flows(quality.DEFAULT_FLOWS, seed))
    for field in hashed_fields:
        if field.startswith("ipv4."):
            for traffic in quality.address_plan_traffic(field, seed):
                if np.ptp(traffic.weights) == 0:  # one weight per flow: counts entries
                    add(traffic.name, traffic.flows)
    if profile_rows is not None and len(profile_rows):
        add("traffic profile (distinct flows)", np.unique(profile_rows, axis=0))
    return out

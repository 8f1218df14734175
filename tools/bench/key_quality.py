"""Key quality: queue load max/mean over 16 queues of each plan's RSS keys, next
to the published design's keys (maestro_sn_keys.json) on the same traffic.

The one implementation of these numbers: the bench's report and
tools/bench/key_quality_bench.py both call `measure`. The traffic and the
measures are the sharding package's own (parallelizer/sharding/quality.py): uniform random flows,
Zipf-popular flows, client->server packets (many clients, few Zipf-popular
servers) as the clients' side sees them, and their replies as the servers' side
sees them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import numpy as np

from parallelizer.sharding import fields, quality, toeplitz
from proto import plan_pb2
from tools.bench import nf_setups

QUEUES = 16
# The published keys' RETA size (the reference file's "source": "52-byte keys,
# RETA 512").
PUBLISHED_RETA_SIZE = 512
MIXES = ("uniform", "zipf", "c2s", "s2c")
OURS = "ours"
PUBLISHED = "published"


@dataclasses.dataclass(frozen=True)
class KeyRow:
    nf: str
    source: str  # OURS or PUBLISHED
    port: int  # our port number (the published key of the port playing the same role)
    reta_size: int
    ranks: str  # rank of each field group's block over the RETA bits, e.g. "src:9/9 dst:9/9 ..."
    max_over_mean: dict[str, float]  # per mix in MIXES


@dataclasses.dataclass(frozen=True)
class Reference:
    keys: dict[str, dict[int, bytes]]  # published NF name -> port -> key
    reta_size: int


def load_reference(path: str) -> Reference:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    try:
        keys = {
            nf: {int(port): bytes.fromhex(key) for port, key in entry["keys_by_port"].items()}
            for nf, entry in data["nfs"].items()
        }
    except (KeyError, ValueError, AttributeError) as e:
        raise ValueError(f"{path}: expected {{'nfs': {{NF: {{'keys_by_port': {{PORT: HEX}}}}}}}}: {e}") from e
    return Reference(keys, reta_size=PUBLISHED_RETA_SIZE)


def traffic(flows: int, seed: int) -> dict[str, np.ndarray]:
    mixes = quality.traffic_mixes(flows, seed)
    return {name: toeplitz.flows_to_bits(mixes[name]) for name in MIXES}


def measure(key: bytes, reta_size: int, bits: dict[str, np.ndarray]) -> tuple[str, dict[str, float]]:
    m = fields.reta_bits(reta_size)
    ranks = " ".join(
        f"{f.name.split('.')[-1]}:{quality.group_rank(key, reta_size, f)}/{m}" for f in fields.LAYOUT_IPV4_L4
    )
    balance = {
        name: quality.max_over_mean(quality.queue_loads(key, reta_size, b, QUEUES))
        for name, b in bits.items()
    }
    return ranks, balance


def rows_for(
    setup: nf_setups.NfSetup, plan: plan_pb2.Plan, reference: Reference | None, bits: dict[str, np.ndarray]
) -> list[KeyRow]:
    out = []
    for p in plan.ports:
        ranks, balance = measure(p.key, plan.reta_size, bits)
        out.append(KeyRow(setup.name, OURS, p.port, plan.reta_size, ranks, balance))
        if reference is None or setup.reference is None:
            continue
        their_port = dict(setup.reference_ports).get(p.port)
        key = reference.keys.get(setup.reference, {}).get(their_port) if their_port is not None else None
        if key is not None:
            ranks, balance = measure(key, reference.reta_size, bits)
            out.append(KeyRow(setup.name, PUBLISHED, p.port, reference.reta_size, ranks, balance))
    return out


def all_rows(
    setups: Sequence[nf_setups.NfSetup],
    plans: dict[str, plan_pb2.Plan],
    reference: Reference | None,
    flows: int,
    seed: int,
) -> list[KeyRow]:
    bits = traffic(flows, seed)
    return [row for s in setups for row in rows_for(s, plans[s.name], reference, bits)]

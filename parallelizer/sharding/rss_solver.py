"""RSS key solving: per port, the hashed fields and a Toeplitz key such that any
two packets a constraint relates get the same RETA index.

RETA index bit t of a packet is XOR over its set input bits i of key bit
i + 31 - t, linear in the key bits. A constraint between packet p (port a) and q
(port b) merges equal bits of p and q into classes; the requirement holds for all
such p, q iff for every class and every t the XOR of the key bits its members
select is 0 (unrelated bits are classes of one: their key column must vanish). So
the set of valid key tuples is the null space of a GF(2) system, computed exactly
and sampled uniformly until the quality criteria hold.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Sequence

import numpy as np

from parallelizer.sharding import dependencies, fields, gf2, quality, toeplitz


class SolverError(Exception):
    """No key with the required quality exists (or was found)."""


@dataclasses.dataclass(frozen=True)
class GroupQuality:
    port: int
    field_group: str
    rank: int
    rank_needed: int


@dataclasses.dataclass
class PortSolution:
    port: int
    key: bytes
    hashed_fields: list[str]
    zeroed_fields: list[str]
    rss_hf: int
    groups: list[GroupQuality]
    uniform_max_over_mean: float


@dataclasses.dataclass
class Solution:
    ports: dict[int, PortSolution]
    key_length: int
    reta_size: int
    queues: int
    flows: int
    dimension: int
    attempts: int
    dropped: list[str]  # field groups dropped because no full-rank key exists with them


class KeyVariables:
    """Variable numbering: key bit k of the i-th port is variable i * key_bits + k."""

    def __init__(self, ports: Sequence[int], key_length: int) -> None:
        if key_length not in toeplitz.SUPPORTED_KEY_LENGTHS:
            raise SolverError(f"key length {key_length} is not one of {toeplitz.SUPPORTED_KEY_LENGTHS}")
        self.ports = list(ports)
        self.key_bits = key_length * 8
        self.slot = {p: i for i, p in enumerate(self.ports)}
        self.count = len(self.ports) * self.key_bits

    def var(self, port: int, key_bit: int) -> int:
        return self.slot[port] * self.key_bits + key_bit

    def key_of(self, port: int, x: int) -> bytes:
        bits = (x >> (self.slot[port] * self.key_bits)) & ((1 << self.key_bits) - 1)
        value = 0
        for k in range(self.key_bits):  # variable k is key bit k (MSB first)
            value = (value << 1) | (bits >> k & 1)
        return value.to_bytes(self.key_bits // 8, "big")


def column_mask(variables: KeyVariables, port: int, input_bit: int, m: int) -> list[int]:
    """Per RETA bit t, the single key variable input bit `input_bit` selects."""
    return [1 << variables.var(port, input_bit + 31 - t) for t in range(m)]


def constraint_equations(c: dependencies.Constraint, variables: KeyVariables, m: int) -> Iterable[int]:
    """GF(2) rows (bit masks over key variables) equivalent to constraint c."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for eq in c.equalities:
        fa, fb = fields.HASHABLE[eq.a.field], fields.HASHABLE[eq.b.field]
        for k in range(min(eq.a.width, eq.b.width)):
            ra = find(("a", fa.input_bit(eq.a.lo + k)))
            rb = find(("b", fb.input_bit(eq.b.lo + k)))
            if ra != rb:
                parent[ra] = rb
    classes: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for side in ("a", "b"):
        for i in range(fields.INPUT_BITS):
            classes.setdefault(find((side, i)), []).append((side, i))
    for members in classes.values():
        rows = [0] * m
        for side, i in members:
            port = c.port_a if side == "a" else c.port_b
            for t, bit in enumerate(column_mask(variables, port, i, m)):
                rows[t] ^= bit
        yield from (r for r in rows if r)


def group_zero_equations(variables: KeyVariables, port: int, group: fields.HashField, m: int) -> list[int]:
    rows = []
    for b in range(group.width_bits):
        rows.extend(column_mask(variables, port, group.input_bit(b), m))
    return rows


def build_space(
    constraints: Sequence[dependencies.Constraint],
    variables: KeyVariables,
    m: int,
    dropped: Iterable[tuple[int, str]] = (),
) -> gf2.SolutionSpace:
    system = gf2.HomogeneousSystem(variables.count)
    for c in constraints:
        for row in constraint_equations(c, variables, m):
            system.add(row)
    for port, name in dropped:
        for row in group_zero_equations(variables, port, fields.HASHABLE[name], m):
            system.add(row)
    return system.solve()


def hashed_groups(space: gf2.SolutionSpace, variables: KeyVariables, port: int, m: int) -> list[str]:
    """Field groups of `port` whose RETA columns are not zero in every solution."""
    forced = space.forced_zero()
    out = []
    for group in fields.LAYOUT_IPV4_L4:
        free = 0
        for b in range(group.width_bits):
            for bit in column_mask(variables, port, group.input_bit(b), m):
                free |= bit
        if free & ~forced:
            out.append(group.name)
    return out


def solve(
    constraints: Sequence[dependencies.Constraint],
    ports: Sequence[int],
    key_length: int,
    reta_size: int,
    seed: int,
    queues: int = quality.DEFAULT_QUEUES,
    flows: int = quality.DEFAULT_FLOWS,
    max_attempts: int = 200,
) -> Solution:
    """Keys for `ports` satisfying `constraints` with full-rank hashed groups and
    uniform-flow balance max/mean <= 1.05 over `queues` queues."""
    m = fields.reta_bits(reta_size)
    if reta_size not in (64, 128, 512):
        raise SolverError(f"RETA size {reta_size} is not one of 64, 128, 512")
    variables = KeyVariables(ports, key_length)
    for c in constraints:
        for p in (c.port_a, c.port_b):
            if p not in variables.slot:
                raise SolverError(f"constraint '{c.origin}' names port {p}, not among ports {list(ports)}")
    rng = random.Random(seed)
    flow_bits = toeplitz.flows_to_bits(quality.uniform_flows(flows, seed))
    dropped: list[tuple[int, str]] = []
    attempts = 0
    while True:
        space = build_space(constraints, variables, m, dropped)
        groups = {p: hashed_groups(space, variables, p, m) for p in ports}
        ever_full: set[tuple[int, str]] = set()
        for _ in range(max_attempts):
            attempts += 1
            x = space.sample(rng)
            result = _evaluate(x, variables, groups, reta_size, m, flow_bits, queues)
            ever_full |= {(g.port, g.field_group) for r in result.values() for g in r.groups if g.rank == m}
            if all(_acceptable(r, m) for r in result.values()):
                return Solution(
                    result,
                    key_length,
                    reta_size,
                    queues,
                    flows,
                    space.dimension,
                    attempts,
                    [f"port {p}: {n}" for p, n in dropped],
                )
        never = [(p, g) for p in ports for g in groups[p] if (p, g) not in ever_full]
        if not never:
            raise SolverError(
                f"no key among {attempts} samples balanced {flows} uniform flows within "
                f"max/mean {quality.MAX_OVER_MEAN_LIMIT} over {queues} queues"
            )
        dropped.extend(never)


def _evaluate(x, variables, groups, reta_size, m, flow_bits, queues) -> dict[int, PortSolution]:
    out = {}
    for port in variables.ports:
        key = variables.key_of(port, x)
        gq = [
            GroupQuality(port, g, quality.group_rank(key, reta_size, fields.HASHABLE[g]), m)
            for g in groups[port]
        ]
        balance = quality.max_over_mean(quality.queue_loads(key, reta_size, flow_bits, queues))
        out[port] = PortSolution(
            port,
            key,
            list(groups[port]),
            [f.name for f in fields.LAYOUT_IPV4_L4 if f.name not in groups[port]],
            fields.DEFAULT_RSS_HF,
            gq,
            balance,
        )
    return out


def _acceptable(r: PortSolution, m: int) -> bool:
    if not r.groups:
        return True  # nothing hashable: the port's traffic has one RETA index by necessity
    return all(g.rank == m for g in r.groups) and r.uniform_max_over_mean <= quality.MAX_OVER_MEAN_LIMIT


def reta_of(solution: PortSolution, reta_size: int, flows: np.ndarray) -> np.ndarray:
    return toeplitz.reta_indexes(solution.key, reta_size, flows)

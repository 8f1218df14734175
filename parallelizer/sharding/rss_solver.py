"""RSS key solving: per port, the hashed fields and a Toeplitz key such that any
two packets a constraint relates get the same RETA index.

RETA index bit t of a packet is XOR over its set input bits i of key bit
i + 31 - t, linear in the key bits. A constraint between packet p (port a) and q
(port b) merges equal bits of p and q into classes; the requirement holds for all
such p, q iff for every class and every t the XOR of the key bits its members
select is 0 (unrelated bits are classes of one: their key column must vanish). So
the set of valid key tuples is the null space of a GF(2) system, computed exactly
and sampled uniformly until the quality criteria hold.

Spread. Among the acceptable samples the solver keeps the one that spreads
address plans best: for every hashed field and its low-order bits (the host
bits of a /24 and a /20, the low byte of a port; quality.low_bits_of) the rank
of Q_k M_low, Q_k the first k rows of the RETA mix (reta.py), summed over
k = 1 .. K (K = queue bits of the plan's core count). Entry (j, b) of Q M_low
is the linear form XOR_{t in row j} key[input_bit(b) + 31 - t] of the key
variables; where the constraints force it to zero on the whole solution space
no key can use it, so a maximum matching of the non-forced entries bounds the
rank (spread_bound). Sampling stops early when every bound is met.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Sequence

from parallelizer import limits
from parallelizer.sharding import dependencies, fields, gf2, quality, reta, toeplitz


class SolverError(Exception):
    """No key with the required quality exists (or was found)."""


@dataclasses.dataclass(frozen=True)
class GroupQuality:
    port: int
    field_group: str
    rank: int
    rank_needed: int


@dataclasses.dataclass(frozen=True)
class SpreadQuality:
    port: int
    low: quality.LowBits
    queues: int
    rank: int  # rank of Q_K M_low, K = queue bits at `queues`
    rank_needed: int  # min(K, bits): an even split of the address plan
    rank_bound: int  # what the constraints allow at most
    reason: str = ""  # set when the field is not hashed at all

    @property
    def limit(self) -> str:
        """Why the rank falls short of rank_needed ("" when it does not)."""
        if self.reason:
            return self.reason
        if self.rank >= self.rank_needed:
            return ""
        if self.rank_bound < self.rank_needed:
            return (
                f"the sharding constraints force to zero the key bits that carry {self.low} to "
                f"{self.rank_needed - self.rank_bound} of the {self.rank_needed} queue bits (packets that must "
                f"meet may differ in them): at most rank {self.rank_bound}, so {self.low.label} traffic "
                f"reaches at most {2**self.rank_bound} of {2**self.rank_needed} queues"
            )
        return f"no sampled key reached rank {self.rank_needed} (the constraints allow {self.rank_bound})"


@dataclasses.dataclass
class PortSolution:
    port: int
    key: bytes
    hashed_fields: list[str]
    zeroed_fields: list[str]
    rss_hf: int
    groups: list[GroupQuality]
    uniform_max_over_mean: float
    spread: list[SpreadQuality] = dataclasses.field(default_factory=list)


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
        if key_length not in limits.KEY_LENGTHS:
            raise SolverError(f"key length {key_length} is not one of {limits.KEY_LENGTHS}")
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


def spread_forms(variables: KeyVariables, port: int, low: quality.LowBits, m: int, k: int) -> list[list[int]]:
    """forms[j][b]: entry (j, b) of Q_k M_low as a mask over key variables."""
    f = fields.HASHABLE[low.field]
    out = []
    for j in range(k):
        row = reta.row_mask(j, m)
        forms = []
        for b in range(low.bits):
            masks = column_mask(variables, port, f.input_bit(b), m)
            form = 0
            for t in range(m):
                if row >> t & 1:
                    form ^= masks[t]
            forms.append(form)
        out.append(forms)
    return out


def spread_bound(space: gf2.SolutionSpace, forms: list[list[int]]) -> int:
    """Maximum matching of the entries some solution makes nonzero: an upper
    bound on the rank of Q M_low over the solution space."""

    def free(form: int) -> bool:
        return any((form & v).bit_count() & 1 for v in space.basis)

    edges = [[b for b, form in enumerate(row) if free(form)] for row in forms]
    match: dict[int, int] = {}  # field bit -> row

    def augment(j: int, seen: set[int]) -> bool:
        for b in edges[j]:
            if b not in seen:
                seen.add(b)
                if b not in match or augment(match[b], seen):
                    match[b] = j
                    return True
        return False

    return sum(augment(j, set()) for j in range(len(forms)))


def group_rank_bound(
    space: gf2.SolutionSpace, variables: KeyVariables, port: int, group: fields.HashField, m: int
) -> int:
    """An upper bound on the rank of the group's m x width RETA block over the
    solution space: a maximum matching of the (RETA bit, field bit) entries some
    solution makes nonzero. Below m when the constraints let the key see fewer
    of the field's bits than there are RETA bits (a key that may depend only on
    an address's top octet reaches at most 8 of 9)."""
    columns = [column_mask(variables, port, group.input_bit(b), m) for b in range(group.width_bits)]
    forms = [[column[t] for column in columns] for t in range(m)]
    return spread_bound(space, forms)


def _spread_targets(space, variables, groups, m: int, k: int):
    """Per (port, low bits): the rank bound of Q_k M_low."""
    return {
        (p, low): spread_bound(space, spread_forms(variables, p, low, m, k))
        for p in variables.ports
        for g in groups[p]
        for low in quality.low_bits_of(g)
    }


def _spread_score(x, variables, targets, reta_size: int, k: int) -> tuple[int, dict]:
    ranks = {}
    score = 0
    keys = {}
    for p, low in targets:
        key = keys.setdefault(p, variables.key_of(p, x))
        per_k = [quality.spread_rank(key, reta_size, low, j) for j in range(1, k + 1)]
        ranks[(p, low)] = per_k[-1] if per_k else 0
        score += sum(per_k)
    return score, ranks


def solve(
    constraints: Sequence[dependencies.Constraint],
    ports: Sequence[int],
    key_length: int,
    reta_size: int,
    seed: int,
    queues: int = quality.DEFAULT_QUEUES,
    flows: int = quality.DEFAULT_FLOWS,
    max_attempts: int = 200,
    spread_queues: int = quality.DEFAULT_QUEUES,
    spread_samples: int = 300,
) -> Solution:
    """Keys for `ports` satisfying `constraints` with full-rank hashed groups and
    uniform-flow balance max/mean <= 1.05 over `queues` queues; among those,
    the one with the best spread of address plans over `spread_queues`
    queues (module docstring), looking at up to `spread_samples` samples."""
    m = fields.reta_bits(reta_size)
    if reta_size not in limits.RETA_SIZES:
        raise SolverError(f"RETA size {reta_size} is not one of {limits.RETA_SIZES}")
    variables = KeyVariables(ports, key_length)
    for c in constraints:
        for p in (c.port_a, c.port_b):
            if p not in variables.slot:
                raise SolverError(f"constraint '{c.origin}' names port {p}, not among ports {list(ports)}")
    rng = random.Random(seed)
    flow_bits = toeplitz.flows_to_bits(quality.uniform_flows(flows, seed))
    k = quality.queue_bits_for(spread_queues, reta_size)
    dropped: list[tuple[int, str]] = []
    attempts = 0
    while True:
        space = build_space(constraints, variables, m, dropped)
        groups = {p: hashed_groups(space, variables, p, m) for p in ports}
        bounds = _spread_targets(space, variables, groups, m, k)
        # The rank each hashed group must reach: full (m) unless the constraints
        # cap it, then the cap, so a capped field is hashed at its best rank
        # instead of being zeroed (which would put all its traffic on one queue).
        group_needed = {
            (p, g): min(m, group_rank_bound(space, variables, p, fields.HASHABLE[g], m))
            for p in ports
            for g in groups[p]
        }
        best_total = sum(sum(min(b, j) for j in range(1, k + 1)) for b in bounds.values())
        ever_full: set[tuple[int, str]] = set()
        best = None  # (score, result, ranks)
        for i in range(max(max_attempts, spread_samples)):
            if best is None and i >= max_attempts:
                break
            attempts += 1
            x = space.sample(rng)
            score, ranks = _spread_score(x, variables, bounds, reta_size, k)
            if best is not None and score <= best[0]:
                continue
            result = _evaluate(x, variables, groups, reta_size, group_needed, flow_bits, queues)
            ever_full |= {
                (g.port, g.field_group) for r in result.values() for g in r.groups if g.rank == g.rank_needed
            }
            if all(_acceptable(r) for r in result.values()):
                best = (score, result, ranks)
                if score >= best_total:
                    break
        if best is not None:
            _, result, ranks = best
            for (p, low), rank in ranks.items():
                needed = min(k, low.bits)
                result[p].spread.append(SpreadQuality(p, low, spread_queues, rank, needed, bounds[(p, low)]))
            for p, name in dropped:
                why = (
                    f"{name} is not hashed: no sampled key satisfying the sharding constraints gave it the "
                    f"rank over the {m} RETA index bits that they allow, so it is zeroed and cannot "
                    f"spread {{}} traffic"
                )
                for low in quality.low_bits_of(name):
                    result[p].spread.append(
                        SpreadQuality(p, low, spread_queues, 0, min(k, low.bits), 0, why.format(low.label))
                    )
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


def _evaluate(x, variables, groups, reta_size, needed, flow_bits, queues) -> dict[int, PortSolution]:
    out = {}
    for port in variables.ports:
        key = variables.key_of(port, x)
        gq = [
            GroupQuality(port, g, quality.group_rank(key, reta_size, fields.HASHABLE[g]), needed[(port, g)])
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


def _acceptable(r: PortSolution) -> bool:
    if not r.groups:
        return True  # nothing hashable: the port's traffic has one RETA index by necessity
    return (
        all(g.rank == g.rank_needed for g in r.groups)
        and r.uniform_max_over_mean <= quality.MAX_OVER_MEAN_LIMIT
    )

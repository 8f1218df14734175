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

Families. A port's IPv4 and IPv6 packets are hashed with the same key over
inputs of 96 and 288 bits whose key windows overlap (input bit i selects key
bits i .. i+31 in both), so the constraints of both families go into one
system over the same key variables. A field group is a fields.HashField (name
and family); a port has the groups of the families its paths carry.
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
    family: str = fields.IPV4


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
    hashed_fields: list[str]  # IPv4 groups (the plan's hashed_fields)
    zeroed_fields: list[str]
    rss_hf: int
    groups: list[GroupQuality]
    uniform_max_over_mean: float  # the worst over the port's families
    spread: list[SpreadQuality] = dataclasses.field(default_factory=list)
    families: tuple[str, ...] = (fields.IPV4,)
    hashed_fields_ipv6: list[str] = dataclasses.field(default_factory=list)
    zeroed_fields_ipv6: list[str] = dataclasses.field(default_factory=list)
    uniform_by_family: dict[str, float] = dataclasses.field(default_factory=dict)


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


ZERO = ("0", 0)  # the class of input bits fixed at 0


def constraint_classes(c: dependencies.Constraint) -> list[list[tuple[str, int]]]:
    """The input bits of p ("a") and q ("b") that c makes equal, as classes
    (a bit in no equality is a class of its own). Bits equal to a field the
    other packet's family lacks are 0 (the getter's value there) and are left
    out: they add nothing to the hash."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: tuple[str, int], y: tuple[str, int]) -> None:
        rx, ry = find(x), find(y)
        if rx != ry:
            if rx == ZERO:
                rx, ry = ry, rx
            parent[rx] = ry  # ZERO stays a root

    for eq in c.equalities:
        fa, fb = fields.field_in(c.family_a, eq.a.field), fields.field_in(c.family_b, eq.b.field)
        for k in range(min(eq.a.width, eq.b.width)):
            ra = ("a", fa.input_bit(eq.a.lo + k)) if fa else ZERO
            rb = ("b", fb.input_bit(eq.b.lo + k)) if fb else ZERO
            union(ra, rb)
    classes: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for side, family in (("a", c.family_a), ("b", c.family_b)):
        for i in range(fields.INPUT_BITS_OF[family]):
            classes.setdefault(find((side, i)), []).append((side, i))
    return [members for root, members in classes.items() if root != ZERO]


def constraint_equations(c: dependencies.Constraint, variables: KeyVariables, m: int) -> Iterable[int]:
    """GF(2) rows (bit masks over key variables) equivalent to constraint c."""
    for members in constraint_classes(c):
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
    dropped: Iterable[tuple[int, fields.HashField]] = (),
) -> gf2.SolutionSpace:
    # Constraints repeat rows (an unrelated bit's column must vanish in many
    # of them; IPv6 constraints give ~5000 rows each): reduce each row once.
    rows: dict[int, None] = {}
    for c in constraints:
        rows.update(dict.fromkeys(constraint_equations(c, variables, m)))
    for port, group in dropped:
        rows.update(dict.fromkeys(group_zero_equations(variables, port, group, m)))
    system = gf2.HomogeneousSystem(variables.count)
    for row in rows:
        system.add(row)
    return system.solve()


def hashed_groups(
    space: gf2.SolutionSpace,
    variables: KeyVariables,
    port: int,
    m: int,
    families: Sequence[str] = (fields.IPV4,),
) -> list[fields.HashField]:
    """Field groups of `port` (of `families`) whose RETA columns are not zero in every solution."""
    forced = space.forced_zero()
    out = []
    for family in families:
        for group in fields.FAMILY_LAYOUTS[family]:
            free = 0
            for b in range(group.width_bits):
                for bit in column_mask(variables, port, group.input_bit(b), m):
                    free |= bit
            if free & ~forced:
                out.append(group)
    return out


def spread_forms(variables: KeyVariables, port: int, low: quality.LowBits, m: int, k: int) -> list[list[int]]:
    """forms[j][b]: entry (j, b) of Q_k M_low as a mask over key variables."""
    f = low.hash_field
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
    families: dict[int, tuple[str, ...]] | None = None,
) -> Solution:
    """Keys for `ports` satisfying `constraints` with full-rank hashed groups and
    uniform-flow balance max/mean <= 1.05 over `queues` queues (per family of
    the port's packets, `families`: port -> fields.IPV4/IPV6, default IPv4);
    among those, the one with the best spread of address plans over
    `spread_queues` queues (module docstring), looking at up to
    `spread_samples` samples."""
    families = {p: tuple((families or {}).get(p, (fields.IPV4,))) for p in ports}
    for c in constraints:
        for p, f in ((c.port_a, c.family_a), (c.port_b, c.family_b)):
            if p in families and f not in families[p]:
                families[p] = tuple(x for x in fields.FAMILIES if x in families[p] or x == f)
    m = fields.reta_bits(reta_size)
    if reta_size not in limits.RETA_SIZES:
        raise SolverError(f"RETA size {reta_size} is not one of {limits.RETA_SIZES}")
    variables = KeyVariables(ports, key_length)
    for c in constraints:
        for p in (c.port_a, c.port_b):
            if p not in variables.slot:
                raise SolverError(f"constraint '{c.origin}' names port {p}, not among ports {list(ports)}")
    rng = random.Random(seed)
    flow_bits = {fields.IPV4: toeplitz.flows_to_bits(quality.uniform_flows(flows, seed)).astype("float32")}
    if any(fields.IPV6 in f for f in families.values()):  # 40k x 288 bits: only when used
        flow_bits[fields.IPV6] = quality.ipv6_uniform_bits(flows, seed).astype("float32")
    k = quality.queue_bits_for(spread_queues, reta_size)
    dropped: list[tuple[int, fields.HashField]] = []
    attempts = 0
    while True:
        space = build_space(constraints, variables, m, dropped)
        groups = {p: hashed_groups(space, variables, p, m, families[p]) for p in ports}
        bounds = _spread_targets(space, variables, groups, m, k)
        # The rank each hashed group must reach: full (m) unless the constraints
        # cap it, then the cap, so a capped field is hashed at its best rank
        # instead of being zeroed (which would put all its traffic on one queue).
        group_needed = {
            (p, g): min(m, group_rank_bound(space, variables, p, g, m)) for p in ports for g in groups[p]
        }
        best_total = sum(sum(min(b, j) for j in range(1, k + 1)) for b in bounds.values())
        ever_full: set[tuple[int, fields.HashField]] = set()
        best = None  # (score, result, ranks)
        for i in range(max(max_attempts, spread_samples)):
            if best is None and i >= max_attempts:
                break
            attempts += 1
            x = space.sample(rng)
            score, ranks = _spread_score(x, variables, bounds, reta_size, k)
            if best is not None and score <= best[0]:
                continue
            result = _evaluate(x, variables, groups, reta_size, group_needed, flow_bits, queues, families)
            ever_full |= {
                (g.port, fields.field_in(g.family, g.field_group))
                for r in result.values()
                for g in r.groups
                if g.rank == g.rank_needed
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
            for p, group in dropped:
                name = group.label
                why = (
                    f"{name} is not hashed: no sampled key satisfying the sharding constraints gave it the "
                    f"rank over the {m} RETA index bits that they allow, so it is zeroed and cannot "
                    f"spread {{}} traffic"
                )
                for low in quality.low_bits_of(group):
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
                [f"port {p}: {g.label}" for p, g in dropped],
            )
        never = [(p, g) for p in ports for g in groups[p] if (p, g) not in ever_full]
        if not never:
            raise SolverError(
                f"no key among {attempts} samples balanced {flows} uniform flows within "
                f"max/mean {quality.MAX_OVER_MEAN_LIMIT} over {queues} queues"
            )
        dropped.extend(never)


def _evaluate(
    x, variables, groups, reta_size, needed, flow_bits, queues, families
) -> dict[int, PortSolution]:
    out = {}
    for port in variables.ports:
        key = variables.key_of(port, x)
        gq = [
            GroupQuality(port, g.name, quality.group_rank(key, reta_size, g), needed[(port, g)], g.family)
            for g in groups[port]
        ]
        # A family none of whose groups the constraints let the key see has
        # one RETA entry by necessity, as a port without any hashed group.
        hashed_families = [f for f in families[port] if any(g.family == f for g in groups[port])]
        by_family = {
            f: quality.max_over_mean(quality.bits_queue_loads(key, reta_size, flow_bits[f], queues))
            for f in hashed_families
        }

        def named(family: str, hashed: bool, port: int = port) -> list[str]:
            return [g.name for g in fields.FAMILY_LAYOUTS[family] if (g in groups[port]) == hashed]

        out[port] = PortSolution(
            port,
            key,
            named(fields.IPV4, True),
            named(fields.IPV4, False),
            fields.rss_hf_of(families[port]),
            gq,
            max(by_family.values(), default=float(queues)),
            families=families[port],
            hashed_fields_ipv6=named(fields.IPV6, True) if fields.IPV6 in families[port] else [],
            zeroed_fields_ipv6=named(fields.IPV6, False) if fields.IPV6 in families[port] else [],
            uniform_by_family=by_family,
        )
    return out


def _acceptable(r: PortSolution) -> bool:
    if not r.groups:
        return True  # nothing hashable: the port's traffic has one RETA index by necessity
    return (
        all(g.rank == g.rank_needed for g in r.groups)
        and r.uniform_max_over_mean <= quality.MAX_OVER_MEAN_LIMIT
    )

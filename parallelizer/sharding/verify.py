"""Independent checks of a solved plan.

`prove`: Z3 bit-vector model of the Toeplitz hash on the byte layout (not the
GF(2) equations of the solver), restricted to the RETA index bits: for every
constraint, the negation "p and q are related but their RETA indexes differ"
must be unsat. `random_check`: the software Toeplitz hash on random related
packet pairs. Each side of a constraint is a packet of its family (IPv4:
src32 dst32 sport16 dport16; IPv6: src128 dst128 sport16 dport16); a field
the family lacks reads 0 (dependencies.Constraint).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence

import z3

from parallelizer.sharding import dependencies, fields, toeplitz


@dataclasses.dataclass
class CheckResult:
    ok: bool
    checked: int  # constraints (Z3) or packet pairs (random)
    failures: list[str]


def _packet(prefix: str, family: str) -> dict[str, z3.BitVecRef]:
    return {f.name: z3.BitVec(f"{prefix}.{f.name}", f.width_bits) for f in fields.FAMILY_LAYOUTS[family]}


def _reta_index_z3(
    key: bytes, reta_size: int, packet: Mapping[str, z3.BitVecRef], family: str
) -> z3.BitVecRef:
    """RETA index bits: bit t is the XOR of the input bits whose key window has bit t."""
    m = fields.reta_bits(reta_size)
    layout = fields.FAMILY_LAYOUTS[family]
    data = z3.Concat(*(packet[f.name] for f in layout))  # network order, MSB first
    total = fields.INPUT_BITS_OF[family]
    index_bits = []
    for t in range(m):
        terms = [
            z3.Extract(total - 1 - i, total - 1 - i, data)
            for i in range(total)
            if toeplitz.window(key, i) >> t & 1
        ]
        bit = z3.BitVecVal(0, 1)
        for term in terms:
            bit = bit ^ term
        index_bits.append(bit)
    return z3.Concat(*reversed(index_bits)) if m > 1 else index_bits[0]


def _related_packet(c: dependencies.Constraint, p: Mapping[str, z3.BitVecRef]) -> dict[str, z3.BitVecRef]:
    """Packet q of constraint c: each bit equal to a bit of p is that bit of p
    (0 where p's family lacks the field), every other bit a fresh variable."""
    bits: dict[tuple[str, int], z3.BitVecRef] = {}
    for eq in c.equalities:
        for k in range(min(eq.a.width, eq.b.width)):
            bit = (
                z3.Extract(eq.a.lo + k, eq.a.lo + k, p[eq.a.field]) if eq.a.field in p else z3.BitVecVal(0, 1)
            )
            bits[(eq.b.field, eq.b.lo + k)] = bit
    q = {}
    for f in fields.FAMILY_LAYOUTS[c.family_b]:
        pieces = [
            bits.get((f.name, b), z3.BitVec(f"q.{f.name}.{b}", 1)) for b in range(f.width_bits - 1, -1, -1)
        ]
        q[f.name] = z3.Concat(*pieces)
    return q


def prove(
    constraints: Sequence[dependencies.Constraint],
    keys: Mapping[int, bytes],
    reta_size: int,
    timeout_ms: int = 10_000,
) -> CheckResult:
    """Z3 proof that every constraint's related packets share a RETA index."""
    failures = []
    for c in constraints:
        p = _packet("p", c.family_a)
        # Bits of p equal to a field q's family lacks are 0 (q's getter value).
        for eq in c.equalities:
            if eq.a.field in p and fields.field_in(c.family_b, eq.b.field) is None:
                f = p[eq.a.field]
                hi, lo, w = eq.a.hi, eq.a.lo, f.size()
                parts = [z3.Extract(w - 1, hi + 1, f)] if hi + 1 < w else []
                parts.append(z3.BitVecVal(0, hi - lo + 1))
                parts += [z3.Extract(lo - 1, 0, f)] if lo > 0 else []
                p[eq.a.field] = z3.Concat(*parts) if len(parts) > 1 else parts[0]
        q = _related_packet(c, p)
        solver = z3.Solver()
        solver.set("timeout", timeout_ms)
        difference = _reta_index_z3(keys[c.port_a], reta_size, p, c.family_a) ^ _reta_index_z3(
            keys[c.port_b], reta_size, q, c.family_b
        )
        # Z3's rewriter flattens the XORs and cancels equal bits; CDCL alone is slow on parity.
        solver.add(z3.simplify(difference) != 0)
        verdict = solver.check()
        if verdict == z3.sat:
            model = solver.model()
            p_vals = {n: model.eval(v, model_completion=True).as_long() for n, v in p.items()}
            q_vals = {n: model.eval(v, model_completion=True).as_long() for n, v in q.items()}
            failures.append(
                f"{c.origin}: port {c.port_a} packet ({c.family_a}) {_show(p_vals)} and port {c.port_b} "
                f"packet ({c.family_b}) "
                f"{_show(q_vals)} are related ({', '.join(map(str, c.equalities)) or 'always'}) "
                f"but reach different RETA entries"
            )
        elif verdict != z3.unsat:
            failures.append(f"{c.origin}: Z3 returned {verdict} ({solver.reason_unknown()})")
    return CheckResult(not failures, len(constraints), failures)


def _input(family: str, packet: Mapping[str, int]) -> bytes:
    """The TCP/UDP hash input of a packet of `family` (fields in layout order)."""
    make = toeplitz.ipv4_l4_input if family == fields.IPV4 else toeplitz.ipv6_l4_input
    return make(*(packet[f.name] for f in fields.FAMILY_LAYOUTS[family]))


def _show(values: Mapping[str, int]) -> str:
    return "{" + ", ".join(f"{n}={v:#x}" for n, v in values.items()) + "}"


def random_check(
    constraints: Sequence[dependencies.Constraint],
    keys: Mapping[int, bytes],
    reta_size: int,
    pairs_per_constraint: int,
    seed: int,
) -> CheckResult:
    """Software-Toeplitz check on random packet pairs satisfying each constraint."""
    rng = random.Random(seed)
    failures = []
    checked = 0
    for c in constraints:
        la, lb = fields.FAMILY_LAYOUTS[c.family_a], fields.FAMILY_LAYOUTS[c.family_b]
        for _ in range(pairs_per_constraint):
            p = {f.name: rng.getrandbits(f.width_bits) for f in la}
            q = {f.name: rng.getrandbits(f.width_bits) for f in lb}
            for eq in c.equalities:
                mask_a = ((1 << eq.a.width) - 1) << eq.a.lo
                mask_b = ((1 << eq.b.width) - 1) << eq.b.lo
                if eq.a.field in p and eq.b.field in q:
                    bits = (p[eq.a.field] >> eq.a.lo) & ((1 << eq.a.width) - 1)
                    q[eq.b.field] = (q[eq.b.field] & ~mask_b) | (bits << eq.b.lo)
                elif eq.a.field in p:  # q's family lacks the field: it reads 0
                    p[eq.a.field] &= ~mask_a
                elif eq.b.field in q:
                    q[eq.b.field] &= ~mask_b
            hp = toeplitz.toeplitz_hash(keys[c.port_a], _input(c.family_a, p))
            hq = toeplitz.toeplitz_hash(keys[c.port_b], _input(c.family_b, q))
            checked += 1
            if toeplitz.reta_index(hp, reta_size) != toeplitz.reta_index(hq, reta_size):
                failures.append(f"{c.origin}: {_show(p)} on port {c.port_a} vs {_show(q)} on port {c.port_b}")
                break
    return CheckResult(not failures, checked, failures)

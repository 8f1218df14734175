"""Independent checks of a solved plan.

`prove`: Z3 bit-vector model of the Toeplitz hash on the byte layout (not the
GF(2) equations of the solver), restricted to the RETA index bits: for every
constraint, the negation "p and q are related but their RETA indexes differ"
must be unsat. `random_check`: the software Toeplitz hash on random related
packet pairs.
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


def _packet(prefix: str) -> dict[str, z3.BitVecRef]:
    return {f.name: z3.BitVec(f"{prefix}.{f.name}", f.width_bits) for f in fields.LAYOUT_IPV4_L4}


def _reta_index_z3(key: bytes, reta_size: int, packet: Mapping[str, z3.BitVecRef]) -> z3.BitVecRef:
    """RETA index bits: bit t is the XOR of the input bits whose key window has bit t."""
    m = fields.reta_bits(reta_size)
    data = z3.Concat(*(packet[f.name] for f in fields.LAYOUT_IPV4_L4))  # network order, MSB first
    total = fields.INPUT_BITS
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
    """Packet q of constraint c: each bit equal to a bit of p is that bit of p,
    every other bit a fresh variable (any value)."""
    bits: dict[tuple[str, int], z3.BitVecRef] = {}
    for eq in c.equalities:
        for k in range(min(eq.a.width, eq.b.width)):
            bits[(eq.b.field, eq.b.lo + k)] = z3.Extract(eq.a.lo + k, eq.a.lo + k, p[eq.a.field])
    q = {}
    for f in fields.LAYOUT_IPV4_L4:
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
        p = _packet("p")
        q = _related_packet(c, p)
        solver = z3.Solver()
        solver.set("timeout", timeout_ms)
        difference = _reta_index_z3(keys[c.port_a], reta_size, p) ^ _reta_index_z3(
            keys[c.port_b], reta_size, q
        )
        # Z3's rewriter flattens the XORs and cancels equal bits; CDCL alone is slow on parity.
        solver.add(z3.simplify(difference) != 0)
        verdict = solver.check()
        if verdict == z3.sat:
            model = solver.model()
            p_vals = {n: model.eval(v, model_completion=True).as_long() for n, v in p.items()}
            q_vals = {n: model.eval(v, model_completion=True).as_long() for n, v in q.items()}
            failures.append(
                f"{c.origin}: port {c.port_a} packet {_show(p_vals)} and port {c.port_b} packet "
                f"{_show(q_vals)} are related ({', '.join(map(str, c.equalities)) or 'always'}) "
                f"but reach different RETA entries"
            )
        elif verdict != z3.unsat:
            failures.append(f"{c.origin}: Z3 returned {verdict} ({solver.reason_unknown()})")
    return CheckResult(not failures, len(constraints), failures)


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
        for _ in range(pairs_per_constraint):
            p = {f.name: rng.getrandbits(f.width_bits) for f in fields.LAYOUT_IPV4_L4}
            q = {f.name: rng.getrandbits(f.width_bits) for f in fields.LAYOUT_IPV4_L4}
            for eq in c.equalities:
                bits = (p[eq.a.field] >> eq.a.lo) & ((1 << eq.a.width) - 1)
                mask = ((1 << eq.b.width) - 1) << eq.b.lo
                q[eq.b.field] = (q[eq.b.field] & ~mask) | (bits << eq.b.lo)
            hp = toeplitz.toeplitz_hash(keys[c.port_a], toeplitz.ipv4_l4_input(*p.values()))
            hq = toeplitz.toeplitz_hash(keys[c.port_b], toeplitz.ipv4_l4_input(*q.values()))
            checked += 1
            if toeplitz.reta_index(hp, reta_size) != toeplitz.reta_index(hq, reta_size):
                failures.append(f"{c.origin}: {_show(p)} on port {c.port_a} vs {_show(q)} on port {c.port_b}")
                break
    return CheckResult(not failures, checked, failures)

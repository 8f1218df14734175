"""Merging of independent branches (merge.py): sixty `if`s on a packet field give one
path whose map key is an ite term, checked against the count the C code computes
for every protocol value (oracle: a small evaluator of the rendered Expr, written
here, and the arithmetic read off the source); branches that read state or call
nflib still fork (negative controls)."""

from __future__ import annotations

import os
import sys
import time

import pytest
import z3

from parallelizer.analysis import describe, merge
from parallelizer.analysis.expr_eval import evaluate
from proto import nf_description_pb2 as pb
from testing import nfpar_runfiles

# The paths below are relative to nfpar's root, also when nfpar is vendored.
os.chdir(nfpar_runfiles.root())

TESTDATA = "parallelizer/analysis/testdata"


def depth(expr: pb.Expr) -> int:
    if expr.WhichOneof("kind") == "apply":
        return 1 + max((depth(a) for a in expr.apply.args), default=0)
    return 1


def test_sixty_independent_branches_merge_into_one_path_fast() -> None:
    start = time.monotonic()
    desc = describe.analyze(f"{TESTDATA}/many_ifs.c", ["."]).description
    elapsed = time.monotonic() - start
    print(f"many_ifs.c: {len(desc.paths)} paths in {elapsed:.2f} s")
    assert elapsed < 10, f"60 merged branches took {elapsed:.1f} s"
    # One path through the branches; the map lookup splits it (found: DROP, else port 1).
    assert len(desc.paths) == 4
    for path in desc.paths:
        assert not any("ipv4.proto" in str(c) for c in path.conditions), path.conditions
        (op,) = path.ops
        key = op.key.struct_value
        assert key.type_name == "addr_key" and [f.name for f in key.fields] == ["addr"]
        addr = key.fields[0].value
        assert depth(addr) < 10  # a flat sum of ite terms, not a chain 60 deep
        for proto in range(256):
            # Oracle: the source adds 1 for each k in 0, 4, ..., 236 with proto > k.
            expected = sum(1 for k in range(0, 240, 4) if proto > k)
            assert evaluate(addr, {"ipv4.proto": proto}) == expected, proto
    # Negative control of the oracle: a key that ignores the protocol disagrees with it.
    wrong = pb.Expr(constant=0, width_bits=32)
    assert any(
        evaluate(wrong, {"ipv4.proto": p}) != sum(1 for k in range(0, 240, 4) if p > k) for p in range(256)
    )


def test_merged_value_as_map_key_is_an_ite_over_the_fields() -> None:
    # if/else picking the key's source: merged, the key is ite(proto == 6, src, dst).
    desc = describe.analyze(f"{TESTDATA}/merge_key_select.c", ["."], ports=1).description
    assert len(desc.paths) == 2  # found / not found: the if/else did not fork
    addr = desc.paths[0].ops[0].key.struct_value.fields[0].value
    assert addr.apply.op == "ite"
    src, dst = 0x0A000001, 0x0A000002
    for proto in (0, 6, 17, 255):
        fields = {"ipv4.proto": proto, "ipv4.src": src, "ipv4.dst": dst}
        assert evaluate(addr, fields) == (src if proto == 6 else dst)


def test_branch_with_an_nflib_call_still_forks() -> None:
    # Negative control: the arm reads state, so the if is a fork (2 paths, not 1).
    desc = describe.analyze(f"{TESTDATA}/merge_nflib_call.c", ["."], ports=1).description
    assert len(desc.paths) == 2
    assert sorted(len(p.ops) for p in desc.paths) == [0, 1]


def test_branch_on_a_stored_value_still_forks() -> None:
    # Negative control: a condition on a value read from state stays a path condition
    # (relations between packets are derived from path conditions).
    desc = describe.analyze(f"{TESTDATA}/merge_stored_value.c", ["."], ports=1).description
    assert len(desc.paths) == 2
    assert sorted(p.outcome.out_port.constant for p in desc.paths) == [0, 1]
    assert all(len(p.conditions) == 1 for p in desc.paths)


def test_ite_factors_shared_context() -> None:
    x, k = z3.BitVec("x", 32), z3.BitVec("k", 32)
    c = z3.Bool("c")
    cases = [
        (x + 1, x),
        (x, x - 3),
        (x * 2 + 1, x + 1),
        (x | 4, x),
        (x + k, x + 1),
        (k, x),
    ]
    for a, b in cases:
        merged = merge.ite(c, a, b)
        # Oracle: Z3 proves the factored term equal to If(c, a, b).
        solver = z3.Solver()
        solver.add(merged != z3.If(c, a, b))
        assert solver.check() == z3.unsat, (a, b, merged)
    assert str(merge.ite(c, x + 1, x)) == "x + If(c, 1, 0)"


def test_independent_condition() -> None:
    proto = z3.BitVec("ipv4.proto", 8)
    assert merge.independent_condition(proto == 6)
    assert merge.independent_condition(z3.And(proto == 6, z3.BitVec("cfg.lan_port", 16) == 0))
    assert not merge.independent_condition(z3.BitVec("op0.cell.addr", 32) == 0)
    assert not merge.independent_condition(z3.Bool("op1.found"))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

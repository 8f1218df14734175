"""The plan's RETA is what runs. nop_reta_plan.textproto is nop_plan.textproto
with its RETA changed by hand (entries 0..63 -> queue 1, 64..127 -> queue 0);
nop_plan has no table, so its runs use the RETA rule.

* In memory: every packet's worker is the plan's table at its RETA entry
  (softrss.entry_of, the Python Toeplitz) at the plan's 2 workers, so packets
  move against the rule's run; at 3 and 4 workers both builds run the rule.
* DPDK: on net_null (a device with RSS) the runtime programs the plan's table
  at 2 workers and the rule's at 4 (seen through reta_spy.so, an LD_PRELOAD
  shim of rte_eth_dev_rss_reta_update)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from parallelizer.sharding import reta
from testing import dpdk_harness, frames, inmem, softrss

CHANGED = "tests/parallel/testdata/nop_reta_plan.textproto"
ORIGINAL = "tests/parallel/testdata/nop_plan.textproto"
SIZE = 128
CHANGED_TABLE = [1 if i < 64 else 0 for i in range(SIZE)]


def binary(name: str) -> str:
    return dpdk_harness.runfile(f"tests/parallel/{name}")


def packets():
    return [(i % 2, f) for i, f in enumerate(frames.random_udp_frames(600, seed=5))]


def mismatches(run: inmem.Run, plan_path: str, table) -> list[int]:
    """Packets whose worker is not table[RETA entry] (the independent oracle)."""
    plan = inmem.load_plan(plan_path)
    keys = {p.port: p for p in plan.ports}
    bad = []
    for o in run.outcomes:
        port = keys[o.port]
        entry = softrss.entry_of(o.frame, bytes.fromhex(port.key_hex), port.rss_hf, plan.reta_size)
        if o.worker != table[entry]:
            bad.append(o.index)
    return bad


def test_the_plan_table_matches_what_the_test_expects():
    plan = inmem.load_plan(CHANGED)
    assert plan.cores == 2 and all(list(p.reta) == CHANGED_TABLE for p in plan.ports)
    assert CHANGED_TABLE != reta.table(SIZE, 2)


def test_inmem_runs_the_plans_table_at_the_plans_worker_count():
    changed = inmem.run(binary("nop_reta_inmem"), inmem.timed(packets()), "shared_nothing", 2)
    original = inmem.run(binary("nop_inmem"), inmem.timed(packets()), "shared_nothing", 2)
    assert mismatches(changed, CHANGED, CHANGED_TABLE) == []
    assert mismatches(original, ORIGINAL, reta.table(SIZE, 2)) == []
    moved = [
        a.index for a, b in zip(changed.outcomes, original.outcomes, strict=True) if a.worker != b.worker
    ]
    assert len(moved) > 100, "changing the plan's RETA moved no packets"
    # Negative control: the changed run does not follow the rule.
    assert len(mismatches(changed, CHANGED, reta.table(SIZE, 2))) == len(moved)


@pytest.mark.parametrize("workers", [3, 4])
def test_inmem_derives_the_rule_at_other_worker_counts(workers):
    changed = inmem.run(binary("nop_reta_inmem"), inmem.timed(packets()), "shared_nothing", workers)
    assert mismatches(changed, CHANGED, reta.table(SIZE, workers)) == []


def programmed_tables(name: str, lcores: str) -> dict[int, list[int]]:
    workdir = tempfile.mkdtemp(prefix="reta_", dir=os.environ.get("TEST_TMPDIR"))
    spy = os.path.join(workdir, "reta.txt")
    command = [
        binary(name),
        *dpdk_harness.EAL_BASE_ARGS,
        f"--lcores={lcores}",
        f"--file-prefix=reta{os.getpid()}",
        "--vdev=net_null0,no-rx=1",
        "--vdev=net_null1,no-rx=1",
        "--",
        "--idle-exit-ms=50",
    ]
    env = dict(os.environ, LD_PRELOAD=binary("reta_spy.so"), NF_RETA_SPY=spy)
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    tables = {}
    with open(spy) as f:
        for line in f:
            head, _, body = line.partition(":")
            tables[int(head.split()[1])] = [int(v) for v in body.split()]
    return tables


def test_dpdk_programs_the_plans_table_at_the_plans_worker_count():
    # net_null's RETA has 128 entries, the plan's size: programmed as is.
    assert programmed_tables("nop_reta_parallel", "0@0,1@1") == {0: CHANGED_TABLE, 1: CHANGED_TABLE}
    rule = reta.table(SIZE, 2)
    assert programmed_tables("nop_parallel", "0@0,1@1") == {0: rule, 1: rule}


def test_dpdk_derives_the_rule_at_other_worker_counts():
    rule = reta.table(SIZE, 4)
    assert programmed_tables("nop_reta_parallel", "0@0,1@1,2@0,3@1") == {0: rule, 1: rule}


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

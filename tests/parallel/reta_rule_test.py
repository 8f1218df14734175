"""The planner's RETA rule (parallelizer/sharding/reta.py) and the runtimes'
(nf_par_default_reta in config_util.c) are the same function: every table for
RETA sizes 64..512 and worker counts 1..64 is compared entry by entry, and a
deliberately different rule (the old entry i -> i mod workers) is told apart."""

from __future__ import annotations

import subprocess
import sys

import pytest

from parallelizer.sharding import reta
from testing import dpdk_harness


def c_tables() -> dict[tuple[int, int], list[int]]:
    out = subprocess.run(
        [dpdk_harness.runfile("tests/parallel/reta_rule_dump")], capture_output=True, text=True, check=True
    ).stdout
    tables = {}
    for line in out.splitlines():
        head, _, body = line.partition(":")
        size, workers = map(int, head.split())
        tables[(size, workers)] = [int(v) for v in body.split()]
    return tables


def differences(tables, rule) -> list[str]:
    """(size, workers) whose C table differs from `rule`, with the first entry."""
    out = []
    for (size, workers), table in sorted(tables.items()):
        expected = rule(size, workers)
        if table != expected:
            i = next((i for i, (a, b) in enumerate(zip(table, expected, strict=False)) if a != b), len(table))
            out.append(f"size {size} workers {workers}: entry {i}")
    return out


@pytest.fixture(scope="module")
def tables():
    return c_tables()


def test_c_and_python_rules_agree_everywhere(tables):
    assert set(tables) == {(s, w) for s in (64, 128, 256, 512) for w in range(1, 65)}
    assert differences(tables, reta.table) == []


def test_negative_control_a_different_rule_is_caught(tables):
    def modulo(size, workers):
        return [i % workers for i in range(size)]

    found = differences(tables, modulo)
    assert "size 512 workers 16: entry 2" in found
    assert len(found) > 200


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

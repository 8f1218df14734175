"""nflib's per-instance share (nflib/instance.c, what the runtimes allocate)
equals parallelizer/sharding/capacity.py's share (what the plan states), for
every grid point of share_rule_dump; a rule that rounds headroom shares up to
a power of two (a plausible mistake) is told apart (negative control)."""

from __future__ import annotations

import subprocess
import unittest

from parallelizer.sharding import capacity
from testing import dpdk_harness


def dump() -> list[tuple[int, int, int, bool, int, int]]:
    out = subprocess.run(
        [dpdk_harness.runfile("tests/capacity/share_rule_dump")], capture_output=True, text=True, check=True
    ).stdout
    rows = []
    for line in out.splitlines():
        left, right = line.split(":")
        requested, count, percent, disjoint = (int(x) for x in left.split())
        got, base = (int(x) for x in right.split())
        rows.append((requested, count, percent, bool(disjoint), got, base))
    return rows


def plan_rule(requested: int, count: int, percent: int, disjoint: bool) -> int:
    return capacity.share(requested, count, capacity.PERCENT if disjoint else percent)


def rounded_up_rule(requested: int, count: int, percent: int, disjoint: bool) -> int:
    value = plan_rule(requested, count, percent, disjoint)
    pow2 = requested & (requested - 1) == 0
    return min(requested, 1 << (value - 1).bit_length()) if pow2 and value > 1 else value


class ShareRuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.rows = dump()

    def test_c_and_python_agree(self) -> None:
        self.assertGreater(len(self.rows), 10_000)
        for requested, count, percent, disjoint, got, base in self.rows:
            want = plan_rule(requested, count, percent, disjoint)
            self.assertEqual(got, want, (requested, count, percent, disjoint))
            # Disjoint index ranges stay in [0, requested) like the sequential NF's.
            self.assertEqual(base, (count - 1) * got if disjoint else 0)
            self.assertLessEqual(base + got, requested if disjoint else 2 * requested)

    def test_negative_control_other_rule_differs(self) -> None:
        differs = sum(got != rounded_up_rule(r, c, p, d) for r, c, p, d, got, _ in self.rows)
        self.assertGreater(differs, 0)


if __name__ == "__main__":
    unittest.main()

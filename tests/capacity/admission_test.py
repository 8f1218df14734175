"""Sequential vs parallel admission on a skewed split, with and without
per-core headroom (docs/EQUIVALENCE.md, "Declared differences").

The firewall with --max-flows 64 admits 64 new LAN flows sequentially. On 2
workers each worker holds its share of the flow table: 64 / 2 = 32 without
headroom, ceil(64 x 1.5 / 2) = 48 with capacity_headroom 1.5. The test picks
new flows so that a given number land on worker 0 (software RSS with the
plan's key and run RETA, tests/parallel/softrss.py) and checks the admitted
count against min(n0, share) + min(n1, share), with the shares written out
by hand here (not taken from the planner or the runtime).
"""

from __future__ import annotations

import unittest

from testing import dpdk_harness, frames, inmem, softrss

MAX_FLOWS = 64
WORKERS = 2
SHARE_EVEN = 32  # 64 / 2
SHARE_HEADROOM = 48  # ceil(64 x 1.5 / 2)
LAN, WAN = 0, 1


def flows_split(plan, on_worker0: int, total: int) -> list[bytes]:
    """`total` new LAN flows (UDP, one packet each), `on_worker0` of them
    steered by RSS to worker 0 and the rest to worker 1."""
    port = next(p for p in plan.ports if p.port == LAN)
    table = softrss.run_table(plan, WORKERS)
    want = {0: on_worker0, 1: total - on_worker0}
    out: list[bytes] = []
    for i in range(1, 100_000):
        frame = frames.udp_frame(f"10.1.{i >> 8 & 255}.{i & 255}", "192.0.2.7", 1024 + i % 50_000, 53)
        worker = softrss.queue_of(frame, port.key, port.rss_hf, plan.reta_size, WORKERS, table)
        if want[worker]:
            want[worker] -= 1
            out.append(frame)
        if not any(want.values()):
            return out
    raise AssertionError(f"could not find the flows: {want} missing")


def admitted(binary: str, frames_in: list[bytes], strategy: str) -> tuple[int, dict[int, int]]:
    """Forwarded LAN packets (admitted new flows), and packets per worker."""
    run = inmem.run(
        binary,
        inmem.timed([(LAN, f) for f in frames_in]),
        strategy,
        workers=WORKERS,
        nf_args=["--max-flows", str(MAX_FLOWS)],
    )
    per_worker: dict[int, int] = {}
    for o in run.outcomes:
        per_worker[o.worker] = per_worker.get(o.worker, 0) + 1
    return sum(1 for o in run.outcomes if o.verdict == WAN), per_worker


def expected(on_worker0: int, total: int, share: int) -> int:
    return min(on_worker0, share) + min(total - on_worker0, share)


class AdmissionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.even_bin = dpdk_harness.runfile("nfs/firewall/inmem")
        cls.headroom_bin = dpdk_harness.runfile("tests/capacity/firewall_headroom_inmem")
        cls.even_plan = inmem.load_plan("nfs/firewall/plan.textproto")
        cls.headroom_plan = inmem.load_plan("tests/capacity/firewall_headroom_plan.textproto")

    def test_plan_states_the_headroom(self) -> None:
        table = next(o for o in self.headroom_plan.objects if o.object == "flow_table")
        self.assertEqual(table.capacity_headroom, 1.5)
        self.assertGreater(table.headroom_extra_bytes, 0)
        self.assertTrue(table.effective_capacity)

    def check(self, binary: str, plan, on_worker0: int, total: int, share: int) -> None:
        flows = flows_split(plan, on_worker0, total)
        sequential, _ = admitted(binary, flows, "sequential")
        parallel, per_worker = admitted(binary, flows, "shared_nothing")
        self.assertEqual(per_worker, {0: on_worker0, 1: total - on_worker0}, "RSS split not as steered")
        self.assertEqual(sequential, min(total, MAX_FLOWS))
        self.assertEqual(parallel, expected(on_worker0, total, share))

    def test_skewed_split_without_headroom_drops_what_sequential_admits(self) -> None:
        # 70% of 64 new flows on one core: 45 > 32, so 13 are dropped.
        self.check(self.even_bin, self.even_plan, 45, 64, SHARE_EVEN)
        self.assertEqual(expected(45, 64, SHARE_EVEN), 51)

    def test_other_splits_without_headroom(self) -> None:
        self.check(self.even_bin, self.even_plan, 52, 64, SHARE_EVEN)  # 32 + 12 = 44
        self.check(self.even_bin, self.even_plan, 48, 96, SHARE_EVEN)  # 32 + 32 = 64

    def test_skewed_split_with_headroom_admits_like_sequential(self) -> None:
        self.check(self.headroom_bin, self.headroom_plan, 45, 64, SHARE_HEADROOM)
        self.assertEqual(expected(45, 64, SHARE_HEADROOM), 64)

    def test_negative_control_headroom_is_bounded(self) -> None:
        # 52 on one core exceeds even the 1.5 share (48): 4 are dropped, so the
        # headroom is a bigger share, not an unbounded table.
        self.check(self.headroom_bin, self.headroom_plan, 52, 64, SHARE_HEADROOM)
        self.assertEqual(expected(52, 64, SHARE_HEADROOM), 60)

    def test_headroom_admits_more_than_sequential_when_both_cores_fill(self) -> None:
        # The other side of the declared difference: 48 + 48 > 64.
        self.check(self.headroom_bin, self.headroom_plan, 48, 96, SHARE_HEADROOM)
        self.assertEqual(expected(48, 96, SHARE_HEADROOM), 96)


if __name__ == "__main__":
    unittest.main()

"""ThreadSanitizer stress: the TSan builds of the in-memory runtime (lock-based,
TM with the fallback lock, and TM with the emulated HTM, whose transactions and
fallback holders interleave; tm_paths) run firewall, NAT and the UDP port limiter with
4 and 8 worker threads over traffic that writes shared state on most packets
(unpaced: the workers race); TSan must report nothing (halt_on_error, exit
code 66), the run's serialization record must be one, and the sequential NF
replayed in that order must give every packet the same outcome."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from testing import dpdk_harness, inmem
from testing.traffic import timed as traffic
from tests.equivalence import compare, matrix, serialization, tm_paths

TSAN_ENV = {"TSAN_OPTIONS": "halt_on_error=1 exitcode=66 second_deadlock_stack=1"}
CASES = [
    (nf, strategy, workers)
    for nf in ("firewall", "nat", "udp_port_limiter")
    for strategy, workers in (
        ("locks", 4),
        ("locks", 8),
        ("tm_fallback", 4),
        ("tm_fallback", 8),
        ("tm_emulated", 8),
    )
] + [("load_balancer", "hybrid", 4), ("load_balancer", "hybrid", 8)]


def _traffic(nf: str) -> traffic.Traffic:
    # Many new flows (map/dchain writes) and Zipf-hot flows (contention).
    return matrix.build_traffic(matrix.load_nf(nf), "zipf", 6000, seed=7)


@pytest.mark.parametrize("nf,strategy,workers", CASES)
def test_tsan_reports_nothing(nf: str, strategy: str, workers: int) -> None:
    entry = matrix.load_nf(nf)
    binary = dpdk_harness.runfile(f"tests/equivalence/{nf}_inmem_tsan")
    base = _traffic(nf)
    runtime_strategy, extra = tm_paths.runtime_args(strategy)
    try:
        par = inmem.run(
            binary,
            base.packets,
            runtime_strategy,
            workers,
            nf_args=entry.entry.args("zipf"),
            extra=extra,
            env=TSAN_ENV,
            timeout_s=300,
            ports=entry.ports,
        )
    except RuntimeError as e:
        pytest.fail(f"TSan build of {nf} ({strategy}, {workers} threads) failed:\n{str(e)[-6000:]}")
    assert "ThreadSanitizer" not in par.output, par.output[-6000:]
    assert sum(1 for o in par.outcomes if o.worker > 0) > 0, "all packets on worker 0: no concurrency"
    if tm_paths.is_tm(strategy):
        problems = tm_paths.check(strategy, par.output, len(base.packets))
        assert not problems, "\n".join(problems)
    problems = serialization.check(base.packets, par, hybrid=strategy == "hybrid")
    assert not problems, "\n".join(problems[:8])
    replay = inmem.run(
        entry.binary,
        base.packets,
        "sequential",
        nf_args=entry.entry.args("zipf"),
        order=serialization.replay_order(par),
        ports=entry.ports,
    )
    exact = dataclasses.replace(entry.decl, index_fields=[])
    result = compare.compare(
        base.packets, base.packets, replay, par, exact, runtime_strategy, workers, reference="replay"
    )
    assert result.ok(), result.report(f"{nf} {strategy} x{workers} (TSan build)")


def test_tsan_build_is_instrumented() -> None:
    """The transition really applies -fsanitize=thread: the code calls TSan's
    instrumentation hooks (libtsan is linked dynamically)."""
    with open(dpdk_harness.runfile("tests/equivalence/firewall_inmem_tsan"), "rb") as f:
        binary = f.read()
    assert b"__tsan_init" in binary and b"__tsan_func_entry" in binary


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

"""Unit tests of the strategy selection and the report tables (synthetic
measurements: no runtime is run)."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from proto import plan_pb2
from tools.bench import key_quality, nf_setups, report, throughput


def _plan(strategy: int) -> plan_pb2.Plan:
    return plan_pb2.Plan(nf_name="x", strategy=strategy)


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (plan_pb2.SHARED_NOTHING, ("shared_nothing", "locks", "tm")),
        (plan_pb2.HYBRID, ("locks", "tm", "hybrid")),
        (plan_pb2.LOCKS, ("locks", "tm")),
        (plan_pb2.TRANSACTIONAL_MEMORY, ("locks", "tm")),
    ],
)
def test_allowed_strategies_follow_the_plan(strategy: int, expected: tuple[str, ...]) -> None:
    assert throughput.allowed_strategies(_plan(strategy)) == expected


def test_plan_points_run_hybrid_only_for_hybrid_plans() -> None:
    setups = nf_setups.select(["firewall", "load_balancer"])
    allowed = {
        "firewall": throughput.allowed_strategies(_plan(plan_pb2.SHARED_NOTHING)),
        "load_balancer": throughput.allowed_strategies(_plan(plan_pb2.HYBRID)),
    }
    points = throughput.plan_points(setups, ["uniform"], 2, allowed)
    by_nf = {nf: sorted((p.strategy, p.workers) for p in points if p.nf == nf) for nf in allowed}
    assert by_nf["firewall"] == sorted(
        [("sequential", 1)] + [(s, n) for s in ("shared_nothing", "locks", "tm") for n in (1, 2)]
    )
    assert by_nf["load_balancer"] == sorted(
        [("sequential", 1)] + [(s, n) for s in ("locks", "tm", "hybrid") for n in (1, 2)]
    )


def _keyed(*fields: str) -> plan_pb2.Plan:
    plan = _plan(plan_pb2.SHARED_NOTHING)
    for f in fields:
        plan.objects.add(object="t", key_fields=[f"port 0: {f}"])
    return plan


def test_ipv6_rows_only_for_nfs_keeping_ipv6_state() -> None:
    assert throughput.keeps_ipv6_state(_keyed("ipv4.src", "ipv6.src, l4.src_port"))
    # Negative controls: IPv4-only state, no state.
    assert not throughput.keeps_ipv6_state(_keyed("ipv4.src, ipv4.dst"))
    assert not throughput.keeps_ipv6_state(_plan(plan_pb2.SHARED_NOTHING))
    setups = nf_setups.select(["firewall"])
    allowed = {"firewall": throughput.allowed_strategies(_plan(plan_pb2.SHARED_NOTHING))}
    points = throughput.plan_points(
        setups, ["uniform", "ipv6"], 1, allowed, frozenset({("firewall", "ipv6")})
    )
    assert {p.traffic for p in points} == {"uniform"}


def test_family_table_divides_by_the_base_mix() -> None:
    def m(traffic: str, strategy: str, workers: int, mpps: float) -> throughput.Measurement:
        return dataclasses.replace(
            _m("fw", strategy, workers, mpps), point=throughput.Point("fw", traffic, strategy, workers)
        )

    results = [
        m("uniform", "sequential", 1, 10.0),
        m("uniform", "shared_nothing", 1, 10.0),
        m("uniform", "shared_nothing", 2, 20.0),
        m("ipv6", "sequential", 1, 8.0),
        m("ipv6", "shared_nothing", 1, 9.0),
        m("ipv6", "shared_nothing", 2, 15.0),
    ]
    lines = report.family_table(results, 2, {"ipv6": "uniform"})
    assert lines[0] == "| NF | traffic (IPv4 base) | seq x1 | sn x1 | sn x2 |"
    assert lines[2:] == ["| fw | ipv6 (uniform) | 8.00 (0.80) | 9.00 (0.90) | 15.00 (0.75) |"]
    # Without a base mapping there is no row (the IPv4 mixes are not their own base).
    assert report.family_table(results, 2, {}) == lines[:2]


def _m(
    nf: str, strategy: str, workers: int, cpu_mpps: float, read_only: float = 0.0
) -> throughput.Measurement:
    return throughput.Measurement(
        point=throughput.Point(nf, "uniform", strategy, workers),
        packets=1000,
        runs_mpps=(cpu_mpps / 2,),
        median_mpps=cpu_mpps / 2,
        runs_cpu_mpps=(cpu_mpps,),
        median_cpu_mpps=cpu_mpps,
        read_only_share=read_only,
        tm_fallback_share=0.0,
        note="",
    )


RESULTS = [
    _m("firewall", "sequential", 1, 10.0),
    _m("firewall", "shared_nothing", 1, 9.0),
    _m("firewall", "shared_nothing", 2, 18.0),
    _m("firewall", "locks", 1, 5.0),
    _m("firewall", "locks", 2, 6.0),
    _m("load_balancer", "sequential", 1, 8.0),
    _m("load_balancer", "locks", 1, 4.0),
    _m("load_balancer", "locks", 2, 4.0),
    _m("load_balancer", "hybrid", 1, 7.0, read_only=0.75),
    _m("load_balancer", "hybrid", 2, 12.6),
]


def _row(lines: list[str], nf: str) -> list[str]:
    (line,) = (line for line in lines if line.startswith(f"| {nf} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_headline_table_has_hybrid_where_measured_and_keys_worst_port() -> None:
    keys = [
        key_quality.KeyRow(
            "firewall", key_quality.OURS, 0, 512, "", {"uniform": 1.5, "zipf": 9, "c2s": 1.1, "s2c": 1.2}
        ),
        key_quality.KeyRow(
            "firewall", key_quality.OURS, 1, 512, "", {"uniform": 1.1, "zipf": 9, "c2s": 4.0, "s2c": 1.0}
        ),
        key_quality.KeyRow(
            "firewall", key_quality.PUBLISHED, 0, 512, "", {"uniform": 2.0, "zipf": 9, "c2s": 1.0, "s2c": 3.0}
        ),
    ]
    lines = report.headline_table(RESULTS, 2, keys)
    assert lines[0].startswith("| NF | seq | sn x1 | sn x2 | locks x2 | hybrid x2 | keys")
    # on-CPU rates; the Zipf balance is not a column; worst over ports.
    assert _row(lines, "firewall") == [
        "firewall",
        "10.00",
        "9.00",
        "18.00",
        "6.00",
        "-",
        "1.50 / 2.00",
        "4.00 / 3.00",
    ]
    assert _row(lines, "load_balancer") == [
        "load_balancer",
        "8.00",
        "-",
        "-",
        "4.00",
        "12.60",
        "- / -",
        "- / -",
    ]


def test_scaling_table_hybrid_columns() -> None:
    lines = report.scaling_table(RESULTS, 2)
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    assert head[-2:] == ["hybrid eff x2", "hybrid shared read-only share"]
    # wall / on-CPU efficiency: 12.6 / (2 x 7) = 0.9 on both measures; the
    # read-only share is the one-worker run's.
    assert _row(lines, "load_balancer")[-2:] == ["0.90 / 0.90", "0.75"]
    assert _row(lines, "firewall")[-2:] == ["- / -", "-"]


def test_tables_without_hybrid_have_no_hybrid_column() -> None:
    no_hybrid = [m for m in RESULTS if m.point.strategy != "hybrid"]
    assert "hybrid" not in "\n".join(
        report.scaling_table(no_hybrid, 2) + report.headline_table(no_hybrid, 2, None)
    )
    assert "hybrid x2" in report.throughput_table(RESULTS, 2)[0]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

"""The parallelizer's own speed per NF: analysis (C source -> NfDescription),
planning (NfDescription -> Plan, with the planner's step timings) and code
generation (Plan -> parallel config C, once per strategy the plan allows).

Calls the stages' modules directly, with the options the NF's Bazel targets use
(the planner's defaults, PlanOptions, as every NF's :plan), and keeps each stage's
median over `repeats` runs.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import time
from collections.abc import Sequence

from parallelizer.analysis import describe
from parallelizer.codegen import generate
from parallelizer.sharding import planner, validate


@dataclasses.dataclass(frozen=True)
class StageTimes:
    nf: str
    analysis_s: float | None  # None: the NF's source is not available
    paths: int | None
    solver_checks: int | None
    planning_s: float
    planning_steps: dict[str, float]  # the planner's own step timings, last run
    codegen_s: float  # all strategies together
    strategies: str  # those generated, e.g. "shared_nothing;locks;tm"


def _codegen(plan_path: str, strategies: Sequence[str]) -> list[str]:
    """What //parallelizer/cli:generate writes for each strategy: the library
    it calls, without the file writes (the template is read once, cached)."""
    with open(plan_path, encoding="utf-8") as f:
        plan = generate.parse_plan(f.read(), plan_path)
    return [generate.generate(plan, plan_path, generate.Options(s)).config_c for s in strategies]


def _median_time(fn, repeats: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(
    nf: str,
    strategies: Sequence[str],
    source: str | None,
    include_dir: str | None,
    description_path: str,
    plan_path: str,
    repeats: int,
) -> StageTimes:
    """`strategies`: the code generator's strategy names (shared_nothing, locks,
    tm, hybrid) to generate, those the plan allows."""
    analysis_s = paths = checks = None
    if source and include_dir and os.path.exists(source):
        analysis_s, analysis = _median_time(lambda: describe.analyze(source, [include_dir]), repeats)
        paths = len(analysis.description.paths)
        checks = analysis.solver_checks
    options = planner.PlanOptions()  # the defaults every NF's :plan uses
    planning_s, result = _median_time(
        lambda: planner.make_plan(validate.load(description_path), options), repeats
    )
    steps = {k: v for k, v in result.timings.items() if k != "total"}
    codegen_s, _ = _median_time(lambda: _codegen(plan_path, strategies), repeats)
    return StageTimes(nf, analysis_s, paths, checks, planning_s, steps, codegen_s, ";".join(strategies))

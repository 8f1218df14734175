"""Code generation as a library: a Plan -> the C file that defines the parallel
NF's `const struct nf_parallel_config nf_parallel_config`
(dpdk_rules/runtime/parallel/parallel_config.h): strategy, per-port RSS, RETA
and per-object layout rules.

No flags and no file I/O besides the package's own template: the command line
(`//parallelizer/cli:generate`, parallelizer/cli/generate_main.py) and the
benchmarks (tools/bench/parallelizer_speed.py) both call `generate`, so what a
benchmark times is what a build runs.
"""

from __future__ import annotations

import dataclasses
import functools
import os

from google.protobuf import text_format

from parallelizer.codegen import config_model, render
from proto import plan_pb2

PlanError = config_model.PlanError

_TEMPLATE_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "templates", "parallel_config.c.jinja2"
)


@dataclasses.dataclass(frozen=True)
class Options:
    # "" runs the plan's own strategy; otherwise one of schema/strategies.NAMES,
    # allowed only where the plan consents (shared_nothing, hybrid).
    strategy: str = ""


@dataclasses.dataclass(frozen=True)
class Files:
    """What code generation writes for one plan."""

    config_c: str  # defines nf_parallel_config


def parse_plan(text: str, source: str) -> plan_pb2.Plan:
    """The Plan in text proto `text`; `source` names it in errors (file:line:col)."""
    plan = plan_pb2.Plan()
    try:
        text_format.Parse(text, plan)
    except text_format.ParseError as e:
        raise PlanError(f"{source}:{e}") from e
    return plan


@functools.lru_cache(maxsize=1)
def _template() -> str:
    with open(_TEMPLATE_PATH, encoding="utf-8") as f:
        return f.read()


def generate(plan: plan_pb2.Plan, source: str, options: Options | None = None) -> Files:
    """The files for `plan` (read from `source`, named in the output and in
    errors); a plan the runtimes cannot run raises PlanError naming the field
    and value."""
    config = config_model.build(plan, source, (options or Options()).strategy)
    return Files(config_c=render.render(config, source, _template()))

"""Generates the parallel NF's configuration C file from a plan.

    generate --plan=nfs/nat/plan.textproto --out_c=nat_parallel_config.c [--strategy=locks]

The output defines `const struct nf_parallel_config nf_parallel_config`
(dpdk_rules/runtime/parallel/parallel_config.h): strategy, per-port RSS, RETA
size and per-object layout rules. --strategy overrides the plan's strategy
(shared_nothing only where the plan allows it).
"""

from __future__ import annotations

import os

from absl import flags
from google.protobuf import text_format

from parallelizer.cli import conventions
from parallelizer.codegen import config_model, render
from proto import plan_pb2

FLAGS = flags.FLAGS
flags.DEFINE_string("plan", None, "Plan as text proto (proto/plan.proto).")
flags.DEFINE_string("out_c", None, "Where to write the generated C file.")
flags.DEFINE_enum("strategy", "", ["", *config_model.STRATEGY_FLAGS], "Override the plan's strategy.")
flags.mark_flags_as_required(["plan", "out_c"])

_TEMPLATE_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "templates", "parallel_config.c.jinja2"
)


def read_plan(path: str) -> plan_pb2.Plan:
    try:
        text = conventions.read_text(path, "--plan", "the plan")
    except conventions.DataError as e:  # not UTF-8
        raise config_model.PlanError(f"{e.location}: {e}") from None
    except conventions.UsageError as e:  # cannot read
        raise config_model.PlanError(str(e)) from None
    plan = plan_pb2.Plan()
    try:
        text_format.Parse(text, plan)
    except text_format.ParseError as e:
        raise config_model.PlanError(f"{path}:{e}") from e
    return plan


def generate(plan_path: str, strategy: str = "") -> str:
    plan = read_plan(plan_path)
    config = config_model.build(plan, plan_path, strategy)
    with open(_TEMPLATE_PATH, encoding="utf-8") as f:
        template = f.read()
    return render.render(config, plan_path, template)


def main(argv: list[str]) -> int:
    del argv  # exit codes, paths and `-`: parallelizer/cli/conventions.py
    if FLAGS.plan != conventions.STDIO and not os.path.isfile(FLAGS.plan):
        raise conventions.UsageError("--plan", FLAGS.plan, "no such file", "pass a Plan text proto or -")
    conventions.check_writable(FLAGS.out_c, "--out_c")
    try:
        text = generate(FLAGS.plan, FLAGS.strategy)
    except config_model.PlanError as e:
        # A plan the runtimes cannot run: exit 1.
        raise conventions.CliError(
            f"{e}; fix the plan or make it again with //parallelizer/cli:plan"
        ) from None
    conventions.write_text(FLAGS.out_c, text, "--out_c")
    return conventions.EXIT_OK


if __name__ == "__main__":
    conventions.run(main, "generate")

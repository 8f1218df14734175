"""generate: writes the parallel NF's configuration C file from a plan.

  bazel run //parallelizer/cli:generate -- --plan=nfs/nat/plan.textproto \
      --out_c=nat_parallel_config.c [--strategy=locks]

--strategy overrides the plan's strategy (shared_nothing and hybrid only where
the plan allows them). The work is parallelizer/codegen/generate.py's; this
file is flags, files and exit codes (docs/CLI.md).
"""

from __future__ import annotations

import os

from absl import flags

from parallelizer.cli import conventions
from parallelizer.codegen import generate
from parallelizer.schema import strategies

FLAGS = flags.FLAGS
flags.DEFINE_string("plan", None, "Plan as text proto (proto/plan.proto); - for stdin.")
flags.DEFINE_string("out_c", None, "Where to write the generated C file; - for stdout.")
flags.DEFINE_string(
    "strategy", "", f"Override the plan's strategy: one of {', '.join(strategies.NAMES)} (empty: the plan's)."
)
flags.mark_flags_as_required(["plan", "out_c"])


def _read_plan(path: str):
    try:
        text = conventions.read_text(path, "--plan", "the plan")
    except conventions.DataError as e:  # not UTF-8: a plan the runtimes cannot run
        raise generate.PlanError(f"{e.location}: {e}") from None
    return generate.parse_plan(text, path)


def main(argv: list[str]) -> int:
    del argv  # exit codes, paths and `-`: parallelizer/cli/conventions.py
    if FLAGS.strategy:
        try:
            strategies.value_of(FLAGS.strategy)
        except strategies.UnknownStrategy as e:
            raise conventions.UsageError("--strategy", FLAGS.strategy, str(e), e.todo) from None
    if FLAGS.plan != conventions.STDIO and not os.path.isfile(FLAGS.plan):
        raise conventions.UsageError("--plan", FLAGS.plan, "no such file", "pass a Plan text proto or -")
    conventions.check_writable(FLAGS.out_c, "--out_c")
    try:
        files = generate.generate(_read_plan(FLAGS.plan), FLAGS.plan, generate.Options(FLAGS.strategy))
    except generate.PlanError as e:
        # A plan the runtimes cannot run: exit 1.
        raise conventions.CliError(
            f"{e}; fix the plan or make it again with //parallelizer/cli:plan"
        ) from None
    conventions.write_text(FLAGS.out_c, files.config_c, "--out_c")
    return conventions.EXIT_OK


if __name__ == "__main__":
    conventions.run(main, "generate")

"""Analyzer CLI: writes the NfDescription text proto of an NF's C source.

  bazel run //parallelizer/analysis:analyze -- --src=nfs/firewall/firewall.c \\
      --out=nfs/firewall/description.textproto

Unsupported C is reported as `file:line:column: error: ...` with exit code 2."""

from __future__ import annotations

import os
import sys
import time

from absl import app, flags
from google.protobuf import text_format

from parallelizer.analysis import describe
from parallelizer.analysis.budget import Budget
from parallelizer.analysis.errors import AnalysisError

FLAGS = flags.FLAGS
flags.DEFINE_string("src", None, "NF C source file", required=True)
flags.DEFINE_string("out", None, "output text proto (default: stdout)")
flags.DEFINE_multi_string("include_dir", ["."], "directories holding nflib/ and the NF's headers")
flags.DEFINE_integer("ports", None, "number of input ports (default: nf_port_count of the default config)")
flags.DEFINE_multi_string("config", [], "config override FIELD=VALUE (e.g. lan_port=1)")
# Budgets (docs/NF_C_SUBSET.md, "Budgets"); the defaults are Budget's.
flags.DEFINE_integer("max_paths", Budget.max_paths, "most paths through nf_process, all ports", lower_bound=1)
flags.DEFINE_integer("solver_timeout_ms", Budget.solver_timeout_ms, "most ms per solver check", lower_bound=1)
flags.DEFINE_integer("max_seconds", int(Budget.max_seconds), "most seconds for the analysis", lower_bound=1)


def parse_overrides(items: list[str]) -> dict[str, int]:
    overrides = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError(item)
            overrides[name.removeprefix("cfg.")] = int(value, 0)
        except ValueError:
            raise app.UsageError(f"--config {item!r}: expected FIELD=INTEGER, e.g. lan_port=1") from None
    return overrides


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if workspace:  # `bazel run`: paths are relative to the workspace
        os.chdir(workspace)
    start = time.monotonic()
    try:
        budget = Budget(FLAGS.max_paths, FLAGS.solver_timeout_ms, FLAGS.max_seconds)
        overrides = parse_overrides(FLAGS.config)
        analysis = describe.analyze(FLAGS.src, FLAGS.include_dir, FLAGS.ports, overrides, budget)
    except AnalysisError as error:
        print(str(error), file=sys.stderr)
        return 2
    text = text_format.MessageToString(analysis.description)
    if FLAGS.out:
        with open(FLAGS.out, "w") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    elapsed = time.monotonic() - start
    print(
        f"{FLAGS.src}: {len(analysis.description.paths)} paths, {len(analysis.description.objects)} objects, "
        f"{len(analysis.description.relations)} relations, {analysis.solver_checks} solver checks, "
        f"{elapsed:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    app.run(main)

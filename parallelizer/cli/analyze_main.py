"""Analyzer CLI: writes the NfDescription text proto of an NF's C source.

  bazel run //parallelizer/cli:analyze -- --src=nfs/firewall/firewall.c \\
      --out=nfs/firewall/description.textproto

Relative paths are relative to where bazel runs (--include_dir defaults to the
workspace root); --out=- (or no --out) writes to stdout. Unsupported C is
reported as `file:line:column: error: ...` with exit code 1, a bad flag value
with exit code 2 (docs/CLI.md)."""

from __future__ import annotations

import os
import sys
import time

from absl import flags
from google.protobuf import text_format

from parallelizer.analysis import describe, inputs
from parallelizer.analysis.budget import Budget
from parallelizer.analysis.errors import AnalysisError
from parallelizer.cli import conventions

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
            raise conventions.UsageError(
                "--config", item, "expected FIELD=INTEGER", "e.g. --config=lan_port=1"
            ) from None
    return overrides


def main(argv: list[str]) -> int:
    del argv  # the conventions refuse positional arguments
    include_dirs = FLAGS.include_dir
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if workspace and FLAGS["include_dir"].using_default_value:  # nflib/ is at the workspace root
        include_dirs = [workspace]
    if not os.path.isfile(FLAGS.src):
        raise conventions.UsageError("--src", FLAGS.src, "no such file", "pass the NF's C source file")
    out = FLAGS.out or conventions.STDIO
    conventions.check_writable(out, "--out")
    start = time.monotonic()
    try:
        budget = Budget(FLAGS.max_paths, FLAGS.solver_timeout_ms, FLAGS.max_seconds)
        overrides = parse_overrides(FLAGS.config)
        analysis = describe.analyze(FLAGS.src, include_dirs, FLAGS.ports, overrides, budget)
        inputs.check_out_ports(analysis.description, overrides)
    except inputs.OptionError as error:
        raise conventions.UsageError(error.option, error.value, error.what, error.todo) from None
    except AnalysisError as error:  # already `file:line:col: error: ...; ...`
        raise conventions.LocatedDataError(str(error)) from None
    conventions.write_text(out, text_format.MessageToString(analysis.description), "--out")
    elapsed = time.monotonic() - start
    print(
        f"{FLAGS.src}: {len(analysis.description.paths)} paths, {len(analysis.description.objects)} objects, "
        f"{len(analysis.description.relations)} relations, {analysis.solver_checks} solver checks, "
        f"{elapsed:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    conventions.run(main, "analyze")

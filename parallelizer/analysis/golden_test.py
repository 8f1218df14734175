"""Golden test of an NF description: the analyzer's output must equal the
checked-in text proto. Used by nf_description() in dpdk_rules/analysis.bzl."""

from __future__ import annotations

import difflib
import sys

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("generated", None, "text proto the analyzer produced", required=True)
flags.DEFINE_string("golden", None, "checked-in text proto", required=True)
flags.DEFINE_string("regen_command", "", "command that rewrites the golden file")


def main(argv: list[str]) -> int:
    del argv
    with open(FLAGS.generated) as f:
        generated = f.read()
    with open(FLAGS.golden) as f:
        golden = f.read()
    if generated == golden:
        print(f"{FLAGS.golden}: matches the analysis")
        return 0
    diff = difflib.unified_diff(
        golden.splitlines(keepends=True),
        generated.splitlines(keepends=True),
        fromfile=f"{FLAGS.golden} (checked in)",
        tofile="analysis output",
    )
    sys.stdout.writelines(diff)
    print(
        f"\nThe analysis of the NF differs from {FLAGS.golden}. Review the diff above; if the new "
        f"description is right, regenerate the golden file with:\n  {FLAGS.regen_command}"
    )
    return 1


if __name__ == "__main__":
    app.run(main)

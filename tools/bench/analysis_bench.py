"""Benchmark: analyses every NF and prints paths and time per NF (goal: all nine
under 10 s in total on 2 cores).

  bazel run //tools/bench:analysis_bench [-- nfs/nat/nat.c ...]"""

from __future__ import annotations

import glob
import os
import sys
import time

from absl import app, flags

from parallelizer.analysis import describe
from parallelizer.analysis.errors import AnalysisError

FLAGS = flags.FLAGS
flags.DEFINE_integer("repeat", 1, "analyse each NF this many times and report the fastest")


def default_sources() -> list[str]:
    return sorted(
        p
        for p in glob.glob("nfs/*/*.c")
        if os.path.basename(os.path.dirname(p)) + ".c" == os.path.basename(p)
    )


def main(argv: list[str]) -> int:
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if workspace:
        os.chdir(workspace)
    sources = argv[1:] or default_sources()
    if not sources:
        print("no NF sources (nfs/<name>/<name>.c) found; pass them as arguments", file=sys.stderr)
        return 1
    print(f"{'NF':<20} {'paths':>6} {'objects':>7} {'relations':>9} {'solver':>7} {'seconds':>8}")
    total = 0.0
    failed = False
    for source in sources:
        best = None
        try:
            for _ in range(FLAGS.repeat):
                start = time.perf_counter()
                analysis = describe.analyze(source, ["."])
                elapsed = time.perf_counter() - start
                best = elapsed if best is None else min(best, elapsed)
        except AnalysisError as error:
            print(f"{source}: {error}", file=sys.stderr)
            failed = True
            continue
        assert best is not None
        total += best
        desc = analysis.description
        print(
            f"{desc.nf_name:<20} {len(desc.paths):>6} {len(desc.objects):>7} {len(desc.relations):>9} "
            f"{analysis.solver_checks:>7} {best:>8.3f}"
        )
    print(f"{'total':<20} {'':>6} {'':>7} {'':>9} {'':>7} {total:>8.3f}")
    return 1 if failed else 0


if __name__ == "__main__":
    app.run(main)

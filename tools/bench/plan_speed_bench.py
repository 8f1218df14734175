"""Planning time per description (goal: < 1 s each, all under 5 s).

bazel run //tools/bench:plan_speed_bench -- --descriptions=$PWD/nfs
"""

from __future__ import annotations

import glob
import os
import time

from absl import app, flags

from parallelizer.sharding import planner, validate
from parallelizer.testing import descriptions as td

FLAGS = flags.FLAGS
flags.DEFINE_string("descriptions", None, "Folder with <nf>/description.textproto files (optional).")
flags.DEFINE_integer("key_length", planner.PlanOptions.key_length, "RSS key length.")
flags.DEFINE_integer("reta_size", planner.PlanOptions.reta_size, "RETA size.")


def main(argv: list[str]) -> int:
    del argv
    items = [(f"hand-built {n}", make) for n, make in td.ALL.items()]
    if FLAGS.descriptions:
        for path in sorted(glob.glob(os.path.join(FLAGS.descriptions, "*", "description.textproto"))):
            items.append((os.path.basename(os.path.dirname(path)), lambda p=path: validate.load(p)))
    total = 0.0
    slowest = 0.0
    for name, make in items:
        started = time.perf_counter()
        result = planner.make_plan(
            make(), planner.PlanOptions(key_length=FLAGS.key_length, reta_size=FLAGS.reta_size)
        )
        elapsed = time.perf_counter() - started
        total += elapsed
        slowest = max(slowest, elapsed)
        steps = ", ".join(f"{k} {v * 1000:.0f}" for k, v in result.timings.items() if k != "total")
        print(f"{name:32s} {elapsed * 1000:7.0f} ms  ({steps} ms)")
    print(f"{len(items)} plans: total {total:.2f} s, slowest {slowest:.2f} s (goal < 1 s each)")
    return 0 if slowest < 1.0 else 1


if __name__ == "__main__":
    app.run(main)

"""Queue balance of plans' keys on address-plan traffic (quality.py), per
port and hashed address field, at 2, 4, 8 and 16 queues.

    bazel run //tools/bench:address_plan_bench -- \\
        $PWD/bazel-bin/nfs/policer/plan.textproto [--rule=modulo]

--rule=reta (default) uses the RETA rule (reta.py); --rule=modulo the old
entry i -> i mod queues, for before/after comparisons. Each cell is
max/mean (queues used); Zipf rows add the bound no RETA can beat (one flow is
never split)."""

from __future__ import annotations

import sys

import numpy as np
from absl import app, flags
from google.protobuf import text_format

from parallelizer.sharding import quality, reta
from proto import plan_pb2

FLAGS = flags.FLAGS
flags.DEFINE_enum("rule", "reta", ["reta", "modulo"], "RETA rule to measure with.")
flags.DEFINE_integer("seed", 1, "Traffic seed.")


def table(size: int, queues: int) -> np.ndarray:
    if FLAGS.rule == "modulo":
        return np.arange(size) % queues
    return np.array(reta.table(size, queues))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        raise app.UsageError("give one or more plan text protos")
    for path in argv[1:]:
        plan = plan_pb2.Plan()
        try:
            with open(path, encoding="utf-8") as f:
                text_format.Parse(f.read(), plan)
        except (OSError, text_format.ParseError) as e:
            print(f"address_plan_bench: {path}: {e}", file=sys.stderr)
            return 1
        print(f"== {plan.nf_name} ({path}), rule {FLAGS.rule}")
        for port in plan.ports:
            for field in ("ipv4.src", "ipv4.dst"):
                if field not in port.hashed_fields:
                    continue
                for traffic in quality.address_plan_traffic(field, FLAGS.seed):
                    cells = []
                    for q in quality.REPORTED_QUEUES:
                        loads = quality.table_loads(
                            port.key, traffic.flows, traffic.weights, table(plan.reta_size, q)
                        )
                        loads = np.pad(loads, (0, q - len(loads)))
                        cell = f"{quality.max_over_mean(loads):.2f} ({int((loads > 0).sum())}/{q})"
                        if not np.all(traffic.weights == traffic.weights[0]):
                            cell += f" >={traffic.lower_bound(q):.2f}"
                        cells.append(cell)
                    print(f"port {port.port} {traffic.name}: " + " | ".join(cells))
    return 0


if __name__ == "__main__":
    app.run(main)

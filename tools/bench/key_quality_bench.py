"""Key quality side by side: the published design's shared-nothing keys
(../shared/reference/maestro_sn_keys.json) and ours, on the same traffic.

Per key: rank of every field group's Toeplitz block over the RETA index bits,
and queue max/mean over 16 queues (RETA entry i -> queue i mod 16) for uniform
random flows, Zipf traffic and client-to-server traffic (many clients, few
Zipf-popular servers; the server side is what a NAT's LAN key sees as
destination, and its WAN key as source).

  bazel run //tools/bench:key_quality_bench -- \
      --reference=$PWD/../shared/reference/maestro_sn_keys.json --descriptions=$PWD/nfs
"""

from __future__ import annotations

import glob
import os

import numpy as np
from absl import app, flags

from parallelizer.sharding import planner, validate
from parallelizer.testing import descriptions as td
from tools.bench import key_quality

FLAGS = flags.FLAGS
flags.DEFINE_string("reference", None, "maestro_sn_keys.json of the published design (optional).")
flags.DEFINE_string("descriptions", None, "Folder with <nf>/description.textproto files (optional).")
flags.DEFINE_integer(
    "reta_size",
    key_quality.PUBLISHED_RETA_SIZE,
    f"RETA size for all keys (the published keys are for {key_quality.PUBLISHED_RETA_SIZE}).",
)
flags.DEFINE_integer("flows", 40_000, "Flows / packets per traffic mix.")
flags.DEFINE_integer("seed", 1, "Traffic seed.")


def _row(key: bytes, reta_size: int, bits: dict[str, np.ndarray]) -> str:
    """key_quality.measure (the bench's own numbers) as one text row."""
    ranks, balance = key_quality.measure(key, reta_size, bits)
    return f"{ranks:44s} " + " ".join(f"{name} {value:6.2f}" for name, value in balance.items())


def main(argv: list[str]) -> int:
    del argv
    bits = key_quality.traffic(FLAGS.flows, FLAGS.seed)
    print(
        f"rank per field group over log2(RETA {FLAGS.reta_size}) bits; queue max/mean over {key_quality.QUEUES} queues "
        f"(uniform, zipf, client->server, server->client; {FLAGS.flows} flows/packets each)"
    )
    if FLAGS.reference:
        reference = key_quality.load_reference(FLAGS.reference)
        print("\npublished design (Maestro) shared-nothing keys:")
        for nf, keys in reference.keys.items():
            for port, key in sorted(keys.items()):
                print(f"  {nf:8s} port {port}: {_row(key, FLAGS.reta_size, bits)}")
    plans = {name: make() for name, make in td.ALL.items()}
    if FLAGS.descriptions:
        for path in sorted(glob.glob(os.path.join(FLAGS.descriptions, "*", "description.textproto"))):
            plans[os.path.basename(os.path.dirname(path))] = validate.load(path)
    print(f"\nour plans (key length {planner.PlanOptions.key_length}):")
    for name, description in plans.items():
        try:
            plan = planner.make_plan(
                description, planner.PlanOptions(reta_size=FLAGS.reta_size, seed=FLAGS.seed)
            ).plan
        except planner.PlanError as e:
            print(f"  {name}: no plan ({e})")
            continue
        for p in plan.ports:
            hashed = ",".join(f.split(".")[-1] for f in p.hashed_fields)
            print(f"  {name:20s} port {p.port} [{hashed}]: {_row(p.key, FLAGS.reta_size, bits)}")
    return 0


if __name__ == "__main__":
    app.run(main)

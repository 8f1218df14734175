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
import json
import os

import numpy as np
from absl import app, flags

from parallelizer.sharding import fields, planner, quality, toeplitz, validate
from parallelizer.testing import descriptions as td

FLAGS = flags.FLAGS
flags.DEFINE_string("reference", None, "maestro_sn_keys.json of the published design (optional).")
flags.DEFINE_string("descriptions", None, "Folder with <nf>/description.textproto files (optional).")
flags.DEFINE_integer("reta_size", 512, "RETA size for all keys (the published keys are for 512).")
flags.DEFINE_integer("flows", 40_000, "Flows / packets per traffic mix.")
flags.DEFINE_integer("seed", 1, "Traffic seed.")

QUEUES = 16


def measure(key: bytes, reta_size: int, mixes: dict[str, np.ndarray]) -> str:
    m = fields.reta_bits(reta_size)
    ranks = " ".join(
        f"{f.name.split('.')[-1]}:{quality.group_rank(key, reta_size, f)}/{m}" for f in fields.LAYOUT_IPV4_L4
    )
    balance = " ".join(
        f"{name} {quality.max_over_mean(quality.queue_loads(key, reta_size, toeplitz.flows_to_bits(f), QUEUES)):6.2f}"
        for name, f in mixes.items()
    )
    return f"{ranks:44s} {balance}"


def main(argv: list[str]) -> int:
    del argv
    mixes = quality.traffic_mixes(FLAGS.flows, FLAGS.seed)
    print(
        f"rank per field group over log2(RETA {FLAGS.reta_size}) bits; queue max/mean over {QUEUES} queues "
        f"(uniform, zipf, client->server, server->client; {FLAGS.flows} flows/packets each)"
    )
    if FLAGS.reference:
        with open(FLAGS.reference, encoding="utf-8") as f:
            ref = json.load(f)
        print("\npublished design (Maestro) shared-nothing keys:")
        for nf, entry in ref["nfs"].items():
            for port, key_hex in sorted(entry["keys_by_port"].items()):
                print(f"  {nf:8s} port {port}: {measure(bytes.fromhex(key_hex), FLAGS.reta_size, mixes)}")
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
            print(f"  {name:20s} port {p.port} [{hashed}]: {measure(p.key, FLAGS.reta_size, mixes)}")
    return 0


if __name__ == "__main__":
    app.run(main)

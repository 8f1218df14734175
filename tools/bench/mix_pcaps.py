"""Writes one benchmark traffic mix (tools/bench/workloads.py) as one pcap per
NF port, e.g. a traffic profile for `plan --traffic_profile`:

  bazel run //tools/bench:mix_pcaps -- --mix=lan24_zipf --packets=200000 \\
      --flows=4000 --out_prefix=/tmp/p/lan24_zipf     # /tmp/p/lan24_zipf0.pcap, ...1.pcap
"""

from __future__ import annotations

from absl import flags

from parallelizer.cli import conventions
from testing.traffic import profiles
from tools.bench import workloads

FLAGS = flags.FLAGS
flags.DEFINE_string("mix", "lan24_zipf", "Mix name (tools/bench/workloads.py mixes).")
flags.DEFINE_integer("packets", 200_000, "Packets in total.", lower_bound=1)
flags.DEFINE_integer("flows", 4_000, "Concurrent flows.", lower_bound=1)
flags.DEFINE_integer("seed", 1, "Seed.", lower_bound=0)
flags.DEFINE_string("out_prefix", None, "Writes <prefix><port>.pcap for ports 0 and 1.")


def main(argv: list[str]) -> int:
    del argv
    import dpkt  # the venv's; only this tool writes pcaps here

    mixes = {m.name: m for m in workloads.mixes(FLAGS.packets, FLAGS.flows, FLAGS.seed)}
    if FLAGS.mix not in mixes:
        raise conventions.UsageError("--mix", FLAGS.mix, "unknown mix", f"pass one of {', '.join(mixes)}")
    if not FLAGS.out_prefix:
        raise conventions.UsageError(
            "--out_prefix", "''", "an output prefix is required", "pass --out_prefix=DIR/name"
        )
    packets = profiles.generate(mixes[FLAGS.mix].spec)
    for port in (0, 1):
        path = f"{FLAGS.out_prefix}{port}.pcap"
        conventions.check_writable(path, "--out_prefix")
        with open(path, "wb") as f:
            writer = dpkt.pcap.Writer(f, linktype=dpkt.pcap.DLT_EN10MB)
            for p in packets:
                if p.port == port:
                    writer.writepkt(p.frame, ts=p.timestamp_ns / 1e9)
        print(f"wrote {path}")
    return conventions.EXIT_OK


if __name__ == "__main__":
    conventions.run(main, "mix_pcaps")

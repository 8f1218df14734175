"""Queue balance of RSS keys on traffic whose sources share prefixes.

For a plan's key on one port, next to other keys (the published design's key
of the same port, from maestro_sn_keys.json, and any key given in hex): the
rank of the key's RETA block over the source address's top 8, 16 and all 32
bits, and max/mean of the packets per queue at 2, 4, 8 and 16 queues under our
RETA rule (parallelizer/sharding/reta.py, what the runtimes program) and under
entry i -> i mod queues (the common rule, the published design's), on

  uniform          every field uniformly random (the plans' own check)
  N /8s            sources in N random /8 prefixes (hosts uniform inside),
                   other fields random
  one /16, one /24 sources are the hosts of one prefix, other fields random

A key that may only hash a source's /8 (an NF whose /8 state is partitioned)
can use at most N queues for N /8s, whatever the key: max/mean >= queues / N.

  bazel run //tools/bench:prefix_balance -- --plan=$PWD/bazel-bin/nfs/hhh/plan.textproto \\
      --port=1 --reference=$PWD/../shared/reference/maestro_sn_keys.json \\
      --reference_nf=hhh --reference_port=0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np
from google.protobuf import text_format

from parallelizer.sharding import fields, gf2, quality, reta, toeplitz
from proto import plan_pb2
from tools.bench import key_quality

QUEUES = (2, 4, 8, 16)
SOURCE_PREFIX_BITS = (8, 16, 32)  # ranks reported: ipv4.src[31:24], [31:16], [31:0]


def mixes(flows: int, seed: int) -> dict[str, np.ndarray]:
    """Flow rows (src, dst, src_port, dst_port) per traffic mix."""
    rng = np.random.default_rng(seed)

    def with_sources(sources: np.ndarray) -> np.ndarray:
        rows = quality.uniform_flows(len(sources), int(rng.integers(1 << 31)))
        rows[:, 0] = sources
        return rows

    def in_prefixes(count: int, prefix_len: int) -> np.ndarray:
        host_bits = 32 - prefix_len
        prefixes = rng.choice(1 << prefix_len, size=count, replace=False).astype(np.uint64)
        picks = prefixes[rng.integers(0, count, size=flows)] << np.uint64(host_bits)
        return picks | rng.integers(0, 1 << host_bits, size=flows, dtype=np.uint64)

    return {
        "uniform": quality.uniform_flows(flows, seed),
        "4 /8s": with_sources(in_prefixes(4, 8)),
        "16 /8s": with_sources(in_prefixes(16, 8)),
        "one /16": with_sources(in_prefixes(1, 16)),
        "one /24": with_sources(in_prefixes(1, 24)),
    }


def source_rank(key: bytes, reta_size: int, top_bits: int) -> int:
    """GF(2) rank of the RETA index bits over ipv4.src's top `top_bits` bits
    (input bits 0 .. top_bits - 1: the source address comes first, MSB first)."""
    mask = reta_size - 1
    return gf2.rank([toeplitz.window(key, i) & mask for i in range(top_bits)])


def queue_table(rule: str, reta_size: int, queues: int) -> np.ndarray:
    """Entry -> queue: "mix" is our RETA rule (reta.py), "mod" the common
    entry i -> i mod queues (DPDK's examples, the published design)."""
    if rule == "mix":
        return np.array(reta.table(reta_size, queues), dtype=np.int64)
    return np.arange(reta_size, dtype=np.int64) % queues


def rows_for(
    label: str, key: bytes, reta_size: int, traffic: dict[str, np.ndarray], rules: Sequence[str]
) -> list[str]:
    m = fields.reta_bits(reta_size)
    ranks = " ".join(f"/{b}:{source_rank(key, reta_size, b)}/{min(b, m)}" for b in SOURCE_PREFIX_BITS)
    out = []
    for name, flows in traffic.items():
        indexes = toeplitz.reta_indexes(key, reta_size, flows)
        for rule in rules:
            balance = [
                quality.max_over_mean(
                    np.bincount(queue_table(rule, reta_size, q)[indexes], minlength=q).astype(np.float64)
                )
                for q in QUEUES
            ]
            cells = " | ".join(f"{b:.2f}" for b in balance)
            out.append(f"| {label} | {ranks} | {rule} | {name} | {cells} |")
    return out


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plan", required=True, help="a Plan text proto (bazel-bin/nfs/<nf>/plan.textproto)")
    parser.add_argument("--port", type=int, required=True, help="the plan's port whose key is measured")
    parser.add_argument("--reference", help="maestro_sn_keys.json (published keys by NF and port)")
    parser.add_argument("--reference_nf", help="the published NF to compare with, e.g. hhh")
    parser.add_argument("--reference_port", type=int, help="the published NF's port playing --port's role")
    parser.add_argument(
        "--key", action="append", default=[], help="LABEL=HEX: another 52-byte key to measure"
    )
    parser.add_argument(
        "--rules",
        default="mix,mod",
        help="RETA rules, comma-separated: mix (ours, reta.py), mod (i mod queues)",
    )
    parser.add_argument("--flows", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def fail(message: str) -> int:
    print(f"prefix_balance: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    try:
        with open(args.plan, encoding="utf-8") as f:
            plan = text_format.Parse(f.read(), plan_pb2.Plan())
    except (OSError, text_format.ParseError) as e:
        return fail(f"--plan={args.plan}: cannot read the plan: {e}")
    ports = {p.port: p for p in plan.ports}
    if args.port not in ports:
        return fail(f"--port={args.port}: the plan has ports {sorted(ports)}; pick one of them")
    keys = [(f"plan port {args.port}", ports[args.port].key, plan.reta_size)]
    if args.reference:
        if args.reference_nf is None or args.reference_port is None:
            return fail("--reference needs --reference_nf and --reference_port")
        try:
            reference = key_quality.load_reference(args.reference)
            ref_key = reference.keys[args.reference_nf][args.reference_port]
        except (OSError, ValueError, KeyError, TypeError) as e:
            return fail(
                f"--reference={args.reference}: no key for NF {args.reference_nf!r} port "
                f"{args.reference_port} ({e!r}); expected {{'nfs': {{NF: {{'keys_by_port': {{PORT: HEX}}}}}}}}"
            )
        label = f"{args.reference_nf} published port {args.reference_port}"
        keys.append((label, ref_key, reference.reta_size))
    for text in args.key:
        label, _, hex_key = text.partition("=")
        try:
            key = bytes.fromhex(hex_key)
        except ValueError:
            key = b""
        if not label or len(key) != len(keys[0][1]):
            return fail(f"--key={text!r}: expected LABEL=HEX with {len(keys[0][1])} bytes of hex")
        keys.append((label, key, plan.reta_size))
    rules = args.rules.split(",")
    if not rules or any(r not in ("mix", "mod") for r in rules):
        return fail(f"--rules={args.rules}: expected a comma-separated list of mix and mod")
    traffic = mixes(args.flows, args.seed)
    print(
        f"| key | source rank over RETA bits | RETA | sources | {' | '.join(f'{q} queues' for q in QUEUES)} |"
    )
    print("|---|---|---|---|" + "---|" * len(QUEUES))
    for label, key, reta_size in keys:
        print("\n".join(rows_for(label, key, reta_size, traffic, rules)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

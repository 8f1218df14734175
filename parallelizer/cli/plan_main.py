"""plan: computes a parallelization plan (strategy, per-object placement, RSS
keys) from an NF description and writes it as a text proto.

  bazel run //parallelizer/cli:plan -- --description=nfs/fw/description.textproto \
      --out=/tmp/fw.plan.textproto --strategy=auto --key_length=52 --reta_size=512 --cores=16
"""

from __future__ import annotations

import sys
import threading
import time

from absl import app, flags
from google.protobuf import text_format

from parallelizer.sharding import fields, planner, validate
from proto import plan_pb2

FLAGS = flags.FLAGS
flags.DEFINE_string("description", None, "NfDescription text proto (e.g. nfs/<nf>/description.textproto).")
flags.DEFINE_string("out", None, "Where to write the Plan text proto; omitted: only the summary is printed.")
flags.DEFINE_enum("strategy", "auto", sorted(planner.STRATEGIES), "Parallelization strategy; auto picks.")
flags.DEFINE_integer("key_length", 52, "RSS key length in bytes: 40 (ixgbe, mlx5) or 52 (i40e, ice).")
flags.DEFINE_integer("reta_size", 512, "RSS redirection table entries: 64, 128 or 512.")
flags.DEFINE_integer("cores", 16, "Worker cores (RSS queues).")
flags.DEFINE_integer("seed", 1, "Seed for key sampling and the randomized check.")

EXIT_USAGE = 2


class _Progress:
    """Prints a step's description once it has run for over a second."""

    def __init__(self) -> None:
        self._timer: threading.Timer | None = None

    def step(self, message: str) -> None:
        self.done()
        self._timer = threading.Timer(1.0, lambda: print(f"... {message}", file=sys.stderr, flush=True))
        self._timer.daemon = True
        self._timer.start()

    def done(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def summary(result: planner.PlanResult) -> str:
    plan = result.plan
    out = [
        f"NF {plan.nf_name or '?'}: strategy {plan_pb2.Strategy.Name(plan.strategy)}",
        f"  why: {plan.strategy_reason}",
        f"  key length {plan.key_length_bytes} B, RETA {plan.reta_size} entries, {plan.cores} cores",
        "objects:",
    ]
    for o in plan.objects:
        placement = plan_pb2.ObjectDecision.Placement.Name(o.placement)
        extra = (
            f", {o.capacity_per_core} per core" if o.placement == plan_pb2.ObjectDecision.PARTITIONED else ""
        )
        disjoint = ", disjoint index ranges" if o.index_ranges_disjoint else ""
        out.append(f"  {o.object}: {placement}{extra}{disjoint}")
        out.append(f"      keyed on: {'; '.join(o.key_fields) or '-'}")
        out.append(f"      why: {o.reason}")
    out.append("ports:")
    for p in plan.ports:
        out.append(
            f"  port {p.port}: hashes {', '.join(p.hashed_fields) or 'nothing (one RETA entry)'}; "
            f"rss_hf {' | '.join(fields.rss_hf_names(p.rss_hf))} ({p.rss_hf:#x})"
        )
        out.append(f"      key {p.key_hex}")
        ranks = ", ".join(
            f"{q.field_group} {q.rank}/{q.rank_needed}" for q in plan.quality if q.port == p.port
        )
        balance = next((q.uniform_max_over_mean for q in plan.quality if q.port == p.port), None)
        out.append(f"      rank over RETA bits: {ranks or '-'}")
        if balance is not None:
            out.append(
                f"      {plan.quality[0].flows} uniform flows over {plan.quality[0].queues} queues: max/mean {balance:.3f}"
            )
    out.append(f"constraints: {len(plan.constraints)}")
    for c in plan.constraints:
        pairs = ", ".join(f"{e.field_a} = {e.field_b}" for e in c.pairs)
        out.append(f"  port {c.port_a} ~ port {c.port_b}: {pairs}")
    out.append(
        f"verification: Z3 {'proved' if plan.verified_z3 else 'FAILED'} {plan.z3_checked_constraints} "
        f"constraint(s); randomized Toeplitz check {'passed' if plan.verified_random else 'FAILED'} on "
        f"{plan.random_check_pairs} pair(s)"
    )
    out.append("timings: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in result.timings.items()))
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print(f"plan: unexpected arguments {argv[1:]}; use --flags", file=sys.stderr)
        return EXIT_USAGE
    if not FLAGS.description:
        print("plan: --description=<NfDescription text proto> is required", file=sys.stderr)
        return EXIT_USAGE
    options = planner.PlanOptions(
        strategy=FLAGS.strategy,
        key_length=FLAGS.key_length,
        reta_size=FLAGS.reta_size,
        cores=FLAGS.cores,
        seed=FLAGS.seed,
    )
    progress = _Progress()
    try:
        planner.check_options(options)
        started = time.perf_counter()
        progress.step(f"reading {FLAGS.description}")
        description = validate.load(FLAGS.description)
        result = planner.make_plan(description, options, progress.step)
        result.timings["total"] = time.perf_counter() - started
    except (validate.DescriptionError, planner.PlanError) as e:
        progress.done()
        print(f"plan: {e}", file=sys.stderr)
        return EXIT_USAGE
    progress.done()
    print(summary(result))
    if FLAGS.out:
        try:
            with open(FLAGS.out, "w", encoding="utf-8") as f:
                f.write(text_format.MessageToString(result.plan))
        except OSError as e:
            print(f"plan: cannot write --out={FLAGS.out}: {e.strerror}", file=sys.stderr)
            return EXIT_USAGE
        print(f"wrote {FLAGS.out}")
    return 0


def _parse_flags(argv: list[str]) -> list[str]:
    try:
        return FLAGS(argv)
    except flags.Error as e:
        print(f"plan: {e}\nPass --helpshort to see the flags.", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def run() -> None:
    app.run(main, flags_parser=_parse_flags)


if __name__ == "__main__":
    run()

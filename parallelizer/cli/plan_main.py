"""plan: computes a parallelization plan (strategy, per-object placement, RSS
keys) from an NF description and writes it as a text proto.

  bazel run //parallelizer/cli:plan -- --description=nfs/fw/description.textproto \
      --out=/tmp/fw.plan.textproto --strategy=auto --key_length=40 --reta_size=128 --cores=4

Relative paths are relative to where bazel runs; `-` reads the description from
stdin or writes the plan to stdout (the summary then goes to stderr). Exit codes
and error lines: docs/CLI.md.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time

from absl import flags
from google.protobuf import text_format

from parallelizer import limits
from parallelizer.cli import conventions
from parallelizer.sharding import capacity, fields, planner, profile, validate
from proto import plan_pb2

FLAGS = flags.FLAGS
flags.DEFINE_string(
    "description", None, "NfDescription text proto (e.g. nfs/<nf>/description.textproto); - for stdin."
)
flags.DEFINE_string(
    "out", None, "Where to write the Plan text proto (- for stdout); omitted: only the summary is printed."
)
flags.DEFINE_string(
    "strategy", "auto", f"Parallelization strategy, one of {', '.join(planner.STRATEGIES)}; auto picks."
)
flags.DEFINE_integer(
    "key_length",
    planner.PlanOptions.key_length,
    f"RSS key length in bytes, one of {limits.KEY_LENGTHS}: 40 (ixgbe, mlx5) or 52 (i40e, ice).",
)
flags.DEFINE_integer(
    "reta_size", planner.PlanOptions.reta_size, f"RSS redirection table entries, one of {limits.RETA_SIZES}."
)
flags.DEFINE_integer("cores", planner.PlanOptions.cores, "Worker cores (RSS queues).")
flags.DEFINE_enum(
    "lock_free_family",
    planner.PlanOptions.lock_free_family,
    list(fields.FAMILIES),
    "When one RSS key cannot partition the state of both address families, the family whose state "
    "stays partitioned (lock-free); the other's goes under the lock (docs/SHARDING.md, 'IPv6').",
)
flags.DEFINE_integer(
    "seed",
    1,
    "Seed for key sampling and the randomized check.",
    lower_bound=0,
    upper_bound=validate.uint_max(plan_pb2.Plan.DESCRIPTOR.fields_by_name["seed"]),  # stored in the plan
)
flags.DEFINE_multi_string(
    "traffic_profile",
    [],
    "PORT:FILE.pcap (repeatable): packets arriving on NF input port PORT; the plan's RETA then balances "
    "their load over the cores (docs/SHARDING.md, 'RETA from a traffic profile').",
)
flags.DEFINE_float(
    "capacity_headroom",
    1.0,
    "Per-core share of partitioned objects as a multiple of capacity / cores (1 to "
    f"{capacity.MAX_HEADROOM:g}, whole percents; docs/SHARDING.md, 'Capacity').",
)


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
        if o.capacity_headroom > 1:
            extra += f" (headroom {o.capacity_headroom:g}, +{o.headroom_extra_bytes} B)"
        disjoint = ", disjoint index ranges" if o.index_ranges_disjoint else ""
        out.append(f"  {o.object}: {placement}{extra}{disjoint}")
        out.append(f"      keyed on: {'; '.join(o.key_fields) or '-'}")
        out.append(f"      why: {o.reason}")
        if o.headroom_note:
            out.append(f"      {o.headroom_note}")
        if o.effective_capacity:
            worst = max(o.effective_capacity, key=lambda e: e.max_over_mean)
            out.append(
                f"      full first at {worst.entries} of {o.capacity_total} entries "
                f"({worst.traffic}, port {worst.port}, max/mean {worst.max_over_mean:.3f})"
            )
    out.append("ports:")
    for p in plan.ports:
        out.append(
            f"  port {p.port}: hashes {', '.join(p.hashed_fields) or 'nothing (one RETA entry)'}; "
            f"rss_hf {' | '.join(fields.rss_hf_names(p.rss_hf))} ({p.rss_hf:#x})"
        )
        if p.hashed_fields_ipv6:
            out.append(f"      IPv6 packets: hashes {', '.join(p.hashed_fields_ipv6)}")
        out.append(f"      key {p.key_hex}")
        ranks = ", ".join(
            f"{q.field_group}{' (' + q.family + ')' if q.family not in ('', 'IPV4') and q.field_group.startswith('l4.') else ''} "
            f"{q.rank}/{q.rank_needed}"
            for q in plan.quality
            if q.port == p.port
        )
        balance = next((q.uniform_max_over_mean for q in plan.quality if q.port == p.port), None)
        out.append(f"      rank over RETA bits: {ranks or '-'}")
        if balance is not None:
            out.append(
                f"      {plan.quality[0].flows} uniform flows over {plan.quality[0].queues} queues: max/mean {balance:.3f}"
            )
        for family in ("ipv4", "ipv6"):
            # The worst address plan of the family at the most queues (Zipf rows are bound by popularity).
            rows = [
                b
                for b in plan.traffic_balance
                if b.port == p.port and b.traffic.startswith(family + ".") and "Zipf" not in b.traffic
            ]
            if rows:
                most = max(b.queues for b in rows)
                worst = max((b for b in rows if b.queues == most), key=lambda b: b.max_over_mean)
                out.append(
                    f"      {family.upper()} address plans over {most} queues: max/mean <= "
                    f"{worst.max_over_mean:.3f} ({worst.traffic})"
                )
    for b in plan.profile_balance:
        where = "all ports" if b.all_ports else f"port {b.port} ({b.file})"
        out.append(
            f"traffic profile, {where}: {b.packets} packets ({b.skipped} not IPv4), max/mean over {b.queues} "
            f"queues {b.rule_max_over_mean:.3f} with the rule, {b.profile_max_over_mean:.3f} with the "
            f"profile's RETA (no RETA below {b.lower_bound:.3f})"
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
    del argv  # the conventions refuse positional arguments
    if not FLAGS.description:
        raise conventions.UsageError(
            "--description",
            "''",
            "the NfDescription text proto is required",
            "pass --description=<file> or -",
        )
    options = planner.PlanOptions(
        strategy=FLAGS.strategy,
        key_length=FLAGS.key_length,
        reta_size=FLAGS.reta_size,
        cores=FLAGS.cores,
        lock_free_family=FLAGS.lock_free_family,
        seed=FLAGS.seed,
        capacity_headroom=FLAGS.capacity_headroom,
    )
    try:
        planner.check_options(options)
    except planner.PlanError as e:  # the message names the option and its value
        raise conventions.UsageError.text(f"{e}; see --helpshort for the values each flag takes") from None
    options = dataclasses.replace(options, traffic_profiles=_read_profiles(FLAGS.traffic_profile))
    if FLAGS.out:  # refuse a bad --out before minutes of planning
        conventions.check_writable(FLAGS.out, "--out")
    # With the plan on stdout, the summary must not mix into it.
    report = sys.stderr if FLAGS.out == conventions.STDIO else sys.stdout
    progress = _Progress()
    try:
        started = time.perf_counter()
        progress.step(f"reading {FLAGS.description}")
        origin = "<stdin>" if FLAGS.description == conventions.STDIO else FLAGS.description
        text = conventions.read_text(FLAGS.description, "--description", "the description")
        description = validate.parse(text, origin)
        result = planner.make_plan(description, options, progress.step)
        result.timings["total"] = time.perf_counter() - started
    except validate.DescriptionError as e:
        raise _description_error(e) from None
    except planner.PlanError as e:
        raise conventions.DataError(
            origin, str(e), "change the flags or the NF (docs/SHARDING.md explains the choices)"
        ) from None
    finally:
        progress.done()
    print(summary(result), file=report)
    if FLAGS.out:
        conventions.write_text(FLAGS.out, text_format.MessageToString(result.plan), "--out")
        if FLAGS.out != conventions.STDIO:
            print(f"wrote {FLAGS.out}", file=report)
    return conventions.EXIT_OK


def _read_profiles(specs: list[str]) -> tuple[profile.PortProfile, ...]:
    """Each --traffic_profile=PORT:FILE read and parsed; one line per problem."""
    out = []
    for spec in specs:
        try:
            port, path = profile.parse_spec(spec)
        except profile.ProfileError:
            raise conventions.UsageError(
                "--traffic_profile",
                spec,
                "expected PORT:FILE (the NF input port the pcap's packets arrive on)",
                "pass e.g. --traffic_profile=0:lan.pcap",
            ) from None
        data = conventions.read_bytes(path, "--traffic_profile")
        try:
            out.append(profile.read_pcap(port, path, data))
        except profile.ProfileError as e:
            raise conventions.DataError(
                path, str(e).removeprefix(f"{path}: "), "pass a classic pcap of Ethernet frames"
            ) from None
    return tuple(out)


_MAX_PROBLEMS_SHOWN = 10  # a corrupt file can have thousands; the first ones locate the damage


def _description_error(e: validate.DescriptionError) -> conventions.CliError:
    """One line per problem, each `<file>: error: <problem>; <what to do>`."""
    todo = "regenerate the description with //parallelizer/cli:analyze or fix that field"
    shown = e.problems[:_MAX_PROBLEMS_SHOWN]
    lines = [f"{e.origin}: error: {problem}; {todo}" for problem in shown]
    if len(e.problems) > len(shown):
        lines.append(f"{e.origin}: note: {len(e.problems) - len(shown)} more problem(s) not shown")
    return conventions.LocatedDataError("\n".join(lines))


def run() -> None:
    conventions.run(main, "plan")


if __name__ == "__main__":
    run()

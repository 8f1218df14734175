"""Benchmarks of the generated parallel NFs and of the parallelizer itself.

  bazel run //tools/bench:bench -- [--nfs=firewall,nat] [--max_workers=N] \
      [--repeats=N] [--out_dir=DIR] [--quick]

For every NF: sequential, shared-nothing and hybrid (where the plan allows),
locks and TM on 1..N workers (N = the machine's CPUs) over three traffic mixes, with the
in-memory runtime's pre-dispatched benchmark mode (docs/RUNTIMES.md); RSS key
quality next to the published design's keys; the parallelizer's analysis,
planning and code generation time. Writes CSVs, PNG plots and summary.md to
--out_dir (relative paths are taken from the workspace under `bazel run`) and
prints the summary. See docs/BENCHMARKS.md.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
import time

from absl import app, flags
from google.protobuf import text_format

from proto import plan_pb2
from testing.traffic import profiles
from tools.bench import key_quality, machine, nf_setups, parallelizer_speed, report, throughput, workloads

FLAGS = flags.FLAGS
flags.DEFINE_list("nfs", [], "NFs to benchmark (default: every NF whose :test_spec is in the bench's data).")
flags.DEFINE_integer(
    "max_workers", None, "Largest worker count (default: the machine's CPUs).", lower_bound=1
)
flags.DEFINE_integer("repeats", 5, "Timed runs per point (the median is reported).", lower_bound=1)
flags.DEFINE_integer("warmup", 1, "Untimed warm-up runs per point.", lower_bound=0)
flags.DEFINE_string("out_dir", "/tmp/nfpar_bench", "Where the CSVs, plots and summary.md go.")
flags.DEFINE_bool("quick", False, "Small traces (20k packets over 2k flows): a smoke run, not a measurement.")
flags.DEFINE_integer("packets", 500_000, "Packets per trace (without --quick).", lower_bound=1000)
flags.DEFINE_integer("trace_flows", 40_000, "Concurrent flows per trace (without --quick).", lower_bound=1)
flags.DEFINE_list(
    "traffic",
    ["uniform", "zipf", "churn", "ipv6", "mixed50", "mixed10"],
    "Traffic mixes (an IPv6 or mixed one brings its IPv4 base mix along; docs/BENCHMARKS.md).",
)
flags.DEFINE_list("sections", ["throughput", "keys", "speed"], "Which parts to run.")
flags.DEFINE_integer(
    "speed_repeats", 3, "Runs per parallelizer stage (the median is reported).", lower_bound=1
)
flags.DEFINE_string(
    "reference_keys",
    None,
    "The published design's keys (default: ../shared/reference/maestro_sn_keys.json next to the workspace).",
)
flags.DEFINE_integer("traffic_seed", 1, "Seed of all generated traffic.")
flags.DEFINE_float(
    "churn_expiry_gaps",
    workloads.CHURN_EXPIRY_GAPS,
    "The churn mix's NF expiry in mean flow gaps (8: tables over full, docs/BENCHMARKS.md).",
    lower_bound=0.01,
)
flags.DEFINE_float("run_timeout_s", 300, "Limit per runtime invocation.")

SECTIONS = ("throughput", "keys", "speed")
QUICK_PACKETS = 20_000
QUICK_FLOWS = 2_000


@dataclasses.dataclass(frozen=True)
class Paths:
    runfiles: str  # root of this binary's runfiles (the workspace's files)
    workspace: str | None  # the source tree, under `bazel run`

    def built(self, nf: str, name: str) -> str:
        return os.path.join(self.runfiles, "nfs", nf, name)


def find_paths() -> Paths:
    runfiles = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return Paths(runfiles, os.environ.get("BUILD_WORKSPACE_DIRECTORY"))


def load_plan(path: str) -> plan_pb2.Plan:
    plan = plan_pb2.Plan()
    with open(path, encoding="utf-8") as f:
        text_format.Parse(f.read(), plan)
    return plan


class Progress:
    """One progress line on stderr (rewritten in place on a terminal)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()

    def update(self, text: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done)
        line = f"[{self.done:4d}/{self.total}] {text}  ({elapsed:4.0f} s, ~{left:4.0f} s left)"
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
            if self.done == self.total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def traffic_order(mixes: dict[str, workloads.Mix], names: list[str]) -> list[str]:
    """`names` with the IPv4 base of every IPv6/mixed mix added before it (the
    ratios are taken within one run)."""
    unknown = [t for t in names if t not in mixes]
    if unknown:
        raise app.UsageError(f"--traffic: unknown mix(es) {', '.join(unknown)}; known: {', '.join(mixes)}")
    out: list[str] = []
    for name in names:
        base = mixes[name].base
        if base and base not in out:
            out.append(base)
        if name not in out:
            out.append(name)
    return out


def family_skips(
    setups: list[nf_setups.NfSetup], plans: dict[str, plan_pb2.Plan], mixes: list[workloads.Mix]
) -> dict[tuple[str, str], str]:
    """(NF, mix) pairs of IPv6/mixed mixes not run, with why."""
    out = {}
    for s in setups:
        why = None
        if not throughput.keeps_ipv6_state(plans[s.name]):
            why = "its plan keys no object on IPv6 fields (not dual-stack)"
        elif s.workload is nf_setups.Workload.VIP_BACKENDS and not s.vip6:
            why = "its test_spec's bench section (or shape) gives no vip6 for IPv6 clients"
        if why:
            out.update({(s.name, m.name): why for m in mixes if m.ipv6_share})
    return out


def run_throughput(
    paths: Paths, setups: list[nf_setups.NfSetup], plans: dict[str, plan_pb2.Plan], max_workers: int
) -> tuple[list[throughput.Measurement], str, dict[str, str]]:
    packets, flows = (QUICK_PACKETS, QUICK_FLOWS) if FLAGS.quick else (FLAGS.packets, FLAGS.trace_flows)
    mixes = {m.name: m for m in workloads.mixes(packets, flows, FLAGS.traffic_seed, FLAGS.churn_expiry_gaps)}
    traffics = traffic_order(mixes, FLAGS.traffic)
    skips = family_skips(setups, plans, [mixes[t] for t in traffics])
    for (nf, traffic), why in sorted(skips.items()):
        print(f"throughput: {nf} {traffic}: not run: {why}", file=sys.stderr)
    allowed = {s.name: throughput.allowed_strategies(plans[s.name]) for s in setups}
    points = throughput.plan_points(setups, traffics, max_workers, allowed, frozenset(skips))
    settings = (
        f"{packets} packets of 64 bytes per trace over {flows} flows (uniform; Zipf s={workloads.ZIPF_S}; "
        f"churn: {workloads.CHURN:.0%} of packets start a new flow, expiry "
        f"{FLAGS.churn_expiry_gaps:g} mean flow gaps; IPv6 frames of the same flows are 74 bytes (TCP) "
        f"or 64 (UDP)), {FLAGS.warmup} warm-up + {FLAGS.repeats} timed runs "
        f"per point, workers 1..{max_workers}"
    )
    print(f"throughput: {len(points)} runs ({settings})", file=sys.stderr)
    progress = Progress(len(points))
    results = []
    by_name = {s.name: s for s in setups}
    trace_dir = tempfile.mkdtemp(prefix="nfpar_bench_traces_")
    try:
        for traffic in traffics:
            mix = mixes[traffic]
            todo = [s for s in setups if (s.name, traffic) not in skips]
            generated = profiles.generate(mix.spec) if todo else []
            for setup in todo:
                trace = workloads.write_trace(generated, setup, mix, trace_dir)
                binary = paths.built(setup.name, "inmem")
                for point in (p for p in points if p.nf == setup.name and p.traffic == traffic):
                    m = throughput.measure(
                        binary,
                        point,
                        trace,
                        by_name[point.nf],
                        FLAGS.warmup,
                        FLAGS.repeats,
                        FLAGS.run_timeout_s,
                    )
                    results.append(m)
                    progress.update(
                        f"{point.nf} {point.traffic} {point.strategy} x{point.workers}: {m.median_mpps:.2f} Mpps"
                    )
    finally:
        shutil.rmtree(trace_dir, ignore_errors=True)
    bases = {t: mixes[t].base for t in traffics if mixes[t].base}
    return results, settings, bases


def run_keys(
    paths: Paths, setups: list[nf_setups.NfSetup], plans: dict[str, plan_pb2.Plan]
) -> tuple[list[key_quality.KeyRow], str]:
    reference_path = FLAGS.reference_keys
    if reference_path is None and paths.workspace:
        reference_path = os.path.join(
            os.path.dirname(paths.workspace), "shared", "reference", "maestro_sn_keys.json"
        )
    reference = None
    flows = QUICK_FLOWS if FLAGS.quick else 40_000
    if reference_path and os.path.exists(reference_path):
        reference = key_quality.load_reference(reference_path)
        note = f"Published design's keys from {reference_path}; {flows} flows/packets per mix."
    else:
        note = (
            f"The published design's keys ({reference_path or '../shared/reference/maestro_sn_keys.json'}) "
            "are absent: comparison skipped."
        )
        print(f"keys: {note}", file=sys.stderr)
    note += (
        " Mixes: uniform random flows; Zipf-popular flows; c2s: client->server packets (10k clients, 64 "
        "Zipf-popular servers) as the client side sees them; s2c: their replies as the server side sees them."
    )
    return key_quality.all_rows(setups, plans, reference, flows, FLAGS.traffic_seed), note


def run_speed(
    paths: Paths, setups: list[nf_setups.NfSetup], plans: dict[str, plan_pb2.Plan]
) -> list[parallelizer_speed.StageTimes]:
    rows = []
    progress = Progress(len(setups))
    for s in setups:
        source = include = None
        description = paths.built(s.name, "description.generated.textproto")
        if paths.workspace:
            source = os.path.join(paths.workspace, "nfs", s.name, f"{s.name}.c")
            include = paths.workspace
            description = os.path.join(paths.workspace, "nfs", s.name, "description.textproto")
        row = parallelizer_speed.measure(
            s.name,
            throughput.allowed_strategies(plans[s.name]),
            source,
            include,
            description,
            paths.built(s.name, "plan.textproto"),
            FLAGS.speed_repeats,
        )
        rows.append(row)
        progress.update(f"parallelizer speed {s.name}: planning {row.planning_s:.3f} s")
    if not paths.workspace:
        print("speed: not under `bazel run`: NF sources unavailable, analysis time skipped", file=sys.stderr)
    return rows


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    unknown = [s for s in FLAGS.sections if s not in SECTIONS]
    if unknown:
        raise app.UsageError(f"--sections: unknown {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    try:
        setups = nf_setups.select(FLAGS.nfs)
    except ValueError as e:
        raise app.UsageError(str(e)) from e
    paths = find_paths()
    out_dir = FLAGS.out_dir
    if not os.path.isabs(out_dir) and paths.workspace:
        out_dir = os.path.join(paths.workspace, out_dir)
    os.makedirs(out_dir, exist_ok=True)
    host = machine.current()
    max_workers = FLAGS.max_workers or host.cpus
    print(f"machine: {host.describe()}", file=sys.stderr)
    plans = {s.name: load_plan(paths.built(s.name, "plan.textproto")) for s in setups}

    results: list[throughput.Measurement] = []
    settings = "-"
    bases: dict[str, str] = {}
    plots: list[str] = []
    if "throughput" in FLAGS.sections:
        try:
            results, settings, bases = run_throughput(paths, setups, plans, max_workers)
        except throughput.BenchError as e:
            print(f"bench: {e}", file=sys.stderr)
            return 1
        # Other work on the machine shows in the load; the start's is in `host`.
        settings += "; load average at the end of the throughput runs " + ", ".join(
            f"{x:.2f}" for x in os.getloadavg()
        )
        report.write_throughput_csv(os.path.join(out_dir, report.THROUGHPUT_CSV), results, host)
        plots = report.plot(os.path.join(out_dir, "throughput"), results, host)
    key_rows = None
    key_note = ""
    if "keys" in FLAGS.sections:
        key_rows, key_note = run_keys(paths, setups, plans)
        report.write_keys_csv(os.path.join(out_dir, report.KEYS_CSV), key_rows)
    speed_rows = None
    if "speed" in FLAGS.sections:
        speed_rows = run_speed(paths, setups, plans)
        report.write_speed_csv(os.path.join(out_dir, report.SPEED_CSV), speed_rows)
    text = report.write_summary(
        os.path.join(out_dir, report.SUMMARY_MD),
        host,
        settings,
        results,
        max_workers,
        key_rows,
        key_note,
        speed_rows,
        plots,
        bases,
    )
    print(text)
    print(f"wrote {out_dir}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(app.run(main))

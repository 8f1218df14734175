"""Throughput of the in-memory runtime's pre-dispatched benchmark mode
(`<nf>_inmem --bench`, docs/RUNTIMES.md): one process per (NF, traffic,
strategy, workers), its median over the timed runs."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Sequence

from parallelizer.schema import strategies
from proto import plan_pb2
from tools.bench import nf_setups, workloads

# The in-memory runtime's --strategy values: the sequential reference and the
# spellings of parallelizer/schema/strategies.py.
SEQUENTIAL = "sequential"
SHARED_NOTHING = strategies.name_of(plan_pb2.SHARED_NOTHING)
LOCKS = strategies.name_of(plan_pb2.LOCKS)
TM = strategies.name_of(plan_pb2.TRANSACTIONAL_MEMORY)
HYBRID = strategies.name_of(plan_pb2.HYBRID)
STRATEGIES = (SEQUENTIAL, SHARED_NOTHING, LOCKS, TM, HYBRID)
PARALLEL_STRATEGIES = (SHARED_NOTHING, LOCKS, TM, HYBRID)
# Column headers of the report's tables only (never an option value).
SHORT_NAMES = {SEQUENTIAL: "seq", SHARED_NOTHING: "sn", LOCKS: "locks", TM: "tm", HYBRID: "hybrid"}


def allowed_strategies(plan: plan_pb2.Plan) -> tuple[str, ...]:
    """The parallel strategies a plan allows, in PARALLEL_STRATEGIES order: locks
    and TM always; shared-nothing only for a SHARED_NOTHING plan, hybrid only for
    a HYBRID plan (what the code generator accepts, parallelizer/codegen)."""
    own = {plan_pb2.SHARED_NOTHING: SHARED_NOTHING, plan_pb2.HYBRID: HYBRID}.get(plan.strategy)
    return tuple(s for s in PARALLEL_STRATEGIES if s in (LOCKS, TM) or s == own)


def keeps_ipv6_state(plan: plan_pb2.Plan) -> bool:
    """Whether some object of the plan is keyed on IPv6 fields: a dual-stack
    NF, whose IPv6 and mixed-family rows the bench measures (an NF that drops
    or only forwards IPv6 gets none)."""
    return any("ipv6." in fields for o in plan.objects for fields in o.key_fields)


_RUN = re.compile(
    r"^bench: run \d+: (\d+) packets in ([0-9.]+) s: ([0-9.]+) Mpps "
    r"\(busiest worker on CPU ([0-9.]+) s: ([0-9.]+) Mpps\)$"
)
_MEDIAN = re.compile(
    r"^bench: nf=\S+ strategy=\S+ workers=(\d+) packets=(\d+) runs=(\d+) "
    r"median_mpps=([0-9.]+) median_cpu_mpps=([0-9.]+)$"
)
_HEADER_NOTE = re.compile(r"^\S+: \S+ on \d+ workers, \d+ packets \((.*)\)$")
_STATS = re.compile(r"^\s*(\d+)\s+(-?\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


class BenchError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class Point:
    nf: str
    traffic: str
    strategy: str
    workers: int


@dataclasses.dataclass(frozen=True)
class Measurement:
    point: Point
    packets: int
    runs_mpps: tuple[float, ...]  # wall clock: packets / (last worker's end - first worker's start)
    median_mpps: float
    # The same with the busiest worker's thread CPU time as the run's duration:
    # what the run would take had no worker been preempted (the machine shared).
    runs_cpu_mpps: tuple[float, ...]
    median_cpu_mpps: float
    # Share of packets that ran under the read lock only (locks; hybrid: did
    # not write a shared object), and TM
    # fallbacks per packet (tm), summed over workers and all runs.
    read_only_share: float
    tm_fallback_share: float
    note: str  # e.g. "no RTM: fallback lock"

    @property
    def best_mpps(self) -> float:
        return max(self.runs_mpps)


def plan_points(
    setups: Sequence[nf_setups.NfSetup],
    traffics: Sequence[str],
    max_workers: int,
    allowed: dict[str, tuple[str, ...]],
    skipped: frozenset[tuple[str, str]] = frozenset(),
) -> list[Point]:
    """Every point of the sweep, NF by NF and traffic by traffic; `allowed`: the
    parallel strategies of each NF's plan (allowed_strategies); `skipped`:
    (NF, traffic) pairs not run (IPv6 mixes of an NF that keeps no IPv6 state)."""
    points = []
    for setup in setups:
        for traffic in traffics:
            if (setup.name, traffic) in skipped:
                continue
            points.append(Point(setup.name, traffic, SEQUENTIAL, 1))
            for strategy in PARALLEL_STRATEGIES:
                if strategy not in allowed[setup.name]:
                    continue
                points.extend(Point(setup.name, traffic, strategy, n) for n in range(1, max_workers + 1))
    return points


def command(
    binary: str, point: Point, trace: workloads.Trace, setup: nf_setups.NfSetup, warmup: int, repeats: int
) -> list[str]:
    workers = [] if point.strategy == SEQUENTIAL else [f"--workers={point.workers}"]
    return [
        binary,
        *trace.pcap_options,
        f"--strategy={point.strategy}",
        *workers,
        "--bench",
        f"--warmup={warmup}",
        f"--repeat={repeats}",
        "--",
        *setup.nf_args,
        *trace.nf_args,
    ]


def parse(point: Point, stdout: str) -> Measurement:
    runs: list[float] = []
    cpu_runs: list[float] = []
    median = cpu_median = 0.0
    found = False
    packets = 0
    note = ""
    totals = [0] * 6  # packets, read_only, write_rerun, tm_commit, tm_abort, tm_fallback
    for line in stdout.splitlines():
        if m := _RUN.match(line):
            runs.append(float(m.group(3)))
            cpu_runs.append(float(m.group(5)))
        elif m := _MEDIAN.match(line):
            if int(m.group(1)) != point.workers:
                raise BenchError(f"{point}: the runtime ran {m.group(1)} workers")
            packets, median, cpu_median = int(m.group(2)), float(m.group(4)), float(m.group(5))
            found = True
        elif m := _HEADER_NOTE.match(line):
            note = m.group(1)
        elif m := _STATS.match(line):
            for i in range(6):
                totals[i] += int(m.group(3 + i))
    if not found or not runs:
        raise BenchError(f"{point}: no 'bench: ... median_mpps=' line in the output:\n{stdout}")
    processed = totals[0] or 1
    return Measurement(
        point=point,
        packets=packets,
        runs_mpps=tuple(runs),
        median_mpps=median,
        runs_cpu_mpps=tuple(cpu_runs),
        median_cpu_mpps=cpu_median,
        read_only_share=totals[1] / processed,
        tm_fallback_share=totals[5] / processed,
        note=note,
    )


def measure(
    binary: str,
    point: Point,
    trace: workloads.Trace,
    setup: nf_setups.NfSetup,
    warmup: int,
    repeats: int,
    timeout_s: float,
) -> Measurement:
    cmd = command(binary, point, trace, setup, warmup, repeats)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"{' '.join(cmd)}: no result within {timeout_s:.0f} s") from e
    if done.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    return parse(point, done.stdout)


WALL = "wall"
ON_CPU = "cpu"


def rate(m: Measurement, metric: str) -> float:
    return m.median_cpu_mpps if metric == ON_CPU else m.median_mpps


def efficiency(results: Sequence[Measurement], metric: str = WALL) -> dict[Point, float]:
    """Mpps at n / (n x Mpps at 1) of the same NF, traffic and strategy."""
    one = {
        (m.point.nf, m.point.traffic, m.point.strategy): rate(m, metric)
        for m in results
        if m.point.workers == 1
    }
    out = {}
    for m in results:
        base = one.get((m.point.nf, m.point.traffic, m.point.strategy))
        if base:
            out[m.point] = rate(m, metric) / (m.point.workers * base)
    return out


def sn_over_sequential(results: Sequence[Measurement], metric: str = WALL) -> dict[tuple[str, str], float]:
    """Shared-nothing on 1 worker / sequential, per (NF, traffic), same invocation."""
    by_point = {m.point: rate(m, metric) for m in results}
    out = {}
    for point, mpps in by_point.items():
        if point.strategy == SHARED_NOTHING and point.workers == 1:
            seq = by_point.get(Point(point.nf, point.traffic, SEQUENTIAL, 1))
            if seq:
                out[(point.nf, point.traffic)] = mpps / seq
    return out

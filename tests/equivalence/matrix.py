"""One matrix cell: an NF, a traffic profile, a strategy and a worker count
(docs/EQUIVALENCE.md, "How a cell runs"). Shared-nothing is compared with the
sequential NF in input order (`--strategy=sequential` of the same in-memory
binary), up to the plan's declared differences; with traffic that fills the
capacities, worker by worker with one worker's share. Locks and TM are
compared exactly with the sequential NF replayed in the run's own recorded
serialization. Server replies answer what the server received (their header
fields come from the run's own output of the client packet they answer)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

from testing import inmem, nf_spec
from testing.traffic import timed as traffic
from tests.equivalence import compare, declared, serialization, tm_paths

WORKERS = (1, 2, 4, 8)
PACKETS = 2400
MAX_REPLY_PASSES = 12
MAX_SHARED_PASSES = 3
# Shared-state runs are paced (inmem --window-ns): packets more than this far
# apart in the trace keep their input order, closer ones race (8 packets of
# the matrix's 1 Mpps traffic).
WINDOW_NS = 8000


@dataclasses.dataclass(frozen=True)
class Nf:
    entry: nf_spec.NfSpec  # what the NF's package declares its tests need
    binary: str
    decl: declared.Declared

    @property
    def ports(self) -> int:
        return self.entry.ports


@functools.cache
def load_nf(name: str) -> Nf:
    """The NF whose :test_spec is in the runfiles; its other files are next to it."""
    entry = nf_spec.load(name)
    decl = declared.load(entry.file("plan.textproto"), entry.file("description.generated.textproto"))
    return Nf(entry, entry.file("inmem"), decl)


def build_traffic(nf: Nf, profile: str, packets: int, seed: int) -> traffic.Traffic:
    """A profile's traffic over the NF's ports, shaped as its spec says."""
    return traffic.build(profile, packets, seed=seed, shape=nf.entry.shape, roles=nf.entry.roles)


@functools.cache
def profile_traffic(name: str, profile: str, packets: int = PACKETS) -> traffic.Traffic:
    return build_traffic(load_nf(name), profile, packets, seed=hash((name, profile)) & 0xFFFF)


def _with_replies(base: traffic.Traffic, outcomes: list[inmem.Outcome]) -> list[inmem.Packet]:
    packets = list(base.packets)
    for reply, client in base.answers.items():
        out = outcomes[client]
        if out.verdict < 0:
            continue
        answer = traffic.reverse_frame(out.frame)
        if answer is not None:
            packets[reply] = dataclasses.replace(packets[reply], frame=answer)
    return packets


def run_with_replies(
    nf: Nf,
    base: traffic.Traffic,
    args: list[str],
    strategy: str,
    workers: int,
    first: list[inmem.Packet] | None = None,
    settle: bool = True,
    extra: Sequence[str] = (),
) -> tuple[list[inmem.Packet], inmem.Run]:
    """Runs until the replies answer this run's own client outputs (servers see
    what the NF sent them); a few passes at most. first: the first pass's
    packets (default: the generated ones). settle=False (shared state, whose
    index allocation follows the run's interleaving): at most
    MAX_SHARED_PASSES passes, the last one is returned even if its replies
    answer an earlier pass."""
    packets = list(first if first is not None else base.packets)
    seen = []
    passes = MAX_REPLY_PASSES if settle else MAX_SHARED_PASSES
    for _ in range(passes):
        run = inmem.run(nf.binary, packets, strategy, workers, nf_args=args, extra=extra, ports=nf.ports)
        derived = _with_replies(base, run.outcomes)
        if derived == packets or (not settle and len(seen) + 1 == passes):
            return packets, run
        seen.append(sum(a.frame != b.frame for a, b in zip(derived, packets, strict=False)))
        packets = derived
    raise AssertionError(
        f"{nf.entry.name} {strategy} x{workers}: replies do not settle after "
        f"{MAX_REPLY_PASSES} passes (changed replies per pass: {seen}): client outputs depend "
        f"on the replies in a way that differs from pass to pass"
    )


@functools.cache
def reference(name: str, profile: str) -> tuple[list[inmem.Packet], inmem.Run]:
    nf = load_nf(name)
    return run_with_replies(nf, profile_traffic(name, profile), nf.entry.args(profile), "sequential", 1)


def _sub_traffic(base: traffic.Traffic, indexes: list[int]) -> traffic.Traffic:
    at = {index: k for k, index in enumerate(indexes)}
    answers = {at[r]: at[c] for r, c in base.answers.items() if r in at and c in at}
    return traffic.Traffic([base.packets[i] for i in indexes], answers)


def per_worker_reference(
    nf: Nf, base: traffic.Traffic, args: list[str], par: inmem.Run, workers: int
) -> tuple[list[inmem.Packet], inmem.Run]:
    """Shared-nothing with per-core capacities: worker k must behave as the
    sequential NF with one worker's capacities (declared.worker_args) over the
    packets RSS gave it, with its own replies. Returns the references merged
    back into input order."""
    worker_args = nf.decl.worker_args(args, workers)
    packets: list[inmem.Packet | None] = [None] * len(base.packets)
    outcomes: list[inmem.Outcome | None] = [None] * len(base.packets)
    stdout = []
    for k in range(workers):
        indexes = [o.index for o in par.outcomes if o.worker == k]
        if not indexes:
            continue
        sub_packets, sub = run_with_replies(nf, _sub_traffic(base, indexes), worker_args, "sequential", 1)
        for index, packet, outcome in zip(indexes, sub_packets, sub.outcomes, strict=True):
            packets[index] = packet
            outcomes[index] = dataclasses.replace(outcome, index=index, worker=k)
        stdout.append(sub.output)
    return packets, inmem.Run(outcomes, "".join(stdout), [])


def shares_capacity(profile: str) -> bool:
    """Profiles whose traffic fills the configured capacities, so a
    shared-nothing worker's share (not the total) decides what is admitted."""
    return profile == "overflow"


@dataclasses.dataclass
class CellResult:
    """A cell's comparison, plus what a tm cell reports having exercised."""

    result: compare.Result
    path_problems: list[str] = dataclasses.field(default_factory=list)
    tm: tm_paths.TmStats | None = None

    def ok(self) -> bool:
        return self.result.ok() and not self.path_problems

    def report(self, label: str) -> str:
        lines = [self.result.report(label), *self.path_problems]
        if self.tm is not None:
            lines.append(f"{label}: {self.tm.text()}")
        return "\n".join(lines)


def run_cell(name: str, profile: str, strategy: str, workers: int) -> CellResult:
    """strategy: shared_nothing, locks, hybrid, or a TM path (tm_paths.variants())."""
    nf = load_nf(name)
    base = profile_traffic(name, profile)
    args = nf.entry.args(profile)
    idle_ns = traffic.CHURN_EXPIRY_NS if profile in ("churn", "heartbeat_loss") else None
    if strategy == "shared_nothing":
        par_packets, par = run_with_replies(nf, base, args, strategy, workers)
        if shares_capacity(profile):
            ref_packets, ref = per_worker_reference(nf, base, args, par, workers)
            label = "sequential (one worker's capacity)"
        else:
            ref_packets, ref = reference(name, profile)
            label = "sequential"
        return CellResult(
            compare.compare(
                ref_packets, par_packets, ref, par, nf.decl, strategy, workers, idle_ns, args, label
            )
        )
    seq_packets, _ = reference(name, profile)
    return run_shared(nf, base, args, strategy, workers, seq_packets)


def run_shared(
    nf: Nf,
    base: traffic.Traffic,
    args: list[str],
    strategy: str,
    workers: int,
    seq_packets: list[inmem.Packet],
    extra: Sequence[str] = (),
) -> CellResult:
    """A shared-state cell (locks, hybrid, a TM path): the sequential NF
    replayed in the run's own serialization order with the run's effective
    times must give every packet the same outcome, bytes included (no declared
    difference: same state, same order). seq_packets: the sequential run's
    packets (its replies), the first pass's input."""
    runtime_strategy, tm_flags = tm_paths.runtime_args(strategy)
    par_packets, par = run_with_replies(
        nf,
        base,
        args,
        runtime_strategy,
        workers,
        first=seq_packets,
        settle=False,
        extra=[f"--window-ns={WINDOW_NS}", *tm_flags, *extra],
    )
    path_problems, tm = [], None
    if tm_paths.is_tm(strategy):
        path_problems = tm_paths.check(strategy, par.output, len(par_packets))
        tm = tm_paths.stats(par.output)
    problems = serialization.check(par_packets, par, hybrid=strategy == "hybrid")
    if problems:
        return CellResult(compare.Result([], problems, len(par_packets)), path_problems, tm)
    replay = inmem.run(
        nf.binary,
        par_packets,
        "sequential",
        nf_args=args,
        order=serialization.replay_order(par),
        ports=nf.ports,
    )
    exact = dataclasses.replace(nf.decl, index_fields=[])
    result = compare.compare(
        par_packets, par_packets, replay, par, exact, runtime_strategy, workers, None, args, "replay"
    )
    return CellResult(result, path_problems, tm)


def cells(name: str) -> list[tuple[str, str, int]]:
    nf = load_nf(name)
    # Every TM cell runs once per path this machine has (tm_paths.variants()).
    strategies = [v for s in nf.decl.strategies() for v in (tm_paths.variants() if s == "tm" else [s])]
    return [
        (profile, strategy, workers)
        for profile in nf.entry.profiles
        for strategy in strategies
        for workers in WORKERS
        # Hybrid is compared exactly with a replay on the sequential NF's one
        # table; traffic that fills the per-core shares is not (known limit).
        if not (strategy == "hybrid" and shares_capacity(profile))
    ]

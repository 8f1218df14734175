"""One matrix cell: an NF, a traffic profile, a strategy and a worker count. The
sequential NF (`--strategy=sequential` of the same in-memory binary) is the
reference; both runs get the same packets with the same timestamps, except
that server replies answer what the server received (their header fields come
from the run's own output of the client packet they answer), which differs
only in the plan's declared index fields."""

from __future__ import annotations

import dataclasses
import functools

from tests import dpdk_harness
from tests.equivalence import compare, declared, nf_table, runner, traffic

WORKERS = (1, 2, 4, 8)
PACKETS = 2400
MAX_REPLY_PASSES = 12


@dataclasses.dataclass(frozen=True)
class Nf:
    entry: nf_table.NfEntry
    binary: str
    decl: declared.Declared


@functools.cache
def load_nf(name: str) -> Nf:
    entry = nf_table.entries()[name]
    decl = declared.load(
        dpdk_harness.runfile(f"nfs/{name}/plan.textproto"),
        dpdk_harness.runfile(f"nfs/{name}/description.generated.textproto"),
    )
    return Nf(entry, dpdk_harness.runfile(f"nfs/{name}/inmem"), decl)


@functools.cache
def profile_traffic(name: str, profile: str, packets: int = PACKETS) -> traffic.Traffic:
    nf = load_nf(name)
    return traffic.build(profile, packets, seed=hash((name, profile)) & 0xFFFF, shape=nf.entry.shape)


def _with_replies(base: traffic.Traffic, outcomes: list[runner.Outcome]) -> list[runner.Packet]:
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
    nf: Nf, base: traffic.Traffic, profile: str, strategy: str, workers: int
) -> tuple[list[runner.Packet], runner.Run]:
    """Runs until the replies answer this run's own client outputs (servers see
    what the NF sent them); a few passes at most."""
    packets = list(base.packets)
    args = nf.entry.args(profile)
    seen = []
    for _ in range(MAX_REPLY_PASSES):
        run = runner.run(nf.binary, packets, strategy, workers, nf_args=args)
        derived = _with_replies(base, run.outcomes)
        if derived == packets:
            return packets, run
        seen.append(sum(a.frame != b.frame for a, b in zip(derived, packets, strict=False)))
        packets = derived
    raise AssertionError(
        f"{nf.entry.name} {profile} {strategy} x{workers}: replies do not settle after "
        f"{MAX_REPLY_PASSES} passes (changed replies per pass: {seen}): client outputs depend "
        f"on the replies in a way that differs from pass to pass"
    )


@functools.cache
def reference(name: str, profile: str) -> tuple[list[runner.Packet], runner.Run]:
    nf = load_nf(name)
    return run_with_replies(nf, profile_traffic(name, profile), profile, "sequential", 1)


def run_cell(name: str, profile: str, strategy: str, workers: int) -> compare.Result:
    nf = load_nf(name)
    seq_packets, seq = reference(name, profile)
    par_packets, par = run_with_replies(nf, profile_traffic(name, profile), profile, strategy, workers)
    idle_ns = traffic.CHURN_EXPIRY_NS if profile in ("churn", "heartbeat_loss") else None
    return compare.compare(seq_packets, par_packets, seq, par, nf.decl, strategy, workers, idle_ns)


def cells(name: str) -> list[tuple[str, str, int]]:
    nf = load_nf(name)
    return [
        (profile, strategy, workers)
        for profile in nf.entry.profiles
        for strategy in nf.decl.strategies()
        for workers in WORKERS
    ]

"""The serialization a locks/tm run records (dpdk_rules/runtime/parallel/
serial.h): checks that the record is one (writes numbered 1..N, each queue's
packets in queue order, every packet at max(its time, the shared clock)), and
turns it into the order in which the sequential NF replays the run: writes by
number, each read-only packet after the write it observed, ordered among the
read-only packets of one write by (effective time, worker, input = queue order).

Read-only packets may defer dchain refreshes (refresh.h): the runtime applies
them right before the next write, merged in exactly that (time, worker, queue)
order, and advances the shared clock to their latest time. So write n runs at
max(its time, time of write n - 1, times of the refreshing read-only packets
that observed write n - 1). The replay applies each refresh at its packet's
place instead; docs/RUNTIMES.md ("Deferred refreshes") argues why no packet can
tell the difference, and this comparison checks it.

Hybrid (docs/RUNTIMES.md, "Hybrid"): a read-only packet (of the shared
objects) may write its worker's own partitioned objects at its effective time,
so the write lock advances the clock to the latest time of every read section
completed before it: write n runs at max(its time, time of write n - 1, times
of all read-only packets that observed write n - 1). Then the replay order's
times never go back, and packets of different workers that touch only their
own partitioned entries commute (RSS keeps every entry on one worker); what
the sequential NF's single table does to other workers' entries at a given
time (expiry), their own worker does no later than its next packet."""

from __future__ import annotations

from collections.abc import Sequence

from testing.inmem import Outcome, Packet, Run

NEVER = -(2**63)  # the shared clock before the first write (INT64_MIN)


def _key(o: Outcome) -> tuple[int, int, int, int, int]:
    if o.access == "w":
        return (o.write_seq, 0, 0, 0, o.index)
    return (o.write_seq, 1, o.now_ns, o.worker, o.index)


def check(packets: Sequence[Packet], run: Run, hybrid: bool = False) -> list[str]:
    """Problems with the record, one line each (empty: a valid serialization).
    hybrid: every read-only packet advances the next write's clock."""
    problems: list[str] = []
    outcomes = run.outcomes
    bad = [o.index for o in outcomes if o.access not in ("w", "r")]
    if bad:
        return [f"packets {bad[:8]} have no serialization record (access '-'): not a locks/tm run"]
    writes = sorted((o.write_seq, o.index) for o in outcomes if o.access == "w")
    numbers = [n for n, _ in writes]
    if numbers != list(range(1, len(writes) + 1)):
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})[:8]
        problems.append(
            f"write numbers are not 1..{len(writes)} once each (repeated: {repeated}, "
            f"largest: {numbers[-1] if numbers else None})"
        )
        return problems
    clock = [NEVER] + [outcomes[i].now_ns for _, i in writes]  # clock after write n
    for n in range(1, len(clock)):
        if clock[n] < clock[n - 1]:
            problems.append(f"write {n} ran at {clock[n]} ns, before write {n - 1} at {clock[n - 1]} ns")
    # The clock a write starts from: the previous write's time, advanced by the
    # deferred refreshes it applied (those of the reads that observed write n - 1).
    write_start = clock[:]
    for o in outcomes:
        if o.access == "w" and o.refreshes != 0:
            problems.append(
                f"packet {o.index} (w{o.write_seq}) wrote and records {o.refreshes} deferred refreshes"
            )
        if o.access == "r" and (hybrid or o.refreshes > 0) and o.write_seq <= len(writes):
            write_start[o.write_seq] = max(write_start[o.write_seq], o.now_ns)
    last: dict[int, tuple] = {}
    for o, p in zip(outcomes, packets, strict=True):
        if o.access == "r" and o.write_seq > len(writes):
            problems.append(f"packet {o.index} observed write {o.write_seq}; there are {len(writes)}")
            continue
        before = write_start[o.write_seq - 1] if o.access == "w" else clock[o.write_seq]
        expected = max(p.timestamp_ns, before)
        if o.now_ns != expected:
            problems.append(
                f"packet {o.index} ({o.access}{o.write_seq}, worker {o.worker}) ran at {o.now_ns} ns; "
                f"the shared clock rule gives max({p.timestamp_ns}, {before}) = {expected}"
            )
        key = _key(o)
        prev = last.get(o.worker)
        # Queue order: (write number, write before reads) never goes back, and
        # the replay's order among a write's readers keeps it too.
        if prev is not None and key < prev[1]:
            problems.append(
                f"worker {o.worker}: packet {o.index} ({o.access}{o.write_seq}) is serialized before "
                f"its queue predecessor {prev[0]} ({'w' if prev[1][1] == 0 else 'r'}{prev[1][0]})"
            )
        last[o.worker] = (o.index, key)
    return problems


def replay_order(run: Run) -> list[tuple[int, int]]:
    """(input index, effective time) in serialization order."""
    ordered = sorted(run.outcomes, key=_key)
    return [(o.index, o.now_ns) for o in ordered]

"""The paths a TM cell can exercise (dpdk_rules/runtime/parallel/tm.h) and the
check that a run took the one it was asked for.

  tm_rtm       Intel RTM transactions with the fallback lock after the retries;
               only where the CPU has RTM.
  tm_fallback  every packet under the fallback lock (--tm-force-fallback).
  tm_emulated  the software model of RTM (--tm-emulate): transactions that
               commit, abort at begin and at the first write, explicitly and
               by "capacity", and fall back; on every CPU. It exercises the TM
               runtime's bookkeeping (deferred refreshes, the record, the
               drain, rollback of the packet), not hardware conflict detection.

Whether the CPU has RTM is read from /proc/cpuinfo's flags; the runtime decides
with cpuid, and a tm_rtm cell fails unless the run reports the RTM path and at
least one commit, so the two mechanisms check each other."""

from __future__ import annotations

import dataclasses
import functools
import re

FLAGS = {"tm_rtm": [], "tm_fallback": ["--tm-force-fallback"], "tm_emulated": ["--tm-emulate"]}
PATH_NAMES = {"tm_rtm": "RTM", "tm_fallback": "fallback lock", "tm_emulated": "emulated HTM"}
_LINE = re.compile(
    r"tm path=(?P<path>[^=]+?) commits=(?P<commits>\d+) aborts=(?P<aborts>\d+) "
    r"aborts_locked=(?P<locked>\d+) aborts_refreshes=(?P<refreshes>\d+) fallbacks=(?P<fallbacks>\d+)"
)


@functools.cache
def cpu_has_rtm() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " rtm" in f" {line.split(':', 1)[-1]} " for line in f)
    except OSError:
        return False


def variants() -> list[str]:
    """The TM cells this machine can run: RTM (where the CPU has it), the
    forced fallback and the emulation."""
    return (["tm_rtm"] if cpu_has_rtm() else []) + ["tm_fallback", "tm_emulated"]


def not_exercised_note() -> str | None:
    """One line saying the RTM path was not run here, or None."""
    if cpu_has_rtm():
        return None
    return (
        "tm: this CPU has no RTM (no 'rtm' in /proc/cpuinfo): the RTM path was NOT exercised; "
        "tm cells ran the forced fallback lock and the emulated HTM"
    )


def is_tm(strategy: str) -> bool:
    return strategy == "tm" or strategy in FLAGS


def runtime_args(strategy: str) -> tuple[str, list[str]]:
    """(the runtime's --strategy, extra flags) of a matrix strategy name."""
    if strategy in FLAGS:
        return "tm", list(FLAGS[strategy])
    return strategy, []


@dataclasses.dataclass(frozen=True)
class TmStats:
    path: str
    commits: int
    aborts: int
    aborts_locked: int
    aborts_refreshes: int
    fallbacks: int

    def text(self) -> str:
        return (
            f"path {self.path}: {self.commits} commits, {self.aborts} aborts "
            f"({self.aborts_locked} fallback held, {self.aborts_refreshes} refreshes pending), "
            f"{self.fallbacks} fallbacks"
        )


def stats(stdout: str) -> TmStats | None:
    match = _LINE.search(stdout)
    if match is None:
        return None
    return TmStats(
        match["path"],
        int(match["commits"]),
        int(match["aborts"]),
        int(match["locked"]),
        int(match["refreshes"]),
        int(match["fallbacks"]),
    )


def check(strategy: str, stdout: str, packets: int) -> list[str]:
    """Problems with what a tm run reports having exercised (empty: it took the
    path asked for, and that path did its part)."""
    got = stats(stdout)
    if got is None:
        return [f"{strategy}: the run printed no 'tm path=' statistics line"]
    want = PATH_NAMES[strategy]
    if got.path != want:
        return [f"{strategy}: the run took the {got.path} path, not the {want} path"]
    problems = []
    if got.commits + got.fallbacks != packets:
        problems.append(f"{strategy}: {got.commits} commits + {got.fallbacks} fallbacks != {packets} packets")
    if strategy == "tm_rtm" and got.commits == 0:
        problems.append(f"{strategy}: no transaction committed on a CPU with RTM ({got.text()})")
    if strategy == "tm_fallback" and got.commits != 0:
        problems.append(f"{strategy}: {got.commits} commits under the forced fallback")
    if strategy == "tm_emulated" and (got.commits == 0 or got.aborts == 0):
        problems.append(f"{strategy}: the emulation must both commit and abort ({got.text()})")
    return problems

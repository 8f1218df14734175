"""TM stress: the transactional path and the fallback lock together, on the NFs
whose shared state churns the most (NAT: flow allocation, expiry and refreshes
of a dchain whose indexes leave the NF as ports; load balancer: flow table and
heartbeat-driven backend tables), with many workers on traffic that races
(churn and Zipf-hot flows, 4800 packets, three seeds each).

Each run must (1) take the path asked for (tm_paths.check: the emulated HTM
everywhere, RTM with a small retry budget where the CPU has it, so transactions
and fallback holders interleave), (2) leave a valid serialization record
(serialization.check) and (3) give every packet exactly the outcome, bytes
included, of the sequential NF replayed in that record's order."""

from __future__ import annotations

import sys

import pytest

from tests.equivalence import matrix, tm_paths

PACKETS = 4800
SEEDS = (11, 23, 47)
NFS = ("nat", "load_balancer")
PROFILES = ("churn", "zipf")
WORKERS = (8, 16)
# RTM: few retries, so that conflicts reach the fallback lock often.
RTM_FLAGS = ["--tm-retries=2"]


def _paths() -> list[str]:
    return [p for p in tm_paths.variants() if p != "tm_fallback"]


CASES = [
    (nf, profile, path, workers, seed)
    for nf in NFS
    for profile in PROFILES
    for path in _paths()
    for workers in WORKERS
    for seed in SEEDS
]


@pytest.mark.parametrize("nf,profile,path,workers,seed", CASES)
def test_tm_matches_its_serialization(nf: str, profile: str, path: str, workers: int, seed: int) -> None:
    entry = matrix.load_nf(nf)
    base = matrix.build_traffic(entry, profile, PACKETS, seed=seed)
    args = entry.entry.args(profile)
    seq_packets, _ = matrix.run_with_replies(entry, base, args, "sequential", 1)
    extra = RTM_FLAGS if path == "tm_rtm" else []
    result = matrix.run_shared(entry, base, args, path, workers, seq_packets, extra=extra)
    label = f"{nf} {profile} {path} x{workers} seed {seed}"
    if result.tm is not None:
        print(f"{label}: {result.tm.text()}", file=sys.stderr)
    assert result.ok(), result.report(label)
    # The run mixed both paths: it committed transactions and fell back.
    assert result.tm is not None and result.tm.commits > 0 and result.tm.fallbacks > 0, result.report(label)


if __name__ == "__main__":
    note = tm_paths.not_exercised_note()
    if note is not None:
        print(note, file=sys.stderr)
    sys.exit(pytest.main([__file__, "-q", "-s", "-p", "no:cacheprovider"]))

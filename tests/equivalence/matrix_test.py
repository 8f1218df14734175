"""The equivalence matrix of one NF (named by the first argument): every profile
x every strategy its plan admits x 1, 2, 4, 8 workers equals the sequential NF
packet by packet: shared-nothing up to the plan's declared differences, locks
and TM exactly, replayed in their own serialization (matrix.run_cell). TM runs
once per path this machine has (tm_paths: RTM where the CPU has it, the forced
fallback lock, the emulated HTM), and each tm cell checks and prints the path
it took with its commit, abort and fallback counts. Cells
listed in expectations.py are expected failures, each with its reason."""

from __future__ import annotations

import os
import sys

import pytest

from tests.equivalence import expectations, matrix, tm_paths

if __name__ == "__main__" and len(sys.argv) > 1:
    os.environ["EQUIVALENCE_NF"] = sys.argv[1]
NF = os.environ.get("EQUIVALENCE_NF", "")


def _cells():
    return [
        pytest.param(*cell, marks=expectations.marks(NF, *cell), id=f"{NF}-{cell[0]}-{cell[1]}-x{cell[2]}")
        for cell in matrix.cells(NF)
    ]


@pytest.mark.parametrize("profile,strategy,workers", _cells())
def test_cell_matches_sequential(profile: str, strategy: str, workers: int) -> None:
    result = matrix.run_cell(NF, profile, strategy, workers)
    label = f"{NF} {profile} {strategy} x{workers}"
    if result.tm is not None:
        # What the cell exercised, in the test log (pytest runs with -s).
        print(f"{label}: {result.tm.text()}", file=sys.stderr)
    assert result.ok(), result.report(label)


def test_reference_is_not_trivial() -> None:
    """Each profile makes the NF take several different decisions (so a
    divergence can show)."""
    for profile in matrix.load_nf(NF).entry.profiles:
        _, run = matrix.reference(NF, profile)
        verdicts = {o.verdict for o in run.outcomes}
        assert len(verdicts) >= 2, f"{NF} {profile}: every packet got {verdicts}"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: matrix_test.py NF [pytest args]")
    note = tm_paths.not_exercised_note()
    if note is not None:
        print(note, file=sys.stderr)
    sys.exit(pytest.main([__file__, "-q", "-s", "-p", "no:cacheprovider", *sys.argv[2:]]))

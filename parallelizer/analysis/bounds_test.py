"""The analyzer never hangs: loops whose exit depends on packet values are refused
in every form, quickly, at the loop's line; constant-bounded loops still run; the
path and time budgets stop with an error naming the branch and the flag to raise,
and the same NFs pass under a raised budget (negative controls)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from parallelizer.analysis import describe
from parallelizer.analysis.budget import Budget
from parallelizer.analysis.errors import AnalysisError
from proto import nf_description_pb2 as pb
from testing import nfpar_runfiles

# The paths below are relative to nfpar's root, also when nfpar is vendored.
os.chdir(nfpar_runfiles.root())

TESTDATA = "parallelizer/analysis/testdata"
FORWARD, DROP = pb.Outcome.FORWARD, pb.Outcome.DROP


def marked_line(path: str, marker: str) -> int:
    """The line of `path` holding the comment `/* <marker>: ... */`."""
    with open(path) as source:
        for number, line in enumerate(source, start=1):
            if re.search(rf"/\* {marker}: .*? \*/", line):
                return number
    raise AssertionError(f"{path} has no /* {marker}: ... */ marker")


def line_of(path: str, text: str) -> int:
    with open(path) as source:
        return next(n for n, line in enumerate(source, start=1) if text in line)


# (test NF, the loop's line is the ERROR marker's, the exit condition the error shows)
UNBOUNDED = [
    ("loop_while_break", "n >= nf_pkt_len(pkt)"),  # while (1) with a break inside an if
    ("loop_do_while", "n < nf_pkt_len(pkt)"),  # do ... while (packet-dependent)
    ("loop_for_return", "n == nf_pkt_l4_dst_port(pkt)"),  # for (;;) with a return inside an if
    ("unbounded_loop", "hops < nf_pkt_l4_dst_port(pkt)"),  # while (packet-dependent)
    ("loop_guarded_break", "n >= nf_pkt_len(pkt)"),  # a large constant bound, a packet-dependent break
]


@pytest.mark.parametrize(("case", "exit_text"), UNBOUNDED)
def test_packet_dependent_loop_refused_quickly_at_its_line(case: str, exit_text: str) -> None:
    path = f"{TESTDATA}/{case}.c"
    start = time.monotonic()
    with pytest.raises(AnalysisError) as info:
        describe.analyze(path, ["."])
    elapsed = time.monotonic() - start
    error = info.value
    assert elapsed < 5, f"{case}: refused after {elapsed:.1f} s"
    assert error.location.startswith(f"{path}:{marked_line(path, 'ERROR')}:"), str(error)
    assert "loop without a constant bound" in error.what, str(error)
    exit_line = line_of(path, exit_text)
    assert f"`{exit_text}` ({path}:{exit_line}:" in error.what, str(error)


def test_goto_out_of_a_loop_refused_at_the_goto() -> None:
    path = f"{TESTDATA}/loop_goto_out.c"
    start = time.monotonic()
    with pytest.raises(AnalysisError) as info:
        describe.analyze(path, ["."])
    assert time.monotonic() - start < 5
    assert info.value.location.startswith(f"{path}:{marked_line(path, 'ERROR')}:"), str(info.value)
    assert "goto done" in info.value.what


def test_constant_bounded_loops_still_run() -> None:
    # 8 iterations, each with a packet-dependent return (proto == 100 + i): 8 DROP paths and
    # one that falls through, per port; the loop over nf_port_count() (2) counts the other
    # port: 1 on both ports.
    desc = describe.analyze(f"{TESTDATA}/loop_constant.c", ["."]).description
    for port in (0, 1):
        paths = [p for p in desc.paths if p.in_port == port]
        assert len(paths) == 9
        assert sum(p.outcome.action == DROP for p in paths) == 8
        forward = [p for p in paths if p.outcome.action == FORWARD]
        assert len(forward) == 1 and forward[0].outcome.out_port.constant == 1
        # The fall-through path excludes every early exit: proto != 100 .. 107.
        excluded = sorted(c.apply.args[1].constant for c in forward[0].conditions if c.apply.op == "distinct")
        assert excluded == list(range(100, 108))


def test_path_budget_names_the_branch_that_forked_most() -> None:
    path = f"{TESTDATA}/budget_ifs.c"
    with pytest.raises(AnalysisError) as info:
        describe.analyze(path, ["."], budget=Budget(max_paths=20))
    error = info.value
    assert error.location.startswith(f"{path}:{marked_line(path, 'BUDGET')}:"), str(error)
    assert "more than 20 paths through nf_process" in error.what
    assert "`nf_pkt_tcp_flags(pkt) == 2`) forked 8 times" in error.what, str(error)
    assert "--max_paths" in error.instead


def test_path_budget_negative_control_same_nf_passes_when_raised() -> None:
    # 2^5 independent forks per port, 2 ports: 64 paths fit the default budget.
    desc = describe.analyze(f"{TESTDATA}/budget_ifs.c", ["."]).description
    assert len(desc.paths) == 64


def test_time_budget_stops_the_analysis() -> None:
    path = f"{TESTDATA}/many_ifs.c"
    start = time.monotonic()
    with pytest.raises(AnalysisError) as info:
        describe.analyze(path, ["."], budget=Budget(max_seconds=0.01))
    assert time.monotonic() - start < 5
    assert info.value.location.startswith(f"{path}:"), str(info.value)
    assert "analysis still running after 0.01 s" in info.value.what
    assert "--max_seconds" in info.value.instead


def test_solver_budget_names_the_undecided_branch() -> None:
    path = f"{TESTDATA}/solver_hard.c"
    start = time.monotonic()
    with pytest.raises(AnalysisError) as info:
        describe.analyze(path, ["."], budget=Budget(solver_timeout_ms=1))
    assert time.monotonic() - start < 5
    error = info.value
    assert error.location.startswith(f"{path}:{marked_line(path, 'SOLVER')}:"), str(error)
    assert "could not decide a branch within 1 ms" in error.what
    assert "--solver_timeout_ms" in error.instead


def test_solver_budget_negative_control_easy_branches_pass() -> None:
    # A 1 s budget decides the plain field comparisons of budget_ifs.c (all 64 paths).
    desc = describe.analyze(
        f"{TESTDATA}/budget_ifs.c", ["."], budget=Budget(solver_timeout_ms=1000)
    ).description
    assert len(desc.paths) == 64


def run_cli(*flags: str) -> subprocess.CompletedProcess[str]:
    command = [nfpar_runfiles.path("parallelizer/cli/analyze"), f"--src={TESTDATA}/budget_ifs.c", *flags]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_cli_budget_flag() -> None:
    path = f"{TESTDATA}/budget_ifs.c"
    refused = run_cli("--max_paths=20")
    assert refused.returncode == 1, refused.stderr  # docs/CLI.md: 1 for errors in the NF
    assert "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"{path}:{marked_line(path, 'BUDGET')}:"), refused.stderr
    assert "--max_paths" in refused.stderr
    passed = run_cli("--max_paths=64", "--solver_timeout_ms=5000", "--max_seconds=60")
    assert passed.returncode == 0, passed.stderr
    assert "64 paths" in passed.stderr


def test_cli_rejects_a_budget_that_is_not_positive() -> None:
    result = run_cli("--max_paths=0")
    assert result.returncode == 2, result.stderr  # docs/CLI.md: 2 for a bad flag value
    assert "Traceback" not in result.stderr
    assert "--max_paths" in result.stderr or "max_paths" in result.stderr, result.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

"""Runs an nfpar CLI as a subprocess and judges what it did against the
documented contract (docs/CLI.md), independently of parallelizer/cli/conventions.py:
exit 0 ok, 1 bad input file, 2 bad flag value, 3 internal error (never
expected); a failure is `<prog or location>: error: <what>; <what to do>` on
stderr; never a Python traceback; never longer than a bounded time."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import time

from testing import nfpar_runfiles

# The contract's exit codes, written out here on purpose (not imported): the
# checker must not share a mistake with the code it judges.
OK, DATA, USAGE, INTERNAL = 0, 1, 2, 3

_ERROR_LINE = re.compile(r"^\S.*?: error: .+; .+$")


def runfile(path: str) -> str:
    """A file of nfpar's runfiles (path relative to nfpar's root), also when
    nfpar is vendored into another workspace."""
    return nfpar_runfiles.path(path)


CLIS = {
    "analyze": "parallelizer/cli/analyze",
    "plan": "parallelizer/cli/plan",
    "generate": "parallelizer/cli/generate",
    "trafficgen": "tools/trafficgen",
}


@dataclasses.dataclass
class Outcome:
    command: list[str]
    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float


def run(
    command: list[str],
    stdin: bytes = b"",
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> Outcome:
    """Runs `command` ("analyze", "plan", ... or any argv) with a time limit."""
    argv = [runfile(CLIS[command[0]]), *command[1:]] if command[0] in CLIS else list(command)
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv, input=stdin, capture_output=True, timeout=timeout, env=env, cwd=cwd, check=False
        )
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        err = (e.stderr or b"").decode(errors="replace")
        return Outcome(command, None, out, err, time.monotonic() - started)
    return Outcome(
        command,
        done.returncode,
        done.stdout.decode(errors="replace"),
        done.stderr.decode(errors="replace"),
        time.monotonic() - started,
    )


def problems(
    outcome: Outcome, code: int | None = None, message: str | None = None, max_seconds: float = 30.0
) -> list[str]:
    """What is wrong with `outcome`; empty when it keeps the contract.

    `code`: the expected exit code (None: any of OK, DATA, USAGE); `message`: a
    substring the error must contain."""
    found = []
    if outcome.returncode is None:
        found.append(f"hung: killed after {outcome.seconds:.0f} s")
    elif outcome.seconds > max_seconds:
        found.append(f"took {outcome.seconds:.1f} s (limit {max_seconds:.0f} s)")
    if "Traceback (most recent call last)" in outcome.stderr + outcome.stdout:
        found.append("a Python traceback")
    allowed = (OK, DATA, USAGE) if code is None else (code,)
    if outcome.returncode is not None and outcome.returncode not in allowed:
        found.append(f"exit code {outcome.returncode}, expected {' or '.join(map(str, allowed))}")
    if outcome.returncode not in (None, OK):
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        if not lines or not _ERROR_LINE.match(lines[0]):
            found.append(f"first stderr line is not '<where>: error: <what>; <what to do>': {lines[:1]}")
    if message is not None and message not in outcome.stderr:
        found.append(f"stderr lacks {message!r}")
    return found


def report(outcome: Outcome, found: list[str]) -> str:
    return (
        f"{' '.join(outcome.command)} (exit {outcome.returncode}, {outcome.seconds:.1f} s): "
        + "; ".join(found)
        + f"\n--- stderr ---\n{outcome.stderr[-3000:]}"
    )


PYTHON = sys.executable

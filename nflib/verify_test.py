"""Runs Frama-C WP (with -wp-rte) on one nflib source file and fails unless
every goal is proved. See docs/VERIFICATION.md.

Usage (from a Bazel test, see nflib/BUILD.bazel):
  verify_test.py --source nflib/packet.c --functions f,g [--model Typed]
Prints a per-function table of goals proved / total and the run time.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field

from testing import nfpar_runfiles

# "[wp] [CVC4 1.8] Goal typed_nf_pkt_eth_src_ensures : Valid (...)" and
# "[wp] [Failed] Goal typed_parse_ensures" (details on the next lines).
GOAL_LINE = re.compile(r"^\[wp\] \[(?P<who>[^\]]+)\] Goal (?P<goal>\S+)(?: : (?P<verdict>\w+))?")
SUMMARY = re.compile(r"Proved goals:\s+(\d+)\s*/\s*(\d+)")
TOOLS = ("frama-c", "why3", "z3", "cvc4")


@dataclass
class FunctionGoals:
    proved: int = 0
    total: int = 0
    unproved: list[str] = field(default_factory=list)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True, help="C file, relative to the workspace root")
    parser.add_argument("--functions", required=True, help="comma-separated functions to prove")
    parser.add_argument("--model", default="Typed", help="WP memory model (-wp-model)")
    parser.add_argument("--provers", default="z3,cvc4", help="why3 provers (-wp-prover)")
    parser.add_argument("--lemmas", default="", help="comma-separated ACSL lemmas to prove too")
    parser.add_argument("--timeout", type=int, default=20, help="per-goal prover timeout, seconds")
    return parser.parse_args(argv)


def find_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        sys.exit(
            f"verify_test: {', '.join(missing)} not on PATH; run tools/setup.sh "
            "(installs frama-c-base, why3, z3, cvc4)"
        )


def why3_home(tmp: str) -> str:
    """A HOME whose ~/.why3.conf knows z3 and cvc4 (Bazel hides the real HOME)."""
    home = os.path.join(tmp, "home")
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ, HOME=home)
    subprocess.run(["why3", "config", "detect"], env=env, check=True, capture_output=True)
    conf = open(os.path.join(home, ".why3.conf")).read()
    for prover in ("Z3", "CVC4"):
        if f'name = "{prover}"' not in conf:
            sys.exit(f"verify_test: `why3 config detect` did not register {prover}:\n{conf}")
    return home


def goal_function(goal: str, functions: list[str]) -> str:
    """The function a WP goal name (typed[_cast]_<function>_<property>) belongs to."""
    name = re.sub(r"^typed(_cast)?_", "", goal)
    matches = [f for f in functions if name == f or name.startswith(f + "_")]
    if matches:
        return max(matches, key=len)
    return "(lemmas and other goals)"


def tally(log: str, functions: list[str]) -> dict[str, FunctionGoals]:
    per_function: dict[str, FunctionGoals] = defaultdict(FunctionGoals)
    for line in log.splitlines():
        match = GOAL_LINE.match(line)
        if not match:
            continue
        entry = per_function[goal_function(match["goal"], functions)]
        entry.total += 1
        if match["verdict"] == "Valid":
            entry.proved += 1
        else:
            entry.unproved.append(match["goal"])
    return per_function


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    find_tools()
    functions = [f for f in args.functions.split(",") if f]
    try:
        source = nfpar_runfiles.path(args.source)
    except FileNotFoundError as missing:
        sys.exit(f"verify_test: --source {missing}")
    # nfpar's root in the runfiles tree: nflib/*.c and nflib/*.h below it.
    root = source[: -len(args.source)].rstrip("/")
    tmp = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    env = dict(os.environ, HOME=why3_home(tmp))
    command = [
        "frama-c",
        "-machdep",
        "gcc_x86_64",
        f"-cpp-extra-args=-I{root}",
        source,
        "-wp",
        "-wp-rte",
        "-wp-model",
        args.model,
        "-wp-prover",
        args.provers,
        "-wp-par",
        "2",
        "-wp-timeout",
        str(args.timeout),
        "-wp-cache",
        "none",
        "-wp-fct",
        ",".join(functions),
    ]
    lemmas = [lemma for lemma in args.lemmas.split(",") if lemma]
    commands = [command]
    if lemmas:  # -wp-fct leaves lemmas out: prove them in a second run
        commands.append(command[: command.index("-wp-fct")] + ["-wp-prop", ",".join(lemmas)])
    start = time.monotonic()
    log, returncode = "", 0
    for cmd in commands:
        print("$", " ".join(cmd), flush=True)
        run = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
        log += run.stdout + run.stderr
        returncode = returncode or run.returncode
    elapsed = time.monotonic() - start
    with open(os.path.join(os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR", tmp), "wp.log"), "w") as f:
        f.write(log)
    summaries = SUMMARY.findall(log)
    per_function = tally(log, functions + [f"lemma_{lemma}" for lemma in lemmas])

    print(f"{'function':32} {'proved':>7} / {'total':<5}")
    for function in functions + sorted(set(per_function) - set(functions)):
        goals = per_function.get(function, FunctionGoals())
        print(f"{function:32} {goals.proved:7} / {goals.total:<5}")
    print(f"WP run time: {elapsed:.1f} s")

    failures = []
    if returncode != 0:
        failures.append(f"frama-c exited with status {returncode}")
    if len(summaries) != len(commands):
        failures.append("no 'Proved goals: N / M' line in the WP output")
    else:
        proved = sum(int(p) for p, _ in summaries)
        total = sum(int(t) for _, t in summaries)
        print(f"Proved goals: {proved} / {total}")
        if proved != total:
            failures.append(f"{total - proved} of {total} goals unproved")
    for function in functions + [f"lemma_{lemma}" for lemma in lemmas]:
        if per_function.get(function, FunctionGoals()).total == 0:
            failures.append(f"{function}: no goals (misspelt in --functions, or not in {args.source}?)")
    unproved = [g for goals in per_function.values() for g in goals.unproved]
    if failures:
        print(log[-20000:])
        print("\nverify_test FAILED:", *failures, sep="\n  ")
        if unproved:
            print("unproved goals:", *unproved, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

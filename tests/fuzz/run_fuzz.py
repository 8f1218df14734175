"""Runs a libFuzzer binary for a fixed, deterministic budget inside `bazel test`.

    run_fuzz.py --fuzzer=F --corpus=tests/fuzz/corpus/X --runs=N
                [--description=nfs/<nf>/description.textproto] [--spec=test_spec.json]
                [--nf_arg=OPTION]... [--expect_crash=ORACLE] [--max_seconds=S]

The seed corpus (checked in) is read, new units go into a scratch corpus, and
libFuzzer runs -seed=1 -runs=N. For an NF harness the rewritten fields come
from its NfDescription (every path's outcome rewrites) and its options from its
test spec, the "overflow" profile's (small capacities: exhaustion is reached
within one input). Prints the executions and executions per second. A crash
fails the test with libFuzzer's report and the command that reproduces it;
with --expect_crash (a negative control) the run must instead crash with that
oracle's line ("fuzz oracle NAME violated")."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

from google.protobuf import text_format

from proto import nf_description_pb2
from testing import nf_spec, nfpar_runfiles

# The test profile whose options give small capacities (tests/equivalence/traffic.py).
SMALL_STATE_PROFILE = "overflow"


def rewritten_fields(path: str) -> list[str]:
    """The packet fields any path of the NF's description rewrites."""
    description = nf_description_pb2.NfDescription()
    try:
        with open(path, encoding="utf-8") as f:
            text_format.Parse(f.read(), description)
    except (OSError, UnicodeDecodeError, text_format.ParseError) as e:
        raise SystemExit(f"{path}: cannot read the NF description: {e}") from None
    return sorted({w.field for p in description.paths for w in p.outcome.rewrites})


def harness_args(args: argparse.Namespace) -> list[str]:
    if args.description is None:
        return []
    out = ["--writes=" + ",".join(rewritten_fields(args.description)), "--"]
    if args.spec:
        try:
            out += nf_spec.parse(args.spec).args(SMALL_STATE_PROFILE)
        except nf_spec.SpecError as e:
            raise SystemExit(str(e)) from None
    return out + args.nf_arg


def stats(output: str) -> dict[str, str]:
    return dict(re.findall(r"^stat::(\w+):\s*(\S+)", output, re.M))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzzer", required=True)
    parser.add_argument("--corpus", required=True, help="seed corpus directory, relative to nfpar's root")
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--max_seconds", type=int, default=240, help="safety cap on the run")
    parser.add_argument("--description")
    parser.add_argument("--spec")
    parser.add_argument("--nf_arg", action="append", default=[], help="an NF option (repeatable)")
    parser.add_argument("--expect_crash", metavar="ORACLE")
    args = parser.parse_args()

    seeds = nfpar_runfiles.path(args.corpus)
    scratch = tempfile.mkdtemp(prefix="corpus.", dir=os.environ.get("TEST_TMPDIR"))
    artifacts = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR") or scratch
    extra = harness_args(args)
    command = [
        os.path.abspath(args.fuzzer),
        "-seed=1",
        f"-runs={args.runs}",
        f"-max_total_time={args.max_seconds}",
        "-print_final_stats=1",
        "-timeout=10",
        f"-artifact_prefix={artifacts}/",
        scratch,
        seeds,
    ] + (["-ignore_remaining_args=1", *extra] if extra else [])
    print("running:", shlex.join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    output = result.stdout + result.stderr
    numbers = stats(output)
    name = os.path.basename(args.fuzzer)
    print(
        f"fuzz {name}: {numbers.get('number_of_executed_units', '?')} executions, "
        f"{numbers.get('average_exec_per_sec', '?')} exec/s, "
        f"{numbers.get('new_units_added', '?')} new units, peak RSS {numbers.get('peak_rss_mb', '?')} MB, "
        f"exit {result.returncode}"
    )
    crashed = result.returncode != 0
    if args.expect_crash:
        line = f"fuzz oracle {args.expect_crash} violated"
        if crashed and line in output:
            print(
                f"negative control: caught as expected: {next(x for x in output.splitlines() if line in x)}"
            )
            return 0
        print(output[-6000:])
        print(
            f"FAIL: negative control: expected a crash with '{line}' within {args.runs} runs "
            f"(exit {result.returncode})"
        )
        return 1
    if crashed:
        print(output[-12000:])
        print(
            f"FAIL: {name} found a crash; the input is under {artifacts}; reproduce with:\n  "
            + shlex.join(
                [command[0], "<crash file>"] + (["-ignore_remaining_args=1", *extra] if extra else [])
            )
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A brief fuzz of the CLIs: valid inputs mutated (bit flips, truncations,
random bytes, dropped or doubled lines) with a fixed seed and budget. Every
mutant must end in time with exit 0, 1 or 2 and, when it fails, one
`<where>: error: ...; ...` line: never a traceback (docs/CLI.md).

A failing case is saved under TEST_UNDECLARED_OUTPUTS_DIR (bazel-testlogs/
parallelizer/cli/fuzz_test/test.outputs) to reproduce it by hand."""

from __future__ import annotations

import concurrent.futures
import os
import random
import sys
import tempfile

import pytest

from parallelizer.cli import cli_check
from parallelizer.cli.cli_check import OK

SEED = 20261203
CASES = {"plan": 40, "analyze": 40, "generate": 20}  # 100 in all, ~1 s each
TIMEOUT_S = 60  # per case; the checker also wants it done in 30 s
# The analyzer's own time budget (a mutated loop bound may make it long):
# a budget exceeded is a clean data error, which is what the fuzz checks.
ANALYZE_BUDGET = ["--max_seconds=20", "--max_paths=500"]

NF = "parallelizer/cli/testdata/two_port_nf.c"
DESCRIPTION = "parallelizer/cli/testdata/nat_like.textproto"


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits of `data`."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["flip", "truncate", "random", "line"])
        at = rng.randrange(max(len(out), 1))
        if kind == "flip" and out:
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(out))
                out[i] ^= 1 << rng.randrange(8)
        elif kind == "truncate":
            del out[at:]
        elif kind == "random":
            out[at : at + rng.randint(0, 16)] = rng.randbytes(rng.randint(1, 16))
        else:
            lines = bytes(out).split(b"\n")
            i = rng.randrange(len(lines))
            if rng.random() < 0.5:
                del lines[i]
            else:
                lines.insert(i, lines[i])
            out = bytearray(b"\n".join(lines))
    return bytes(out)


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _cases(plan: bytes) -> list[tuple[str, bytes]]:
    rng = random.Random(SEED)
    seeds = {
        "plan": _read(cli_check.runfile(DESCRIPTION)),
        "analyze": _read(cli_check.runfile(NF)),
        "generate": plan,
    }
    return [(cli, mutate(seeds[cli], rng)) for cli, count in CASES.items() for _ in range(count)]


def _run(cli: str, mutant: bytes, directory: str) -> tuple[cli_check.Outcome, list[str]]:
    if cli == "analyze":
        # Next to nothing: the NF includes only nflib headers, found through --include_dir.
        src = os.path.join(directory, "nf.c")
        with open(src, "wb") as f:
            f.write(mutant)
        command = ["analyze", f"--src={src}", f"--include_dir={cli_check.runfile('')}", *ANALYZE_BUDGET]
        done = cli_check.run(command, timeout=TIMEOUT_S)
    elif cli == "plan":
        done = cli_check.run(["plan", "--description=-", "--out=-"], stdin=mutant, timeout=TIMEOUT_S)
    else:
        out_c = os.path.join(directory, "config.c")
        done = cli_check.run(["generate", "--plan=-", f"--out_c={out_c}"], stdin=mutant, timeout=TIMEOUT_S)
    return done, cli_check.problems(done)


@pytest.fixture(scope="module")
def plan_text(tmp_path_factory) -> bytes:
    path = str(tmp_path_factory.mktemp("plan") / "plan.textproto")
    done = cli_check.run(["plan", f"--description={cli_check.runfile(DESCRIPTION)}", f"--out={path}"])
    assert cli_check.problems(done, OK) == [], done.stderr
    return _read(path)


def test_mutants_fail_cleanly(plan_text: bytes) -> None:
    cases = _cases(plan_text)
    saved = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR", tempfile.gettempdir())
    failures = []
    outcomes: dict[int, int | None] = {}
    with tempfile.TemporaryDirectory() as scratch, concurrent.futures.ThreadPoolExecutor(2) as pool:
        dirs = [os.path.join(scratch, str(i)) for i in range(len(cases))]
        for d in dirs:
            os.mkdir(d)
        futures = {
            pool.submit(_run, cli, mutant, d): i
            for i, ((cli, mutant), d) in enumerate(zip(cases, dirs, strict=True))
        }
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            done, found = future.result()
            outcomes[i] = done.returncode
            if found:
                path = os.path.join(saved, f"fuzz_case_{i}_{cases[i][0]}.input")
                with open(path, "wb") as f:
                    f.write(cases[i][1])
                failures.append(f"case {i} (input saved as {path}): {cli_check.report(done, found)}")
    assert not failures, "\n\n".join(sorted(failures))
    # The fuzz is only worth something if mutants reach past the first check:
    # some must still be accepted and some refused.
    codes = sorted(outcomes.values(), key=str)
    print(f"fuzz: {len(cases)} cases, exit codes {dict((c, codes.count(c)) for c in set(codes))}")
    assert OK in codes and any(c != OK for c in codes), codes


def test_mutations_are_deterministic_and_varied() -> None:
    a, b = _cases(b"x: 1\n" * 50), _cases(b"x: 1\n" * 50)
    assert a == b  # fixed seed: a failure reproduces
    assert len({m for _, m in a}) > 0.9 * len(a)  # not the same mutant again and again


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-s", "-p", "no:cacheprovider"]))

"""Every CLI refuses bad input in one line with the documented exit code, no
traceback, in bounded time (docs/CLI.md). One row per input: the CLI and its
arguments, the files it gets, the exit code and a substring of the message.
{tmp} in an argument is a fresh directory holding the row's files; {nf} the
test NF source; {desc} a valid description; {plan} a valid plan."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from parallelizer.cli import cli_check
from parallelizer.cli.cli_check import DATA, OK, USAGE

NF = "parallelizer/cli/testdata/two_port_nf.c"
DESCRIPTION = "parallelizer/cli/testdata/nat_like.textproto"


def _description(old: str = "", new: str = "") -> bytes:
    with open(cli_check.runfile(DESCRIPTION), encoding="utf-8") as f:
        text = f.read()
    if old:
        assert old in text, f"the row's mutation does not apply: {old!r}"
        text = text.replace(old, new, 1)
    return text.encode()


ROWS = [
    # -- analyzer ------------------------------------------------------------------
    (
        "analyze",
        ["--src={tmp}/bin.c"],
        {"bin.c": b"int x;\n\x7fELF\x02\x01\x01\x00\xff\xfe"},
        DATA,
        "not UTF-8",
    ),
    ("analyze", ["--src={nf}", "--ports=-1"], {}, USAGE, "--ports=-1"),
    ("analyze", ["--src={nf}", "--ports=0"], {}, USAGE, "--ports=0"),
    ("analyze", ["--src={nf}", "--ports=70000"], {}, USAGE, "--ports=70000"),
    ("analyze", ["--src={nf}", "--out={tmp}/missing/d.textproto"], {}, USAGE, "does not exist"),
    ("analyze", ["--src={nf}", "--config=lan_port=5"], {}, DATA, "forwarded to port 5"),
    ("analyze", ["--src={nf}", "--config=frobnicate=1"], {}, USAGE, "--config=frobnicate=1"),
    ("analyze", ["--src={nf}", "--config=max_flows=-1"], {}, USAGE, "uint32_t"),
    ("analyze", ["--src={nf}", "--config=lan_port=70000"], {}, USAGE, "uint16_t"),
    ("analyze", ["--src={nf}", "--config=lan_port"], {}, USAGE, "FIELD=INTEGER"),
    ("analyze", ["--src={tmp}/absent.c"], {}, USAGE, "--src="),
    ("analyze", [], {}, USAGE, "--src"),
    ("analyze", ["--src={nf}", "stray"], {}, USAGE, "stray"),
    ("analyze", ["--src={tmp}/f.c"], {"f.c": b"int f(void) { return 0; }\n"}, DATA, "nf_state_create"),
    # -- planner -------------------------------------------------------------------
    ("plan", ["--description={tmp}/d.tp"], {"d.tp": b'nf_name: "\xff\xfe"\n'}, DATA, "not UTF-8"),
    (
        "plan",
        ["--description={tmp}/d.tp"],
        {"d.tp": _description("capacity: 65536", "capacity: 18446744073709551615")},
        DATA,
        "capacity",
    ),
    ("plan", ["--description={desc}", "--seed=-5"], {}, USAGE, "--seed=-5"),
    ("plan", ["--description={desc}", "--seed=1e23"], {}, USAGE, "--seed=1e23"),
    ("plan", ["--description={desc}", f"--seed={10**23}"], {}, USAGE, "--seed="),
    (
        "plan",
        ["--description={tmp}/d.tp"],
        {"d.tp": _description("port_count: 2", "port_count: 64")},
        DATA,
        "port_count is 64",
    ),
    (
        "plan",
        ["--description={tmp}/d.tp"],
        {"d.tp": _description("port_count: 2", "port_count: 1000")},
        DATA,
        "port_count is 1000",
    ),
    (
        "plan",
        ["--description={tmp}/d.tp"],
        {"d.tp": _description("port_count: 2", "port_count: 100000")},
        DATA,
        "port_count is 100000",
    ),
    (
        "plan",
        ["--description={tmp}/d.tp"],
        {"d.tp": _description('op: "bvadd"', 'op: "frobnicate"')},
        DATA,
        "'frobnicate'",
    ),
    (
        "plan",
        ["--description={tmp}/d.tp"],
        {"d.tp": _description("width_bits: 32", "width_bits: 0")},
        DATA,
        "width_bits: 0",
    ),
    (
        "plan",
        ["--description={tmp}/d.tp"],
        {"d.tp": b'nf_name: "x"\nport_count: 2\nobjects { nam: "a" }\n'},
        DATA,
        "d.tp:3:",
    ),
    ("plan", ["--description={tmp}/absent.tp"], {}, USAGE, "--description="),
    ("plan", ["--description={desc}", "--out={tmp}/missing/p.tp"], {}, USAGE, "does not exist"),
    ("plan", ["--description={desc}", "--key_length=41"], {}, USAGE, "41"),
    ("plan", ["--description={desc}", "--strategy=sn"], {}, USAGE, "old spelling of shared_nothing"),
    ("plan", ["--description={desc}", "--strategy=shared-nothing"], {}, USAGE, "write shared_nothing"),
    ("plan", [], {}, USAGE, "--description"),
    # -- code generator -------------------------------------------------------------
    ("generate", ["--plan={tmp}/p.tp", "--out_c={tmp}/c.c"], {"p.tp": b"\xff"}, DATA, "not UTF-8"),
    ("generate", ["--plan={tmp}/absent.tp", "--out_c={tmp}/c.c"], {}, USAGE, "--plan="),
    ("generate", ["--plan={plan}", "--out_c={tmp}/missing/c.c"], {}, USAGE, "does not exist"),
    (
        "generate",
        ["--plan={tmp}/p.tp", "--out_c={tmp}/c.c"],
        {"p.tp": b"strategy: SHARED_NOTHING\nreta_size: 7\n"},
        DATA,
        "reta_size",
    ),
    ("generate", ["--plan={plan}", "--out_c={tmp}/c.c", "--strategy=fast"], {}, USAGE, "--strategy"),
    ("generate", ["--plan={plan}", "--out_c={tmp}/c.c", "--strategy=sn"], {}, USAGE, "write shared_nothing"),
    # -- traffic generator ----------------------------------------------------------
    ("trafficgen", ["--out_prefix={tmp}/t", "--churn=2"], {}, USAGE, "churn"),
    ("trafficgen", ["--out_prefix={tmp}/t", "--ports=0"], {}, USAGE, "--ports=0"),
    ("trafficgen", ["--out_prefix={tmp}/t", "--ports=100"], {}, USAGE, "--ports=100"),
    ("trafficgen", ["--out_prefix=/proc/nfpar/t", "--packets=1"], {}, USAGE, "--out_prefix"),
]


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("plan") / "plan.textproto")
    done = cli_check.run(["plan", f"--description={cli_check.runfile(DESCRIPTION)}", f"--out={path}"])
    assert cli_check.problems(done, OK) == [], cli_check.report(done, cli_check.problems(done, OK))
    return path


def _expand(args: list[str], tmp: str, plan: str) -> list[str]:
    values = {"tmp": tmp, "nf": cli_check.runfile(NF), "desc": cli_check.runfile(DESCRIPTION), "plan": plan}
    return [a.format(**values) for a in args]


@pytest.mark.parametrize(
    ("cli", "args", "files", "code", "message"), ROWS, ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)]
)
def test_bad_input(cli, args, files, code, message, tmp_path, plan_file) -> None:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    done = cli_check.run([cli, *_expand(args, str(tmp_path), plan_file)])
    found = cli_check.problems(done, code, message)
    assert found == [], cli_check.report(done, found)
    # Input mistakes leave no output file behind.
    assert not any(p.name.startswith(".nfpar-") for p in tmp_path.iterdir())


# -- the checker itself: negative controls ---------------------------------------


def test_checker_flags_a_traceback() -> None:
    done = cli_check.run([cli_check.PYTHON, "-c", "raise RuntimeError('boom')"])
    assert "a Python traceback" in cli_check.problems(done)


def test_checker_flags_a_hang() -> None:
    done = cli_check.run([cli_check.PYTHON, "-c", "import time; time.sleep(30)"], timeout=1)
    assert any(p.startswith("hung") for p in cli_check.problems(done))


def test_checker_flags_a_wrong_exit_code_and_a_formless_message() -> None:
    done = cli_check.run([cli_check.PYTHON, "-c", "import sys; sys.exit('something broke')"])
    found = cli_check.problems(done, USAGE, "--flag")
    assert any("exit code 1" in p for p in found), found
    assert any("first stderr line" in p for p in found), found
    assert any("lacks '--flag'" in p for p in found), found


def test_checker_flags_an_internal_error() -> None:
    done = cli_check.run(
        [cli_check.PYTHON, "-c", "import sys; print('x: internal error: a; b', file=sys.stderr); sys.exit(3)"]
    )
    assert any("exit code 3" in p for p in cli_check.problems(done)), cli_check.problems(done)


# -- paths under `bazel run` and `-` ------------------------------------------------


def test_relative_paths_are_resolved_in_build_working_directory(tmp_path, plan_file) -> None:
    shutil.copy(cli_check.runfile(DESCRIPTION), tmp_path / "d.textproto")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, BUILD_WORKING_DIRECTORY=str(tmp_path))
    args = ["plan", "--description=d.textproto", "--out=p.textproto"]
    done = cli_check.run(args, env=env, cwd=str(elsewhere))
    assert cli_check.problems(done, OK) == [], cli_check.report(done, cli_check.problems(done, OK))
    assert (tmp_path / "p.textproto").is_file()
    # Negative control: without the variable, the same relative path is not found.
    env.pop("BUILD_WORKING_DIRECTORY")
    done = cli_check.run(args, env=env, cwd=str(elsewhere))
    assert cli_check.problems(done, USAGE, "--description=d.textproto") == [], done.stderr


def test_dash_reads_stdin_and_writes_stdout(plan_file) -> None:
    with open(cli_check.runfile(DESCRIPTION), "rb") as f:
        description = f.read()
    done = cli_check.run(["plan", "--description=-", "--out=-"], stdin=description)
    assert cli_check.problems(done, OK) == [], done.stderr
    assert done.stdout.startswith("nf_name:") and "strategy" in done.stdout  # the plan, not the summary
    with open(plan_file, "rb") as f:
        plan = f.read()
    done = cli_check.run(["generate", "--plan=-", "--out_c=-"], stdin=plan)
    assert cli_check.problems(done, OK) == [] and "nf_parallel_config" in done.stdout, done.stderr
    done = cli_check.run(["analyze", f"--src={cli_check.runfile(NF)}", "--out=-"])
    assert cli_check.problems(done, OK) == [] and done.stdout.startswith(
        'nf_name: "two_port_nf"'
    ), done.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

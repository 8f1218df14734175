"""The plan CLI: summary, output file, exit codes and messages on bad input."""

import os
import subprocess
import sys

import pytest
from google.protobuf import text_format

from parallelizer.testing import descriptions as td
from proto import plan_pb2

BINARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plan")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def nat_description(tmp_path):
    path = tmp_path / "nat.textproto"
    path.write_text(text_format.MessageToString(td.nat_like()))
    return str(path)


def test_writes_plan_and_prints_summary(nat_description, tmp_path):
    out = tmp_path / "plan.textproto"
    r = run(
        f"--description={nat_description}", f"--out={out}", "--key_length=40", "--reta_size=128", "--cores=4"
    )
    assert r.returncode == 0, r.stderr
    plan = text_format.Parse(out.read_text(), plan_pb2.Plan())
    assert plan.strategy == plan_pb2.SHARED_NOTHING and plan.key_length_bytes == 40 and plan.cores == 4
    for text in (
        "strategy SHARED_NOTHING",
        "hashes ipv4.dst, l4.dst_port",
        plan.ports[0].key_hex,
        "Z3 proved",
        "max/mean",
        "timings:",
        "ports: PARTITIONED",
    ):
        assert text in r.stdout


def test_forced_strategy(nat_description):
    r = run(f"--description={nat_description}", "--strategy=locks")
    assert r.returncode == 0 and "strategy LOCKS" in r.stdout


@pytest.mark.parametrize(
    "flag,message",
    [
        ("--key_length=41", "key length 41"),
        ("--reta_size=100", "RETA size 100"),
        ("--strategy=fast", "--strategy=fast"),
        ("--cores=x", "--cores"),
    ],
)
def test_bad_flags_exit_2_without_traceback(nat_description, flag, message):
    r = run(f"--description={nat_description}", flag)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr


def test_missing_description_flag():
    r = run()
    assert r.returncode == 2 and "--description" in r.stderr


def test_bad_description_file(tmp_path):
    bad = tmp_path / "bad.textproto"
    bad.write_text(
        'nf_name: "x"\nport_count: 2\npaths { id: 1 in_port: 0 ops { id: "op1" object: "ghost" kind: READ } }\n'
    )
    r = run(f"--description={bad}")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert str(bad) in r.stderr and "object 'ghost' is not declared" in r.stderr
    r = run(f"--description={tmp_path / 'absent.textproto'}")
    assert r.returncode == 2 and "cannot read" in r.stderr


def test_unshardable_forced_shared_nothing(tmp_path):
    path = tmp_path / "bridge.textproto"
    path.write_text(text_format.MessageToString(td.mac_bridge_like()))
    r = run(f"--description={path}", "--strategy=shared_nothing")
    assert (
        r.returncode == 1 and "'macs'" in r.stderr and "eth.src" in r.stderr and "Traceback" not in r.stderr
    )


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

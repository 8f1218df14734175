"""The bench section of test specs: defaults, placeholders, and one clear
error per bad value (negative controls)."""

from __future__ import annotations

import json
import os
import sys
import tempfile

import pytest

from testing import nf_spec


def write(spec: dict) -> str:
    path = os.path.join(tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR")), nf_spec.SPEC_FILE)
    with open(path, "w") as f:
        json.dump({"nf": "x", "ports": ["client", "server"], **spec}, f)
    return path


def test_defaults_without_a_bench_section() -> None:
    spec = nf_spec.parse(write({}))
    assert spec.bench == nf_spec.BENCH_DEFAULTS
    assert spec.bench_args() == []


def test_load_balancer_bench_takes_the_shape_heartbeat_port() -> None:
    spec = nf_spec.load("load_balancer")
    params = spec.bench_params()
    assert params["heartbeat_port"] == spec.shape_params["heartbeat_port"]
    assert f"--heartbeat-port={params['heartbeat_port']}" in spec.bench_args()
    assert f"--vip={spec.bench['vip']}" in spec.bench_args()  # the bench's VIP, not the matrix's
    assert spec.bench["vip"] != spec.shape_params["vip"]
    # the matrix passes the same port to the NF
    assert ["--heartbeat-port", spec.shape_params["heartbeat_port"]] == [
        a for a in spec.args("uniform") if a in ("--heartbeat-port", spec.shape_params["heartbeat_port"])
    ]


@pytest.mark.parametrize(
    ("bench", "message"),
    [
        ({"worklaod": "plain"}, "unknown key(s) worklaod"),
        ({"workload": "vips"}, "workload='vips'"),
        ({"workload": "vip_backends", "vip": "192.0.2.1"}, "needs backends, heartbeat_port"),
        ({"reference_ports": [0, 1]}, "reference_ports=[0, 1]"),
        ("plain", "bench='plain'"),
    ],
)
def test_bad_bench_sections_are_refused(bench, message: str) -> None:
    path = write({"bench": bench})
    with pytest.raises(nf_spec.SpecError) as e:
        nf_spec.parse(path)
    assert path in str(e.value) and message in str(e.value)


def test_unknown_bench_placeholder_is_refused() -> None:
    spec = nf_spec.parse(write({"bench": {"args": ["--vip={vpi}"]}}))
    with pytest.raises(nf_spec.SpecError, match="unknown placeholder 'vpi'"):
        spec.bench_args()


def test_backends_without_heartbeat_port_are_refused() -> None:
    shape = {"vip": "192.0.2.1", "backends": 2, "heartbeat_expiry": "1ms"}
    with pytest.raises(nf_spec.SpecError, match="heartbeat_port"):
        nf_spec.parse(write({"shape": shape}))
    assert nf_spec.parse(write({"shape": {**shape, "heartbeat_port": 7}}))  # control: accepted


def test_more_profiles_add_to_the_defaults_once() -> None:
    from testing.traffic import timed

    spec = nf_spec.parse(write({"more_profiles": ["ipv6", "mixed"]}))
    assert spec.profiles == (*timed.DEFAULT_PROFILES, "ipv6")  # mixed is a default already
    spec = nf_spec.parse(write({"profiles": ["uniform"], "more_profiles": ["ipv6"]}))
    assert spec.profiles == ("uniform", "ipv6")
    with pytest.raises(nf_spec.SpecError, match="unknown profile 'ipv7'"):  # negative control
        nf_spec.parse(write({"more_profiles": ["ipv7"]}))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

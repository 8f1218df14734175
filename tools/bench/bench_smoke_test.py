"""Smoke test of the benchmark driver (keeps it from rotting; measures nothing):
--quick on one NF with 1 repeat, then checks the outputs' columns and rows,
IPv6 and mixed-family rows included (the firewall is dual-stack)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile

import pytest

from testing import nfpar_runfiles
from tools.bench import key_quality, report

NF = "firewall"  # a shared-nothing, dual-stack plan: all four strategies, IPv6 rows
# Asked for; "uniform" comes along as the IPv4 base of the IPv6/mixed ones.
TRAFFIC = ("zipf", "churn", "mixed10", "ipv6")
RUN = ("zipf", "churn", "uniform", "mixed10", "ipv6")


def _bench_binary() -> str:
    return nfpar_runfiles.path("tools/bench/bench")


@pytest.fixture(scope="module")
def out_dir() -> str:
    out = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    done = subprocess.run(
        [
            _bench_binary(),
            f"--nfs={NF}",
            f"--traffic={','.join(TRAFFIC)}",
            "--quick",
            "--repeats=1",
            "--warmup=0",
            "--max_workers=2",
            f"--out_dir={out}",
            f"--reference_keys={os.path.join(out, 'absent.json')}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "comparison skipped" in done.stderr
    return out


def _rows(path: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == columns
        return list(reader)


def test_throughput_csv_has_every_point(out_dir: str) -> None:
    rows = _rows(os.path.join(out_dir, report.THROUGHPUT_CSV), report.THROUGHPUT_COLUMNS)
    got = sorted((r["nf"], r["traffic"], r["strategy"], int(r["workers"])) for r in rows)
    expected = sorted(
        [(NF, t, "sequential", 1) for t in RUN]
        + [(NF, t, s, n) for t in RUN for s in ("shared_nothing", "locks", "tm") for n in (1, 2)]
    )
    assert got == expected
    for r in rows:
        assert float(r["median_mpps"]) > 0 and float(r["median_cpu_mpps"]) > 0, r
        assert int(r["packets"]) >= 20_000, r
        assert len(r["runs_mpps"].split(";")) == 1, r
        assert r["cpu_model"] and int(r["cpus"]) >= 1
        if int(r["workers"]) == 1:
            assert float(r["efficiency"]) == pytest.approx(1.0, abs=1e-3)
    locks = [r for r in rows if r["strategy"] == "locks" and r["traffic"] != "churn"]
    # A flow's first packet creates its entry (a write, rerun under the write
    # lock); its later packets only refresh it, which the lock runtime defers
    # without the write lock: so some but not all packets stay read-only.
    # For the IPv6 rows this shows the NF keeping IPv6 flows (not dropping them).
    assert locks and all(0.0 < float(r["read_only_share"]) < 1.0 for r in locks)
    assert {r["traffic"] for r in locks} >= {"ipv6", "mixed10"}


def test_key_quality_csv_has_every_port_of_the_plan(out_dir: str) -> None:
    rows = _rows(os.path.join(out_dir, report.KEYS_CSV), report.KEYS_COLUMNS)
    assert sorted((r["source"], int(r["port"])) for r in rows) == [
        (key_quality.OURS, 0),
        (key_quality.OURS, 1),
    ]
    for r in rows:
        for mix in key_quality.MIXES:
            assert 1.0 <= float(r[mix]) < 16.0


def test_speed_csv_and_summary(out_dir: str) -> None:
    rows = _rows(os.path.join(out_dir, report.SPEED_CSV), report.SPEED_COLUMNS)
    assert [r["nf"] for r in rows] == [NF]
    # The firewall's plan is shared-nothing: no hybrid code (nor hybrid runs above).
    assert float(rows[0]["planning_s"]) > 0 and rows[0]["codegen_strategies"] == "shared_nothing;locks;tm"
    with open(os.path.join(out_dir, report.SUMMARY_MD), encoding="utf-8") as f:
        summary = f.read()
    assert "Machine: " in summary and "| firewall | churn |" in summary
    assert "## IPv6 and mixed families" in summary
    assert "| firewall | ipv6 (uniform) |" in summary and "| firewall | mixed10 (uniform) |" in summary
    assert "| NF | seq | sn x1 | sn x2 | locks x2 | keys max/mean uniform" in summary  # headline, no hybrid
    assert "hybrid" not in summary
    for traffic in RUN:
        assert os.path.getsize(os.path.join(out_dir, f"throughput_{traffic}.png")) > 1000


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

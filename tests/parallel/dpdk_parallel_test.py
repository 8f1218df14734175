"""Generated parallel NFs under DPDK on virtual devices.

net_pcap has no RSS, so the traffic is split per queue beforehand by the Python
reference RSS with the plan's keys and RETA (as the NIC would), one rx_pcap per
queue; the runtime runs with --no-rss on 2 lcores, worker k on queue k. net_null
has RSS (128-entry RETA, any key), so it checks the real RSS set-up path."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile

import pytest

from testing import dpdk_harness, frames, inmem, softrss
from testing.traffic.sessions import sessions

WORKERS = 2


def binary(name: str) -> str:
    return dpdk_harness.runfile(f"tests/parallel/{name}")


def split(packets, plan_path: str) -> dict[int, list[list[bytes]]]:
    """port -> queue -> frames, as the NIC's RSS would spread them."""
    return softrss.split(packets, inmem.load_plan(plan_path), WORKERS)


def run_eal(name: str, vdevs: list[str], runtime_args: list[str], nf_args=(), lcores: str = "0,1"):
    command = [
        binary(name),
        *dpdk_harness.EAL_BASE_ARGS,
        "-l",
        lcores,
        f"--file-prefix=par{os.getpid()}",
        *vdevs,
        "--",
        *runtime_args,
        *nf_args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def run_presplit(name: str, queues, nf_args=()) -> dict[int, list[list[bytes]]]:
    workdir = tempfile.mkdtemp(prefix="par_", dir=os.environ.get("TEST_TMPDIR"))
    vdevs = dpdk_harness.presplit_vdevs(workdir, queues)
    done = run_eal(name, vdevs, ["--idle-exit-ms=300", "--no-rss"], nf_args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "per-core statistics" in done.stdout
    return dpdk_harness.read_queue_outputs(workdir, 2, WORKERS)


def test_nop_forwards_each_queue_on_the_same_queue():
    rng = random.Random(1)
    packets = [(rng.randrange(2), f) for f in frames.random_udp_frames(400, seed=2)]
    queues = split(packets, "tests/parallel/testdata/nop_plan.textproto")
    assert all(queues[p][q] for p in (0, 1) for q in range(WORKERS))
    out = run_presplit("nop_parallel", queues)
    for q in range(WORKERS):
        assert out[1][q] == queues[0][q]
        assert out[0][q] == queues[1][q]


@pytest.mark.parametrize("target", ["firewall_parallel", "firewall_parallel_locks", "firewall_parallel_tm"])
def test_firewall_per_queue_outputs_match_the_sequential_nf(target: str):
    # Packets on different ports reach a worker through different RX rings, so
    # their relative order is not the input order (as on a real NIC): a reply
    # may overtake its request. The traffic therefore relies on no cross-port
    # order: LAN flows (new, then repeated) and WAN packets of unknown flows.
    lan = [p for p in sessions(seed=7, flows=120) if p[0] == 0]
    unsolicited = [(1, f) for f in frames.random_udp_frames(40, seed=8)]
    packets = lan + unsolicited
    queues = split(packets, "tests/parallel/testdata/firewall_plan.textproto")
    assert all(queues[0][q] for q in range(WORKERS))
    out = run_presplit(target, queues)
    want = inmem.run(binary("firewall_inmem"), inmem.timed(packets), "sequential")
    assert [o.verdict for o in want.outcomes] == [1] * len(lan) + [-1] * len(unsolicited)
    for q in range(WORKERS):
        # Each TX queue carries its RX queue's LAN packets, in order, untouched.
        assert out[1][q] == queues[0][q]
        assert out[0][q] == []


def test_net_pcap_without_rss_is_refused_with_the_port_and_what_it_supports():
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    empty = os.path.join(workdir, "empty.pcap")
    dpdk_harness.write_pcap(empty, [])
    vdevs = [
        f"--vdev=net_pcap{p},rx_pcap={empty},rx_pcap={empty},tx_pcap={workdir}/o{p}a.pcap,tx_pcap={workdir}/o{p}b.pcap"
        for p in (0, 1)
    ]
    done = run_eal("nop_parallel", vdevs, ["--idle-exit-ms=100"])
    assert done.returncode != 0
    assert "port 0 (net_pcap) cannot hash the fields the plan needs" in done.stderr
    assert "rss_hf 0x34 requested, 0x0 supported" in done.stderr
    assert "--no-rss" in done.stderr


def test_too_few_queues_names_the_port():
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    empty = os.path.join(workdir, "empty.pcap")
    dpdk_harness.write_pcap(empty, [])
    vdevs = [f"--vdev=net_pcap{p},rx_pcap={empty},tx_pcap={workdir}/o{p}.pcap" for p in (0, 1)]
    done = run_eal("nop_parallel", vdevs, ["--idle-exit-ms=100", "--no-rss"])
    assert done.returncode != 0
    assert "port 0 (net_pcap) supports 1 RX / 1 TX queues; 2 RX / 2 TX are needed" in done.stderr


def test_rss_is_programmed_on_a_port_that_has_it():
    vdevs = ["--vdev=net_null0,no-rx=1", "--vdev=net_null1,no-rx=1"]
    done = run_eal("nop_parallel", vdevs, ["--idle-exit-ms=50"])
    assert done.returncode == 0, done.stderr
    assert "shared_nothing on 2 workers, 2 ports" in done.stdout


def test_reta_size_mismatch_is_refused():
    vdevs = ["--vdev=net_null0,no-rx=1", "--vdev=net_null1,no-rx=1"]
    done = run_eal("nop_reta256_parallel", vdevs, ["--idle-exit-ms=50"])
    assert done.returncode != 0
    assert "port 0 (net_null): RETA size 128 is not a multiple of the plan's RETA size 256" in done.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

"""Mbuf pool sizing of the DPDK runtimes: sized from the ports, queues,
descriptors and lcores, so a 3-port parallel NF on 2 lcores runs in the EAL's
default memory (no -m), and a pool that does not fit names the mbufs, the bytes
and the -m that gives DPDK that memory.

Oracle: the mbuf count is recomputed here from the documented rule
(docs/RUNTIMES.md, "Memory"): ports x queues x (1024 RX + 1024 TX descriptors)
+ lcores x (64-packet burst + ports x 128 TX buffer slots + 384 cache)."""

import os
import re
import subprocess
import sys
import tempfile

import pytest

from testing import dpdk_harness

# The harness's EAL arguments without its "-m 256".
EAL = ["--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=lib.eal:error"]


def expected_mbufs(ports, workers):
    return ports * workers * (1024 + 1024) + workers * (64 + ports * 128 + 384)


def run_parallel(binary, ports, workers, nf_args=(), memory=()):
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    vdevs = []
    for port in range(ports):
        queues = []
        for q in range(workers):
            path = os.path.join(workdir, f"in{port}_{q}.pcap")
            dpdk_harness.write_pcap(path, [])
            queues += [f"rx_pcap={path}", f"tx_pcap={os.path.join(workdir, f'out{port}_{q}.pcap')}"]
        vdevs.append(f"--vdev=net_pcap{port}," + ",".join(queues))
    command = [
        dpdk_harness.runfile(binary),
        *EAL,
        *memory,
        "-l",
        ",".join(str(k) for k in range(workers)),
        f"--file-prefix=pool{os.getpid()}",
        *vdevs,
        "--",
        "--idle-exit-ms=50",
        "--no-rss",
        *nf_args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_three_ports_two_lcores_run_in_default_memory():
    done = run_parallel("tests/runtime/bridge_learning_parallel", 3, 2, ["--ports", "3"])
    assert done.returncode == 0, done.stderr
    assert "on 2 workers, 3 ports" in done.stdout


@pytest.mark.parametrize(
    "binary, ports", [("tests/parallel/firewall_parallel", 2), ("tests/runtime/bridge_learning_parallel", 3)]
)
def test_too_little_memory_names_the_pool_and_the_option(binary, ports):
    nf_args = ["--ports", str(ports)] if "bridge" in binary else []
    done = run_parallel(binary, ports, 2, nf_args, memory=["-m", "16"])
    assert done.returncode == 1
    match = re.search(
        r"cannot create the mbuf pool: (\d+) mbufs .* need (\d+) MiB: .*-m (\d+) with --no-huge", done.stderr
    )
    assert match, done.stderr
    mbufs, mib, suggested = (int(g) for g in match.groups())
    assert mbufs == expected_mbufs(ports, 2)
    assert mbufs * 2048 < mib * 2**20  # at least the data rooms
    # The suggestion works: rerun with it.
    again = run_parallel(binary, ports, 2, nf_args, memory=["-m", str(suggested)])
    assert again.returncode == 0, again.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

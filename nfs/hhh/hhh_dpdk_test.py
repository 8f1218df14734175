"""Runs //nfs/hhh:sequential on net_pcap devices: WAN frames are limited per
source prefix (here the /32 and then the /24 threshold binds; a 60 s window
cannot end within the run), LAN frames pass uncounted, and a bad option stops
the binary with one line naming it."""

import os
import subprocess
import sys
import tempfile

import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/hhh/sequential")


def test_prefix_thresholds_and_unlimited_lan():
    # /32 threshold 3, /24 threshold 5: host .1 passes 3 of 10; host .2 of the
    # same /24 passes 5 - 3 = 2; host .3 of it none; a host of another /24 3.
    def wan(src: str, count: int) -> list[bytes]:
        return [frames.udp_frame(src, "192.168.0.10", 80, 5000 + i) for i in range(count)]

    a, b, c, d = wan("10.1.1.1", 10), wan("10.1.1.2", 10), wan("10.1.1.3", 10), wan("10.1.2.1", 10)
    lan = [frames.udp_frame("192.168.0.10", "10.1.1.1", 5000, 80 + i) for i in range(100)]
    args = ["--threshold-32", "3", "--threshold-24", "5", "--window", "60s"]
    run = dpdk_harness.run_nf(BINARY, {0: lan, 1: a + b + c + d}, nf_args=args)
    assert run.outputs[1] == lan
    assert run.outputs[0] == a[:3] + b[:2] + d[:3]


def test_bad_option_is_one_line():
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    for port in range(2):
        dpdk_harness.write_pcap(os.path.join(workdir, f"in{port}.pcap"), [])
    command = [BINARY, *dpdk_harness.eal_args_for(workdir, 2), "--", "--threshold-24", "0"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 2
    lines = [line for line in completed.stderr.splitlines() if "--threshold-24" in line]
    assert len(lines) == 1 and "'0'" in lines[0], completed.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

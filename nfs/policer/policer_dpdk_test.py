"""Runs //nfs/policer:sequential on net_pcap devices: WAN frames to one address
pass up to the burst (1 byte/s refill adds nothing within the run), another
address has its own bucket, LAN frames are unlimited."""

import sys

import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/policer/sequential")


def test_burst_per_destination_and_unlimited_lan():
    to_a = [frames.udp_frame("1.1.1.1", "192.168.0.10", 80, 5000 + i) for i in range(100)]
    to_b = [frames.udp_frame("1.1.1.1", "192.168.0.11", 80, 5000 + i) for i in range(10)]
    assert all(len(f) == 60 for f in to_a)
    lan = [frames.udp_frame("192.168.0.10", "1.1.1.1", 5000, 80 + i) for i in range(100)]
    args = ["--rate", "1", "--burst", "3000"]  # 50 frames of 60 bytes
    run = dpdk_harness.run_nf(BINARY, {0: lan, 1: to_a + to_b}, nf_args=args)
    assert run.outputs[1] == lan
    assert run.outputs[0] == to_a[:50] + to_b


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

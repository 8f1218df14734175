"""Runs //nfs/bridge_learning:sequential with 3 net_pcap ports: unknown
destinations are flooded, learned ones forwarded to one port only. Port 0 is
polled first, so its frames teach the bridge where A is before port 1's frames
are processed."""

import sys

import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/bridge_learning/sequential")
A, B, X = "02:00:00:00:00:0a", "02:00:00:00:00:0b", "02:00:00:00:00:99"


def test_learn_then_forward():
    from_a = [frames.udp_frame("10.0.0.1", "10.0.0.2", 1, 2 + i, src_mac=A, dst_mac=X) for i in range(3)]
    from_b = [frames.udp_frame("10.0.0.2", "10.0.0.1", 2, 1 + i, src_mac=B, dst_mac=A) for i in range(3)]
    run = dpdk_harness.run_nf(BINARY, {0: from_a, 1: from_b}, nf_args=["--ports", "3"], ports=3)
    assert run.outputs[0] == from_b  # A was learned on port 0
    assert run.outputs[1] == from_a  # X unknown: flooded
    assert run.outputs[2] == from_a


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

"""Runs //nfs/nop:sequential under DPDK on net_pcap devices: every frame sent into
one port must leave the other port byte-for-byte, in order, and nothing else."""

import sys

import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/nop/sequential")


def test_forwards_both_ways_byte_for_byte():
    port0_in = frames.random_udp_frames(200, seed=1)
    # Frames NOP must not care about: truncated and non-IPv4 ones too.
    port1_in = frames.random_udp_frames(100, seed=2) + [b"\x00" * 20, b"\xff" * 60]
    run = dpdk_harness.run_nf(BINARY, {0: port0_in, 1: port1_in})
    assert run.outputs[1] == port0_in
    assert run.outputs[0] == port1_in
    assert "port statistics" in run.stdout


def test_rejects_unknown_option():
    with pytest.raises(RuntimeError, match="unexpected argument '--bogus'"):
        dpdk_harness.run_nf(BINARY, {}, nf_args=["--bogus"])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

"""Runs //nfs/conn_limiter:sequential on net_pcap devices: a pair may open
--limit connections; later new ones are dropped while established ones and
other pairs pass."""

import sys

import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/conn_limiter/sequential")
CLIENT, SERVER = "10.0.0.1", "10.9.9.9"


def test_limit_per_address_pair():
    conns = [frames.tcp_frame(CLIENT, SERVER, 1000 + i, 80) for i in range(10)]
    again = [frames.tcp_frame(CLIENT, SERVER, 1000 + i, 80, flags=0x10) for i in range(3)]
    other_pair = [frames.tcp_frame(CLIENT, "10.9.9.8", 2000 + i, 80) for i in range(3)]
    wan = [frames.tcp_frame(SERVER, CLIENT, 80, 1005)]
    run = dpdk_harness.run_nf(BINARY, {0: conns + again + other_pair, 1: wan}, nf_args=["--limit", "3"])
    assert run.outputs[1] == conns[:3] + again + other_pair
    assert run.outputs[0] == wan


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

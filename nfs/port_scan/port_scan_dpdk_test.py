"""Runs //nfs/port_scan:sequential on net_pcap devices: a source touching many
ports is cut off after --threshold ports, its touched ports keep passing, and
another source is unaffected. WAN is port 0 here (polled first), LAN port 1."""

import sys

import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/port_scan/sequential")
SCANNER, VICTIM = "198.51.100.7", "192.168.0.10"


def test_scanner_is_cut_off():
    scan = [frames.tcp_frame(SCANNER, VICTIM, 40000, port) for port in range(1, 11)]
    revisit = [frames.tcp_frame(SCANNER, VICTIM, 40001, port) for port in (1, 2)]
    other = [frames.udp_frame("198.51.100.8", VICTIM, 5, port) for port in (7, 8)]
    lan = [frames.udp_frame(VICTIM, SCANNER, 9, 9)]
    args = ["--wan-port", "0", "--lan-port", "1", "--threshold", "4"]
    run = dpdk_harness.run_nf(BINARY, {0: scan + revisit + other, 1: lan}, nf_args=args)
    assert run.outputs[1] == scan[:4] + revisit + other
    assert run.outputs[0] == lan


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

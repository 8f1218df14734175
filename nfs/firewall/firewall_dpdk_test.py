"""Runs //nfs/firewall:sequential on net_pcap devices: LAN flows pass unchanged and
open the way back for exactly their replies; unsolicited and spoofed WAN frames
are dropped. Port 0 (LAN) is polled first, so its frames are processed before
the WAN replies."""

import sys

import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/firewall/sequential")
HOST, SERVER = "192.168.0.10", "93.184.216.34"


def test_only_replies_of_lan_flows_pass():
    lan = [frames.udp_frame(HOST, SERVER, 40000 + i, 53) for i in range(5)]
    lan.append(frames.tcp_frame(HOST, SERVER, 50000, 443))
    replies = [frames.udp_frame(SERVER, HOST, 53, 40000 + i) for i in range(5)]
    replies.append(frames.tcp_frame(SERVER, HOST, 443, 50000, flags=0x12))
    unsolicited = [frames.udp_frame(SERVER, HOST, 53, 41000 + i) for i in range(40)]
    spoofed = [
        frames.udp_frame("6.6.6.6", HOST, 53, 40000),  # other remote host
        frames.udp_frame(SERVER, HOST, 54, 40001),  # other remote port
        frames.tcp_frame(SERVER, HOST, 53, 40002),  # other protocol
    ]
    run = dpdk_harness.run_nf(
        BINARY, {0: lan, 1: unsolicited + replies + spoofed}, nf_args=["--expiry", "60s"]
    )
    assert run.outputs[1] == lan
    assert run.outputs[0] == replies


def test_bad_option_is_reported():
    with pytest.raises(RuntimeError, match="invalid value '3' for --max-flows"):
        dpdk_harness.run_nf(BINARY, {}, nf_args=["--max-flows", "3"])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

"""Runs //nfs/nat:sequential on net_pcap devices: LAN flows leave with the
external address and distinct ports of the range, with valid checksums; WAN
frames to every port of the range come back translated only when they match a
flow's remote endpoint. Port 0 (LAN) is polled first."""

import socket
import sys

import dpkt
import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/nat/sequential")
HOST, EXT = "192.168.0.10", "203.0.113.1"
SERVERS = [f"93.184.216.{i}" for i in range(1, 6)]
PORT_START, MAX_FLOWS = 6000, 8


def ip_of(frame: bytes) -> dpkt.ip.IP:
    return dpkt.ethernet.Ethernet(frame).data


def test_translation_both_ways():
    lan = [frames.udp_frame(HOST, server, 40000 + i, 53) for i, server in enumerate(SERVERS)]
    wan = []
    for port in range(PORT_START, PORT_START + MAX_FLOWS):
        for server in SERVERS:
            wan.append(frames.udp_frame(server, EXT, 53, port))
            wan.append(frames.udp_frame(server, EXT, 54, port))  # wrong remote port
    args = [
        "--external-ip",
        EXT,
        "--port-start",
        str(PORT_START),
        "--max-flows",
        str(MAX_FLOWS),
        "--expiry",
        "60s",
    ]
    run = dpdk_harness.run_nf(BINARY, {0: lan, 1: wan}, nf_args=args)

    out = run.outputs[1]
    assert len(out) == len(lan)
    external_port_of = {}
    for sent, got in zip(lan, out, strict=True):
        packet = ip_of(got)
        assert socket.inet_ntoa(packet.src) == EXT
        assert packet.dst == ip_of(sent).dst
        assert PORT_START <= packet.data.sport < PORT_START + MAX_FLOWS
        assert packet.data.data == ip_of(sent).data.data
        assert frames.checksums_valid(got)
        external_port_of[socket.inet_ntoa(packet.dst)] = packet.data.sport
    assert len(set(external_port_of.values())) == len(lan)

    back = run.outputs[0]
    assert len(back) == len(SERVERS)
    for got in back:
        packet = ip_of(got)
        server = socket.inet_ntoa(packet.src)
        assert socket.inet_ntoa(packet.dst) == HOST
        assert packet.data.dport == 40000 + SERVERS.index(server)
        assert packet.data.sport == 53
        assert frames.checksums_valid(got)


def test_missing_external_ip_is_reported():
    with pytest.raises(RuntimeError, match="missing --external-ip"):
        dpdk_harness.run_nf(BINARY, {})


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

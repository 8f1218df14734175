"""Runs //nfs/load_balancer:sequential, and its generated parallel builds on one
lcore (hybrid: per-core flow table, shared backend tables; locks), on net_pcap
devices. Backends are on port 0
(polled first) so their heartbeats register them before the client frames on
port 1 are balanced: every client frame goes to one of the two backends with
valid checksums, flows stay on their backend, and backend replies leave with the
VIP as source."""

import socket
import sys

import dpkt
import pytest

from testing import dpdk_harness, frames

# Parallel builds run one worker with RSS off (net_pcap has none): the same
# single-queue ordering as the sequential binary, through the parallel runtime's
# state set-up (shared objects built once), locking and port handling.
BUILDS = {
    "sequential": [],
    "parallel_hybrid": ["--no-rss"],
    "parallel_locks": ["--no-rss"],
}
VIP, B1, B2 = "10.0.0.100", "10.1.0.1", "10.1.0.2"
MACS = {B1: "02:00:00:00:00:b1", B2: "02:00:00:00:00:b2"}


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_balancing_and_replies(build):
    heartbeats = [frames.udp_frame(b, VIP, 7777, 7777, src_mac=MACS[b]) for b in (B1, B2)]
    reply = frames.tcp_frame(B1, "172.16.0.1", 80, 10000, flags=0x12)
    stranger = frames.tcp_frame("10.1.0.9", "172.16.0.1", 80, 10000)
    clients = [frames.tcp_frame(f"172.16.0.{i}", VIP, 10000 + i, 80) for i in range(1, 41)]
    clients += clients[:10]  # second packets of the first ten flows
    args = [*BUILDS[build], "--vip", VIP, "--client-port", "1", "--backend-port", "0"]
    binary = dpdk_harness.runfile(f"nfs/load_balancer/{build}")
    run = dpdk_harness.run_nf(binary, {0: heartbeats + [reply, stranger], 1: clients}, nf_args=args)

    to_backends = run.outputs[0]
    assert len(to_backends) == len(clients)
    backend_of = {}
    for sent, got in zip(clients, to_backends, strict=True):
        eth = dpkt.ethernet.Ethernet(got)
        dst = socket.inet_ntoa(eth.data.dst)
        assert dst in MACS
        assert eth.dst == frames.mac(MACS[dst])
        assert eth.data.src == dpkt.ethernet.Ethernet(sent).data.src
        assert frames.checksums_valid(got)
        key = (eth.data.src, eth.data.data.sport)
        assert backend_of.setdefault(key, dst) == dst
    assert set(backend_of.values()) == {B1, B2}

    to_clients = run.outputs[1]
    assert len(to_clients) == 1
    packet = dpkt.ethernet.Ethernet(to_clients[0]).data
    assert socket.inet_ntoa(packet.src) == VIP
    assert frames.checksums_valid(to_clients[0])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

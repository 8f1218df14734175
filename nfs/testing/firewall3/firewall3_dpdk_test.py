"""//nfs/testing/firewall3 under DPDK on three net_pcap ports: the
shared-nothing :parallel on 2 lcores and the :sequential, against the
firewall's rules written out by hand (the oracle does not run the NF).

net_pcap has no RSS, so the traffic is split per queue beforehand by the
reference RSS with the plan's keys and RETA (tests/parallel/softrss.py), one
rx_pcap per queue, and the runtime runs with --no-rss. A worker polls ports in
order (0, 1, 2) and each queue holds fewer LAN packets than one burst, so every
LAN packet of a queue is processed before that queue's WAN replies.

Memory: tests/dpdk_harness.EAL_BASE_ARGS passes -m 256, which three ports need
while the runtime's mbuf pool is sized from a fixed per-port count (issue #16,
section 3; the pool sizing is being fixed in the runtime)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from testing import dpdk_harness, inmem, softrss
from testing import frames as framing
from testing.traffic.profiles import Flow

PACKAGE = "nfs/testing/firewall3"
LANS, WAN, PORTS, WORKERS = (0, 1), 2, 3, 2
FLOWS_PER_LAN = 12  # < one burst per queue (see the module doc)


def _flows(lan: int) -> list[Flow]:
    return [
        Flow(0x0A000000 | lan << 16 | i, 0x5DB80000 + 7919 * i, 1024 + 31 * i, 1 + 97 * i, (6, 17)[i % 2])
        for i in range(FLOWS_PER_LAN)
    ]


def _traffic() -> tuple[dict[int, list[bytes]], dict[int, list[bytes]]]:
    """(input frames per port, expected output frames per port)."""
    inputs: dict[int, list[bytes]] = {port: [] for port in range(PORTS)}
    expected: dict[int, list[bytes]] = {port: [] for port in range(PORTS)}
    for lan in LANS:
        for flow in _flows(lan):
            frame = framing.l4_frame(flow, 64)
            reply = framing.l4_frame(flow.reversed(), 64, framing.SERVER_MAC, framing.CLIENT_MAC)
            inputs[lan].append(frame)
            inputs[WAN].append(reply)
            expected[WAN].append(frame)  # LAN flows leave on the WAN, unchanged
            expected[lan].append(reply)  # each reply goes to the LAN that opened its flow
    for i in range(20):  # unsolicited: dropped
        inputs[WAN].append(framing.l4_frame(Flow(0x5DB80000 + i, 0x0A000001, 53, 40000 + i, 17), 64))
    return inputs, expected


def _split(inputs: dict[int, list[bytes]]) -> dict[int, list[list[bytes]]]:
    plan = inmem.load_plan(f"{PACKAGE}/plan.textproto")  # a runfiles path
    keys = {p.port: p for p in plan.ports}
    queues = {port: [[] for _ in range(WORKERS)] for port in range(PORTS)}
    for port, frames in inputs.items():
        for frame in frames:
            rss = keys[port]
            queue = softrss.queue_of(frame, bytes.fromhex(rss.key_hex), rss.rss_hf, plan.reta_size, WORKERS)
            queues[port][queue].append(frame)
    return queues


def _run(binary: str, queues: dict[int, list[list[bytes]]], lcores: str, runtime_args: list[str]):
    workdir = tempfile.mkdtemp(prefix="fw3_", dir=os.environ.get("TEST_TMPDIR"))
    nqueues = len(queues[0])
    vdevs = []
    for port in range(PORTS):
        args = []
        for q in range(nqueues):
            rx = os.path.join(workdir, f"in{port}_{q}.pcap")
            dpdk_harness.write_pcap(rx, queues[port][q])
            args.append(f"rx_pcap={rx}")
        args += [f"tx_pcap={os.path.join(workdir, f'out{port}_{q}.pcap')}" for q in range(nqueues)]
        vdevs.append(f"--vdev=net_pcap{port}," + ",".join(args))
    command = [
        dpdk_harness.runfile(f"{PACKAGE}/{binary}"),
        *dpdk_harness.EAL_BASE_ARGS,
        "-l",
        lcores,
        f"--file-prefix=fw3{os.getpid()}",
        *vdevs,
        "--",
        "--idle-exit-ms=300",
        *runtime_args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}{done.stderr}"
    return {
        port: [dpdk_harness.read_pcap(os.path.join(workdir, f"out{port}_{q}.pcap")) for q in range(nqueues)]
        for port in range(PORTS)
    }


def test_oracle_tells_the_lans_apart() -> None:
    """Negative control of the oracle: replies of the two LANs differ, so a
    firewall that sent replies to the wrong LAN (or to both) would fail."""
    _, expected = _traffic()
    assert expected[0] and expected[1] and not set(expected[0]) & set(expected[1])


def test_parallel_on_three_ports_and_two_lcores() -> None:
    inputs, expected = _traffic()
    queues = _split(inputs)
    assert all(queues[port][q] for port in range(PORTS) for q in range(WORKERS)), "a queue got no packet"
    assert all(len(queues[lan][q]) < 32 for lan in LANS for q in range(WORKERS))
    out = _run("parallel", queues, "0,1", ["--no-rss"])
    for q in range(WORKERS):
        # Worker q forwards its LAN packets (port 0's burst, then port 1's) to
        # the WAN, and each reply of its queue to the LAN that opened the flow.
        assert out[WAN][q] == queues[0][q] + queues[1][q], f"WAN, queue {q}"
        for lan in LANS:
            want = [f for f in queues[WAN][q] if f in set(expected[lan])]
            assert out[lan][q] == want, f"LAN {lan}, queue {q}"
    for lan in LANS:
        # Every reply met its flow: the plan's RSS keeps a flow's three ports
        # on one worker.
        assert sorted(f for q in range(WORKERS) for f in out[lan][q]) == sorted(expected[lan])


def test_sequential_on_three_ports() -> None:
    inputs, expected = _traffic()
    out = _run("sequential", {port: [frames] for port, frames in inputs.items()}, "0", [])
    for port in range(PORTS):
        assert out[port][0] == expected[port], f"port {port}"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

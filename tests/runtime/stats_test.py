"""--stats-interval-ms and the telemetry commands of the DPDK runtimes.

The NF runs over net_pcap; the periodic lines' counters must add up to the
frames of the input pcaps and the frames written to the output pcaps, both
counted here with dpkt (not by the runtime). While the NF idles, the test asks
DPDK telemetry for /nfpar/stats and /nfpar/cores over its unix SOCK_SEQPACKET
socket and checks the same numbers. Telemetry works with --no-shconf: the
socket is created in the runtime directory of --file-prefix."""

import itertools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import dpkt
import pytest

from testing import dpdk_harness, frames

EAL = ["--no-huge", "--no-pci", "--no-shconf", "-m", "256", "--log-level=lib.eal:error"]
LINE = re.compile(r"^nfpar-stats t=(\d+\.\d+) (.*)$")


def count_frames(path):
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return sum(1 for _ in dpkt.pcap.Reader(f))


def telemetry_socket(prefix):
    """Where DPDK puts the socket: /var/run/dpdk for root, else XDG_RUNTIME_DIR or /tmp."""
    base = "/var/run" if os.geteuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix, "dpdk_telemetry.v2")


def query(path, command):
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.connect(path)
        hello = json.loads(s.recv(16384))
        assert "max_output_len" in hello
        s.send(command.encode())
        return json.loads(s.recv(hello["max_output_len"]))[command.split(",")[0]]


def periodic_groups(stdout):
    """{t: {"port": {p: fields}, "core": {k: fields}}} of the periodic lines."""
    groups = {}
    for line in stdout.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        fields = dict(item.split("=") for item in match.group(2).split())
        kind = "port" if "port" in fields else "core"
        key = int(fields.pop(kind))
        groups.setdefault(float(match.group(1)), {"port": {}, "core": {}})[kind][key] = {
            k: int(v) for k, v in fields.items()
        }
    return groups


def check_totals(group, rx_per_port, tx_per_port, cores):
    """Problems of one periodic group against counts made from the pcaps."""
    problems = []
    for port, expected in rx_per_port.items():
        got = group["port"][port]
        if got["rx"] != expected:
            problems.append(f"port {port}: rx {got['rx']}, the pcap has {expected}")
        if got["tx"] != tx_per_port[port]:
            problems.append(f"port {port}: tx {got['tx']}, the output pcap has {tx_per_port[port]}")
    outcomes = sum(p["tx"] + p["tx_failed"] for p in group["port"].values())
    outcomes += sum(p["nf_dropped"] + p["too_long"] for p in group["port"].values())
    if outcomes != sum(rx_per_port.values()):
        problems.append(f"tx + drops = {outcomes}, received {sum(rx_per_port.values())}")
    if sorted(group["core"]) != list(range(cores)):
        problems.append(f"cores {sorted(group['core'])}, expected {cores}")
    if sum(c["packets"] for c in group["core"].values()) != sum(rx_per_port.values()):
        problems.append("core packets do not add up to the ports' rx")
    return problems


def traffic():
    lan = [frames.udp_frame("192.168.0.10", "198.51.100.7", 40000 + i, 53) for i in range(90)]
    strangers = [frames.udp_frame("198.51.100.9", "192.168.0.10", 53, 50000 + i) for i in range(30)]
    replies = [frames.udp_frame("198.51.100.7", "192.168.0.10", 53, 40000 + i) for i in range(20)]
    return lan, strangers + replies


def start(binary, workdir, prefix, lcores, queues, extra):
    """Runs binary on 2 net_pcap ports, `queues` RX/TX queues each (input split over them)."""
    lan, wan = traffic()
    vdevs = []
    for port, packets in enumerate((lan, wan)):
        args = []
        for q in range(queues):
            path = os.path.join(workdir, f"in{port}_{q}.pcap")
            dpdk_harness.write_pcap(path, packets[q::queues])
            args += [f"rx_pcap={path}", f"tx_pcap={os.path.join(workdir, f'out{port}_{q}.pcap')}"]
        vdevs.append(f"--vdev=net_pcap{port}," + ",".join(args))
    command = [
        dpdk_harness.runfile(binary),
        *EAL,
        "-l",
        lcores,
        f"--file-prefix={prefix}",
        *vdevs,
        "--",
        "--idle-exit-ms=1500",
        "--stats-interval-ms=100",
        *extra,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize(
    "binary, lcores, queues, extra",
    [
        ("nfs/firewall/sequential", "0", 1, []),
        ("tests/parallel/firewall_parallel", "0,1", 2, ["--no-rss"]),
    ],
)
def test_periodic_statistics_and_telemetry_add_up(binary, lcores, queues, extra):
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    prefix = f"stats{os.getpid()}{queues}"
    process = start(binary, workdir, prefix, lcores, queues, extra)
    rx_per_port = {
        p: sum(count_frames(os.path.join(workdir, f"in{p}_{q}.pcap")) for q in range(queues)) for p in (0, 1)
    }
    path = telemetry_socket(prefix)
    telemetry = None
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(path) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert os.path.exists(path), f"no telemetry socket at {path}"
        # net_pcap delivers the whole pcap at once; wait until the workers have
        # processed all of it (every packet counted by the cores: its rx and tx
        # are done) rather than for a fixed time, which a loaded machine
        # overran (half the packets counted), then take the snapshot judged below.
        total = sum(rx_per_port.values())
        drained = time.monotonic() + 5
        while time.monotonic() < drained and process.poll() is None:
            cores = query(path, "/nfpar/cores") or {}  # None until the workers have started
            if sum(c["packets"] for c in cores.values()) >= total:
                break
            time.sleep(0.05)
        telemetry = (query(path, "/nfpar/stats"), query(path, "/nfpar/cores"), query(path, "/nfpar/stats,1"))
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    tx_per_port = {
        p: sum(count_frames(os.path.join(workdir, f"out{p}_{q}.pcap")) for q in range(queues)) for p in (0, 1)
    }
    assert sum(rx_per_port.values()) == 140 and tx_per_port[1] == 90  # the traffic as built

    groups = periodic_groups(stdout)
    times = sorted(groups)
    assert len(times) >= 10  # 1.5 s idle at 100 ms
    # Every group is complete; counters never decrease; the last one is the total.
    for earlier, later in itertools.pairwise(times):
        assert 0.05 < later - earlier < 0.5
        for port in (0, 1):
            assert groups[later]["port"][port]["rx"] >= groups[earlier]["port"][port]["rx"]
    assert check_totals(groups[times[-1]], rx_per_port, tx_per_port, queues) == []
    # Rates: the packets of each interval over its length; nothing once idle.
    assert all(groups[t]["port"][0]["rx_pps"] == 0 for t in times[-5:])
    first = next(t for t in times if groups[t]["port"][0]["rx"] > 0)
    assert groups[first]["port"][0]["rx_pps"] > 0

    ports, cores, port1 = telemetry
    assert {p: ports[f"port{p}"]["rx"] for p in (0, 1)} == rx_per_port
    assert {p: ports[f"port{p}"]["tx"] for p in (0, 1)} == tx_per_port
    assert port1 == ports["port1"]
    assert sorted(cores) == [f"core{k}" for k in range(queues)]
    assert sum(c["packets"] for c in cores.values()) == sum(rx_per_port.values())


def test_check_totals_negative_control():
    group = {
        "port": {
            0: {"rx": 90, "tx": 20, "nf_dropped": 0, "tx_failed": 0, "too_long": 0},
            1: {"rx": 50, "tx": 90, "nf_dropped": 30, "tx_failed": 0, "too_long": 0},
        },
        "core": {0: {"packets": 140}},
    }
    assert check_totals(group, {0: 90, 1: 50}, {0: 20, 1: 90}, 1) == []
    assert check_totals(group, {0: 91, 1: 50}, {0: 20, 1: 90}, 1) != []  # one frame more in the pcap
    assert check_totals(group, {0: 90, 1: 50}, {0: 20, 1: 89}, 1) != []
    assert check_totals(group, {0: 90, 1: 50}, {0: 20, 1: 90}, 2) != []


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

"""Jumbo and multi-segment frames: the DPDK sequential runtime (net_pcap, which
chains frames longer than an mbuf's 2048-byte data room over several mbufs)
sends exactly what the in-memory runtime (one contiguous buffer per frame)
sends, for UDP and TCP frames of 1500 to 9018 bytes through the firewall and
the NAT. The in-memory runtime is the oracle: it never sees an mbuf.

Pcaps are written with a 65535-byte snaplen: libpcap cuts records longer than
the file's snaplen (dpkt's default is 1500)."""

import os
import subprocess
import sys
import tempfile

import dpkt
import pytest

from testing import dpdk_harness, frames, inmem

SIZES = [1500, 1514, 2048, 2049, 4000, 6000, 9000, 9018]
LAN, REMOTE, EXT = "192.168.0.10", "198.51.100.7", "203.0.113.1"
NFS = {
    "firewall": ("nfs/firewall/sequential", "tests/parallel/firewall_inmem", []),
    "nat": (
        "nfs/nat/sequential",
        "tests/parallel/nat_inmem",
        ["--external-ip", EXT, "--port-start", "6000", "--max-flows", "64", "--expiry", "60s"],
    ),
}


def sized(make, size, *args):
    """A frame of exactly `size` bytes (valid checksums) from frames.udp_frame/tcp_frame."""
    base = len(make(*args, payload=b""))
    frame = make(*args, payload=bytes(i % 251 for i in range(size - base)))
    assert len(frame) == size and frames.checksums_valid(frame)
    return frame


def traffic():
    """LAN -> WAN flows of every size (fewer than one 32-frame burst, so the DPDK
    runtime reads them all before port 1), then WAN replies and strangers."""
    lan, wan = [], []
    for i, size in enumerate(SIZES):
        lan.append(sized(frames.udp_frame, size, LAN, REMOTE, 40000 + i, 53))
        lan.append(sized(frames.tcp_frame, size, LAN, REMOTE, 41000 + i, 80))
        wan.append(sized(frames.udp_frame, size, REMOTE, LAN, 53, 40000 + i))  # firewall: reply
        wan.append(sized(frames.udp_frame, size, REMOTE, EXT, 53, 6000 + i))  # nat: maybe a flow's port
        wan.append(sized(frames.tcp_frame, size, "198.51.100.99", LAN, 80, 42000 + i))  # stranger
    return lan, wan


def write_pcap(path, packets):
    with open(path, "wb") as f:
        writer = dpkt.pcap.Writer(f, snaplen=65535, linktype=dpkt.pcap.DLT_EN10MB)
        for i, frame in enumerate(packets):
            writer.writepkt(frame, ts=1.0 + i * 1e-6)


def read_pcap(path):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        return [bytes(buf) for _, buf in dpkt.pcap.Reader(f)]


def run_dpdk(binary, inputs, nf_args):
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    for port in range(2):
        write_pcap(os.path.join(workdir, f"in{port}.pcap"), inputs.get(port, []))
    command = [
        dpdk_harness.runfile(binary),
        *dpdk_harness.eal_args_for(workdir, 2),
        "--",
        "--idle-exit-ms=300",
        *nf_args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return {port: read_pcap(os.path.join(workdir, f"out{port}.pcap")) for port in range(2)}, done.stdout


def inmem_outputs(binary, lan, wan, nf_args):
    packets = [(0, f) for f in lan] + [(1, f) for f in wan]
    run = inmem.run(dpdk_harness.runfile(binary), inmem.timed(packets), "sequential", nf_args=nf_args)
    outputs = {0: [], 1: []}
    for outcome in sorted(run.outcomes, key=lambda o: o.index):
        assert outcome.verdict in (-1, 0, 1), outcome  # NF_DROP or a port; no floods here
        if outcome.verdict >= 0:
            outputs[outcome.verdict].append(outcome.frame)
    return outputs


def differences(got, expected):
    """Empty when both runtimes sent the same frames, in the same order, per port."""
    problems = []
    for port in sorted(set(got) | set(expected)):
        a, b = got.get(port, []), expected.get(port, [])
        if len(a) != len(b):
            problems.append(f"port {port}: {len(a)} frames, expected {len(b)}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                problems.append(f"port {port} frame {i}: {len(x)} bytes differ from the expected {len(y)}")
    return problems


@pytest.mark.parametrize("nf", sorted(NFS))
def test_jumbo_frames_match_the_in_memory_runtime(nf):
    dpdk_binary, inmem_binary, nf_args = NFS[nf]
    lan, wan = traffic()
    got, _ = run_dpdk(dpdk_binary, {0: lan, 1: wan}, nf_args)
    expected = inmem_outputs(inmem_binary, lan, wan, nf_args)
    assert differences(got, expected) == []
    # Every LAN frame, of every size, went out (none dropped as malformed), and
    # the sizes above the data room, which net_pcap chains, are among them.
    assert sorted(len(f) for f in got[1] if len(f) in SIZES) == sorted(len(f) for f in lan)
    assert all(frames.checksums_valid(f) for port in got for f in got[port])


def test_differences_negative_control():
    lan, _ = traffic()
    changed = bytearray(lan[-1])
    changed[-1] ^= 1
    assert differences({1: lan}, {1: lan}) == []
    assert differences({1: lan[:-1] + [bytes(changed)]}, {1: lan}) != []
    assert differences({1: lan[:-1]}, {1: lan}) != []


def test_frames_longer_than_the_runtime_buffer_are_counted_and_dropped():
    """Frames above 2048 bytes arrive chained; the runtime's buffer holds 16384
    bytes (RT_MAX_FRAME): 16384 goes through, 16385 is dropped and counted as
    too_long. net_pcap writes at most 16128 bytes of a chained frame
    (RTE_ETHER_MAX_JUMBO_FRAME_LEN, its TX copy buffer), so the 16384-byte
    frame is checked by the counters and its first 16128 bytes."""
    at_pcap_limit = sized(frames.udp_frame, 16128, LAN, REMOTE, 1, 2)
    at_buffer_limit = sized(frames.udp_frame, 16384, LAN, REMOTE, 3, 4)
    too_long = sized(frames.udp_frame, 16385, LAN, REMOTE, 5, 6)
    got, stdout = run_dpdk("nfs/firewall/sequential", {0: [at_pcap_limit, at_buffer_limit, too_long]}, [])
    assert got[1] == [at_pcap_limit, at_buffer_limit[:16128]]
    table = stdout[stdout.index("port statistics") :].splitlines()
    assert table[1].split() == ["port", "rx", "tx", "nf_dropped", "flooded", "tx_failed", "too_long"]
    assert table[2].split() == ["0", "3", "0", "0", "0", "0", "1"]
    assert table[3].split() == ["1", "0", "2", "0", "0", "0", "0"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

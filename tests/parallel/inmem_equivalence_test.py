"""The in-memory runtime: every strategy and worker count gives each packet the
outcome the sequential NF gives it (NOP, firewall, NAT with hand-written plans),
and packets reach the worker a NIC's RSS would pick (checked against an
independent Python Toeplitz)."""

from __future__ import annotations

import random
import sys

import pytest

from testing import dpdk_harness, frames, inmem, softrss
from testing.traffic.sessions import sessions

STRATEGIES = ("shared_nothing", "locks", "tm")
WORKERS = (1, 2, 4)


def binary(name: str) -> str:
    return dpdk_harness.runfile(f"tests/parallel/{name}")


def check_dispatch(run: inmem.Run, plan_path: str, workers: int) -> None:
    plan = inmem.load_plan(plan_path)
    ports = {p.port: p for p in plan.ports}
    for outcome, frame in zip(run.outcomes, _inputs_of(run), strict=True):
        if workers == 1:
            assert outcome.worker == 0
            continue
        port = ports[outcome.port]
        expected = softrss.queue_of(frame, bytes.fromhex(port.key_hex), port.rss_hf, plan.reta_size, workers)
        assert outcome.worker == expected, f"packet {outcome.index} on port {outcome.port}"


_INPUTS: dict[int, list[bytes]] = {}


def _inputs_of(run: inmem.Run) -> list[bytes]:
    return _INPUTS[id(run)]


def run_and_remember(name: str, packets, strategy: str, workers: int = 1, **kwargs) -> inmem.Run:
    result = inmem.run(binary(name), inmem.timed(packets), strategy, workers, **kwargs)
    assert [o.port for o in result.outcomes] == [p for p, _ in packets]
    _INPUTS[id(result)] = [f for _, f in packets]
    return result


def assert_same_outcomes(got: inmem.Run, want: inmem.Run, label: str) -> None:
    assert len(got.outcomes) == len(want.outcomes)
    for g, w in zip(got.outcomes, want.outcomes, strict=True):
        assert (g.verdict, g.frame) == (
            w.verdict,
            w.frame,
        ), f"{label}: packet {g.index} (port {g.port}, worker {g.worker})"


# ---------------------------------------------------------------- NOP


def nop_traffic() -> list[tuple[int, bytes]]:
    rng = random.Random(3)
    packets = [(rng.randrange(2), f) for f in frames.random_udp_frames(600, seed=4)]
    packets += [(0, b"\x00" * 20), (1, b"\xff" * 60)]
    return packets


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("workers", WORKERS)
def test_nop_matches_sequential(strategy: str, workers: int) -> None:
    packets = nop_traffic()
    want = run_and_remember("nop_inmem", packets, "sequential")
    assert [o.verdict for o in want.outcomes] == [1 - p for p, _ in packets]
    got = run_and_remember("nop_inmem", packets, strategy, workers)
    assert_same_outcomes(got, want, f"nop {strategy} x{workers}")
    check_dispatch(got, "tests/parallel/testdata/nop_plan.textproto", workers)
    if workers > 1:
        assert len({o.worker for o in got.outcomes}) == workers


# ---------------------------------------------------------------- firewall


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("workers", WORKERS)
def test_firewall_matches_sequential(strategy: str, workers: int) -> None:
    packets = sessions()
    want = run_and_remember("firewall_inmem", packets, "sequential")
    verdicts = [o.verdict for o in want.outcomes]
    # Independent expectation: 300 + 1 + 150 LAN packets out of port 1, the
    # 300 replies back to port 0, the 60 unsolicited packets dropped.
    assert verdicts.count(1) == 451 and verdicts.count(0) == 300 and verdicts.count(-1) == 60
    got = run_and_remember("firewall_inmem", packets, strategy, workers)
    assert_same_outcomes(got, want, f"firewall {strategy} x{workers}")
    check_dispatch(got, "tests/parallel/testdata/firewall_plan.textproto", workers)


def test_firewall_tm_forced_fallback_counts_every_packet() -> None:
    packets = sessions(seed=9, flows=50)
    want = run_and_remember("firewall_inmem", packets, "sequential")
    got = run_and_remember("firewall_inmem", packets, "tm", 2, extra=["--tm-force-fallback"])
    assert_same_outcomes(got, want, "firewall tm forced fallback")
    assert "(TM path: fallback lock (" in got.stdout
    assert (
        f"tm path=fallback lock commits=0 aborts=0 aborts_locked=0 aborts_refreshes=0 fallbacks={len(packets)}"
        in got.stdout
    )
    rows = [line.split() for line in got.stdout.splitlines() if line.strip()[:1].isdigit()]
    # worker cpu packets read_only write_rerun tm_commit tm_abort tm_fallback
    assert sum(int(r[2]) for r in rows) == len(packets)
    assert sum(int(r[7]) for r in rows) == len(packets)
    assert sum(int(r[5]) for r in rows) == 0


def test_firewall_locks_reruns_only_writers() -> None:
    packets = sessions(seed=11, flows=100)
    got = run_and_remember("firewall_inmem", packets, "locks", 2)
    rows = [line.split() for line in got.stdout.splitlines() if line.strip()[:1].isdigit()]
    read_only = sum(int(r[3]) for r in rows)
    reruns = sum(int(r[4]) for r in rows)
    assert read_only + reruns == len(packets)
    # Only the 100 flow creations write (the trace spans 3 ms: nothing expires).
    # Refreshes (100 replies, 50 repeated LAN packets) are deferred under the
    # read lock; unsolicited WAN packets and the non-IPv4 frame only read.
    assert reruns == 100
    assert read_only == 100 + 50 + 60 + 1
    refreshing = {o.index for o in got.outcomes if o.refreshes}
    assert all(o.refreshes in (0, 1) and (o.access == "r" or not o.refreshes) for o in got.outcomes)
    unsolicited = set(frames.random_udp_frames(60, seed=12))  # as sessions(seed=11) makes them
    expected = {i for i, (port, frame) in enumerate(packets) if i > 100 and frame not in unsolicited}
    assert len(expected) == 150
    assert refreshing == expected


# ---------------------------------------------------------------- NAT

NAT_ARGS = ["--external-ip", "198.51.100.1"]
NAT_PLAN = "tests/parallel/testdata/nat_plan.textproto"


def nat_lan_traffic(flows: int = 200, seed: int = 21) -> list[tuple[int, bytes]]:
    rng = random.Random(seed)
    packets = []
    for i in range(flows):
        int_ip, remote = (
            f"10.1.{i // 200}.{i % 200 + 1}",
            f"203.0.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        )
        packets.append((0, frames.udp_frame(int_ip, remote, rng.randrange(1024, 65536), 443)))
    return packets + packets[::3]


def nat_mapping(run: inmem.Run, packets) -> dict[tuple, int]:
    """LAN flow (src ip, src port, dst ip, dst port) -> external port handed out."""
    import dpkt

    mapping: dict[tuple, int] = {}
    for outcome, (_, frame) in zip(run.outcomes, packets, strict=True):
        if outcome.port != 0 or outcome.verdict != 1:
            continue
        before, after = dpkt.ethernet.Ethernet(frame).data, dpkt.ethernet.Ethernet(outcome.frame).data
        flow = (before.src, before.data.sport, before.dst, before.data.dport)
        assert after.src == bytes([198, 51, 100, 1])
        assert mapping.setdefault(flow, after.data.sport) == after.data.sport, f"flow {flow} changed port"
    return mapping


def with_replies(packets, mapping, seed: int = 23):
    import dpkt

    rng = random.Random(seed)
    replies = []
    for (int_ip, int_port, remote, remote_port), ext_port in mapping.items():
        del int_ip, int_port
        replies.append(
            (1, frames.udp_frame(dpkt.utils.inet_to_str(remote), "198.51.100.1", remote_port, ext_port))
        )
    rng.shuffle(replies)
    return packets + replies


def normalize_nat(run: inmem.Run) -> list[tuple[int, bytes]]:
    """Outcomes with the external port (LAN packets' rewritten source port)
    blanked: its value is the plan's declared difference."""
    out = []
    for o in run.outcomes:
        frame = bytearray(o.frame)
        if o.port == 0 and o.verdict == 1:
            frame[34:36] = b"\0\0"  # UDP source port
            frame[40:42] = b"\0\0"  # UDP checksum (covers the port)
        out.append((o.verdict, bytes(frame)))
    return out


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("workers", WORKERS)
def test_nat_lan_side_is_a_consistent_bijection(strategy: str, workers: int) -> None:
    packets = nat_lan_traffic()
    want = run_and_remember("nat_inmem", packets, "sequential", nf_args=NAT_ARGS)
    got = run_and_remember("nat_inmem", packets, strategy, workers, nf_args=NAT_ARGS)
    assert normalize_nat(got) == normalize_nat(want)
    mapping = nat_mapping(got, packets)
    assert len(mapping) == 200 and len(set(mapping.values())) == 200
    check_dispatch(got, NAT_PLAN, workers)
    if strategy == "shared_nothing":
        # Worker k hands out ports 1024 + [k*c, (k+1)*c), c = 32768 / workers.
        per_worker = 32768 // workers
        for o in got.outcomes:
            if o.verdict == 1:
                port = int.from_bytes(o.frame[34:36], "big")
                assert (port - 1024) // per_worker == o.worker


@pytest.mark.parametrize("workers", (2, 4))
def test_nat_sn_replies_reach_the_core_that_owns_the_flow(workers: int) -> None:
    lan = nat_lan_traffic(flows=150, seed=31)
    # Run 1 learns each run's own mapping; run 2 adds the WAN replies. Shared-
    # nothing and sequential allocate deterministically, so run 2 hands out the
    # same ports as run 1.
    seq_map = nat_mapping(run_and_remember("nat_inmem", lan, "sequential", nf_args=NAT_ARGS), lan)
    sn_map = nat_mapping(run_and_remember("nat_inmem", lan, "shared_nothing", workers, nf_args=NAT_ARGS), lan)
    seq_packets, sn_packets = with_replies(lan, seq_map), with_replies(lan, sn_map)
    want = run_and_remember("nat_inmem", seq_packets, "sequential", nf_args=NAT_ARGS)
    got = run_and_remember("nat_inmem", sn_packets, "shared_nothing", workers, nf_args=NAT_ARGS)
    replies_want = [(o.verdict, o.frame) for o in want.outcomes if o.port == 1]
    replies_got = [(o.verdict, o.frame) for o in got.outcomes if o.port == 1]
    assert [v for v, _ in replies_want] == [0] * 150
    # Replies are shuffled the same way over flows in the same order: compare
    # as multisets of translated frames.
    assert sorted(replies_got) == sorted(replies_want)
    check_dispatch(got, NAT_PLAN, workers)


def test_sn_refused_for_a_lock_plan() -> None:
    with pytest.raises(RuntimeError, match="does not allow shared-nothing"):
        inmem.run(binary("nop_lockplan_inmem"), inmem.timed(nop_traffic()), "shared_nothing", 2)


def test_lock_plan_without_keys_spreads_with_the_default_key() -> None:
    packets = nop_traffic()
    got = inmem.run(binary("nop_lockplan_inmem"), inmem.timed(packets), "locks", 2)
    key = bytes([0x6D, 0x5A]) * 20
    for o, (_, frame) in zip(got.outcomes, packets, strict=True):
        assert o.worker == softrss.queue_of(frame, key, 4 | 16 | 32, 64, 2)


# ---------------------------------------------------------------- replay


def _order_file(lines: list[str]) -> str:
    import os
    import tempfile

    path = os.path.join(tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR")), "order.csv")
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    return path


def test_order_replays_the_given_order_and_times() -> None:
    """--order: the firewall's reply arrives (in input order) after its request
    and is forwarded; replayed before the request it is dropped; replayed after
    the request but more than the expiry later, too."""
    lan = (0, frames.udp_frame("10.0.0.1", "93.184.1.1", 4000, 53))
    wan = (1, frames.udp_frame("93.184.1.1", "10.0.0.1", 53, 4000))
    packets = [lan, wan]
    want = run_and_remember("firewall_inmem", packets, "sequential")
    assert [o.verdict for o in want.outcomes] == [1, 0]
    swapped = inmem.run(
        binary("firewall_inmem"),
        inmem.timed(packets),
        "sequential",
        extra=[f"--order={_order_file(['1,0', '0,10'])}"],
    )
    assert [o.verdict for o in swapped.outcomes] == [1, -1]
    late = inmem.run(
        binary("firewall_inmem"),
        inmem.timed(packets),
        "sequential",
        extra=[f"--order={_order_file(['index,now_ns', '0,0', '1,20000000000'])}"],
    )
    assert [o.verdict for o in late.outcomes] == [1, -1]  # default expiry 10 s
    assert [o.now_ns for o in late.outcomes] == [0, 20000000000]


@pytest.mark.parametrize(
    "lines,message",
    [
        (["0,0", "0,1"], "line 2: index 0 already appears on line 1"),
        (["0,0"], "index 1 is missing"),
        (["0,0", "5,1"], "line 2: index 5 is not an input packet"),
        (["0,x"], "line 1: expected 'index,now_ns'"),
    ],
)
def test_bad_order_files_are_refused(lines: list[str], message: str) -> None:
    packets = sessions(flows=1)[:2]
    with pytest.raises(RuntimeError, match=message):
        inmem.run(
            binary("firewall_inmem"),
            inmem.timed(packets),
            "sequential",
            extra=[f"--order={_order_file(lines)}"],
        )


def test_order_and_window_need_their_modes() -> None:
    packets = sessions(flows=1)[:2]
    with pytest.raises(RuntimeError, match="--order replays a serialization"):
        inmem.run(
            binary("firewall_inmem"),
            inmem.timed(packets),
            "locks",
            2,
            extra=[f"--order={_order_file(['0,0', '1,0'])}"],
        )
    with pytest.raises(RuntimeError, match="--window-ns paces a replay"):
        inmem.run(
            binary("firewall_inmem"), inmem.timed(packets), "locks", 2, extra=["--window-ns=0", "--bench"]
        )


def test_window_zero_keeps_input_order() -> None:
    """--window-ns=0: no packet starts before every older one finished, so a
    locks run serializes in input order: writes numbered in input order, each
    read after the write before it, every time the packet's own."""
    packets = sessions(seed=13, flows=80)
    got = inmem.run(binary("firewall_inmem"), inmem.timed(packets), "locks", 4, extra=["--window-ns=0"])
    writes = 0
    for o in got.outcomes:
        if o.access == "w":
            writes += 1
        assert o.write_seq == writes, o
    # One write per flow creation; the 80 replies and 40 repeated LAN packets
    # refresh under the read lock (deferred, not writes).
    assert writes == 80 and len({o.worker for o in got.outcomes}) == 4
    assert sum(o.refreshes for o in got.outcomes) == 80 + 40


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

"""Per-core capacity behaviour, and regression tests for the divergences the
matrix found (docs/EQUIVALENCE.md, "Fixed divergences")."""

from __future__ import annotations

import sys

import pytest

from testing import frames as framing
from testing import inmem
from testing.traffic.profiles import Flow
from tests.equivalence import compare, matrix, serialization


def _lan_flows(count: int, start: int = 1_000_000_000) -> list[inmem.Packet]:
    """New LAN -> WAN UDP flows; servers and server ports vary so that RSS,
    whichever of the fields the plan hashes, spreads them over the workers."""
    return [
        inmem.Packet(
            0,
            start + i * 1000,
            framing.l4_frame(
                Flow(0x0A000000 + i, 0x5DB80000 + i * 7919 % 65536, 1024 + i % 60000, 1 + i * 31 % 60000, 17),
                64,
            ),
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("workers", (2, 4))
def test_sn_per_core_capacity_is_a_share_of_the_configured_one(workers: int) -> None:
    """Shared-nothing: with --max-flows 256 each worker holds 256 / workers flows
    (whatever the plan's capacity_per_core, made for the default 65536) and drops
    new flows beyond it, exactly as a sequential firewall of that capacity over
    the worker's own packets: the declared per-core capacity difference."""
    nf = matrix.load_nf("firewall")
    args = ["--max-flows", "256"]
    capacity = 256 // workers  # independent of declared.py: 256 is a power of two
    assert nf.decl.capacity_per_worker("flow_table", workers, args) == capacity
    assert nf.decl.worker_args(args, workers) == ["--max-flows", str(capacity)]
    packets = _lan_flows(256 + 64)
    par = inmem.run(nf.binary, packets, "shared_nothing", workers, nf_args=args)
    per_worker: dict[int, list[int]] = {}
    for o in par.outcomes:
        per_worker.setdefault(o.worker, []).append(o.index)
    assert len(per_worker) == workers
    for worker, indexes in per_worker.items():
        own = [packets[i] for i in indexes]
        ref = inmem.run(nf.binary, own, "sequential", nf_args=["--max-flows", str(capacity)])
        got = [par.outcomes[i].verdict for i in indexes]
        assert got == [o.verdict for o in ref.outcomes], f"worker {worker}"
        admitted = sum(v == 1 for v in got)
        assert admitted == min(capacity, len(indexes)), f"worker {worker}: {admitted} of {len(indexes)}"
    # Some worker overflowed its share although the total stayed within reach
    # of the sequential NF's capacity: the declared difference.
    assert any(len(ix) > capacity for ix in per_worker.values())
    assert sum(o.verdict == 1 for o in par.outcomes) <= 256


def test_sn_respects_the_configured_capacity() -> None:
    """Regression (runtime bug, fixed): a firewall configured with --max-flows 64
    admits 64 flows sequentially; shared-nothing with 1 worker admitted all 100
    when nf_par_build_layout handed every partitioned object the plan's
    capacity_per_core x cores / workers (made for the default --max-flows
    65536). Now the layout is a share (NF_LAYOUT_SHARE) of the requested 64."""
    nf = matrix.load_nf("firewall")
    packets = _lan_flows(100)
    seq = inmem.run(nf.binary, packets, "sequential", nf_args=["--max-flows", "64"])
    par = inmem.run(nf.binary, packets, "shared_nothing", 1, nf_args=["--max-flows", "64"])
    assert [o.verdict for o in seq.outcomes].count(1) == 64
    assert [o.verdict for o in par.outcomes].count(1) == 64


def test_sn_nat_ports_stay_in_the_configured_range() -> None:
    """Regression (same bug, on an index that leaves the NF): with --port-start
    60000 --max-flows 1024 (ports 60000..61023) and 2 workers, worker 1 got index
    base 16384 from the plan's default capacity and its ports wrapped around
    65535. Now worker k hands out 60000 + 512k + [0, 512)."""
    nf = matrix.load_nf("nat")
    args = ["--external-ip", "198.51.100.1", "--port-start", "60000", "--max-flows", "1024"]
    packets = _lan_flows(64)
    par = inmem.run(nf.binary, packets, "shared_nothing", 2, nf_args=args)
    forwarded = [o for o in par.outcomes if o.verdict == 1]
    assert len(forwarded) == 64 and {o.worker for o in forwarded} == {0, 1}
    for o in forwarded:
        port = int.from_bytes(o.frame[34:36], "big")
        assert 60000 + 512 * o.worker <= port < 60000 + 512 * (o.worker + 1), (o.worker, port)


def test_sn_share_of_zero_entries_is_refused_naming_the_objects() -> None:
    """--max-flows 2 over 4 workers leaves each worker 0 entries: start-up
    fails with a message naming the partitioned objects."""
    nf = matrix.load_nf("firewall")
    with pytest.raises(RuntimeError) as error:
        inmem.run(nf.binary, _lan_flows(4), "shared_nothing", 4, nf_args=["--max-flows", "2"])
    message = str(error.value)
    for name in ("flow_table", "flow_keys", "flow_chain"):
        assert f"'{name}'" in message, message
    assert "fewer workers" in message


def _lb_packets(filler: int, client_port: int) -> list[inmem.Packet]:
    """A backend's heartbeat behind `filler` dropped packets of its queue, then
    one client packet (on another queue in the plan's RSS). The backend, VIP
    and heartbeat come from the load balancer's test spec (shapes.Heartbeats)."""
    heartbeats = matrix.load_nf("load_balancer").entry.shape.background
    start = 1_000_000_000
    out = []
    backend = heartbeats.backends[0]
    heartbeat = heartbeats.heartbeat(backend, 0)
    # Same 4-tuple as the heartbeat (same queue), but TCP: not a heartbeat, and
    # from a backend that is not live yet: dropped.
    noise = Flow(backend, heartbeats.vip, heartbeats.port, heartbeats.port, 6)
    for i in range(filler):
        out.append(inmem.Packet(1, start + i, framing.l4_frame(noise, 64)))
    out.append(inmem.Packet(1, start + filler, heartbeat.frame))
    client = Flow(0x0A000001, heartbeats.vip, client_port, 80, 6)
    out.append(inmem.Packet(0, start + filler + 1, framing.l4_frame(client, 64)))
    return out


def test_lb_client_before_heartbeat_on_another_queue_is_a_serialization() -> None:
    """The heartbeat that makes a backend live sits behind 20000 packets of its
    queue; a client packet arrives just after it, alone on the other queue.
    Unpaced (no --window-ns), worker 1 usually processes the client before
    worker 0 reaches the heartbeat: the client is dropped, unlike in the
    sequential NF in input order. That is not a lost update: the run's
    serialization puts the client before the heartbeat, and the sequential NF
    replayed in that order drops it too. Paced with a window shorter than the
    gap, the client waits for the heartbeat and is served."""
    nf = matrix.load_nf("load_balancer")
    args = nf.entry.args("uniform")
    for client_port in range(40000, 40032):  # a client flow RSS puts on the other queue
        packets = _lb_packets(20000, client_port)
        par = inmem.run(nf.binary, packets, "locks", 2, nf_args=args)
        if par.outcomes[-1].worker != par.outcomes[-2].worker:
            break
    else:
        pytest.fail("no client port in 40000..40031 reaches the other queue")
    seq = inmem.run(nf.binary, packets, "sequential", nf_args=args)
    assert seq.outcomes[-1].verdict == 1
    heartbeat, client = par.outcomes[-2], par.outcomes[-1]
    assert heartbeat.access == "w"
    # Served exactly when serialized after the heartbeat.
    after = client.write_seq >= heartbeat.write_seq
    assert (client.verdict == 1) == after, (client, heartbeat)
    assert not serialization.check(packets, par)
    replay = inmem.run(nf.binary, packets, "sequential", nf_args=args, order=serialization.replay_order(par))
    result = compare.compare(packets, packets, replay, par, nf.decl, "locks", 2, reference="replay")
    assert result.ok(), result.report("load_balancer heartbeat/client (replay)")
    paced = inmem.run(nf.binary, packets, "locks", 2, nf_args=args, extra=["--window-ns=0"])
    assert paced.outcomes[-1].verdict == 1
    assert paced.outcomes[-1].write_seq >= paced.outcomes[-2].write_seq


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider", "-rxX"]))

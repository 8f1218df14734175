"""Negative and positive controls of the equivalence oracle (compare.py): hand-made
runs of a NAT-like NF (no NF binary). Frames are built with dpkt (checksums
computed from scratch, independently of compare.py's incremental updates) and
checked with an independent checksum verifier; each case's expected outcome
follows from the scenario, not from compare's output.

The NF model: LAN (port 0) packets get source (EXT, allocated port) and go to
port 1; a WAN (port 1) packet to (EXT, p) from the remote of the flow that
holds p on the packet's worker goes back to the flow's internal (ip, port)
on port 0, else it is dropped (per-worker state, as shared-nothing and the
per-worker references have). Replies reverse the run's own output of the client packet they answer,
as the matrix's servers do. The declared difference is the NAT's: writer field
l4.src_port of port 0, reader field l4.dst_port of port 1, base 1024, 64
entries (2 workers: worker 0 [1024, 1056), worker 1 [1056, 1088)).
"""

from __future__ import annotations

import dataclasses
import socket
import struct
import sys
from collections.abc import Callable

import dpkt
import pytest

from proto import nf_description_pb2, plan_pb2
from testing.inmem import Outcome, Packet, Run
from tests.equivalence import compare, declared

EXT = "198.51.100.1"
BASE = 1024
WORKERS = 2
# name -> (proto, internal ip, internal port, remote ip, remote port)
FLOWS = {
    "A": (17, "10.0.0.1", 40000, "93.184.0.1", 53),
    "B": (6, "10.0.0.2", 40001, "93.184.0.2", 443),
}
# (input port, flow) in input order: two outbound flows, their replies, A again.
SCHEDULE = [(0, "A"), (0, "B"), (1, "A"), (1, "B"), (0, "A"), (1, "A")]
SEQ_PORTS = {"A": 1024, "B": 1025}  # the sequential NF's allocation
PAR_PORTS = {"A": 1056, "B": 1057}  # worker 1's range


def frame(proto: int, src: str, sport: int, dst: str, dport: int, ttl: int = 64) -> bytes:
    if proto == 17:
        l4 = dpkt.udp.UDP(sport=sport, dport=dport, data=b"query-0123456789")
        l4.ulen = len(l4)
    else:
        l4 = dpkt.tcp.TCP(sport=sport, dport=dport, flags=dpkt.tcp.TH_ACK, seq=7, ack=9, data=b"hello")
    ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=proto, ttl=ttl, id=3, data=l4)
    ip.len = len(ip)
    eth = dpkt.ethernet.Ethernet(
        src=bytes.fromhex("020000000001"),
        dst=bytes.fromhex("020000000002"),
        type=dpkt.ethernet.ETH_TYPE_IP,
        data=ip,
    )
    return bytes(eth)


def _ones_sum(data: bytes) -> int:
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksums_ok(raw: bytes) -> bool:
    """Independent verifier: the IPv4 header and the TCP/UDP datagram (with its
    pseudo-header) sum to 0xffff; a UDP checksum of 0 means none."""
    ip = raw[14:34]
    if _ones_sum(ip) != 0xFFFF:
        return False
    proto, length = raw[23], struct.unpack("!H", raw[16:18])[0] - 20
    l4 = raw[34 : 34 + length]
    if proto == 17 and l4[6:8] == b"\0\0":
        return True
    return _ones_sum(raw[26:34] + bytes([0, proto]) + struct.pack("!H", length) + l4) == 0xFFFF


def fields(raw: bytes) -> tuple[int, str, int, str, int]:
    ip = dpkt.ethernet.Ethernet(raw).data
    return ip.p, socket.inet_ntoa(ip.src), ip.data.sport, socket.inet_ntoa(ip.dst), ip.data.dport


def reverse(raw: bytes) -> bytes:
    proto, src, sport, dst, dport = fields(raw)
    return frame(proto, dst, dport, src, sport)


Tweak = Callable[[bytes], bytes]


def nat_run(
    ports: dict[str, int],
    worker: int | dict[str, int],
    port_at: dict[int, int] | None = None,
    out_tweak: dict[int, Tweak] | None = None,
    drop: frozenset[int] = frozenset(),
) -> tuple[list[Packet], Run]:
    """One run: `ports` is the allocation per flow (port_at overrides it for a
    packet index); out_tweak edits an output as the NF left it (before servers
    answer it); drop: packets the NF drops."""
    packets, outcomes = [], []
    table: dict[tuple[int, int], str] = {}  # (worker, port) -> flow: per-worker state
    last_out: dict[str, bytes] = {}
    for i, (port, name) in enumerate(SCHEDULE):
        proto, ip, iport, remote, rport = FLOWS[name]
        on = worker[name] if isinstance(worker, dict) else worker
        if port == 0:
            given = (port_at or {}).get(i, ports[name])
            table[(on, given)] = name
            inp = frame(proto, ip, iport, remote, rport)
            out, verdict = frame(proto, EXT, given, remote, rport), 1
        else:
            inp = reverse(last_out[name])
            _, src, sport, dst, dport = fields(inp)
            owner = table.get((on, dport))
            ok = dst == EXT and owner is not None and FLOWS[owner][3:] == (src, sport)
            if ok:
                o_proto, o_ip, o_port = FLOWS[owner][:3]
                out, verdict = frame(o_proto, src, sport, o_ip, o_port), 0
            else:
                out, verdict = inp, -1
        if i in drop:
            verdict = -1
        if out_tweak and i in out_tweak:
            out = out_tweak[i](out)
        if port == 0:
            last_out[name] = out
        packets.append(Packet(port, 1_000_000 * (i + 1), inp))
        outcomes.append(Outcome(i, port, on, verdict, out))
    return packets, Run(outcomes, "", [])


def nat_declared() -> declared.Declared:
    plan = plan_pb2.Plan(strategy=plan_pb2.SHARED_NOTHING)
    chain = nf_description_pb2.StateObject(
        name="flow_chain", kind=nf_description_pb2.StateObject.DCHAIN, capacity=64
    )
    field = declared.IndexField("flow_chain", 0, "l4.src_port", 1, "l4.dst_port", BASE)
    return declared.Declared(plan, [field], {"flow_chain": chain})


def check(par_packets: list[Packet], par: Run, seq_ports: dict[str, int] = SEQ_PORTS) -> compare.Result:
    for p, o in zip(par_packets, par.outcomes, strict=True):
        assert checksums_ok(p.frame), p
        if o.verdict >= 0:
            assert checksums_ok(o.frame), o
    seq_packets, seq = nat_run(seq_ports, worker=0)
    return compare.compare(seq_packets, par_packets, seq, par, nat_declared(), "shared_nothing", WORKERS)


def diverging(result: compare.Result) -> list[int]:
    return [d.index for d in result.divergences]


def with_tweak(edit: Callable[[dpkt.ethernet.Ethernet], None]) -> Tweak:
    """An output edited by `edit`, checksums recomputed (dpkt: zeroed sums are
    recomputed when packed)."""

    def tweak(raw: bytes) -> bytes:
        eth = dpkt.ethernet.Ethernet(raw)
        edit(eth)
        eth.data.sum = 0
        eth.data.data.sum = 0
        return bytes(eth)

    return tweak


# 1. Correct renamed runs.


def test_correct_renamed_run_is_equivalent() -> None:
    par_packets, par = nat_run(PAR_PORTS, worker=1)
    seq_packets, seq = nat_run(SEQ_PORTS, worker=0)
    # The runs really differ: outbound source ports, reply inputs, checksums.
    assert fields(par.outcomes[0].frame)[2] == 1056 and fields(seq.outcomes[0].frame)[2] == 1024
    assert par_packets[2].frame != seq_packets[2].frame
    result = check(par_packets, par)
    assert result.ok(), result.report("renamed")


def test_identity_renaming_is_equivalent() -> None:
    par_packets, par = nat_run(SEQ_PORTS, worker=0)
    result = check(par_packets, par)
    assert result.ok(), result.report("identity")


def test_udp_without_checksum_stays_without() -> None:
    """UDP checksum 0 (none) in both runs' outputs: renaming keeps it 0."""

    def no_sum(raw: bytes) -> bytes:
        return raw[:40] + b"\0\0" + raw[42:] if raw[23] == 17 else raw

    tweaks = dict.fromkeys((0, 4), no_sum)
    seq_packets, seq = nat_run(SEQ_PORTS, worker=0, out_tweak=tweaks)
    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak=tweaks)
    assert par.outcomes[0].frame[40:42] == b"\0\0"
    result = compare.compare(seq_packets, par_packets, seq, par, nat_declared(), "shared_nothing", WORKERS)
    assert result.ok(), result.report("udp without checksum")
    # And a parallel output that dropped the checksum where the sequential
    # one kept it diverges.
    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={0: no_sum})
    result = check(par_packets, par)
    assert 0 in diverging(result), result.report("udp checksum dropped")


def test_reader_field_copied_by_the_nf_is_translated() -> None:
    """A reply the NF forwards untouched (a transparent NF on port 1): the
    output holds the input's renamed port in both runs, so it is translated."""

    def transparent(packets: list[Packet], run: Run) -> Run:
        outcomes = [
            dataclasses.replace(o, verdict=0, frame=p.frame) if p.port == 1 else o
            for p, o in zip(packets, run.outcomes, strict=True)
        ]
        return Run(outcomes, "", [])

    seq_packets, seq = nat_run(SEQ_PORTS, worker=0)
    par_packets, par = nat_run(PAR_PORTS, worker=1)
    seq, par = transparent(seq_packets, seq), transparent(par_packets, par)
    result = compare.compare(seq_packets, par_packets, seq, par, nat_declared(), "shared_nothing", WORKERS)
    assert result.ok(), result.report("copied reader field")


def test_per_worker_references_name_their_own_values() -> None:
    """Overflow profile: worker k is compared with its own sequential reference
    (Outcome.worker k), which allocates from 1024 like any sequential NF: both
    references give 1024, to different flows, and that is a bijection of
    (reference, value) to parallel values."""
    workers = {"A": 0, "B": 1}
    seq_packets, seq = nat_run({"A": 1024, "B": 1024}, worker=workers)
    par_packets, par = nat_run({"A": 1024, "B": 1056}, worker=workers)
    result = compare.compare(seq_packets, par_packets, seq, par, nat_declared(), "shared_nothing", WORKERS)
    assert result.ok(), result.report("per-worker references")


def test_reply_to_an_ended_lifetime_is_translated_with_its_pair() -> None:
    """A expires (idle_ns) before its reply; B then takes A's values in both
    runs (sequential 1024, parallel 1056). The late reply to A answers A's
    pair, which is also B's: the NAT forwards it to B in both runs when the
    remote matches; here it does not (B's remote differs), so both drop it."""
    seq_packets, seq = nat_run({"A": 1024, "B": 1024}, worker=0)
    par_packets, par = nat_run({"A": 1056, "B": 1056}, worker=1)
    # Packets are 1 ms apart: with idle_ns 0.5 ms every flow has ended by its
    # next packet, so no two lifetimes overlap.
    result = compare.compare(
        seq_packets, par_packets, seq, par, nat_declared(), "shared_nothing", WORKERS, 500_000
    )
    assert result.ok(), result.report("ended lifetime")
    assert par.outcomes[2].verdict == -1 and seq.outcomes[2].verdict == -1


# 2. Wrong reply port: the bug blanking hid (the renamed reply input made the
# reader field differ, so the output's restored port was blanked too).


def test_reply_restored_to_the_wrong_internal_port_diverges() -> None:
    def wrong_port(eth: dpkt.ethernet.Ethernet) -> None:
        eth.data.data.dport = 40001

    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={2: with_tweak(wrong_port)})
    assert fields(par.outcomes[2].frame)[4] == 40001 and checksums_ok(par.outcomes[2].frame)
    result = check(par_packets, par)
    assert not result.ok()
    assert diverging(result) == [2], result.report("wrong reply port")
    assert not result.index_problems


# 3. Ports swapped between flows mid-stream.


def test_flow_taking_another_flows_port_mid_stream_fails() -> None:
    """Flow A's second packet leaves with flow B's parallel port 1057 (A's reply
    answers it): A's live lifetime changed its parallel value while the
    sequential one kept 1024."""
    par_packets, par = nat_run(PAR_PORTS, worker=1, port_at={4: PAR_PORTS["B"]})
    result = check(par_packets, par)
    assert not result.ok()
    assert any("packet 4" in p and "same live flow" in p for p in result.index_problems), result.report(
        "swap"
    )


def test_reply_carrying_another_flows_port_diverges() -> None:
    """The parallel reply to A arrives on B's parallel port while the sequential
    one arrives on A's: the inputs are not images of each other."""

    def to_b(raw: bytes) -> bytes:
        proto, src, sport, dst, _ = fields(raw)
        return frame(proto, src, sport, dst, PAR_PORTS["B"])

    par_packets, par = nat_run(PAR_PORTS, worker=1)
    par_packets[5] = dataclasses.replace(par_packets[5], frame=to_b(par_packets[5].frame))
    result = check(par_packets, par)
    assert 5 in diverging(result), result.report("reply on B's port")


# 4. Not a bijection.


def test_two_sequential_values_on_one_parallel_value_fails() -> None:
    par_packets, par = nat_run({"A": 1056, "B": 1056}, worker=1)
    result = check(par_packets, par)
    assert not result.ok()
    assert any("1056 given to two live flows" in p for p in result.index_problems), result.report("merge")


def test_one_sequential_value_on_two_parallel_values_fails() -> None:
    """The reverse direction: both flows live under one sequential value
    (1024) but two parallel values; no renaming explains that."""
    par_packets, par = nat_run(PAR_PORTS, worker=1)
    seq_packets, seq = nat_run({"A": 1024, "B": 1024}, worker=0)
    result = compare.compare(seq_packets, par_packets, seq, par, nat_declared(), "shared_nothing", WORKERS)
    assert not result.ok()
    assert any("not a bijection" in p for p in result.index_problems), result.report("split")


# 5. Wrong checksum.


def test_wrong_checksum_in_a_renamed_packet_diverges() -> None:
    def bad_sum(raw: bytes) -> bytes:
        at = 40 if raw[23] == 17 else 50
        value = (int.from_bytes(raw[at : at + 2], "big") + 1) & 0xFFFF
        return raw[:at] + value.to_bytes(2, "big") + raw[at + 2 :]

    for index in (0, 1):  # UDP and TCP
        par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={index: bad_sum})
        assert not checksums_ok(par.outcomes[index].frame)
        seq_packets, seq = nat_run(SEQ_PORTS, worker=0)
        result = compare.compare(
            seq_packets, par_packets, seq, par, nat_declared(), "shared_nothing", WORKERS
        )
        # The reply answers the output's addresses and ports, recomputing checksums,
        # so only the packet itself diverges.
        assert diverging(result) == [index], result.report(f"bad checksum at {index}")


def test_wrong_ip_header_checksum_diverges() -> None:
    def bad_ip_sum(raw: bytes) -> bytes:
        return raw[:24] + bytes([raw[24] ^ 1]) + raw[25:]

    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={4: bad_ip_sum})
    seq_packets, seq = nat_run(SEQ_PORTS, worker=0)
    result = compare.compare(seq_packets, par_packets, seq, par, nat_declared(), "shared_nothing", WORKERS)
    assert diverging(result) == [4], result.report("bad ip checksum")


# 6. Dropped reply.


def test_dropped_reply_diverges() -> None:
    par_packets, par = nat_run(PAR_PORTS, worker=1, drop=frozenset({3}))
    result = check(par_packets, par)
    assert diverging(result) == [3], result.report("dropped reply")


# 7. Wrong IP.


def test_wrong_source_ip_diverges() -> None:
    """B leaves from 198.51.100.2: its output diverges, and B's reply (sent to
    that address, which the NAT drops) has a different input."""

    def wrong_ip(eth: dpkt.ethernet.Ethernet) -> None:
        eth.data.src = socket.inet_aton("198.51.100.2")

    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={1: with_tweak(wrong_ip)})
    result = check(par_packets, par)
    assert diverging(result) == [1, 3], result.report("wrong ip")


def test_wrong_restored_ip_diverges() -> None:
    def wrong_ip(eth: dpkt.ethernet.Ethernet) -> None:
        eth.data.dst = socket.inet_aton("10.0.0.9")

    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={5: with_tweak(wrong_ip)})
    result = check(par_packets, par)
    assert diverging(result) == [5], result.report("wrong restored ip")


# 8. A difference in an undeclared field.


def test_undeclared_field_difference_diverges() -> None:
    def ttl(eth: dpkt.ethernet.Ethernet) -> None:
        eth.data.ttl = 63

    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={4: with_tweak(ttl)})
    result = check(par_packets, par)
    assert diverging(result) == [4], result.report("ttl")


@pytest.mark.parametrize("index", (2, 3))
def test_reply_source_port_is_not_declared(index: int) -> None:
    """l4.src_port is the writer field on port 0 only: on a reply's output it
    must be equal."""

    def sport(eth: dpkt.ethernet.Ethernet) -> None:
        eth.data.data.sport += 1

    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={index: with_tweak(sport)})
    result = check(par_packets, par)
    assert diverging(result) == [index], result.report("reply source port")


def test_outbound_destination_port_is_not_declared() -> None:
    """A's first packet leaves to remote port 54 instead of 53: it diverges, and
    so does A's reply, whose input (from that remote port) differs."""

    def dport(eth: dpkt.ethernet.Ethernet) -> None:
        eth.data.data.dport = 54

    par_packets, par = nat_run(PAR_PORTS, worker=1, out_tweak={0: with_tweak(dport)})
    result = check(par_packets, par)
    assert diverging(result)[:2] == [0, 2], result.report("outbound destination port")


def test_index_outside_the_workers_range_is_reported() -> None:
    """Kept from before: worker 1 handing out worker 0's port 1030."""
    par_packets, par = nat_run({"A": 1030, "B": 1057}, worker=1)
    result = check(par_packets, par)
    assert any("outside the worker's range [32, 64)" in p for p in result.index_problems), result.report(
        "range"
    )


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

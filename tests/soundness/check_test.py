"""The checker's lifetime logic on synthetic access logs (expected pairs by
hand from the rules in check.py's docstring), and its verdicts with RSS on
synthetic plans."""

from __future__ import annotations

import sys
import unittest

import pytest

from proto import plan_pb2
from testing import frames as framing
from testing.inmem import Packet
from testing.traffic.profiles import Flow
from tests.soundness import check
from tests.soundness.trace import Access, Trace

P = plan_pb2.ObjectDecision
K1 = b"\x01" * 4
K2 = b"\x02" * 4


def pairs(accesses, placements=None, disjoint=(), answers=None):
    kinds = {a.obj: a.kind for a in accesses}
    placements = placements or {name: P.PARTITIONED for name in kinds}
    life = check._Lifetimes(placements, set(disjoint), answers or {})
    for a in accesses:
        life.feed(a)
    return {(p.obj, p.first, p.second) for p in life.pairs}, life


def m(packet, op, key=K1, value=None):
    return Access(packet, "table", "map", op, None, value, key)


def d(packet, op, index=7, obj="chain"):
    return Access(packet, obj, "dchain", op, index, None, None)


def v(packet, op, index=7, obj="cells"):
    return Access(packet, obj, "vector", op, index, None, None)


def s(packet, op, key=K1):
    return Access(packet, "sketch", "sketch", op, None, None, key if op != "sketch_expire" else None)


class LifetimeTest(unittest.TestCase):
    def test_map_lifetime_from_put_to_erase_and_misses_free(self):
        got, _ = pairs(
            [
                m(0, "get_miss"),
                m(0, "put_new", value=1),
                m(1, "get_hit", value=1),
                m(2, "put_exists", value=5),
                m(3, "erase"),
                m(4, "get_miss"),  # after the erase: nothing to meet
                m(5, "erase_miss"),
                m(6, "put_new", value=2),  # a new lifetime, its own creator
                m(7, "get_hit", value=2),
            ]
        )
        self.assertEqual(got, {("table", 0, 1), ("table", 0, 2), ("table", 0, 3), ("table", 6, 7)})

    def test_map_expiry_ends_the_lifetime_without_a_pair(self):
        got, _ = pairs([m(0, "put_new"), m(1, "expire"), m(2, "get_miss"), m(3, "put_new"), m(4, "get_hit")])
        self.assertEqual(got, {("table", 3, 4)})

    def test_hit_without_creation_is_an_inconsistent_trace(self):
        with pytest.raises(ValueError, match="no put created"):
            pairs([m(0, "get_hit")])

    def test_init_entries_are_everywhere_until_a_packet_erases_them(self):
        got, _ = pairs([m(-1, "put_new"), m(1, "get_hit"), m(2, "erase"), m(3, "get_miss"), m(4, "put_new")])
        # Reads of the init copy meet nobody; after packet 2 erased its copy,
        # every later access to the key must be on packet 2's worker.
        self.assertEqual(got, {("table", 2, 3), ("table", 2, 4)})

    def test_dchain_lifetime_is_the_allocation(self):
        got, _ = pairs(
            [
                d(0, "alloc"),
                d(1, "refresh"),
                d(2, "expire"),
                d(3, "check_miss"),
                d(3, "refresh_miss"),
                d(4, "alloc"),  # same index value, new lifetime
                d(5, "check_hit"),
                d(6, "free"),
                d(7, "free_miss"),
                d(8, "alloc_full", index=None),
            ]
        )
        self.assertEqual(got, {("chain", 0, 1), ("chain", 4, 5), ("chain", 4, 6)})

    def test_vector_read_meets_the_last_writer(self):
        got, _ = pairs(
            [
                v(0, "read"),  # never written: zero on every worker
                v(1, "write"),
                v(2, "read"),
                v(3, "write"),
                v(4, "read"),
                v(5, "expire_read"),  # expiry: time-driven, no pair
                v(6, "read", index=8),
            ]
        )
        self.assertEqual(got, {("cells", 1, 2), ("cells", 3, 4)})

    def test_sketch_key_lives_forever_from_its_first_increment(self):
        got, _ = pairs(
            [
                s(0, "estimate"),  # no count of the key anywhere yet
                s(1, "increment"),
                s(2, "estimate"),
                s(3, "increment"),
                s(4, "sketch_expire"),
                s(5, "estimate"),
                s(6, "estimate", key=K2),
            ]
        )
        self.assertEqual(got, {("sketch", 1, 2), ("sketch", 1, 3), ("sketch", 1, 5)})

    def test_disjoint_indexes_bind_by_lifetime_not_by_value(self):
        log = [
            m(0, "get_miss"),
            d(0, "alloc", index=3),
            v(0, "write", index=3),
            m(0, "put_new", value=3),
            d(1, "check_hit", index=3),  # carries 3 by chance: not a reply
            v(1, "read", index=3),
            d(2, "check_hit", index=3),  # answers packet 0's output
            v(2, "read", index=3),
            d(2, "refresh", index=3),
            m(3, "get_hit", value=3),  # index from the state: bound
            d(3, "refresh", index=3),
            d(4, "expire", index=3),
            m(4, "expire"),
            d(5, "alloc", index=3),  # index 3 again, a new lifetime
            v(5, "write", index=3),
            d(6, "check_hit", index=3),  # answers packet 0: that lifetime ended
        ]
        answers = {2: 0, 6: 0}
        got, life = pairs(log, disjoint=("chain", "cells"), answers=answers)
        self.assertEqual(
            got,
            {("chain", 0, 2), ("cells", 0, 2), ("chain", 0, 2), ("table", 0, 3), ("chain", 0, 3)},
        )
        self.assertEqual(life.unbound, 3)  # packet 1 twice, packet 6 once
        # Without index_ranges_disjoint the value is the identity: all bind.
        got, life = pairs(log, answers=answers)
        self.assertIn(("chain", 0, 1), got)
        self.assertIn(("cells", 0, 1), got)
        self.assertIn(("chain", 5, 6), got)
        self.assertEqual(life.unbound, 0)

    def test_a_reply_to_a_reply_keeps_the_binding(self):
        log = [d(0, "alloc", index=3), d(1, "check_hit", index=3), d(2, "check_hit", index=3)]
        got, _ = pairs(log, disjoint=("chain",), answers={1: 0, 2: 1})
        self.assertEqual(got, {("chain", 0, 1), ("chain", 0, 2)})

    def test_only_partitioned_objects_pair(self):
        log = [m(0, "put_new"), m(1, "get_hit")]
        for placement in (P.SHARED_LOCKED, P.REPLICATED, P.SHARED_TRANSACTIONAL):
            got, _ = pairs(log, placements={"table": placement})
            self.assertEqual(got, set())


# ---------------------------------------------------------------- with RSS
def _frame(src: int, dst: int, sport: int, dport: int) -> bytes:
    return framing.l4_frame(Flow(src, dst, sport, dport, 17), 64)


def _plan(strategy, placement, key1: bytes, disjoint=False) -> plan_pb2.Plan:
    plan = plan_pb2.Plan(strategy=strategy, reta_size=512)
    plan.objects.add(object="table", placement=placement, index_ranges_disjoint=disjoint)
    # Port 0: a zero key (every packet -> RETA entry 0); port 1: key1.
    plan.ports.add(port=0, key=bytes(52), rss_hf=0x34)
    plan.ports.add(port=1, key=key1, rss_hf=0x34, hashed_fields=list(check.FIELD_BYTES))
    return plan


def _run(accesses, packets):
    return check.Run("synthetic", packets, {}, Trace({"table": "map"}, accesses, []))


class VerdictTest(unittest.TestCase):
    def setUp(self):
        self.key1 = bytes(range(1, 53))
        self.packets = [Packet(0, 1, _frame(0x0A000001, 0x08080808, 1000, 53))]
        # Find a port-1 packet the key puts on RETA entry 0 and one it does not.
        from testing.softrss import entry_of

        same = other = None
        for sport in range(1, 5000):
            f = _frame(0x08080808, 0x0A000001, 53, sport)
            q = entry_of(f, self.key1, 0x34, 512)
            if q == 0 and same is None:
                same = f
            if q not in (0, 1) and other is None:
                other, self.other_entry = f, q
            if same and other:
                break
        self.packets += [Packet(1, 2, same), Packet(1, 3, other)]

    def test_pairs_on_one_entry_pass_and_a_split_names_the_object_packets_and_workers(self):
        log = [m(0, "put_new"), m(1, "get_hit"), m(2, "get_hit")]
        report = check.check(
            _plan(plan_pb2.SHARED_NOTHING, P.PARTITIONED, self.key1), [_run(log, self.packets)]
        )
        self.assertFalse(report.ok)
        self.assertEqual(len(report.failures), 1)
        f = report.failures[0]
        self.assertEqual((f.pair.obj, f.pair.first, f.pair.second), ("table", 0, 2))
        # Entry 0 (queue 0 under the RETA rule) vs entry e first differ at the
        # smallest w whose table sends e elsewhere.
        from parallelizer.sharding import reta

        w = next(w for w in range(1, 65) if reta.table(512, w)[self.other_entry])
        self.assertEqual(
            (f.workers, f.worker_first, f.worker_second), (w, 0, reta.table(512, w)[self.other_entry])
        )
        text = str(f)
        self.assertIn("object table", text)
        self.assertIn("packet 2 (port 1, udp 8.8.8.8:53 -> 10.0.0.1:", text)

    def test_locks_plans_are_trivially_satisfied(self):
        log = [m(0, "put_new"), m(1, "get_hit"), m(2, "get_hit")]
        for strategy in (plan_pb2.LOCKS, plan_pb2.TRANSACTIONAL_MEMORY):
            report = check.check(_plan(strategy, P.PARTITIONED, self.key1), [_run(log, self.packets)])
            self.assertTrue(report.ok)
            self.assertIn("trivially satisfied", check.summary("x", report, []))

    def test_replicated_objects_must_not_be_written_by_packets(self):
        log = [m(-1, "put_new"), m(1, "get_hit"), m(2, "erase")]
        report = check.check(
            _plan(plan_pb2.SHARED_NOTHING, P.REPLICATED, self.key1), [_run(log, self.packets)]
        )
        self.assertEqual(len(report.errors), 1)
        self.assertIn(
            "REPLICATED object table written on the packet path: erase by packet 2", report.errors[0]
        )

    def test_objects_missing_from_the_plan_are_errors(self):
        log = [m(0, "put_new")]
        run = check.Run("synthetic", self.packets, {}, Trace({"table": "map", "extra": "map"}, log, []))
        report = check.check(_plan(plan_pb2.SHARED_NOTHING, P.PARTITIONED, self.key1), [run])
        self.assertIn("object 'extra' is not in the plan", report.errors[0])


def test_hashed_fields_must_be_true_of_the_key():
    frames = [Packet(1, i, _frame(0x08080808 + i, 0x0A000001, 53, 1000 + i)) for i in range(8)]
    plan = _plan(plan_pb2.SHARED_NOTHING, P.PARTITIONED, bytes(range(1, 53)))
    assert check.check_hashed_fields(plan, frames) == []
    del plan.ports[1].hashed_fields[:]
    plan.ports[1].hashed_fields.append("ipv4.dst")
    errors = check.check_hashed_fields(plan, frames)
    assert [e.split(",")[0] for e in errors] == [
        f"port 1: hashed_fields ['ipv4.dst'] leave out {f}"
        for f in ("ipv4.src", "l4.src_port", "l4.dst_port")
    ]
    # The zero key on port 0 hashes nothing: listing no field is true.
    assert all(not e.startswith("port 0") for e in errors)


def test_hashed_fields_ipv6_must_be_true_of_the_key():
    """The IPv6 list is checked on IPv6 packets; the IPv4 list does not cover them."""
    base = framing.ip6_int("2001:db8::")
    frames = [
        Packet(1, i, framing.l4_frame(Flow(base + 7 * i, base + (1 << 80) + i, 53, 1000 + i, 17, 6), 64))
        for i in range(8)
    ]
    plan = _plan(plan_pb2.SHARED_NOTHING, P.PARTITIONED, bytes(range(1, 53)))
    plan.ports[1].rss_hf |= 0xD00  # IPV6, NONFRAG_IPV6_TCP/UDP
    plan.ports[1].hashed_fields_ipv6.extend(check.FIELD_BYTES_IPV6)
    assert check.check_hashed_fields(plan, frames) == []
    del plan.ports[1].hashed_fields_ipv6[:]
    plan.ports[1].hashed_fields_ipv6.append("ipv6.dst")
    errors = check.check_hashed_fields(plan, frames)
    assert [e.split(",")[0] for e in errors] == [
        f"port 1: hashed_fields_ipv6 ['ipv6.dst'] leave out {f}"
        for f in ("ipv6.src", "l4.src_port", "l4.dst_port")
    ]
    # Without the IPv6 hash types the key hashes no IPv6 field: listing none is true.
    plan.ports[1].rss_hf &= ~0xD00
    del plan.ports[1].hashed_fields_ipv6[:]
    assert check.check_hashed_fields(plan, frames) == []


def test_flow_text():
    assert check.flow_text(_frame(0x0A000001, 0x08080808, 1000, 53)) == "udp 10.0.0.1:1000 -> 8.8.8.8:53"
    assert check.flow_text(b"\x00" * 20) == "non-IP frame of 20 bytes"
    six = framing.l4_frame(
        Flow(framing.ip6_int("2001:db8::1"), framing.ip6_int("2001:db8:1::2"), 1000, 53, 6, 6)
    )
    assert check.flow_text(six) == "tcp [2001:db8::1]:1000 -> [2001:db8:1::2]:53"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

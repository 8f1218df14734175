"""Dual stack: IPv4 and IPv6 constraints in one GF(2) system per key, checked
against the byte-level Toeplitz hash of real IPv4 and IPv6 inputs
(toeplitz.ipv4_l4_input / ipv6_l4_input), not against the solver's equations."""

import random
import sys

import numpy as np
import pytest

from parallelizer.sharding import dependencies, fields, planner, quality, reta, rss_solver, toeplitz, verify
from parallelizer.testing import descriptions as td
from proto import nf_description_pb2 as desc_pb2
from proto import plan_pb2

P = fields.parse_field_bits
V4, V6 = fields.IPV4, fields.IPV6
BOTH = {0: (V4, V6), 1: (V4, V6)}
Family = desc_pb2.Path.Family


def keyed(port, names, fa, fb, origin="keyed"):
    return dependencies.Constraint(
        port, port, tuple(dependencies.FieldEq(P(n), P(n)) for n in names), origin, (), fa, fb
    )


# Flow state per family, both directions of a flow on ports 0 / 1 (a
# dual-stack firewall): the symmetric constraint in each family.
def symmetric(family):
    names = [("src", "dst"), ("dst", "src")]
    prefix = family.lower()
    eqs = [dependencies.FieldEq(P(f"{prefix}.{a}"), P(f"{prefix}.{b}")) for a, b in names]
    eqs += [
        dependencies.FieldEq(P("l4.src_port"), P("l4.dst_port")),
        dependencies.FieldEq(P("l4.dst_port"), P("l4.src_port")),
    ]
    return dependencies.Constraint(0, 1, tuple(eqs), f"symmetric {family}", (), family, family)


FLOWS = [symmetric(V4), symmetric(V6)]
# Per-destination state on port 0 in each family (a dual-stack policer).
PER_DST = [keyed(0, ["ipv4.dst"], V4, V4), keyed(0, ["ipv6.dst"], V6, V6)]


def reta_of(key: bytes, family: str, src: int, dst: int, sport: int, dport: int, reta_size: int) -> int:
    make = toeplitz.ipv4_l4_input if family == V4 else toeplitz.ipv6_l4_input
    return toeplitz.reta_index(toeplitz.toeplitz_hash(key, make(src, dst, sport, dport)), reta_size)


@pytest.mark.parametrize("key_length", [40, 52])
def test_both_families_symmetric_in_one_key(key_length):
    sol = rss_solver.solve(FLOWS, [0, 1], key_length, 512, seed=5, families=BOTH)
    k0, k1 = sol.ports[0].key, sol.ports[1].key
    rng = random.Random(1)
    for family, bits in ((V4, 32), (V6, 128)):
        for _ in range(200):
            a, b, x, y = (
                rng.getrandbits(bits),
                rng.getrandbits(bits),
                rng.getrandbits(16),
                rng.getrandbits(16),
            )
            assert reta_of(k0, family, a, b, x, y, 512) == reta_of(k1, family, b, a, y, x, 512)
    for ps in sol.ports.values():
        assert ps.hashed_fields == ["ipv4.src", "ipv4.dst", "l4.src_port", "l4.dst_port"]
        assert ps.hashed_fields_ipv6 == ["ipv6.src", "ipv6.dst", "l4.src_port", "l4.dst_port"]
        assert all(g.rank == g.rank_needed == 9 for g in ps.groups)
        assert set(ps.uniform_by_family) == {V4, V6} and max(ps.uniform_by_family.values()) <= 1.05
    keys = {p: s.key for p, s in sol.ports.items()}
    assert verify.prove(FLOWS, keys, 512).ok
    assert verify.random_check(FLOWS, keys, 512, 100, seed=3).ok


def test_windows_overlap_one_system_not_two():
    """IPv6 input bit i and IPv4 input bit i read the same key window, so the
    IPv6 source bits a per-destination constraint leaves unrelated (key bits
    23..158 must be zero on the RETA bits) are the key bits the IPv4
    destination needs (55..94): solved jointly, the IPv6 destination is hashed
    and the IPv4 input is not; both proofs hold."""
    sol = rss_solver.solve(PER_DST, [0], 52, 512, seed=5, families={0: (V4, V6)})
    ps = sol.ports[0]
    assert ps.hashed_fields == [] and ps.hashed_fields_ipv6 == ["ipv6.dst"]
    assert verify.prove(PER_DST, {0: ps.key}, 512).ok
    assert verify.random_check(PER_DST, {0: ps.key}, 512, 100, seed=3).ok
    rng = random.Random(2)
    dst = rng.getrandbits(128)
    entries = {reta_of(ps.key, V6, rng.getrandbits(128), dst, rng.getrandbits(16), rng.getrandbits(16), 512)}
    assert len(entries) == 1
    # Negative control: the key of the IPv4 system alone hashes ipv4.dst but
    # fails the IPv6 constraint (two separate systems are not enough).
    v4_only = rss_solver.solve(PER_DST[:1], [0], 52, 512, seed=5, families={0: (V4,)})
    assert v4_only.ports[0].hashed_fields == ["ipv4.dst"]
    assert not verify.prove(PER_DST[1:], {0: v4_only.ports[0].key}, 512).ok
    assert not verify.random_check(PER_DST[1:], {0: v4_only.ports[0].key}, 512, 100, seed=3).ok
    failure = verify.prove(PER_DST[1:], {0: v4_only.ports[0].key}, 512).failures[0]
    assert "packet (IPV6)" in failure


def test_field_the_family_lacks_reads_zero():
    """An IPv6 packet keyed on ipv4.src (0 for it) meets the IPv4 packets of
    source 0.0.0.0 only: nothing of the IPv6 packet may move it, the IPv4
    source 0 must land where the IPv6 packets land."""
    c = keyed(0, ["ipv4.src"], V6, V4)
    sol = rss_solver.solve([c], [0], 52, 128, seed=2, families={0: (V4, V6)})
    key = sol.ports[0].key
    assert sol.ports[0].hashed_fields_ipv6 == []  # every IPv6 bit is unrelated: zero columns
    rng = random.Random(4)
    target = reta_of(key, V6, rng.getrandbits(128), rng.getrandbits(128), 1, 2, 128)
    for _ in range(100):
        assert (
            reta_of(key, V6, rng.getrandbits(128), rng.getrandbits(128), rng.getrandbits(16), 7, 128)
            == target
        )
        assert (
            reta_of(key, V4, 0, rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16), 128) == target
        )
    assert verify.prove([c], {0: key}, 128).ok
    # Negative control: an unconstrained key hashes the IPv6 fields.
    free = rss_solver.solve([], [0], 52, 128, seed=2, families={0: (V4, V6)})
    assert not verify.prove([c], {0: free.ports[0].key}, 128).ok


def _dual_stack_description(v6_key: desc_pb2.Expr, shared: bool) -> desc_pb2.NfDescription:
    """Per-key counters on port 0: IPv4 packets keyed on ipv4.src, IPv6 on
    `v6_key`; in one map (`shared`) or in one map per family."""
    d = td.keyed_counter("dual", 0, td.struct("src", addr=td.pf("ipv4.src")))
    v6 = td.keyed_counter("dual6", 0, td.struct("src", addr=v6_key))
    for p in d.paths:
        p.families.append(Family.IPV4)
    if not shared:
        rename = {o.name: o.name + "6" for o in v6.objects}
        for o in v6.objects:
            o.name = rename[o.name]
            d.objects.append(o)
    start = max(p.id for p in d.paths) + 1
    for i, p in enumerate(x for x in v6.paths if x.in_port == 0):
        p.id = start + i
        p.families.append(Family.IPV6)
        if not shared:
            for op in p.ops:
                op.object = rename.get(op.object, op.object)
        d.paths.append(p)
    return d


def test_plan_for_dual_stack_state_on_both_ports():
    """Per-source state on port 0, IPv4 and IPv6 in their own maps: the
    IPv6 source leaves the key bits of IPv4's source free (input bits
    0..127 vs 0..31 share their windows), so one key serves both."""
    d = _dual_stack_description(td.pf("ipv6.src"), shared=False)
    plan = planner.make_plan(d, planner.PlanOptions(cores=16)).plan
    assert plan.strategy == plan_pb2.SHARED_NOTHING, plan.strategy_reason
    port0 = next(p for p in plan.ports if p.port == 0)
    assert port0.hashed_fields == ["ipv4.src"] and port0.hashed_fields_ipv6 == ["ipv6.src"]
    assert port0.rss_hf == fields.DEFAULT_RSS_HF | fields.IPV6_RSS_HF == 0xD34
    assert list(port0.families) == ["IPV4", "IPV6"]
    assert {(c.family_a, c.family_b) for c in plan.constraints} == {("IPV4", "IPV4"), ("IPV6", "IPV6")}
    assert plan.verified_z3 and plan.verified_random
    v6 = [q for q in plan.quality if q.port == 0 and q.family == "IPV6" and q.field_group == "ipv6.src"]
    assert v6 and v6[0].rank == 9 and {s.address_plan for s in v6[0].spread} == {"/64", "/120"}
    rows = [
        b for b in plan.traffic_balance if b.port == 0 and b.traffic.startswith("ipv6.src") and b.queues == 16
    ]
    assert rows and all(b.max_over_mean < 1.3 for b in rows if "Zipf" not in b.traffic)


def test_cross_family_state_that_rss_cannot_steer_takes_the_lock():
    """One map reached by IPv4 packets through their source and IPv6 packets
    through the low 32 bits of theirs: an IPv4 and an IPv6 packet meet, every
    other IPv6 bit is unrelated, which zeroes the key bits both inputs need.
    The planner shares the map under the lock and says why."""
    extract = td.apply("extract", td.pf("ipv6.src"), params=(31, 0))
    d = _dual_stack_description(extract, shared=True)
    plan = planner.make_plan(d, planner.PlanOptions(cores=16)).plan
    assert plan.strategy == plan_pb2.LOCKS, plan.strategy_reason
    index_of = next(o for o in plan.objects if o.object == "index_of")
    assert index_of.placement == plan_pb2.ObjectDecision.SHARED_LOCKED
    assert "without any hashable field of the IPV4, IPV6 input" in index_of.reason
    assert "key windows overlap" in index_of.reason


def test_untouched_family_port_keeps_ipv4_only_rss_hf():
    """A description without families (before IPv6) plans as before: IPv4 only."""
    plan = planner.make_plan(td.policer_like(), planner.PlanOptions()).plan
    assert all(p.rss_hf == fields.DEFAULT_RSS_HF and not p.hashed_fields_ipv6 for p in plan.ports)


def test_path_families():
    path = desc_pb2.Path()
    assert dependencies.path_families(path) == (V4,)
    path.families.extend([Family.NOT_IP])
    assert dependencies.path_families(path) == (V4,)  # not hashed = the all-zero input
    path.families.extend([Family.IPV6])
    assert dependencies.path_families(path) == (V4, V6)
    del path.families[:]
    path.families.append(Family.IPV6)
    assert dependencies.path_families(path) == (V6,)


def test_ipv6_address_plans_balance():
    key = rss_solver.solve([], [0], 52, 512, seed=9, families={0: (V4, V6)}).ports[0].key
    table = np.array(reta.table(512, 16))
    for traffic in quality.ipv6_address_plan_traffic("ipv6.dst", seed=3):
        loads = quality.bits_loads(key, traffic.bits, traffic.weights, table)
        if "Zipf" not in traffic.name:
            assert quality.max_over_mean(loads) < 1.3, traffic.name
    # Negative control: a key blind to the interface ID (its columns zero on
    # the RETA bits) puts the /64's hosts on one queue.
    hosts = quality.ipv6_address_plan_traffic("ipv6.dst", seed=3)[0]
    blind = bytearray(key)
    for i in range(128 + 64 + 0, 128 + 128 + 32):  # key bits the dst's low 64 input bits reach
        blind[i // 8] &= ~(0x80 >> (i % 8)) & 0xFF
    loads = quality.bits_loads(bytes(blind), hosts.bits, hosts.weights, table)
    assert quality.max_over_mean(np.pad(loads, (0, 16 - len(loads)))) == 16.0


def _hashed_families(plan, port: int) -> set[str]:
    entry = next(p for p in plan.ports if p.port == port)
    return {f for f, hashed in ((V4, entry.hashed_fields), (V6, entry.hashed_fields_ipv6)) if hashed}


@pytest.mark.parametrize("lock_free", [V4, V6])
def test_per_destination_state_in_both_families_keeps_one_lock_free(lock_free):
    """Per-destination state in one map per family (a dual-stack policer): the
    IPv6 rule leaves the IPv6 source (input bits 0..127) unrelated, which zeroes
    the key bits IPv4's destination (input bits 32..63) needs, so one key cannot
    partition both. The planner keeps the `lock_free_family`'s map partitioned,
    locks the other, and never leaves a partitioned family's packets unhashed
    (the oracle: the Toeplitz hash of real packets of the partitioned family
    spreads over queues)."""
    d4 = td.keyed_counter("dual", 0, td.struct("dst", addr=td.pf("ipv4.dst")))
    d = _swap_v4_key(d4, _dual_stack_description(td.pf("ipv6.dst"), shared=False))
    plan = planner.make_plan(d, planner.PlanOptions(cores=16, lock_free_family=lock_free)).plan
    assert plan.strategy in (plan_pb2.HYBRID, plan_pb2.LOCKS), plan.strategy_reason
    placement = {o.object: o.placement for o in plan.objects}
    v6_objects = {n for n in placement if n.endswith("6")}
    locked = {n for n, p in placement.items() if p == plan_pb2.ObjectDecision.SHARED_LOCKED}
    assert locked == (v6_objects if lock_free == V4 else set(placement) - v6_objects), placement
    assert lock_free in _hashed_families(plan, 0)
    # Real packets of the lock-free family with varying destinations reach many queues.
    key = next(p for p in plan.ports if p.port == 0).key
    rng = random.Random(3)
    bits = 32 if lock_free == V4 else 128
    rows = {
        reta_of(key, lock_free, rng.getrandbits(bits), rng.getrandbits(bits), 1, 2, 512) for _ in range(400)
    }
    assert len(rows) > 100


def _swap_v4_key(d4: desc_pb2.NfDescription, dual: desc_pb2.NfDescription) -> desc_pb2.NfDescription:
    """`dual` with its IPv4 objects and paths replaced by `d4`'s."""
    out = desc_pb2.NfDescription()
    out.CopyFrom(d4)
    for p in out.paths:
        p.families.append(Family.IPV4)
    v6_names = {o.name for o in dual.objects if o.name.endswith("6")}
    out.objects.extend(o for o in dual.objects if o.name in v6_names)
    start = max(p.id for p in out.paths) + 1
    for i, p in enumerate(x for x in dual.paths if Family.IPV6 in x.families):
        q = out.paths.add()
        q.CopyFrom(p)
        q.id = start + i
    return out


def test_unknown_lock_free_family_is_refused():
    with pytest.raises(planner.PlanError, match="lock-free family 'IPV5'"):
        planner.check_options(planner.PlanOptions(lock_free_family="IPV5"))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

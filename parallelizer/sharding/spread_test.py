"""The RETA rule (reta.py) and the spread of address plans (quality.py,
rss_solver.py), judged by counting packets hashed with the reference Toeplitz
function through the rule's table, not by the rank computations under test."""

import sys

import numpy as np
import pytest

from parallelizer.sharding import dependencies, fields, quality, reta, rss_solver, toeplitz
from parallelizer.testing import descriptions as td

P = fields.parse_field_bits


@pytest.mark.parametrize("size", [64, 128, 512])
def test_rule_shares_and_every_bit_moves_the_queue(size):
    for workers in range(1, 65):
        t = reta.table(size, workers)
        counts = np.bincount(t, minlength=workers)
        assert counts.max() - counts.min() <= 1
        if workers > 1:
            for b in range(fields.reta_bits(size)):
                assert any(t[i] != t[i ^ (1 << b)] for i in range(size)), (workers, b)
    assert sorted(reta.table(size, size)) == list(range(size))


def loads_of_hosts(key: bytes, size: int, field: str, host_bits: int, queues: int) -> np.ndarray:
    """Packets per queue for every host of one prefix in `field` (other
    fields fixed), through toeplitz_hash and the rule's table."""
    table = reta.table(size, queues)
    counts = np.zeros(queues, dtype=int)
    for host in range(1 << host_bits):
        src, dst = (0x0A000000 | host, 0xC0A80001) if field == "ipv4.src" else (0xC0A80001, 0x0A000000 | host)
        h = toeplitz.toeplitz_hash(key, toeplitz.ipv4_l4_input(src, dst, 1234, 443))
        counts[table[toeplitz.reta_index(h, size)]] += 1
    return counts


def test_full_spread_rank_splits_a_24_exactly():
    sol = rss_solver.solve([td.same_port("ipv4.dst", port=0)], [0], 52, 512, seed=4)
    (spread,) = (q for q in sol.ports[0].spread if str(q.low) == "ipv4.dst[7:0]")
    assert (spread.rank, spread.rank_needed, spread.rank_bound, spread.limit) == (4, 4, 4, "")
    for queues in (2, 4, 8, 16):
        counts = loads_of_hosts(sol.ports[0].key, 512, "ipv4.dst", 8, queues)
        assert list(counts) == [256 // queues] * queues


def test_negative_control_a_key_blind_to_the_low_octet_is_measured_unbalanced():
    # Key bits that carry ipv4.dst[7:0] to the RETA index zeroed by hand: the
    # rank computation and the counting must both see it.
    sol = rss_solver.solve([td.same_port("ipv4.dst", port=0)], [0], 52, 512, seed=4)
    key = int.from_bytes(sol.ports[0].key, "big")
    for b in range(8):
        for t in range(9):
            key &= ~(1 << (52 * 8 - 1 - (fields.IPV4_DST.input_bit(b) + 31 - t)))
    blind = key.to_bytes(52, "big")
    low = quality.LowBits("ipv4.dst", 8, "/24")
    assert quality.spread_rank(blind, 512, low, 4) == 0
    counts = loads_of_hosts(blind, 512, "ipv4.dst", 8, 16)
    assert counts.max() == 256


def test_constraints_that_leave_only_high_bits_are_reported_with_why():
    # Packets agreeing on ipv4.src[31:16] must meet: no key may depend on the
    # host bits of a /24 or /20.
    c = dependencies.Constraint(
        1, 1, (dependencies.FieldEq(P("ipv4.src[31:16]"), P("ipv4.src[31:16]")),), "t"
    )
    sol = rss_solver.solve([c], [0, 1], 52, 512, seed=2)
    assert sol.ports[1].hashed_fields == ["ipv4.src"]
    by_bits = {str(q.low): q for q in sol.ports[1].spread}
    for bits in ("ipv4.src[7:0]", "ipv4.src[11:0]"):
        q = by_bits[bits]
        assert (q.rank, q.rank_bound, q.rank_needed) == (0, 0, 4)
        assert "force to zero the key bits that carry" in q.limit and "at most rank 0" in q.limit
    # The unconstrained port spreads everything.
    assert all(q.rank == q.rank_needed and not q.limit for q in sol.ports[0].spread)


def test_address_plan_traffic_is_what_it_says():
    traffic = {t.name: t for t in quality.address_plan_traffic("ipv4.dst", seed=3)}
    lan = traffic["ipv4.dst: the hosts of one /24"]
    assert len(lan.flows) == 254 and len({int(a) >> 8 for a in lan.flows[:, 1]}) == 1
    assert len({tuple(r) for r in lan.flows[:, [0, 2, 3]]}) == 1  # only the address varies
    servers = traffic["ipv4.dst: servers in 2 /24s, port 443"]
    assert len({int(a) >> 8 for a in servers.flows[:, 1]}) == 2 and set(servers.flows[:, 3]) == {443}
    zipf = traffic["ipv4.dst: one /24, Zipf 1.0 popularity"]
    assert abs(zipf.weights.sum() - 1) < 1e-9 and zipf.lower_bound(16) > 2


def test_a_key_limited_to_the_top_8_bits_says_it_cannot_spread():
    # Packets agreeing on ipv4.src[31:24] must meet: the field is hashed at the
    # rank the constraint allows (8 of 9), but its low bits can move no queue
    # bit, and the plan says what that costs address plans.
    c = dependencies.Constraint(
        1, 1, (dependencies.FieldEq(P("ipv4.src[31:24]"), P("ipv4.src[31:24]")),), "t"
    )
    sol = rss_solver.solve([c], [0, 1], 52, 512, seed=2)
    assert sol.ports[1].hashed_fields == ["ipv4.src"]
    limits = {str(q.low): q.limit for q in sol.ports[1].spread}
    assert set(limits) == {"ipv4.src[7:0]", "ipv4.src[11:0]"}
    for low, traffic in (("ipv4.src[7:0]", "/24 traffic"), ("ipv4.src[11:0]", "/20 traffic")):
        assert "force to zero the key bits" in limits[low] and traffic in limits[low], limits[low]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))

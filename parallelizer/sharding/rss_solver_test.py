"""RSS key solving: constraint satisfaction, field choice and quality, checked
with the software Toeplitz hash on traffic built from the NF semantics."""

import random
import sys

import pytest

from parallelizer.sharding import dependencies, fields, quality, reta, rss_solver, toeplitz
from parallelizer.testing import descriptions as td

P = fields.parse_field_bits
SYMMETRIC = td.SYMMETRIC
REMOTE_ENDPOINT = td.REMOTE_ENDPOINT
same_port = td.same_port


def index(sol: rss_solver.Solution, port: int, src: int, dst: int, sport: int, dport: int) -> int:
    h = toeplitz.toeplitz_hash(sol.ports[port].key, toeplitz.ipv4_l4_input(src, dst, sport, dport))
    return toeplitz.reta_index(h, sol.reta_size)


def assert_quality(sol: rss_solver.Solution) -> None:
    m = fields.reta_bits(sol.reta_size)
    for ps in sol.ports.values():
        assert ps.hashed_fields
        for g in ps.groups:
            assert (
                g.rank
                == g.rank_needed
                == quality.group_rank(ps.key, sol.reta_size, fields.HASHABLE[g.field_group])
            )
            assert g.rank_needed <= m
        assert ps.uniform_max_over_mean <= quality.MAX_OVER_MEAN_LIMIT
        assert len(ps.key) == sol.key_length


@pytest.mark.parametrize("key_length", [40, 52])
@pytest.mark.parametrize("reta_size", [64, 128, 512])
def test_symmetric_five_tuple_every_key_length_and_reta(key_length, reta_size):
    sol = rss_solver.solve([SYMMETRIC, same_port(*fields.HASHABLE)], [0, 1], key_length, reta_size, seed=7)
    assert_quality(sol)
    assert sol.ports[0].hashed_fields == list(fields.HASHABLE)
    rng = random.Random(1)
    for _ in range(300):
        s, d, sp, dp = rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16)
        assert index(sol, 0, s, d, sp, dp) == index(sol, 1, d, s, dp, sp)


@pytest.mark.parametrize("key_length", [40, 52])
@pytest.mark.parametrize("reta_size", [64, 128, 512])
def test_nat_like_hashes_only_the_remote_endpoint(key_length, reta_size):
    sol = rss_solver.solve(
        [REMOTE_ENDPOINT, same_port(*fields.HASHABLE)], [0, 1], key_length, reta_size, seed=3
    )
    assert_quality(sol)
    assert sol.ports[0].hashed_fields == ["ipv4.dst", "l4.dst_port"]
    assert sol.ports[1].hashed_fields == ["ipv4.src", "l4.src_port"]
    rng = random.Random(2)
    for _ in range(300):
        client, server, cport, sport = (
            rng.getrandbits(32),
            rng.getrandbits(32),
            rng.getrandbits(16),
            rng.getrandbits(16),
        )
        nat_ip, nat_port = rng.getrandbits(32), rng.getrandbits(16)  # whatever the NAT rewrote
        assert index(sol, 0, client, server, cport, sport) == index(sol, 1, server, nat_ip, sport, nat_port)


@pytest.mark.parametrize(
    "names,expected",
    [
        (("ipv4.dst",), ["ipv4.dst"]),
        (("ipv4.src",), ["ipv4.src"]),
        (("ipv4.src", "ipv4.dst"), ["ipv4.src", "ipv4.dst"]),
    ],
)
def test_keyed_on_address_fields(names, expected):
    sol = rss_solver.solve([same_port(*names, port=1)], [0, 1], 52, 512, seed=5)
    assert_quality(sol)
    assert sol.ports[1].hashed_fields == expected
    assert sol.ports[0].hashed_fields == list(fields.HASHABLE)  # unconstrained port
    rng = random.Random(3)
    for _ in range(200):
        p = [rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16)]
        q = [rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16)]
        for n in names:
            i = list(fields.HASHABLE).index(n)
            q[i] = p[i]
        assert index(sol, 1, *p) == index(sol, 1, *q)


def test_no_constraints_hashes_everything():
    sol = rss_solver.solve([], [0, 1], 40, 128, seed=1)
    assert_quality(sol)
    assert all(ps.hashed_fields == list(fields.HASHABLE) for ps in sol.ports.values())
    assert sol.dimension == 2 * 40 * 8


def test_group_capped_by_the_constraints_is_hashed_at_its_cap():
    # Only 4 bits of the source address may decide the entry (fewer than
    # log2(512)): the source address's block can reach rank 4, not 9. It is
    # hashed at rank 4 (traffic varying only in those bits reaches 16 entries)
    # rather than zeroed.
    eqs = [dependencies.FieldEq(P("ipv4.src[3:0]"), P("ipv4.src[3:0]"))]
    eqs += [dependencies.FieldEq(P(n), P(n)) for n in ("ipv4.dst", "l4.src_port", "l4.dst_port")]
    c = dependencies.Constraint(0, 0, tuple(eqs), "nibble")
    sol = rss_solver.solve([c], [0], 52, 512, seed=1, max_attempts=20)
    assert sol.dropped == []
    assert sol.ports[0].hashed_fields == list(fields.HASHABLE)
    src = next(g for g in sol.ports[0].groups if g.field_group == "ipv4.src")
    assert (src.rank, src.rank_needed) == (4, 4)
    assert_quality(sol)


def test_top_octet_key_spreads_sources_of_many_slash8s():
    # A per-/8 counter (hierarchical heavy hitters): packets with the same
    # ipv4.src[31:24] must meet, nothing else is constrained on that port. The
    # source block can reach rank 8 of 9; zeroing the field instead (the old
    # rule) put every packet of the port on one queue.
    c = dependencies.Constraint(
        1, 1, (dependencies.FieldEq(P("ipv4.src[31:24]"), P("ipv4.src[31:24]")),), "/8"
    )
    sol = rss_solver.solve([c], [0, 1], 52, 512, seed=3)
    port = sol.ports[1]
    assert port.hashed_fields == ["ipv4.src"]
    (src,) = port.groups
    assert (src.rank, src.rank_needed) == (8, 8)
    assert_quality(sol)
    # Sources spread over the 256 /8s reach every one of 16 queues: count them
    # with the reference Toeplitz hash and the RETA rule, the low 24 bits varying.
    rng = random.Random(4)
    entries = {index(sol, 1, (a << 24) | rng.getrandbits(24), 7, 1000, 80) for a in range(256)}
    queues = {reta.mix(e, fields.reta_bits(sol.reta_size)) % 16 for e in entries}
    assert len(queues) == 16
    # The constraint holds: the low 24 bits never move the entry.
    for a in range(0, 256, 17):
        assert len({index(sol, 1, (a << 24) | rng.getrandbits(24), 7, 1000, 80) for _ in range(20)}) == 1
    # Negative control: one rank short of the cap is refused.
    short = rss_solver.PortSolution(
        1,
        port.key,
        ["ipv4.src"],
        [],
        fields.DEFAULT_RSS_HF,
        [rss_solver.GroupQuality(1, "ipv4.src", 7, 8)],
        1.0,
    )
    assert not rss_solver._acceptable(short)


def test_rank_deficient_key_is_detected():
    # All-ones key: every column of every block is the same vector, rank 1.
    key = b"\xff" * 52
    for group in fields.LAYOUT_IPV4_L4:
        assert quality.group_rank(key, 512, group) == 1
    bad = rss_solver.PortSolution(
        0, key, ["ipv4.dst"], [], fields.DEFAULT_RSS_HF, [rss_solver.GroupQuality(0, "ipv4.dst", 1, 9)], 1.0
    )
    assert not rss_solver._acceptable(bad)
    # Far from balanced, too: every flow gets the same RETA index parity pattern.
    flows = toeplitz.flows_to_bits(quality.uniform_flows(4000, 1))
    assert quality.max_over_mean(quality.queue_loads(key, 512, flows, 16)) > 1.5


def test_bad_parameters():
    with pytest.raises(rss_solver.SolverError, match="key length 41"):
        rss_solver.solve([], [0], 41, 512, seed=1)
    with pytest.raises(ValueError, match="not a power of two"):
        rss_solver.solve([], [0], 52, 100, seed=1)
    with pytest.raises(rss_solver.SolverError, match="port 1"):
        rss_solver.solve([same_port("ipv4.src", port=1)], [0], 52, 512, seed=1)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

"""GF(2) elimination: rank, solution spaces and sampling."""

import random
import sys

import pytest

from parallelizer.sharding import gf2


def test_rank_of_small_matrices():
    assert gf2.rank([]) == 0
    assert gf2.rank([0b011, 0b110, 0b101]) == 2  # third row is the XOR of the first two
    assert gf2.rank([0b001, 0b010, 0b100]) == 3
    assert gf2.rank([0b1, 0b1, 0]) == 1


def brute_force_solutions(rows: list[int], n: int) -> set[int]:
    return {x for x in range(1 << n) if all((r & x).bit_count() % 2 == 0 for r in rows)}


@pytest.mark.parametrize("seed", range(20))
def test_solution_space_equals_brute_force(seed):
    rng = random.Random(seed)
    n = 8
    rows = [rng.getrandbits(n) for _ in range(rng.randint(0, 7))]
    system = gf2.HomogeneousSystem(n)
    for r in rows:
        system.add(r)
    space = system.solve()
    expected = brute_force_solutions(rows, n)
    assert len(expected) == 1 << space.dimension
    assert space.dimension == n - gf2.rank(rows)
    spanned = {0}
    for v in space.basis:
        spanned |= {s ^ v for s in spanned}
    assert spanned == expected
    for _ in range(20):
        assert space.sample(rng) in expected
    forced = space.forced_zero()
    for v in range(n):
        assert bool(forced >> v & 1) == all(not (x >> v & 1) for x in expected)


def test_redundant_equation_is_reported():
    system = gf2.HomogeneousSystem(3)
    assert system.add(0b011)
    assert system.add(0b110)
    assert not system.add(0b101)


def test_equation_outside_the_system_is_rejected():
    with pytest.raises(ValueError):
        gf2.HomogeneousSystem(2).add(0b100)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

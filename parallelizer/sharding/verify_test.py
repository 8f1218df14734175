"""Z3 and randomized verification catch wrong keys."""

import sys

import pytest

from parallelizer.sharding import rss_solver, verify
from parallelizer.testing.descriptions import REMOTE_ENDPOINT, SYMMETRIC, same_port


def flip_key_bit(key: bytes, bit: int) -> bytes:
    out = bytearray(key)
    out[bit // 8] ^= 0x80 >> (bit % 8)
    return bytes(out)


@pytest.mark.parametrize("constraint", [SYMMETRIC, REMOTE_ENDPOINT, same_port("ipv4.dst", port=1)])
@pytest.mark.parametrize("reta_size", [64, 512])
def test_solved_keys_verify_and_a_wrong_key_is_caught(constraint, reta_size):
    sol = rss_solver.solve([constraint], [0, 1], 52, reta_size, seed=11)
    keys = {p: s.key for p, s in sol.ports.items()}
    assert verify.prove([constraint], keys, reta_size).ok
    assert verify.random_check([constraint], keys, reta_size, 200, seed=1).ok
    # Key bit 60 lies in the RETA window of input bits 29..60 (addresses), which
    # every one of these constraints relates or requires to be ignored.
    bad = dict(keys)
    bad[constraint.port_b] = flip_key_bit(keys[constraint.port_b], 60)
    proof = verify.prove([constraint], bad, reta_size)
    assert not proof.ok
    assert "reach different RETA entries" in proof.failures[0]
    assert not verify.random_check([constraint], bad, reta_size, 200, seed=1).ok


def test_counterexample_is_a_real_one():
    sol = rss_solver.solve([SYMMETRIC], [0, 1], 40, 128, seed=2)
    keys = {p: s.key for p, s in sol.ports.items()}
    keys[1] = flip_key_bit(keys[1], 40)
    proof = verify.prove([SYMMETRIC], keys, 128)
    assert not proof.ok and "port 0 packet" in proof.failures[0]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

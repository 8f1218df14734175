"""The RETA rule: which queue each RETA entry sends packets to, for a RETA of
`size` = 2^m entries and `workers` queues. The planner fills the plan's RETA
with it and the runtimes derive it with it when a run's worker count is not
the plan's. The runtimes' implementation is the C function
nf_par_default_reta (dpdk_rules/runtime/parallel/config_util.c);
//tests/parallel:reta_rule_test compares the two for every size 64..512 and
every worker count 1..64, so this module is checked, not trusted.

Rule. Write the index i as a bit vector over GF(2) (bit 0 = LSB). The *mix*
is the linear map P with

    mix(i)_j = XOR of i_b over the b < m with b & j == j      (j = 0 .. m-1)

(row j of P is row j of the Pascal triangle mod 2 read upwards: by Lucas'
theorem C(b, j) is odd iff b & j == j). P is upper triangular with a unit
diagonal (b = j is in row j, every other b in it is larger), so it is
invertible: mix is a bijection of 0 .. 2^m - 1. The table is

    reta[i] = mix(i) mod workers.

Properties, and why:

* Equal shares. mix is a bijection, so {mix(i) mod w} is {v mod w : v < 2^m}:
  every queue gets floor(2^m / w) or that plus one entries (exactly 2^m / w
  when w divides 2^m).
* Every index bit moves the queue. Row 0 of P is all ones (b & 0 == 0), so
  for even w flipping any single index bit flips mix(i)_0 and so the queue's
  parity; for odd w > 1 flipping bit b changes mix(i) by XOR with column b of
  P, which has bit 0 set, and some i then changes queue (reta_rule_test checks
  that every bit moves some entry, for every size and worker count).
* Balance on address plans, w = 2^k. The queue is then the low k bits of
  mix(i): Q_k = the first k rows of P, a surjective linear map GF(2)^m ->
  GF(2)^k. Traffic whose RETA indexes fill an affine subspace a + V (the hosts
  of a /24 under a Toeplitz key: V = M V_low, M the key's RETA matrix, V_low
  the low 8 address bits) is spread perfectly evenly iff rank(Q_k M_low) = k:
  each queue then receives |V| / 2^k indexes. The old rule i mod 2^k is Q = the
  low k index bits, which Toeplitz keys that must ignore neighbouring fields
  leave independent of an address's low bits; every row of P here reaches all
  index bits that row 0 does, and the rows are nested: full rank of the first
  k rows implies full rank of the first j < k. So one rank,
  spread_rank(key, field bits, k_max), certifies 2, 4, ..., 2^k_max queues at
  once. That rank is what rss_solver maximises (quality.spread_rank).
* Other w: mix(i) mod w of an affine subspace's indexes is balanced up to the
  granularity of the subspace (no exact statement; quality.py measures it).
"""

from __future__ import annotations

from parallelizer.sharding import fields


def row_mask(j: int, m: int) -> int:
    """Row j of the mix P: the index bits b < m with b & j == j."""
    return sum(1 << b for b in range(j, m) if b & j == j)


def mix(index: int, m: int) -> int:
    """The mix P applied to an m-bit RETA index."""
    return sum(((index & row_mask(j, m)).bit_count() & 1) << j for j in range(m))


def queue_rows(m: int, workers: int) -> list[int]:
    """Rows of P whose bits are the queue when `workers` is a power of two (the
    low log2(workers) bits of mix); for other counts, every row (the queue is
    mix mod workers, a function of all of mix's bits)."""
    k = queue_bits(workers, m)
    return [row_mask(j, m) for j in range(k)]


def queue_bits(workers: int, m: int) -> int:
    """Bits of mix the queue depends on: log2(workers) for powers of two, else m."""
    if workers < 1:
        raise ValueError(f"workers {workers} must be at least 1")
    if workers & (workers - 1) == 0:
        return min(workers.bit_length() - 1, m)
    return m


def table(size: int, workers: int) -> list[int]:
    """The RETA for `workers` queues: entry i -> mix(i) mod workers."""
    m = fields.reta_bits(size)
    if not 1 <= workers <= size:
        raise ValueError(f"workers {workers} must be between 1 and the RETA size {size}")
    return [mix(i, m) % workers for i in range(size)]

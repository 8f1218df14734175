"""Key quality: rank of each field group's Toeplitz block over the RETA index
bits, the *spread rank* of a field's low-order bits over the queue bits of the
RETA rule (reta.py), and queue balance of traffic: uniform addresses and
address plans (the hosts of one /24 or /20, servers in a few /24s at one port,
Zipf popularity over those; docs/SHARDING.md, "Address plans")."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from parallelizer.sharding import fields, gf2, reta, toeplitz

DEFAULT_QUEUES = 16
DEFAULT_FLOWS = 40_000
MAX_OVER_MEAN_LIMIT = 1.05
# Queue counts the address-plan balance is reported at.
REPORTED_QUEUES = (2, 4, 8, 16)
ZIPF_EXPONENT = 1.0
SERVER_PREFIXES = 2
SERVER_PORT = 443


@dataclasses.dataclass(frozen=True)
class LowBits:
    """The low `bits` bits of a field: what varies inside an address plan."""

    field: str
    bits: int
    label: str  # "/24", "/20", "low 8 bits"

    def __str__(self) -> str:
        return f"{self.field}[{self.bits - 1}:0]"


def low_bits_of(field: str) -> tuple[LowBits, ...]:
    """The low-order bit sets of `field` whose spread the solver maximises:
    the host part of a /24 and a /20 for addresses, the low byte for ports."""
    width = fields.HASHABLE[field].width_bits
    if width == 32:
        return (LowBits(field, 8, "/24"), LowBits(field, 12, "/20"))
    return (LowBits(field, 8, "low 8 bits"),)


def queue_bits_for(queues: int, reta_size: int) -> int:
    """Bits of the RETA mix the queue depends on at `queues` queues (reta.py)."""
    return reta.queue_bits(queues, fields.reta_bits(reta_size))


def spread_rank(key: bytes, reta_size: int, low: LowBits, queue_bits: int) -> int:
    """Rank over GF(2) of Q M_low: the first `queue_bits` rows of the RETA mix
    times the key's RETA columns of the field's low bits. Traffic that varies
    exactly in those bits is split evenly over 2^queue_bits queues iff it is
    min(queue_bits, bits) (reta.py)."""
    m = fields.reta_bits(reta_size)
    rows = [reta.row_mask(j, m) for j in range(min(queue_bits, m))]
    f = fields.HASHABLE[low.field]
    columns = []
    for b in range(low.bits):
        column = toeplitz.window(key, f.input_bit(b)) & (reta_size - 1)
        columns.append(sum(((column & r).bit_count() & 1) << j for j, r in enumerate(rows)))
    return gf2.rank(columns)


def group_rank(key: bytes, reta_size: int, field: fields.HashField) -> int:
    """Rank over GF(2) of the m x width block mapping the field's bits to the
    RETA index bits (m = log2 RETA size)."""
    mask = reta_size - 1
    columns = [toeplitz.window(key, field.input_bit(b)) & mask for b in range(field.width_bits)]
    return gf2.rank(columns)


def uniform_flows(count: int, seed: int) -> np.ndarray:
    """`count` uniformly random (src, dst, src_port, dst_port) rows."""
    rng = np.random.default_rng(seed)
    addrs = rng.integers(0, 1 << 32, size=(count, 2), dtype=np.uint64)
    ports = rng.integers(0, 1 << 16, size=(count, 2), dtype=np.uint64)
    return np.concatenate([addrs, ports], axis=1)


def zipf_flows(count: int, population: int, exponent: float, seed: int) -> np.ndarray:
    """`count` packets drawn from `population` random flows with Zipf popularity."""
    rng = np.random.default_rng(seed)
    flows = uniform_flows(population, seed + 1)
    ranks = np.arange(1, population + 1, dtype=np.float64)
    weights = ranks**-exponent
    picks = rng.choice(population, size=count, p=weights / weights.sum())
    return flows[picks]


def client_server_flows(count: int, clients: int, servers: int, exponent: float, seed: int) -> np.ndarray:
    """Client-to-server packets: uniform clients (address, ephemeral port), servers
    (address, port 80 or 443) picked with Zipf popularity."""
    rng = np.random.default_rng(seed)
    client_addrs = rng.integers(0, 1 << 32, size=clients, dtype=np.uint64)
    server_addrs = rng.integers(0, 1 << 32, size=servers, dtype=np.uint64)
    server_ports = rng.choice(np.array([80, 443], dtype=np.uint64), size=servers)
    ranks = np.arange(1, servers + 1, dtype=np.float64)
    weights = ranks**-exponent
    server = rng.choice(servers, size=count, p=weights / weights.sum())
    client = rng.integers(0, clients, size=count)
    src_ports = rng.integers(1024, 1 << 16, size=count, dtype=np.uint64)
    return np.stack([client_addrs[client], server_addrs[server], src_ports, server_ports[server]], axis=1)


def swap_direction(flows: np.ndarray) -> np.ndarray:
    """The reply direction of each flow."""
    return flows[:, [1, 0, 3, 2]]


@functools.cache
def traffic_mixes(count: int, seed: int) -> dict[str, np.ndarray]:
    """The mixes the key-quality benchmarks compare keys on: uniform random
    flows, Zipf flows, and client-to-server traffic (many clients, few
    Zipf-popular servers) in both directions."""
    c2s = client_server_flows(count, clients=10_000, servers=64, exponent=1.1, seed=seed)
    return {
        "uniform": uniform_flows(count, seed),
        "zipf": zipf_flows(count, population=10_000, exponent=1.1, seed=seed),
        "c2s": c2s,  # as seen on the clients' side
        "s2c": swap_direction(c2s),  # the replies, as seen on the servers' side
    }


def _table(reta_size: int, queues: int) -> np.ndarray:
    return np.array(reta.table(reta_size, queues), dtype=np.int64)


def queue_loads(key: bytes, reta_size: int, flow_bits: np.ndarray, queues: int) -> np.ndarray:
    """Packets per queue with the RETA rule's table for `queues` queues."""
    matrix = toeplitz.reta_matrix(key, reta_size).astype(np.int64)
    index_bits = (flow_bits.astype(np.int64) @ matrix.T) & 1
    indexes = index_bits @ (1 << np.arange(matrix.shape[0], dtype=np.int64))
    return np.bincount(_table(reta_size, queues)[indexes], minlength=queues)


def table_loads(key: bytes, flows: np.ndarray, weights: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Load per queue (sum of flow weights) under a RETA `table`."""
    indexes = toeplitz.reta_indexes(key, len(table), flows)
    return np.bincount(np.asarray(table)[indexes], weights=weights, minlength=int(np.max(table)) + 1)


@dataclasses.dataclass(frozen=True)
class Traffic:
    """An address-plan traffic mix: flow rows (src, dst, src_port, dst_port)
    with a weight (share of packets) each."""

    name: str
    flows: np.ndarray
    weights: np.ndarray

    def lower_bound(self, queues: int) -> float:
        """The best max/mean any RETA could give: a flow is never split."""
        return max(1.0, float(self.weights.max() / (self.weights.sum() / queues)))


_PAIRED_PORT = {"ipv4.src": 2, "ipv4.dst": 3}  # column of the same side's L4 port
_COLUMN = {"ipv4.src": 0, "ipv4.dst": 1}


def _hosts(prefix: int, host_bits: int) -> np.ndarray:
    """Every host of the prefix (network and broadcast addresses excluded)."""
    return np.arange(1, (1 << host_bits) - 1, dtype=np.uint64) + np.uint64(prefix)


def _zipf(count: int, rng: np.random.Generator) -> np.ndarray:
    weights = np.arange(1, count + 1, dtype=np.float64) ** -ZIPF_EXPONENT
    return rng.permutation(weights / weights.sum())


def address_plan_traffic(field: str, seed: int) -> list[Traffic]:
    """Traffic whose `field` (ipv4.src or ipv4.dst) follows an address plan
    while every other field keeps one (random) value: the worst case, where
    only the plan's host bits can spread the traffic (spread_rank)."""
    rng = np.random.default_rng(seed)
    column = _COLUMN[field]

    def rows(addresses: np.ndarray, port: int | None = None) -> np.ndarray:
        out = np.repeat(uniform_flows(1, int(rng.integers(1 << 31))), len(addresses), axis=0)
        out[:, column] = addresses
        if port is not None:
            out[:, _PAIRED_PORT[field]] = port
        return out

    lan24 = _hosts(int(rng.integers(0, 1 << 24)) << 8, 8)
    lan20 = _hosts(int(rng.integers(0, 1 << 20)) << 12, 12)
    servers = np.concatenate([_hosts(int(p) << 8, 8) for p in rng.integers(0, 1 << 24, size=SERVER_PREFIXES)])
    lan24_rows = rows(lan24)
    server_rows = rows(servers, SERVER_PORT)
    side = "port" if field == "ipv4.dst" else "source port"
    server_name = f"{field}: servers in {SERVER_PREFIXES} /24s, {side} {SERVER_PORT}"
    return [
        Traffic(f"{field}: the hosts of one /24", lan24_rows, np.ones(len(lan24))),
        Traffic(f"{field}: the hosts of one /20", rows(lan20), np.ones(len(lan20))),
        Traffic(server_name, server_rows, np.ones(len(servers))),
        Traffic(f"{field}: one /24, Zipf {ZIPF_EXPONENT} popularity", lan24_rows, _zipf(len(lan24), rng)),
        Traffic(f"{server_name}, Zipf {ZIPF_EXPONENT} popularity", server_rows, _zipf(len(servers), rng)),
    ]


def max_over_mean(loads: np.ndarray) -> float:
    return float(loads.max() / loads.mean())

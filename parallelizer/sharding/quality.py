"""Key quality: rank of each field group's Toeplitz block over the RETA index
bits, and queue balance of traffic."""

from __future__ import annotations

import numpy as np

from parallelizer.sharding import fields, gf2, toeplitz

DEFAULT_QUEUES = 16
DEFAULT_FLOWS = 40_000
MAX_OVER_MEAN_LIMIT = 1.05


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


def queue_loads(key: bytes, reta_size: int, flow_bits: np.ndarray, queues: int) -> np.ndarray:
    """Packets per queue with RETA entry i -> queue i mod `queues`."""
    matrix = toeplitz.reta_matrix(key, reta_size).astype(np.int64)
    index_bits = (flow_bits.astype(np.int64) @ matrix.T) & 1
    indexes = index_bits @ (1 << np.arange(matrix.shape[0], dtype=np.int64))
    return np.bincount(indexes % queues, minlength=queues)


def max_over_mean(loads: np.ndarray) -> float:
    return float(loads.max() / loads.mean())

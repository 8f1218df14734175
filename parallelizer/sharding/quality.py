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
    label: str  # "/24", "/20", "/64", "/48", "low 8 bits"
    family: str = fields.IPV4

    @property
    def hash_field(self) -> fields.HashField:
        f = fields.field_in(self.family, self.field)
        assert f is not None, (self.family, self.field)
        return f

    def __str__(self) -> str:
        bits = f"{self.field}[{self.bits - 1}:0]"
        return bits if self.field.startswith(self.family.lower() + ".") else f"{bits} ({self.family})"


def low_bits_of(field: str | fields.HashField) -> tuple[LowBits, ...]:
    """The low-order bit sets of `field` whose spread the solver maximises:
    the host part of a /24 and a /20 for IPv4 addresses, the interface ID of a
    /64 (random interface IDs) and the low byte of numbered servers
    (::1..::fe of a /64, a /120) for IPv6 addresses, the low byte for ports.
    A name alone is the IPv4 placement."""
    f = field if isinstance(field, fields.HashField) else fields.HASHABLE[field]
    if f.width_bits == 32:
        return (LowBits(f.name, 8, "/24", f.family), LowBits(f.name, 12, "/20", f.family))
    if f.width_bits == 128:
        return (LowBits(f.name, 64, "/64", f.family), LowBits(f.name, 8, "/120", f.family))
    return (LowBits(f.name, 8, "low 8 bits", f.family),)


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
    f = low.hash_field
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


# IPv6 address plans (RFC 4291 / RFC 6177 allocations): hosts of one /64 with
# random interface IDs (SLAAC privacy addresses, RFC 8981), and servers in a few
# /48s: a few /64 subnets each, interface IDs numbered ::1..::fe (as the
# 254 hosts of an IPv4 /24).
IPV6_HOSTS = 4096
IPV6_SERVER_PREFIXES = 3
IPV6_SERVER_SUBNETS = 4
IPV6_SERVERS_PER_SUBNET = 254
_IPV6_PAIRED_PORT = {"ipv6.src": 2, "ipv6.dst": 3}
_IPV6_COLUMN = {"ipv6.src": 0, "ipv6.dst": 1}


@dataclasses.dataclass(frozen=True)
class BitTraffic:
    """Address-plan traffic as rows of hash-input bits (IPv6: 288 per row)."""

    name: str
    bits: np.ndarray
    weights: np.ndarray

    def lower_bound(self, queues: int) -> float:
        return max(1.0, float(self.weights.max() / (self.weights.sum() / queues)))


def ipv6_uniform_bits(count: int, seed: int) -> np.ndarray:
    """`count` uniformly random IPv6 TCP/UDP flows as 288-bit input rows."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, size=(count, fields.INPUT_BITS_OF[fields.IPV6]), dtype=np.uint8)


@functools.cache  # the same plans for every port and key (callers only read them)
def ipv6_address_plan_traffic(field: str, seed: int) -> list[BitTraffic]:
    """IPv6 traffic whose `field` (ipv6.src or ipv6.dst) follows an address
    plan while every other field keeps one random value (the worst case, as
    address_plan_traffic): the hosts of one /64 with random interface IDs,
    and servers in IPV6_SERVER_PREFIXES /48s at port SERVER_PORT."""
    rng = np.random.default_rng(seed)
    column = _IPV6_COLUMN[field]
    fixed = [int.from_bytes(rng.bytes(16), "big"), int.from_bytes(rng.bytes(16), "big")]
    fixed += [int(rng.integers(1024, 1 << 16)), int(rng.integers(1024, 1 << 16))]

    def rows(addresses: list[int], port: int | None = None) -> np.ndarray:
        out = []
        for a in addresses:
            row = list(fixed)
            row[column] = a
            if port is not None:
                row[_IPV6_PAIRED_PORT[field]] = port
            out.append(row)
        return toeplitz.ipv6_flows_to_bits(out)

    prefix64 = int.from_bytes(rng.bytes(8), "big") << 64
    hosts = [prefix64 | int.from_bytes(rng.bytes(8), "big") for _ in range(IPV6_HOSTS)]
    servers = []
    for _ in range(IPV6_SERVER_PREFIXES):
        prefix48 = int.from_bytes(rng.bytes(6), "big") << 80
        for subnet in rng.choice(1 << 16, size=IPV6_SERVER_SUBNETS, replace=False):
            servers += [prefix48 | int(subnet) << 64 | i for i in range(1, IPV6_SERVERS_PER_SUBNET + 1)]
    host_rows = rows(hosts)
    server_rows = rows(servers, SERVER_PORT)
    side = "port" if field == "ipv6.dst" else "source port"
    server_name = (
        f"{field}: servers in {IPV6_SERVER_PREFIXES} /48s ({IPV6_SERVER_SUBNETS} /64s each, "
        f"::1..::{IPV6_SERVERS_PER_SUBNET:x}), {side} {SERVER_PORT}"
    )
    return [
        BitTraffic(
            f"{field}: {IPV6_HOSTS} hosts of one /64, random interface IDs", host_rows, np.ones(len(hosts))
        ),
        BitTraffic(server_name, server_rows, np.ones(len(servers))),
        BitTraffic(f"{field}: one /64, Zipf {ZIPF_EXPONENT} popularity", host_rows, _zipf(len(hosts), rng)),
        BitTraffic(f"{server_name}, Zipf {ZIPF_EXPONENT} popularity", server_rows, _zipf(len(servers), rng)),
    ]


def bits_loads(key: bytes, bits: np.ndarray, weights: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Load per queue (sum of row weights) of input-bit rows under a RETA `table`."""
    indexes = toeplitz.bits_reta_indexes(key, len(table), bits)
    return np.bincount(np.asarray(table)[indexes], weights=weights, minlength=int(np.max(table)) + 1)


def bits_queue_loads(key: bytes, reta_size: int, bits: np.ndarray, queues: int) -> np.ndarray:
    """Rows per queue with the RETA rule's table for `queues` queues."""
    table = _table(reta_size, queues)
    return np.bincount(table[toeplitz.bits_reta_indexes(key, reta_size, bits)], minlength=queues)


def max_over_mean(loads: np.ndarray) -> float:
    return float(loads.max() / loads.mean())

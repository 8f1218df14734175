"""RETA from a traffic profile: assign RETA entries to queues by the load a
pcap puts on them, so that skewed but splittable traffic is balanced.

Each packet of a port's pcap is hashed with that port's solved key and fields
(the reference Toeplitz of toeplitz.py over the RETA index, as the NIC does
with the plan's rss_hf: TCP/UDP non-fragments hash the 4-tuple, other IPv4
the addresses; a key whose port columns are zero gives both the same index)
and counted on its RETA entry. The runtime has one RETA for every port, so
the ports' counts are added. Then:

* entries that carry load go to queues greedy largest-first (LPT, Graham
  1969): each, heaviest first, to the queue with the least load so far. Its
  makespan is at most (4/3 - 1/(3 q)) times the optimum, and it never puts
  more than the heaviest entry above the mean on any queue;
* entries with no load keep the queue the RETA rule (reta.py) gives them, so
  every queue keeps its share of the entries that traffic not in the profile
  will reach.

A packet that is not IPv4 (or too short to be one) is not hashed by the NIC's
IPv4 RSS types; it is counted as skipped and does not weigh.
"""

from __future__ import annotations

import dataclasses
import heapq
import struct

import numpy as np

from parallelizer.sharding import fields, reta, toeplitz

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": "<",  # microseconds, little endian
    b"\xa1\xb2\xc3\xd4": ">",
    b"\x4d\x3c\xb2\xa1": "<",  # nanoseconds
    b"\xa1\xb2\x3c\x4d": ">",
}
_LINKTYPE_ETHERNET = 1
_ETH_IPV4 = 0x0800
_VLAN_TAGS = (0x8100, 0x88A8)
_L4_HASHED = (6, 17)  # NONFRAG_IPV4_TCP, NONFRAG_IPV4_UDP


class ProfileError(Exception):
    """The profile cannot be used; the message names the file and the problem."""


@dataclasses.dataclass(frozen=True)
class PortProfile:
    """One port's packets as hash-input rows (src, dst, src_port, dst_port)."""

    port: int
    path: str
    rows: np.ndarray  # uint64, one row per hashed packet
    skipped: int  # packets RSS does not hash as IPv4

    @property
    def packets(self) -> int:
        return len(self.rows) + self.skipped


def parse_spec(spec: str) -> tuple[int, str]:
    """ "PORT:FILE" -> (port, file)."""
    port, sep, path = spec.partition(":")
    if not sep or not port.isdigit() or not path:
        raise ProfileError(f"'{spec}' is not PORT:FILE.pcap (the NF input port the pcap's packets arrive on)")
    return int(port), path


def read_pcap(port: int, path: str, data: bytes) -> PortProfile:
    """Hash-input rows of every IPv4 packet in a classic pcap (Ethernet)."""
    if len(data) < 24 or data[:4] not in _PCAP_MAGICS:
        raise ProfileError(f"{path}: not a pcap file (pcapng is not read: convert it with editcap -F pcap)")
    endian = _PCAP_MAGICS[data[:4]]
    linktype = struct.unpack_from(endian + "I", data, 20)[0]
    if linktype != _LINKTYPE_ETHERNET:
        raise ProfileError(f"{path}: link type {linktype}, expected Ethernet ({_LINKTYPE_ETHERNET})")
    rows: list[tuple[int, int, int, int]] = []
    skipped = 0
    offset = 24
    record = struct.Struct(endian + "IIII")
    while offset < len(data):
        if offset + 16 > len(data):
            raise ProfileError(f"{path}: truncated record header at byte {offset}")
        _, _, caplen, _ = record.unpack_from(data, offset)
        offset += 16
        if offset + caplen > len(data):
            raise ProfileError(
                f"{path}: record at byte {offset - 16} says {caplen} bytes, the file ends first"
            )
        row = _hash_input(data[offset : offset + caplen])
        offset += caplen
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    array = np.array(rows, dtype=np.uint64).reshape(-1, 4)
    return PortProfile(port, path, array, skipped)


def _hash_input(frame: bytes) -> tuple[int, int, int, int] | None:
    """(src, dst, src_port, dst_port) as RSS hashes the frame; None if not IPv4."""
    if len(frame) < 14:
        return None
    ether_type = struct.unpack_from("!H", frame, 12)[0]
    l3 = 14
    while ether_type in _VLAN_TAGS and len(frame) >= l3 + 4:
        ether_type = struct.unpack_from("!H", frame, l3 + 2)[0]
        l3 += 4
    if ether_type != _ETH_IPV4 or len(frame) < l3 + 20 or frame[l3] >> 4 != 4:
        return None
    ihl = (frame[l3] & 0xF) * 4
    flags_fragment = struct.unpack_from("!H", frame, l3 + 6)[0]
    proto = frame[l3 + 9]
    src, dst = struct.unpack_from("!II", frame, l3 + 12)
    fragment = flags_fragment & 0x3FFF  # MF or an offset: not a NONFRAG type
    l4 = l3 + ihl
    if proto in _L4_HASHED and not fragment and ihl >= 20 and len(frame) >= l4 + 4:
        sport, dport = struct.unpack_from("!HH", frame, l4)
        return (src, dst, sport, dport)
    return (src, dst, 0, 0)  # RTE_ETH_RSS_IPV4: the addresses only


def entry_loads(key: bytes, reta_size: int, rows: np.ndarray) -> np.ndarray:
    """Packets per RETA entry under `key`."""
    if len(rows) == 0:
        return np.zeros(reta_size, dtype=np.int64)
    return np.bincount(toeplitz.reta_indexes(key, reta_size, rows), minlength=reta_size)


def lpt_table(loads: np.ndarray, queues: int) -> list[int]:
    """The profile's RETA: loaded entries greedy largest-first to the least
    loaded queue (ties: the lower queue), entries without load by the rule."""
    size = len(loads)
    table = reta.table(size, queues)
    heap = [(0, q) for q in range(queues)]
    # Heaviest first; equal loads in entry order, so the result is deterministic.
    for entry in sorted((e for e in range(size) if loads[e] > 0), key=lambda e: (-loads[e], e)):
        load, queue = heapq.heappop(heap)
        table[entry] = queue
        heapq.heappush(heap, (load + int(loads[entry]), queue))
    return table


def queue_loads(loads: np.ndarray, table: list[int], queues: int) -> np.ndarray:
    return np.bincount(np.asarray(table), weights=loads, minlength=queues)


def max_over_mean(loads: np.ndarray) -> float:
    mean = loads.mean()
    return float(loads.max() / mean) if mean > 0 else 1.0


def lower_bound(loads: np.ndarray, queues: int) -> float:
    """No RETA does better: an entry (and so a flow) is never split."""
    total = loads.sum()
    return max(1.0, float(loads.max() * queues / total)) if total > 0 else 1.0


@dataclasses.dataclass(frozen=True)
class ProfileResult:
    table: list[int]
    per_port: list[tuple[PortProfile, np.ndarray]]  # (profile, loads per entry)
    combined: np.ndarray


def profile_reta(
    profiles: list[PortProfile], keys: dict[int, bytes], reta_size: int, queues: int
) -> ProfileResult:
    """The RETA that balances the profiles' combined load over `queues`."""
    if not 1 <= queues <= reta_size:
        raise ProfileError(f"queues {queues} must be between 1 and the RETA size {reta_size}")
    fields.reta_bits(reta_size)  # validates the size
    per_port = []
    combined = np.zeros(reta_size, dtype=np.int64)
    for p in profiles:
        if p.port not in keys:
            raise ProfileError(f"{p.path}: port {p.port} is not a port of the NF (ports {sorted(keys)})")
        loads = entry_loads(keys[p.port], reta_size, p.rows)
        per_port.append((p, loads))
        combined += loads
    return ProfileResult(lpt_table(combined, queues), per_port, combined)

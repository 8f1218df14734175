"""Packet fields a NIC's RSS can hash, and where they sit in the Toeplitz input.

DPDK hashes IPv4 packets over the bytes src addr, dst addr (rss_hf RTE_ETH_RSS_IPV4)
followed by src port, dst port for TCP/UDP (RTE_ETH_RSS_NONFRAG_IPV4_TCP/UDP), all
in network byte order. Bit 0 of the hash input is the most significant bit of
the first byte. A field bit is numbered from its least significant bit (0), as in
host-order values and in `Expr` extract(hi, lo).
"""

from __future__ import annotations

import dataclasses
import re

from parallelizer.schema import rss_hf

# The rss_hf bits whose hash inputs are modelled here (schema/rss_hf.py owns the values).
RSS_IPV4 = rss_hf.IPV4
RSS_NONFRAG_IPV4_TCP = rss_hf.NONFRAG_IPV4_TCP
RSS_NONFRAG_IPV4_UDP = rss_hf.NONFRAG_IPV4_UDP

RSS_HF_NAMES = {rss_hf.BITS[n]: rss_hf.dpdk_name(n) for n in ("IPV4", "NONFRAG_IPV4_TCP", "NONFRAG_IPV4_UDP")}


@dataclasses.dataclass(frozen=True)
class HashField:
    """A packet field in the Toeplitz input: `offset_bits` is where its MSB sits."""

    name: str
    offset_bits: int
    width_bits: int

    def input_bit(self, field_bit: int) -> int:
        """Hash-input bit position of the field's bit `field_bit` (0 = LSB)."""
        if not 0 <= field_bit < self.width_bits:
            raise ValueError(f"{self.name} has no bit {field_bit}")
        return self.offset_bits + self.width_bits - 1 - field_bit


IPV4_SRC = HashField("ipv4.src", 0, 32)
IPV4_DST = HashField("ipv4.dst", 32, 32)
L4_SRC_PORT = HashField("l4.src_port", 64, 16)
L4_DST_PORT = HashField("l4.dst_port", 80, 16)

# Hash inputs per rss_hf flow type.
LAYOUT_IPV4 = (IPV4_SRC, IPV4_DST)
LAYOUT_IPV4_L4 = (IPV4_SRC, IPV4_DST, L4_SRC_PORT, L4_DST_PORT)
LAYOUTS: dict[int, tuple[HashField, ...]] = {
    RSS_IPV4: LAYOUT_IPV4,
    RSS_NONFRAG_IPV4_TCP: LAYOUT_IPV4_L4,
    RSS_NONFRAG_IPV4_UDP: LAYOUT_IPV4_L4,
}

HASHABLE: dict[str, HashField] = {f.name: f for f in LAYOUT_IPV4_L4}
INPUT_BITS = 96  # the longest IPv4 input (TCP/UDP)

# rss_hf every port gets: TCP and UDP hash the 4-tuple, other IPv4 packets the
# address pair. Both inputs start with the same 64 bits, so a key whose port
# blocks are zero on the RETA bits sends a flow's L4 and non-L4 packets alike.
DEFAULT_RSS_HF = RSS_IPV4 | RSS_NONFRAG_IPV4_TCP | RSS_NONFRAG_IPV4_UDP


def rss_hf_names(rss_hf: int) -> list[str]:
    return [name for bit, name in sorted(RSS_HF_NAMES.items()) if rss_hf & bit]


def is_hashable(field: str) -> bool:
    return field in HASHABLE


@dataclasses.dataclass(frozen=True)
class FieldBits:
    """Bits [lo, hi] of a packet field (inclusive, 0 = LSB)."""

    field: str
    hi: int
    lo: int

    @property
    def width(self) -> int:
        return self.hi - self.lo + 1

    def is_whole(self) -> bool:
        f = HASHABLE.get(self.field)
        return f is not None and self.lo == 0 and self.hi == f.width_bits - 1

    def __str__(self) -> str:
        return self.field if self.is_whole() else f"{self.field}[{self.hi}:{self.lo}]"


_FIELD_BITS_RE = re.compile(r"^([a-z0-9_.]+)(?:\[(\d+):(\d+)\])?$")


def parse_field_bits(text: str) -> FieldBits:
    """Parses "ipv4.src" or "ipv4.src[31:8]" (the plan's FieldEquality form)."""
    m = _FIELD_BITS_RE.match(text)
    if not m or m.group(1) not in HASHABLE:
        raise ValueError(
            f"'{text}' is not a hashable field: expected one of {sorted(HASHABLE)}, optionally with [hi:lo]"
        )
    f = HASHABLE[m.group(1)]
    if m.group(2) is None:
        return FieldBits(f.name, f.width_bits - 1, 0)
    hi, lo = int(m.group(2)), int(m.group(3))
    if not 0 <= lo <= hi < f.width_bits:
        raise ValueError(f"'{text}': bit range must satisfy 0 <= lo <= hi < {f.width_bits}")
    return FieldBits(f.name, hi, lo)


def reta_bits(reta_size: int) -> int:
    """log2 of the RETA size; the RETA index is the hash's low bits."""
    if reta_size <= 0 or reta_size & (reta_size - 1):
        raise ValueError(f"RETA size {reta_size} is not a power of two")
    return reta_size.bit_length() - 1

"""Packet fields a NIC's RSS can hash, and where they sit in the Toeplitz input.

DPDK hashes IPv4 packets over the bytes src addr, dst addr (rss_hf RTE_ETH_RSS_IPV4)
followed by src port, dst port for TCP/UDP (RTE_ETH_RSS_NONFRAG_IPV4_TCP/UDP), all
in network byte order; IPv6 packets the same way over the 128-bit addresses
(RTE_ETH_RSS_IPV6, NONFRAG_IPV6_TCP/UDP: src 128, dst 128, sport 16, dport 16,
288 bits). Bit 0 of the hash input is the most significant bit of the first
byte. A field bit is numbered from its least significant bit (0), as in
host-order values and in `Expr` extract(hi, lo).

The L4 ports have one name in both families (l4.src_port, l4.dst_port) but sit
at bits 64/80 of an IPv4 input and 256/272 of an IPv6 input: where a field is
depends on the packet's family (a description path's `families`), so
constraints name the family of each side and `field_in` places a field.
"""

from __future__ import annotations

import dataclasses

from parallelizer.schema import packet_fields, rss_hf

# The rss_hf bits whose hash inputs are modelled here (schema/rss_hf.py owns the values).
RSS_IPV4 = rss_hf.IPV4
RSS_NONFRAG_IPV4_TCP = rss_hf.NONFRAG_IPV4_TCP
RSS_NONFRAG_IPV4_UDP = rss_hf.NONFRAG_IPV4_UDP
RSS_IPV6 = rss_hf.IPV6
RSS_NONFRAG_IPV6_TCP = rss_hf.NONFRAG_IPV6_TCP
RSS_NONFRAG_IPV6_UDP = rss_hf.NONFRAG_IPV6_UDP

_MODELLED = ("IPV4", "NONFRAG_IPV4_TCP", "NONFRAG_IPV4_UDP", "IPV6", "NONFRAG_IPV6_TCP", "NONFRAG_IPV6_UDP")
RSS_HF_NAMES = {rss_hf.BITS[n]: rss_hf.dpdk_name(n) for n in _MODELLED}

# Address families (the names of nf_description.proto's Path.Family values).
IPV4 = "IPV4"
IPV6 = "IPV6"
FAMILIES = (IPV4, IPV6)


@dataclasses.dataclass(frozen=True)
class HashField:
    """A packet field in the Toeplitz input of `family`: `offset_bits` is where its MSB sits."""

    name: str
    offset_bits: int
    width_bits: int
    family: str = IPV4

    def input_bit(self, field_bit: int) -> int:
        """Hash-input bit position of the field's bit `field_bit` (0 = LSB)."""
        if not 0 <= field_bit < self.width_bits:
            raise ValueError(f"{self.name} has no bit {field_bit}")
        return self.offset_bits + self.width_bits - 1 - field_bit

    @property
    def label(self) -> str:
        """The field's name, with the family where the name does not say it (ports)."""
        return (
            self.name if self.name.startswith(self.family.lower() + ".") else f"{self.name} ({self.family})"
        )


def _layout(family: str, names: tuple[str, ...]) -> tuple[HashField, ...]:
    out, offset = [], 0
    for name in names:
        out.append(HashField(name, offset, packet_fields.WIDTHS[name], family))
        offset += packet_fields.WIDTHS[name]
    return tuple(out)


LAYOUT_IPV4_L4 = _layout(IPV4, ("ipv4.src", "ipv4.dst", "l4.src_port", "l4.dst_port"))
LAYOUT_IPV6_L4 = _layout(IPV6, ("ipv6.src", "ipv6.dst", "l4.src_port", "l4.dst_port"))
IPV4_SRC, IPV4_DST, L4_SRC_PORT, L4_DST_PORT = LAYOUT_IPV4_L4
IPV6_SRC, IPV6_DST, IPV6_L4_SRC_PORT, IPV6_L4_DST_PORT = LAYOUT_IPV6_L4

# Hash inputs per rss_hf flow type.
LAYOUT_IPV4 = (IPV4_SRC, IPV4_DST)
LAYOUT_IPV6 = (IPV6_SRC, IPV6_DST)
LAYOUTS: dict[int, tuple[HashField, ...]] = {
    RSS_IPV4: LAYOUT_IPV4,
    RSS_NONFRAG_IPV4_TCP: LAYOUT_IPV4_L4,
    RSS_NONFRAG_IPV4_UDP: LAYOUT_IPV4_L4,
    RSS_IPV6: LAYOUT_IPV6,
    RSS_NONFRAG_IPV6_TCP: LAYOUT_IPV6_L4,
    RSS_NONFRAG_IPV6_UDP: LAYOUT_IPV6_L4,
}
# The longest input of each family (TCP/UDP): the solver's field groups.
FAMILY_LAYOUTS: dict[str, tuple[HashField, ...]] = {IPV4: LAYOUT_IPV4_L4, IPV6: LAYOUT_IPV6_L4}
INPUT_BITS_OF: dict[str, int] = {f: sum(h.width_bits for h in lay) for f, lay in FAMILY_LAYOUTS.items()}

HASHABLE: dict[str, HashField] = {f.name: f for f in LAYOUT_IPV4_L4}  # IPv4 placement of each name
HASHABLE_IPV6: dict[str, HashField] = {f.name: f for f in LAYOUT_IPV6_L4}
INPUT_BITS = INPUT_BITS_OF[IPV4]  # the longest IPv4 input (TCP/UDP)
MAX_INPUT_BITS = max(INPUT_BITS_OF.values())  # IPv6 TCP/UDP: 288, needs a key of >= 40 bytes
WIDTHS: dict[str, int] = {f.name: f.width_bits for lay in FAMILY_LAYOUTS.values() for f in lay}

# rss_hf every port gets: TCP and UDP hash the 4-tuple, other IPv4 packets the
# address pair. Both inputs start with the same 64 bits, so a key whose port
# blocks are zero on the RETA bits sends a flow's L4 and non-L4 packets alike.
DEFAULT_RSS_HF = RSS_IPV4 | RSS_NONFRAG_IPV4_TCP | RSS_NONFRAG_IPV4_UDP
# Added where a port's paths include IPv6 packets: the same rule over the
# IPv6 input (the 2-tuple is the first 256 bits of the 4-tuple). Not the _EX
# types: they hash addresses from extension headers, not the fixed header's
# that nf_pkt_ipv6_src/dst return and the constraints are proved on.
IPV6_RSS_HF = RSS_IPV6 | RSS_NONFRAG_IPV6_TCP | RSS_NONFRAG_IPV6_UDP
FAMILY_RSS_HF: dict[str, int] = {IPV4: DEFAULT_RSS_HF, IPV6: IPV6_RSS_HF}


def field_in(family: str, name: str) -> HashField | None:
    """Where field `name` sits in `family`'s input (None: not in it, e.g. ipv4.src of an IPv6 packet)."""
    return next((f for f in FAMILY_LAYOUTS[family] if f.name == name), None)


def rss_hf_of(families) -> int:
    """The rss_hf of a port whose packets have `families`: IPv4's always (the
    model before IPv6; also what a port without IP paths is given)."""
    out = DEFAULT_RSS_HF
    for f in families:
        out |= FAMILY_RSS_HF[f]
    return out


def rss_hf_names(rss_hf: int) -> list[str]:
    return [name for bit, name in sorted(RSS_HF_NAMES.items()) if rss_hf & bit]


def is_hashable(field: str) -> bool:
    """A hashable field, or a bit slice of one ("ipv6.src[127:120]")."""
    try:
        parse_field_bits(field)
    except ValueError:
        return False
    return True


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
        width = WIDTHS.get(self.field)
        return width is not None and self.lo == 0 and self.hi == width - 1

    def __str__(self) -> str:
        return self.field if self.is_whole() else f"{self.field}[{self.hi}:{self.lo}]"


def parse_field_bits(text: str) -> FieldBits:
    """Parses "ipv4.src" or "ipv4.src[31:8]" (the plan's FieldEquality form; any family's field);
    the syntax is packet_fields.parse_slice's, restricted to hashable fields."""
    name, hi, lo = packet_fields.parse_slice(text)
    if name not in WIDTHS:
        raise ValueError(
            f"'{text}' is not a hashable field: expected one of {sorted(WIDTHS)}, optionally with [hi:lo]"
        )
    return FieldBits(name, hi, lo)


def reta_bits(reta_size: int) -> int:
    """log2 of the RETA size; the RETA index is the hash's low bits."""
    if reta_size <= 0 or reta_size & (reta_size - 1):
        raise ValueError(f"RETA size {reta_size} is not a power of two")
    return reta_size.bit_length() - 1

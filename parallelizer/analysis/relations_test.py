"""relations.packet_field_of: a term's packet field, keeping bit slices.

The expected names come from the C meaning of each term (which bits of the
field the value holds), not from the function: a key byte taken from an
address is that byte's slice, never the whole address (a relation naming the
whole field would let packets that share a prefix entry split over cores)."""

import sys

import pytest
import z3

from parallelizer.analysis import relations

SRC6 = z3.BitVec("ipv6.src", 128)
SRC4 = z3.BitVec("ipv4.src", 32)
PORT = z3.BitVec("l4.src_port", 16)


@pytest.mark.parametrize(
    "term, expected",
    [
        (SRC4, "ipv4.src"),
        (z3.ZeroExt(32, SRC4), "ipv4.src"),  # uint64_t x = src
        (z3.SignExt(16, PORT), "l4.src_port"),
        (z3.Extract(127, 120, SRC6), "ipv6.src[127:120]"),  # addr.bytes[0]
        (z3.ZeroExt(24, z3.Extract(119, 112, SRC6)), "ipv6.src[119:112]"),  # (uint32_t)addr.bytes[1]
        (z3.Extract(7, 0, z3.Extract(31, 16, SRC4)), "ipv4.src[23:16]"),  # nested slices compose
        (z3.Extract(31, 0, SRC4), "ipv4.src"),  # the whole field
        (z3.Extract(15, 0, z3.ZeroExt(16, PORT)), "l4.src_port"),  # a round trip through a wider type
        (z3.Extract(23, 8, z3.ZeroExt(16, PORT)), "l4.src_port[15:8]"),  # bits above are zero
        (z3.Extract(31, 16, z3.ZeroExt(16, PORT)), None),  # only the extension's zero bits
        (SRC4 & 0xFF000000, None),  # not a field or slice: no relation (the paths give the constraint)
        (z3.BitVec("other", 32), None),  # not a packet field
        (z3.BitVecVal(5, 32), None),
    ],
)
def test_packet_field_of(term, expected):
    assert relations.packet_field_of(term) == expected


def test_negative_control_slice_is_not_the_whole_field():
    """The bug this guards against: a byte of an address named as the address."""
    assert relations.packet_field_of(z3.Extract(127, 120, SRC6)) != "ipv6.src"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

"""The packet fields a description's `Expr.packet_field` may name, with widths.

One owner for the names and widths the stages share: the analyzer's getter
table (analysis/nflib_model.py) maps nflib's `nf_pkt_*` getters onto these
names, and the sharding stage checks and reads descriptions against them.
The order is the one descriptions list fields in.
"""

from __future__ import annotations

import re

# The L4 ports keep one name for both families: a path's family is known from
# its pkt.status constraint (the description's Path.families), and NFs read
# both with the same nf_pkt_l4_* getters. Where a port field sits in the
# Toeplitz input depends on that family (sharding/fields.py layouts).
# Field -> width in bits. `in_port` and `now` are nf_process's arguments, not
# packet bytes, but a description treats them as fields of the packet event.
WIDTHS: dict[str, int] = {
    "eth.src": 48,
    "eth.dst": 48,
    "eth.type": 16,
    "ipv4.src": 32,
    "ipv4.dst": 32,
    "ipv4.proto": 8,
    "ipv6.src": 128,
    "ipv6.dst": 128,
    "ipv6.flow_label": 20,
    "ipv6.proto": 8,
    "ipv6.hop_limit": 8,
    "l4.src_port": 16,
    "l4.dst_port": 16,
    "tcp.flags": 8,
    "pkt.len": 32,
    "pkt.status": 8,
    "in_port": 16,
    "now": 64,
}

# A field or a bit slice of one, "ipv6.src[127:120]" (bits hi..lo, 0 = LSB): the
# form relations and plans name a key byte taken from a wider field in.
_SLICE_RE = re.compile(r"^([a-z0-9_.]+)(?:\[(\d+):(\d+)\])?$")


def parse_slice(text: str) -> tuple[str, int, int]:
    """(field, hi, lo) of "field" or "field[hi:lo]"; ValueError naming what is wrong."""
    m = _SLICE_RE.match(text)
    if not m or m.group(1) not in WIDTHS:
        raise ValueError(f"unknown packet field '{text}'; known: {sorted(WIDTHS)}, optionally with [hi:lo]")
    name, width = m.group(1), WIDTHS[m.group(1)]
    if m.group(2) is None:
        return name, width - 1, 0
    hi, lo = int(m.group(2)), int(m.group(3))
    if not 0 <= lo <= hi < width:
        raise ValueError(f"'{text}': bit range must satisfy 0 <= lo <= hi < {width}")
    return name, hi, lo

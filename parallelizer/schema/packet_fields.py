"""The packet fields a description's `Expr.packet_field` may name, with widths.

One owner for the names and widths the stages share: the analyzer's getter
table (analysis/nflib_model.py) maps nflib's `nf_pkt_*` getters onto these
names, and the sharding stage checks and reads descriptions against them.
The order is the one descriptions list fields in.
"""

from __future__ import annotations

# Field -> width in bits. `in_port` and `now` are nf_process's arguments, not
# packet bytes, but a description treats them as fields of the packet event.
WIDTHS: dict[str, int] = {
    "eth.src": 48,
    "eth.dst": 48,
    "eth.type": 16,
    "ipv4.src": 32,
    "ipv4.dst": 32,
    "ipv4.proto": 8,
    "l4.src_port": 16,
    "l4.dst_port": 16,
    "tcp.flags": 8,
    "pkt.len": 32,
    "pkt.status": 8,
    "in_port": 16,
    "now": 64,
}

"""Summaries of nflib functions for the symbolic executor: which argument is the
object, key, index or value, which results are fresh symbols, and the StateOp
kind each call records. Packet accessors map to packet fields."""

from __future__ import annotations

import dataclasses

from parallelizer.schema import packet_fields


@dataclasses.dataclass(frozen=True)
class OpSummary:
    """A state operation on the object passed as argument 0."""

    family: str  # "map", "vector", "dchain", "sketch", "cht", "lpm"
    kind: str  # StateOp.Kind name
    key_ptr: int | None = None  # argument: pointer to a key struct (read)
    key_scalar: int | None = None  # argument: scalar key (LPM address, CHT hash)
    index: int | None = None  # argument: int32 index
    value: int | None = None  # argument: written scalar (map put) or threshold time
    value_ptr: int | None = None  # argument: pointer to a written cell (vector return)
    outs: tuple[tuple[int, str], ...] = ()  # (argument, part): pointers written with fresh symbols
    ret: str | None = None  # part name of the return value
    ret_domain: tuple[int, ...] | None = None  # the status codes it can return
    # More objects the call touches: (argument, family, kind).
    also: tuple[tuple[int, str, str], ...] = ()


NF_OK, NF_FULL, NF_EXISTS, NF_NOT_FOUND = 0, -1, -2, -3

OPS: dict[str, OpSummary] = {
    "nf_map_get": OpSummary("map", "READ", key_ptr=1, outs=((2, "value"),), ret="found"),
    "nf_map_put": OpSummary(
        "map", "WRITE", key_ptr=1, value=2, ret="status", ret_domain=(NF_OK, NF_EXISTS, NF_FULL)
    ),
    "nf_map_erase": OpSummary("map", "WRITE", key_ptr=1, ret="status", ret_domain=(NF_OK, NF_NOT_FOUND)),
    "nf_map_size": OpSummary("map", "READ", ret="value"),
    "nf_map_capacity": OpSummary("map", "READ", ret="value"),
    "nf_vector_borrow": OpSummary("vector", "READ", index=1, outs=((2, "cell"),)),
    "nf_vector_return": OpSummary("vector", "WRITE", index=1, value_ptr=2),
    "nf_vector_capacity": OpSummary("vector", "READ", ret="value"),
    "nf_vector_index_base": OpSummary("vector", "READ", ret="value"),
    "nf_dchain_allocate": OpSummary("dchain", "CREATE", outs=((2, "index"),), ret="found"),
    "nf_dchain_rejuvenate": OpSummary(
        "dchain", "REFRESH", index=1, ret="status", ret_domain=(NF_OK, NF_NOT_FOUND)
    ),
    "nf_dchain_is_allocated": OpSummary("dchain", "CHECK", index=1, ret="found"),
    "nf_dchain_expire_one": OpSummary("dchain", "EXPIRE", value=1, outs=((2, "index"),), ret="found"),
    "nf_dchain_free": OpSummary("dchain", "DESTROY", index=1, ret="status", ret_domain=(NF_OK, NF_NOT_FOUND)),
    "nf_dchain_capacity": OpSummary("dchain", "READ", ret="value"),
    "nf_dchain_index_base": OpSummary("dchain", "READ", ret="value"),
    "nf_dchain_allocated_count": OpSummary("dchain", "READ", ret="value"),
    "nf_expire_items": OpSummary(
        "dchain", "EXPIRE", value=3, ret="value", also=((1, "vector", "EXPIRE"), (2, "map", "EXPIRE"))
    ),
    "nf_expire_indexes": OpSummary("dchain", "EXPIRE", value=1, ret="value"),
    "nf_sketch_estimate": OpSummary("sketch", "READ", key_ptr=1, ret="estimate"),
    "nf_sketch_increment": OpSummary("sketch", "WRITE", key_ptr=1),
    "nf_sketch_expire": OpSummary("sketch", "EXPIRE", value=1),
    "nf_cht_find_backend": OpSummary(
        "cht", "READ", key_scalar=1, outs=((3, "backend"),), ret="found", also=((2, "dchain", "READ"),)
    ),
    "nf_lpm_lookup": OpSummary("lpm", "READ", key_scalar=1, outs=((2, "value"),), ret="found"),
    "nf_lpm_add": OpSummary(
        "lpm", "WRITE", key_scalar=1, value=3, ret="status", ret_domain=(NF_OK, NF_FULL, -4)
    ),
}


@dataclasses.dataclass(frozen=True)
class Constructor:
    family: str
    capacity: int  # argument holding the capacity
    key_size: int | None = None
    cell_size: int | None = None


CONSTRUCTORS: dict[str, Constructor] = {
    "nf_map_create": Constructor("map", capacity=1, key_size=2),
    "nf_vector_create": Constructor("vector", capacity=1, cell_size=2),
    "nf_dchain_create": Constructor("dchain", capacity=1),
    "nf_sketch_create": Constructor("sketch", capacity=1, key_size=3),
    "nf_cht_create": Constructor("cht", capacity=1),
    "nf_lpm_create": Constructor("lpm", capacity=1),
}

DESTRUCTORS = {
    "nf_map_destroy",
    "nf_vector_destroy",
    "nf_dchain_destroy",
    "nf_sketch_destroy",
    "nf_cht_destroy",
    "nf_lpm_destroy",
}

# Packet getters: function -> packet field (schema/packet_fields.py owns the
# names and widths). eth_src/eth_dst return struct nf_mac, ipv6_src/ipv6_dst
# struct nf_ipv6_addr (BYTE_STRUCTS).
_GETTER_FIELDS: dict[str, str] = {
    "nf_pkt_eth_src": "eth.src",
    "nf_pkt_eth_dst": "eth.dst",
    "nf_pkt_eth_type": "eth.type",
    "nf_pkt_ipv4_src": "ipv4.src",
    "nf_pkt_ipv4_dst": "ipv4.dst",
    "nf_pkt_ipv4_proto": "ipv4.proto",
    "nf_pkt_ipv6_src": "ipv6.src",
    "nf_pkt_ipv6_dst": "ipv6.dst",
    "nf_pkt_ipv6_proto": "ipv6.proto",
    "nf_pkt_ipv6_flow_label": "ipv6.flow_label",
    "nf_pkt_ipv6_hop_limit": "ipv6.hop_limit",
    "nf_pkt_l4_src_port": "l4.src_port",
    "nf_pkt_l4_dst_port": "l4.dst_port",
    "nf_pkt_tcp_flags": "tcp.flags",
    "nf_pkt_len": "pkt.len",
    "nf_pkt_status": "pkt.status",
}
# function -> (packet field, bits)
PACKET_GETTERS: dict[str, tuple[str, int]] = {
    fn: (field, packet_fields.WIDTHS[field]) for fn, field in _GETTER_FIELDS.items()
}

# Fields whose getter returns a struct of one byte array (network order,
# bytes[0] most significant): field -> struct name.
BYTE_STRUCTS: dict[str, str] = {
    "eth.src": "nf_mac",
    "eth.dst": "nf_mac",
    "ipv6.src": "nf_ipv6_addr",
    "ipv6.dst": "nf_ipv6_addr",
}

PACKET_SETTERS: dict[str, str] = {
    "nf_pkt_set_eth_src": "eth.src",
    "nf_pkt_set_eth_dst": "eth.dst",
    "nf_pkt_set_ipv4_src": "ipv4.src",
    "nf_pkt_set_ipv4_dst": "ipv4.dst",
    "nf_pkt_set_ipv6_src": "ipv6.src",
    "nf_pkt_set_ipv6_dst": "ipv6.dst",
    "nf_pkt_set_ipv6_flow_label": "ipv6.flow_label",
    "nf_pkt_set_ipv6_hop_limit": "ipv6.hop_limit",
    "nf_pkt_set_l4_src_port": "l4.src_port",
    "nf_pkt_set_l4_dst_port": "l4.dst_port",
}

# Every packet field with its width, in the order descriptions list them.
PACKET_FIELDS: dict[str, int] = packet_fields.WIDTHS

# The parse statuses come from nflib/packet.h's `enum nf_parse_status` as the
# NF's translation unit declares it (parse_statuses): the header owns the
# values and the range. Here only which of its names carry an IP header of
# each family (the getters' preconditions, packet.h), i.e. what RSS hashes.
PARSE_STATUS_ENUM = "nf_parse_status"
STATUS_FAMILIES: dict[str, str] = {
    "NF_PKT_L4_OK": "IPV4",
    "NF_PKT_IPV4_OTHER": "IPV4",
    "NF_PKT_FRAGMENT": "IPV4",
    "NF_PKT_IPV6_L4_OK": "IPV6",
    "NF_PKT_IPV6_OTHER": "IPV6",
    "NF_PKT_IPV6_FRAGMENT": "IPV6",
}
NOT_IP = "NOT_IP"  # every other status: no IP header RSS hashes


def parse_statuses(ast, enum_consts: dict[str, int]) -> dict[str, int]:
    """`enum nf_parse_status`'s enumerators with their values, in declaration
    order: names from the translation unit's AST (pycparser FileAST), values
    as its type table evaluated them (`enum_consts`). Empty when the unit does
    not declare the enum."""
    from pycparser import c_ast

    found: dict[str, int] = {}

    class _Finder(c_ast.NodeVisitor):
        def visit_Enum(self, node: c_ast.Enum) -> None:
            if node.name == PARSE_STATUS_ENUM and node.values is not None and not found:
                found.update({e.name: enum_consts[e.name] for e in node.values.enumerators})

    _Finder().visit(ast)
    return found

"""Hand-built NfDescriptions for tests and benchmarks, written from NF semantics
(what state is keyed on what), the way the analyzer describes them."""

from __future__ import annotations

from parallelizer.schema import packet_fields
from parallelizer.sharding import dependencies, fields
from proto import nf_description_pb2 as pb

SO = pb.StateObject
Op = pb.StateOp


def pf(name: str) -> pb.Expr:
    return pb.Expr(packet_field=name, width_bits=packet_fields.WIDTHS[name])


def const(value: int, width: int = 32) -> pb.Expr:
    return pb.Expr(constant=value, width_bits=width)


def sym(symbol: str, width: int = 32) -> pb.Expr:
    return pb.Expr(symbol=symbol, width_bits=width)


def cfg(name: str) -> pb.Expr:
    return pb.Expr(config=name, width_bits=16)


def struct(type_name: str, **named: pb.Expr) -> pb.Expr:
    return pb.Expr(
        struct_value=pb.StructValue(
            type_name=type_name, fields=[pb.NamedExpr(name=n, value=v) for n, v in named.items()]
        )
    )


def field_of(base: pb.Expr, field: str) -> pb.Expr:
    return pb.Expr(field_of=pb.FieldOf(base=base, field=field), width_bits=32)


def apply(op: str, *args: pb.Expr, params: tuple[int, ...] = ()) -> pb.Expr:
    return pb.Expr(apply=pb.Apply(op=op, args=list(args), params=list(params)))


def op(op_id, obj, kind, call, key=None, index=None, value=None, results=()) -> pb.StateOp:
    o = pb.StateOp(
        id=op_id, object=obj, kind=kind, call=call, results=list(results), location=f"nf.c:{op_id}"
    )
    if key is not None:
        o.key.CopyFrom(key)
    if index is not None:
        o.index.CopyFrom(index)
    if value is not None:
        o.value.CopyFrom(value)
    return o


def path(pid, in_port, ops, conditions=(), action=pb.Outcome.FORWARD, out_port=None, rewrites=()) -> pb.Path:
    p = pb.Path(id=pid, in_port=in_port, ops=list(ops), conditions=list(conditions))
    p.outcome.action = action
    if action == pb.Outcome.FORWARD:
        p.outcome.out_port.CopyFrom(const(1 - in_port if out_port is None else out_port, 16))
    for field, value in rewrites:
        p.outcome.rewrites.add(field=field, value=value)
    return p


def obj(name, kind, capacity=65536, written=True, key_type="") -> pb.StateObject:
    return pb.StateObject(
        name=name,
        kind=kind,
        capacity=capacity,
        written_by_packets=written,
        key_type=key_type,
        location=f"nf.c:create_{name}",
    )


def five_tuple(swap: bool = False) -> pb.Expr:
    if swap:
        return struct(
            "flow",
            src_ip=pf("ipv4.dst"),
            dst_ip=pf("ipv4.src"),
            src_port=pf("l4.dst_port"),
            dst_port=pf("l4.src_port"),
            proto=pf("ipv4.proto"),
        )
    return struct(
        "flow",
        src_ip=pf("ipv4.src"),
        dst_ip=pf("ipv4.dst"),
        src_port=pf("l4.src_port"),
        dst_port=pf("l4.dst_port"),
        proto=pf("ipv4.proto"),
    )


def _flow_table_paths(
    first_id: int, port: int, key: pb.Expr, map_name: str, chain: str, keys: str, allocate: bool
) -> list[pb.Path]:
    """Lookup in map_name; on a miss allocate an index and remember the key."""
    hit = path(
        first_id,
        port,
        [
            op("op1", map_name, Op.READ, "nf_map_get", key=key, results=["op1.found", "op1.value"]),
            op("op2", chain, Op.REFRESH, "nf_dchain_rejuvenate", index=sym("op1.value")),
        ],
        conditions=[sym("op1.found", 1)],
    )
    if not allocate:
        miss = path(
            first_id + 1,
            port,
            [
                op("op1", map_name, Op.READ, "nf_map_get", key=key, results=["op1.found", "op1.value"]),
            ],
            conditions=[apply("not", sym("op1.found", 1))],
            action=pb.Outcome.DROP,
        )
        return [hit, miss]
    miss = path(
        first_id + 1,
        port,
        [
            op("op0", chain, Op.EXPIRE, "nf_expire_items"),
            op("op1", map_name, Op.READ, "nf_map_get", key=key, results=["op1.found", "op1.value"]),
            op("op2", chain, Op.CREATE, "nf_dchain_allocate", results=["op2.found", "op2.index"]),
            op("op3", keys, Op.WRITE, "nf_vector_return", index=sym("op2.index"), value=key),
            op("op4", map_name, Op.WRITE, "nf_map_put", key=key, value=sym("op2.index")),
        ],
        conditions=[apply("not", sym("op1.found", 1)), sym("op2.found", 1)],
    )
    return [hit, miss]


def no_state() -> pb.NfDescription:
    d = pb.NfDescription(nf_name="no_state_like", source="nop.c", port_count=2)
    d.paths.extend([path(1, 0, []), path(2, 1, [])])
    return d


def firewall_like() -> pb.NfDescription:
    """Port 0 creates flows keyed by the 5-tuple; port 1 lets replies through."""
    d = pb.NfDescription(nf_name="firewall_like", source="fw.c", port_count=2)
    d.objects.extend(
        [obj("flows", SO.MAP, key_type="flow"), obj("flow_keys", SO.VECTOR), obj("flow_chain", SO.DCHAIN)]
    )
    d.paths.extend(_flow_table_paths(1, 0, five_tuple(), "flows", "flow_chain", "flow_keys", True))
    d.paths.extend(_flow_table_paths(3, 1, five_tuple(swap=True), "flows", "flow_chain", "flow_keys", False))
    return d


def nat_like(with_relations: bool = True) -> pb.NfDescription:
    """Port 0 (LAN) allocates an index per flow, stores the remote endpoint and
    writes base+index into the source port; port 1 (WAN) replies come back to
    that port and must come from the stored remote endpoint."""
    d = pb.NfDescription(nf_name="nat_like", source="nat.c", port_count=2)
    d.objects.extend(
        [obj("int_flows", SO.MAP, key_type="flow"), obj("flows", SO.VECTOR), obj("ports", SO.DCHAIN)]
    )
    cell = struct(
        "entry",
        int_ip=pf("ipv4.src"),
        int_port=pf("l4.src_port"),
        rem_ip=pf("ipv4.dst"),
        rem_port=pf("l4.dst_port"),
    )
    key = five_tuple()
    lan_hit = path(
        1,
        0,
        [
            op("op1", "int_flows", Op.READ, "nf_map_get", key=key, results=["op1.found", "op1.value"]),
            op("op2", "ports", Op.REFRESH, "nf_dchain_rejuvenate", index=sym("op1.value")),
        ],
        conditions=[sym("op1.found", 1)],
        rewrites=[("l4.src_port", apply("bvadd", cfg("cfg.port_base"), sym("op1.value")))],
    )
    lan_new = path(
        2,
        0,
        [
            op("op1", "int_flows", Op.READ, "nf_map_get", key=key, results=["op1.found", "op1.value"]),
            op("op2", "ports", Op.CREATE, "nf_dchain_allocate", results=["op2.found", "op2.index"]),
            op("op3", "flows", Op.WRITE, "nf_vector_return", index=sym("op2.index"), value=cell),
            op("op4", "int_flows", Op.WRITE, "nf_map_put", key=key, value=sym("op2.index")),
        ],
        conditions=[apply("not", sym("op1.found", 1)), sym("op2.found", 1)],
        rewrites=[("l4.src_port", apply("bvadd", cfg("cfg.port_base"), sym("op2.index")))],
    )
    index = apply("bvsub", pf("l4.dst_port"), cfg("cfg.port_base"))
    wan_ops = [
        op("op1", "ports", Op.CHECK, "nf_dchain_is_allocated", index=index, results=["op1.found"]),
        op("op2", "flows", Op.READ, "nf_vector_borrow", index=index, results=["op2.cell"]),
    ]
    same_remote = [
        apply("=", field_of(sym("op2.cell"), "rem_ip"), pf("ipv4.src")),
        apply("=", field_of(sym("op2.cell"), "rem_port"), pf("l4.src_port")),
    ]
    wan_ok = path(
        3,
        1,
        [*wan_ops, op("op3", "ports", Op.REFRESH, "nf_dchain_rejuvenate", index=index)],
        conditions=[sym("op1.found", 1), *same_remote],
    )
    wan_bad = path(
        4, 1, wan_ops, conditions=[sym("op1.found", 1), apply("not", same_remote[0])], action=pb.Outcome.DROP
    )
    d.paths.extend([lan_hit, lan_new, wan_ok, wan_bad])
    if with_relations:
        d.relations.add(
            kind=pb.Relation.INDEX_RETURNS_IN_PACKET,
            object="ports",
            writer_port=0,
            reader_port=1,
            pairs=[pb.FieldPair(writer_field="l4.src_port", reader_field="l4.dst_port")],
        )
        d.relations.add(
            kind=pb.Relation.STORED_VALUE_COMPARED,
            object="flows",
            writer_port=0,
            reader_port=1,
            pairs=[
                pb.FieldPair(writer_field="ipv4.dst", reader_field="ipv4.src", via="rem_ip"),
                pb.FieldPair(writer_field="l4.dst_port", reader_field="l4.src_port", via="rem_port"),
            ],
        )
    return d


def keyed_counter(name: str, port: int, key: pb.Expr, kind=SO.MAP) -> pb.NfDescription:
    """State keyed on `key` (packet fields of `port`): a map of indexes to
    per-key cells (policer buckets, scan counters), or a sketch."""
    d = pb.NfDescription(nf_name=name, source=f"{name}.c", port_count=2)
    d.paths.append(path(1, 1 - port, []))
    if kind == SO.SKETCH:
        d.objects.append(obj("counts", SO.SKETCH))
        d.paths.append(
            path(
                2,
                port,
                [
                    op("op1", "counts", Op.READ, "nf_sketch_estimate", key=key, results=["op1.estimate"]),
                    op("op2", "counts", Op.WRITE, "nf_sketch_increment", key=key),
                ],
            )
        )
        return d
    d.objects.extend([obj("index_of", SO.MAP), obj("cells", SO.VECTOR), obj("chain", SO.DCHAIN)])
    d.paths.extend(_flow_table_paths(2, port, key, "index_of", "chain", "cells", True))
    d.paths.append(
        path(
            4,
            port,
            [
                op("op1", "index_of", Op.READ, "nf_map_get", key=key, results=["op1.found", "op1.value"]),
                op("op2", "cells", Op.READ, "nf_vector_borrow", index=sym("op1.value"), results=["op2.cell"]),
                op(
                    "op3",
                    "cells",
                    Op.WRITE,
                    "nf_vector_return",
                    index=sym("op1.value"),
                    value=sym("op2.cell"),
                ),
            ],
            conditions=[sym("op1.found", 1)],
        )
    )
    return d


def policer_like() -> pb.NfDescription:
    return keyed_counter("policer_like", 1, struct("dst", ip=pf("ipv4.dst")))


def pair_keyed_like() -> pb.NfDescription:
    return keyed_counter(
        "pair_keyed_like", 0, struct("pair", src=pf("ipv4.src"), dst=pf("ipv4.dst")), kind=SO.SKETCH
    )


def src_keyed_like() -> pb.NfDescription:
    return keyed_counter("src_keyed_like", 0, struct("src", ip=pf("ipv4.src")))


def prefix_keyed_like() -> pb.NfDescription:
    """Keyed on the /24 of the source address."""
    return keyed_counter(
        "prefix_keyed_like", 0, struct("prefix", net=apply("extract", pf("ipv4.src"), params=(31, 8)))
    )


def mac_bridge_like() -> pb.NfDescription:
    """Every packet learns eth.src -> in_port, then forwards by eth.dst."""
    d = pb.NfDescription(nf_name="mac_bridge_like", source="bridge.c", port_count=2)
    d.objects.extend([obj("macs", SO.MAP), obj("mac_ports", SO.VECTOR), obj("mac_chain", SO.DCHAIN)])
    learn = struct("mac", addr=pf("eth.src"))
    lookup = [
        op(
            "op8",
            "macs",
            Op.READ,
            "nf_map_get",
            key=struct("mac", addr=pf("eth.dst")),
            results=["op8.found", "op8.value"],
        ),
        op("op9", "mac_ports", Op.READ, "nf_vector_borrow", index=sym("op8.value"), results=["op9.cell"]),
    ]
    for port in (0, 1):
        for p in _flow_table_paths(10 * port + 1, port, learn, "macs", "mac_chain", "mac_ports", True):
            p.ops.extend(lookup)
            p.conditions.append(sym("op8.found", 1))
            d.paths.append(p)
    return d


def lb_like() -> pb.NfDescription:
    """Port 0: client flows keyed by 5-tuple pick a backend through a consistent-
    hash table (init-only) over the live backends; port 1: backend heartbeats
    keyed by the backend's address register it."""
    d = pb.NfDescription(nf_name="lb_like", source="lb.c", port_count=2)
    d.objects.extend(
        [
            obj("flows", SO.MAP),
            obj("flow_keys", SO.VECTOR),
            obj("flow_chain", SO.DCHAIN),
            obj("flow_backend", SO.VECTOR),
            obj("backend_ips", SO.MAP, capacity=32),
            obj("backends", SO.VECTOR, capacity=32),
            obj("backend_chain", SO.DCHAIN, capacity=32),
            obj("cht", SO.CHT, capacity=65537, written=False),
        ]
    )
    key = five_tuple()
    d.paths.append(
        path(
            1,
            0,
            [
                op("op1", "flows", Op.READ, "nf_map_get", key=key, results=["op1.found", "op1.value"]),
                op(
                    "op2",
                    "flow_backend",
                    Op.READ,
                    "nf_vector_borrow",
                    index=sym("op1.value"),
                    results=["op2.cell"],
                ),
                op(
                    "op3",
                    "backend_chain",
                    Op.CHECK,
                    "nf_dchain_is_allocated",
                    index=field_of(sym("op2.cell"), "backend"),
                    results=["op3.found"],
                ),
                op(
                    "op4",
                    "backends",
                    Op.READ,
                    "nf_vector_borrow",
                    index=field_of(sym("op2.cell"), "backend"),
                    results=["op4.cell"],
                ),
                op("op5", "flow_chain", Op.REFRESH, "nf_dchain_rejuvenate", index=sym("op1.value")),
            ],
            conditions=[sym("op1.found", 1), sym("op3.found", 1)],
        )
    )
    d.paths.append(
        path(
            2,
            0,
            [
                op("op1", "flows", Op.READ, "nf_map_get", key=key, results=["op1.found", "op1.value"]),
                op("op2", "cht", Op.READ, "nf_cht_find_backend", results=["op2.found", "op2.backend"]),
                op(
                    "op3",
                    "backends",
                    Op.READ,
                    "nf_vector_borrow",
                    index=sym("op2.backend"),
                    results=["op3.cell"],
                ),
                op("op4", "flow_chain", Op.CREATE, "nf_dchain_allocate", results=["op4.found", "op4.index"]),
                op("op5", "flow_keys", Op.WRITE, "nf_vector_return", index=sym("op4.index"), value=key),
                op(
                    "op6",
                    "flow_backend",
                    Op.WRITE,
                    "nf_vector_return",
                    index=sym("op4.index"),
                    value=struct("fb", backend=sym("op2.backend")),
                ),
                op("op7", "flows", Op.WRITE, "nf_map_put", key=key, value=sym("op4.index")),
            ],
            conditions=[apply("not", sym("op1.found", 1)), sym("op2.found", 1), sym("op4.found", 1)],
        )
    )
    hb = struct("backend", ip=pf("ipv4.src"))
    d.paths.extend(_flow_table_paths(3, 1, hb, "backend_ips", "backend_chain", "backends", True))
    for p in d.paths[2:]:
        p.outcome.action = pb.Outcome.DROP
        p.outcome.ClearField("out_port")
    return d


def global_counter_like() -> pb.NfDescription:
    """Every packet increments one global counter (vector index 0)."""
    d = pb.NfDescription(nf_name="global_counter_like", source="count.c", port_count=2)
    d.objects.append(obj("total", SO.VECTOR, capacity=1))
    for port in (0, 1):
        d.paths.append(
            path(
                port + 1,
                port,
                [
                    op("op1", "total", Op.READ, "nf_vector_borrow", index=const(0), results=["op1.cell"]),
                    op("op2", "total", Op.WRITE, "nf_vector_return", index=const(0), value=sym("op1.cell")),
                ],
            )
        )
    return d


ALL = {
    "no_state": no_state,
    "firewall_like": firewall_like,
    "nat_like": nat_like,
    "policer_like": policer_like,
    "pair_keyed_like": pair_keyed_like,
    "src_keyed_like": src_keyed_like,
    "prefix_keyed_like": prefix_keyed_like,
    "mac_bridge_like": mac_bridge_like,
    "lb_like": lb_like,
    "global_counter_like": global_counter_like,
}


# Constraints as the dependency analysis produces them, for solver tests.
_P = fields.parse_field_bits
SYMMETRIC = dependencies.Constraint(
    0,
    1,
    (
        dependencies.FieldEq(_P("ipv4.src"), _P("ipv4.dst")),
        dependencies.FieldEq(_P("ipv4.dst"), _P("ipv4.src")),
        dependencies.FieldEq(_P("l4.src_port"), _P("l4.dst_port")),
        dependencies.FieldEq(_P("l4.dst_port"), _P("l4.src_port")),
    ),
    "symmetric",
)
REMOTE_ENDPOINT = dependencies.Constraint(
    0,
    1,
    (
        dependencies.FieldEq(_P("ipv4.dst"), _P("ipv4.src")),
        dependencies.FieldEq(_P("l4.dst_port"), _P("l4.src_port")),
    ),
    "remote endpoint",
)


def same_port(*names: str, port: int = 0) -> dependencies.Constraint:
    """Packets of `port` with equal `names` fields meet."""
    return dependencies.Constraint(
        port, port, tuple(dependencies.FieldEq(_P(n), _P(n)) for n in names), "keyed"
    )

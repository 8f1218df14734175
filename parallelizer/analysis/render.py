"""Renders executor values (Z3 terms, structs) as nfpar.Expr messages."""

from __future__ import annotations

import z3

from parallelizer.analysis import nflib_model
from parallelizer.analysis.values import ArrayV, BoolV, IntV, StructV, Value
from proto import nf_description_pb2 as pb

_OP_NAMES = {"if": "ite", "bvsle": "bvsle", "bvnot": "bvnot", "bvneg": "bvneg"}


def symbol_expr(name: str, width: int) -> pb.Expr:
    """Expr for a named Z3 constant: packet field, config value or op result."""
    expr = pb.Expr(width_bits=width)
    if name in nflib_model.PACKET_FIELDS:
        expr.packet_field = name
    elif name.startswith("cfg."):
        expr.config = name
    else:
        # "op3.cell.src_ip" -> FieldOf(FieldOf? no: symbol op3.cell, field src_ip)
        parts = _split_symbol(name)
        if len(parts) <= 2:
            expr.symbol = name
        else:
            base = pb.Expr(symbol=".".join(parts[:2]))
            for field in parts[2:-1]:
                base = pb.Expr(field_of=pb.FieldOf(base=base, field=field))
            expr.field_of.base.CopyFrom(base)
            expr.field_of.field = parts[-1]
    return expr


def _split_symbol(name: str) -> list[str]:
    """'op3.cell.key.ports[1]' -> ['op3', 'cell', 'key', 'ports[1]']."""
    return name.split(".")


def z3_expr(term: z3.ExprRef) -> pb.Expr:
    width = term.size() if z3.is_bv(term) else 0
    if z3.is_bv_value(term):
        return pb.Expr(constant=term.as_long(), width_bits=width)
    if z3.is_true(term):
        return pb.Expr(constant=1, width_bits=0)
    if z3.is_false(term):
        return pb.Expr(constant=0, width_bits=0)
    if z3.is_const(term):
        return symbol_expr(term.decl().name(), width)
    decl = term.decl()
    name = decl.name()
    expr = pb.Expr(width_bits=width)
    expr.apply.op = _OP_NAMES.get(name, name)
    for param in decl.params():
        expr.apply.params.append(int(param))
    args = [term.arg(i) for i in range(term.num_args())]
    if (
        name in ("=", "distinct")
        and len(args) == 2
        and z3.is_bv_value(args[0])
        and not z3.is_bv_value(args[1])
    ):
        args.reverse()  # Z3 puts constants first; `field = constant` reads better
    for arg in args:
        expr.apply.args.append(z3_expr(arg))
    return expr


def value_expr(value: Value) -> pb.Expr:
    if isinstance(value, IntV):
        return z3_expr(value.expr)
    if isinstance(value, BoolV):
        return z3_expr(value.expr)
    if isinstance(value, StructV):
        expr = pb.Expr()
        expr.struct_value.type_name = value.ctype.name
        for name, field in value.fields:
            expr.struct_value.fields.add(name=name, value=value_expr(field))
        return expr
    if isinstance(value, ArrayV):
        parts = [flat_bits(value.get(i)) for i in range(value.length)]
        if parts and all(p is not None for p in parts):
            term = z3.simplify(z3.Concat(*parts)) if len(parts) > 1 else parts[0]
            return z3_expr(term)
    return pb.Expr(symbol="opaque")


def flat_bits(value: Value) -> z3.BitVecRef | None:
    if isinstance(value, IntV):
        return value.expr
    if isinstance(value, BoolV):
        return z3.If(value.expr, z3.BitVecVal(1, 8), z3.BitVecVal(0, 8))
    if isinstance(value, StructV):
        parts = [flat_bits(v) for _, v in value.fields]
        if any(p is None for p in parts):
            return None
        return z3.simplify(z3.Concat(*parts)) if len(parts) > 1 else parts[0]
    if isinstance(value, ArrayV):
        parts = [flat_bits(value.get(i)) for i in range(value.length)]
        if not parts or any(p is None for p in parts):
            return None
        return z3.simplify(z3.Concat(*parts)) if len(parts) > 1 else parts[0]
    return None


def struct_field_terms(value: Value) -> dict[str, z3.ExprRef]:
    """Top-level field -> its bits (the whole value under "" when not a struct)."""
    if isinstance(value, StructV):
        result = {}
        for name, field in value.fields:
            bits = flat_bits(field)
            if bits is not None:
                result[name] = bits
        return result
    bits = flat_bits(value)
    return {"": bits} if bits is not None else {}

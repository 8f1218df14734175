"""What an `Expr` of a description says about which state entry a packet touches.

A key or index expression is reduced to named slots; each slot is a packet field
(bit range), a constant, a configuration value or something opaque (a stored
value, an arithmetic result). Two packets can touch the same entry only if their
slots can be equal.
"""

from __future__ import annotations

import dataclasses

from parallelizer.schema import packet_fields
from proto import nf_description_pb2 as desc_pb2


@dataclasses.dataclass(frozen=True)
class FieldSlot:
    field: str
    hi: int
    lo: int

    def __str__(self) -> str:
        whole = self.lo == 0 and self.hi == packet_fields.WIDTHS.get(self.field, 0) - 1
        return self.field if whole else f"{self.field}[{self.hi}:{self.lo}]"


@dataclasses.dataclass(frozen=True)
class ConstSlot:
    value: int

    def __str__(self) -> str:
        return str(self.value)


@dataclasses.dataclass(frozen=True)
class ConfigSlot:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True)
class OpaqueSlot:
    what: str

    def __str__(self) -> str:
        return f"<{self.what}>"


Slot = FieldSlot | ConstSlot | ConfigSlot | OpaqueSlot


def slot_of(expr: desc_pb2.Expr, in_port: int) -> Slot:
    """The slot a scalar expression denotes on a path of input port `in_port`."""
    kind = expr.WhichOneof("kind")
    if kind == "packet_field":
        if expr.packet_field == "in_port":
            return ConstSlot(in_port)
        width = packet_fields.WIDTHS.get(expr.packet_field, expr.width_bits)
        return FieldSlot(expr.packet_field, width - 1, 0)
    if kind == "constant":
        return ConstSlot(expr.constant)
    if kind == "config":
        return ConfigSlot(expr.config)
    if kind == "apply":
        return _slot_of_apply(expr.apply, in_port)
    if kind == "symbol":
        return OpaqueSlot(f"result {expr.symbol}")
    if kind == "field_of":
        return OpaqueSlot(f"stored value {describe(expr)}")
    return OpaqueSlot(describe(expr))


def _slot_of_apply(apply: desc_pb2.Apply, in_port: int) -> Slot:
    args = [slot_of(a, in_port) for a in apply.args]
    if apply.op == "extract" and len(args) == 1 and len(apply.params) == 2:
        hi, lo = apply.params
        inner = args[0]
        if isinstance(inner, FieldSlot) and inner.lo + hi <= inner.hi:
            return FieldSlot(inner.field, inner.lo + hi, inner.lo + lo)
        if isinstance(inner, ConstSlot):
            return ConstSlot((inner.value >> lo) & ((1 << (hi - lo + 1)) - 1))
    if apply.op == "zero_extend" and len(args) == 1:
        return args[0]
    if apply.op == "bvand" and len(args) == 2:
        for a, b in (args, args[::-1]):
            if isinstance(a, FieldSlot) and isinstance(b, ConstSlot):
                mask = b.value >> a.lo
                if mask == 0:
                    return ConstSlot(0)
                lo = (mask & -mask).bit_length() - 1
                run = mask >> lo
                if run & (run + 1) == 0:  # one contiguous run of ones
                    return FieldSlot(a.field, min(a.hi, a.lo + lo + run.bit_length() - 1), a.lo + lo)
    return OpaqueSlot(f"{apply.op}(...)")


def key_slots(expr: desc_pb2.Expr, in_port: int, prefix: str = "") -> tuple[tuple[str, Slot], ...]:
    """Flattens a key expression (struct or scalar) into (slot name, slot) pairs."""
    if expr.WhichOneof("kind") == "struct_value":
        out: list[tuple[str, Slot]] = []
        for named in expr.struct_value.fields:
            out.extend(key_slots(named.value, in_port, f"{prefix}{named.name}."))
        return tuple(out)
    return ((prefix.rstrip(".") or "key", slot_of(expr, in_port)),)


def packet_fields_in(expr: desc_pb2.Expr) -> set[str]:
    """All packet fields an expression reads."""
    kind = expr.WhichOneof("kind")
    if kind == "packet_field":
        return {expr.packet_field}
    if kind == "apply":
        out: set[str] = set()
        for a in expr.apply.args:
            out |= packet_fields_in(a)
        return out
    if kind == "field_of":
        return packet_fields_in(expr.field_of.base)
    if kind == "struct_value":
        out = set()
        for named in expr.struct_value.fields:
            out |= packet_fields_in(named.value)
        return out
    return set()


def symbols_in(expr: desc_pb2.Expr) -> set[str]:
    kind = expr.WhichOneof("kind")
    if kind == "symbol":
        return {expr.symbol}
    if kind == "apply":
        out: set[str] = set()
        for a in expr.apply.args:
            out |= symbols_in(a)
        return out
    if kind == "field_of":
        return symbols_in(expr.field_of.base)
    if kind == "struct_value":
        out = set()
        for named in expr.struct_value.fields:
            out |= symbols_in(named.value)
        return out
    return set()


def describe(expr: desc_pb2.Expr) -> str:
    """A short human-readable rendering."""
    kind = expr.WhichOneof("kind")
    if kind == "packet_field":
        return expr.packet_field
    if kind == "constant":
        return str(expr.constant)
    if kind == "symbol":
        return expr.symbol
    if kind == "config":
        return expr.config
    if kind == "field_of":
        return f"{describe(expr.field_of.base)}.{expr.field_of.field}"
    if kind == "apply":
        inner = ", ".join(describe(a) for a in expr.apply.args)
        params = "".join(f"[{p}]" for p in expr.apply.params)
        return f"{expr.apply.op}{params}({inner})"
    if kind == "struct_value":
        inner = ", ".join(f"{n.name}={describe(n.value)}" for n in expr.struct_value.fields)
        return f"{expr.struct_value.type_name}{{{inner}}}"
    return "<empty>"

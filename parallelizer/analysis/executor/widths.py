"""Bit-vector widths and C's integer rules: resizing to a type's width,
integer promotion and the usual arithmetic conversions, and conditions kept
readable for the descriptions (comparisons narrowed to their operands' widths,
negations without double negations)."""

from __future__ import annotations

import z3

from parallelizer.analysis.ctype import INT, IntType


def resize(expr: z3.BitVecRef, bits: int, signed: bool) -> z3.BitVecRef:
    """expr as a `bits`-wide value, as C converts an integer of expr's width
    (sign-extended when `signed`); an extension is undone rather than stacked."""
    size = expr.size()
    if size == bits:
        return expr
    if size > bits:
        if z3.is_app_of(expr, z3.Z3_OP_ZERO_EXT) or z3.is_app_of(expr, z3.Z3_OP_SIGN_EXT):
            inner = expr.arg(0)
            if inner.size() == bits:
                return inner
            if inner.size() < bits:
                return resize(inner, bits, z3.is_app_of(expr, z3.Z3_OP_SIGN_EXT))
        if z3.is_bv_value(expr):
            return z3.BitVecVal(expr.as_long() & ((1 << bits) - 1), bits)
        return z3.simplify(z3.Extract(bits - 1, 0, expr))
    if z3.is_bv_value(expr):
        value = expr.as_long()
        if signed and value >= 1 << (size - 1):
            value -= 1 << size
        return z3.BitVecVal(value & ((1 << bits) - 1), bits)
    return z3.SignExt(bits - size, expr) if signed else z3.ZeroExt(bits - size, expr)


def _strip_ext(expr: z3.BitVecRef) -> z3.BitVecRef:
    while z3.is_app_of(expr, z3.Z3_OP_ZERO_EXT):
        expr = expr.arg(0)
    return expr


def _fits(value: int, bits: int) -> bool:
    return 0 <= value < (1 << bits)


def compare(op: str, a: z3.BitVecRef, b: z3.BitVecRef, signed: bool) -> z3.BoolRef:
    """a op b, narrowed to the operands' original widths when both are
    zero-extended values or small constants (keeps conditions readable)."""
    inner_a, inner_b = _strip_ext(a), _strip_ext(b)
    narrow_a, narrow_b = a, b
    if inner_a is not a or inner_b is not b:
        if z3.is_bv_value(b) and inner_a is not a and _fits(b.as_long(), inner_a.size()):
            narrow_a, narrow_b = inner_a, z3.BitVecVal(b.as_long(), inner_a.size())
        elif z3.is_bv_value(a) and inner_b is not b and _fits(a.as_long(), inner_b.size()):
            narrow_a, narrow_b = z3.BitVecVal(a.as_long(), inner_b.size()), inner_b
        elif inner_a is not a and inner_b is not b and inner_a.size() == inner_b.size():
            narrow_a, narrow_b = inner_a, inner_b
    if narrow_a is not a:
        signed = False  # both were zero-extended: the comparison is unsigned
    a, b = narrow_a, narrow_b
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    table = {
        "<": (z3.ULT, lambda x, y: x < y),
        "<=": (z3.ULE, lambda x, y: x <= y),
        ">": (z3.UGT, lambda x, y: x > y),
        ">=": (z3.UGE, lambda x, y: x >= y),
    }
    unsigned_op, signed_op = table[op]
    return signed_op(a, b) if signed else unsigned_op(a, b)


def negate(cond: z3.BoolRef) -> z3.BoolRef:
    """Not(cond), without double negations (keeps path conditions readable)."""
    if z3.is_not(cond):
        return cond.arg(0)
    if z3.is_distinct(cond) and cond.num_args() == 2:
        return cond.arg(0) == cond.arg(1)
    if z3.is_eq(cond) and z3.is_bv(cond.arg(0)):
        return cond.arg(0) != cond.arg(1)
    if z3.is_or(cond):  # De Morgan: conjunctions split into separate path conditions
        return z3.And(*[negate(child) for child in cond.children()])
    if z3.is_and(cond):
        return z3.Or(*[negate(child) for child in cond.children()])
    return z3.Not(cond)


def conjuncts(cond: z3.BoolRef) -> list[z3.BoolRef]:
    """cond as a list of conjuncts."""
    if z3.is_and(cond):
        return [part for child in cond.children() for part in conjuncts(child)]
    return [cond]


def promote(ctype: IntType) -> IntType:
    """C's integer promotion: types narrower than int (and bool) become int."""
    if ctype.bits < 32:
        return INT
    if ctype.is_bool:
        return INT
    return ctype


def common_type(a: IntType, b: IntType) -> IntType:
    """C's usual arithmetic conversions of two integer operands' types."""
    a, b = promote(a), promote(b)
    if a.signed == b.signed:
        return a if a.bits >= b.bits else b
    unsigned, signed = (a, b) if not a.signed else (b, a)
    if unsigned.bits >= signed.bits:
        return unsigned
    return signed


def simplify_const(expr: z3.BitVecRef) -> z3.BitVecRef:
    """expr folded when it is a constant (symbolic terms stay as written, readable)."""
    simple = z3.simplify(expr)
    return simple if z3.is_bv_value(simple) else expr

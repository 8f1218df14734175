"""Merging the two arms of an independent branch into one path.

An `if` whose arms touch no state (no calls but packet getters, no returns,
breaks, continues or gotos) changes only local variables. Instead of forking,
the executor runs each arm under its condition and joins the two end states:
every local that differs becomes `If(cond, then, else)`. The merged path has
the same ops, rewrites and path condition as before the branch, and later
reads see exactly the value the taken arm would have produced, so the
description stays exact (a key built from a merged variable is an ite term of
the packet fields). Only conditions over packet fields and config values are
merged: a condition on a value read from state (an nflib result) stays a path
condition, because relations.py derives the relations between packets
(e.g. STORED_VALUE_COMPARED) from path conditions. Anything the join cannot express (a pointer that differs,
extra state ops, an arm that forked) leaves the two paths forked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3
from pycparser import c_ast

from parallelizer.analysis import nflib_model
from parallelizer.analysis.values import ArrayV, BoolV, IntV, StructV, Value

if TYPE_CHECKING:
    from parallelizer.analysis.executor import PathState

_CONTROL = (c_ast.Return, c_ast.Break, c_ast.Continue, c_ast.Goto, c_ast.Label)


def mergeable(arm: c_ast.Node | None) -> bool:
    """True when `arm` (an if's branch, or None) can only change local variables."""
    if arm is None:
        return True
    stack = [arm]
    while stack:
        node = stack.pop()
        if isinstance(node, _CONTROL):
            return False
        if isinstance(node, c_ast.FuncCall):
            name = node.name.name if isinstance(node.name, c_ast.ID) else None
            if name not in nflib_model.PACKET_GETTERS:
                return False
        stack.extend(child for _, child in node.children())
    return True


def independent_condition(cond: z3.BoolRef) -> bool:
    """True when cond reads only packet fields (and time, the input port) and config values."""
    todo, seen = [cond], set()
    while todo:
        term = todo.pop()
        if term.get_id() in seen:
            continue
        seen.add(term.get_id())
        if z3.is_const(term) and not z3.is_bv_value(term):
            if z3.is_true(term) or z3.is_false(term):
                continue
            name = term.decl().name()
            if name not in nflib_model.PACKET_FIELDS and not name.startswith("cfg."):
                return False
        elif z3.is_app(term):
            todo.extend(term.children())
    return True


# Operators with a neutral right operand (x op e == x); the associative ones are
# kept flat (one n-ary application), as Expr messages nest at most ~100 deep.
_NEUTRAL = {z3.Z3_OP_BADD: 0, z3.Z3_OP_BSUB: 0, z3.Z3_OP_BOR: 0, z3.Z3_OP_BXOR: 0, z3.Z3_OP_BMUL: 1}
_ASSOCIATIVE = {z3.Z3_OP_BADD, z3.Z3_OP_BOR, z3.Z3_OP_BXOR, z3.Z3_OP_BMUL}


def _args(term: z3.ExprRef) -> list[z3.ExprRef]:
    return [term.arg(i) for i in range(term.num_args())]


def _extends(x: z3.ExprRef, y: z3.ExprRef) -> tuple[list[z3.ExprRef], z3.ExprRef] | None:
    """(operands of y, k) when x is `y op k` for an operator op with a neutral element
    (written flat when op is associative and y an application of op too), else None."""
    if not z3.is_app(x) or x.decl().kind() not in _NEUTRAL or x.num_args() < 2:
        return None
    kind, xs = x.decl().kind(), _args(x)
    flat = kind in _ASSOCIATIVE and z3.is_app(y) and y.decl().eq(x.decl())
    base = _args(y) if flat else [y]
    if len(xs) == 2 and xs[0].eq(y):
        return base, xs[1]
    if flat and len(xs) == len(base) + 1 and all(p.eq(q) for p, q in zip(xs, base, strict=False)):
        return base, xs[-1]
    return None


def ite(cond: z3.BoolRef, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
    """If(cond, a, b) with the context a and b share factored out, so that a chain of
    merged updates (`if (c_i) x += 1;`) stays a term linear in its length instead of
    a tree exponential in it when rendered (Expr messages share no subterms):
    If(c, f(x, y), f(x, z)) is f(x, If(c, y, z)) and If(c, x + k, x) is x + If(c, k, 0)."""
    if a.eq(b):
        return a
    if z3.is_app(a) and z3.is_app(b) and a.decl().eq(b.decl()) and a.num_args() == b.num_args() > 0:
        differ = [i for i in range(a.num_args()) if not a.arg(i).eq(b.arg(i))]
        if len(differ) == 1:
            args = _args(a)
            args[differ[0]] = ite(cond, a.arg(differ[0]), b.arg(differ[0]))
            return a.decl()(*args)
    for x, y, flip in ((a, b, False), (b, a, True)):
        found = _extends(x, y)
        if found is not None:
            base, step = found
            neutral = z3.BitVecVal(_NEUTRAL[x.decl().kind()], step.size())
            picked = z3.If(cond, neutral, step) if flip else z3.If(cond, step, neutral)
            return x.decl()(*base, picked)
    return z3.If(cond, a, b)


def _join(cond: z3.BoolRef, a: Value | None, b: Value | None) -> Value | None:
    """The value that is `a` when cond holds and `b` otherwise (None: not expressible)."""
    if a is b:
        return a
    if isinstance(a, IntV) and isinstance(b, IntV) and a.ctype == b.ctype:
        if a.expr.eq(b.expr):
            return a
        return IntV(ite(cond, a.expr, b.expr), a.ctype)
    if isinstance(a, BoolV) and isinstance(b, BoolV):
        if a.expr.eq(b.expr):
            return a
        return BoolV(ite(cond, a.expr, b.expr))
    if isinstance(a, StructV) and isinstance(b, StructV) and a.ctype == b.ctype:
        fields = []
        for (name, fa), (_, fb) in zip(a.fields, b.fields, strict=True):
            joined = _join(cond, fa, fb)
            if joined is None:
                return None
            fields.append((name, joined))
        return StructV(a.ctype, tuple(fields))
    if isinstance(a, ArrayV) and isinstance(b, ArrayV) and a.ctype == b.ctype and a.factory is b.factory:
        indexes = sorted({i for i, _ in a.elems} | {i for i, _ in b.elems})
        elems = []
        for index in indexes:
            joined = _join(cond, a.get(index), b.get(index))
            if joined is None:
                return None
            elems.append((index, joined))
        return ArrayV(a.ctype, a.length, tuple(elems), a.factory)
    if type(a) is type(b) and not isinstance(a, IntV | BoolV | StructV | ArrayV) and a == b:
        return a  # pointers, objects, opaque values: only when both arms agree
    return None


def join_states(cond: z3.BoolRef, base_conds: int, then: PathState, other: PathState) -> PathState | None:
    """`then` (run under cond) and `other` (run under its negation) as one path,
    or None when they differ in anything but local values. Both started as forks
    of one state with `base_conds` path conditions."""
    same = (
        then.ops == other.ops
        and then.created == other.created
        and then.rewrites.keys() == other.rewrites.keys()
        and all(then.rewrites[f] is other.rewrites[f] for f in then.rewrites)
        and all(then.packet[f] is other.packet.get(f) for f in then.packet)
        and then.frames == other.frames
        and then.call_stack == other.call_stack
        and then.loop_counts == other.loop_counts
        and then.readonly == other.readonly
        and len(then.assumptions) == len(other.assumptions)
        and all(x.eq(y) for x, y in zip(then.assumptions, other.assumptions, strict=True))
    )
    if not same:
        return None
    store = {}
    for slot in then.store.keys() | other.store.keys():
        if then.slot_types.get(slot, other.slot_types.get(slot)) != other.slot_types.get(
            slot, then.slot_types.get(slot)
        ):
            return None
        joined = _join(cond, then.store.get(slot), other.store.get(slot))
        if joined is None and (then.store.get(slot) is not None or other.store.get(slot) is not None):
            return None
        store[slot] = joined
    merged = then
    merged.store = store
    merged.slot_types = {**other.slot_types, **then.slot_types}
    merged.next_slot = max(then.next_slot, other.next_slot)
    merged.conds = then.conds[:base_conds]
    merged.trail = then.trail[: min(len(then.trail), len(other.trail))]
    for prefix, count in other.counters.items():
        merged.counters[prefix] = max(count, merged.counters.get(prefix, 0))
    return merged

"""libc and pure nflib helpers the executor models directly: memset, memcpy,
memmove, memcmp on whole objects, nf_bytes_equal, nf_hash_bytes (an
uninterpreted function of the bytes), nf_token_bucket_take, and output
functions (allowed only outside nf_process). Each handler takes the executor,
the argument values, the path and the call; it reaches objects through the
executor's public helpers (Calls.pointee, Memory), never its internals."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import z3
from pycparser import c_ast

from parallelizer.analysis.ctype import INT, UINT
from parallelizer.analysis.errors import unsupported
from parallelizer.analysis.executor.memory import Memory
from parallelizer.analysis.executor.state import PathState, Results
from parallelizer.analysis.executor.static_types import value_type
from parallelizer.analysis.values import BoolV, IntV, OpaqueV, Ref, Value

if TYPE_CHECKING:
    from parallelizer.analysis.executor.core import Executor


def _size_arg(ex: Executor, vals: list[Value], index: int, node: c_ast.FuncCall) -> int:
    value = ex.as_int(vals[index], node.args.exprs[index])
    simple = z3.simplify(value.expr)
    if not z3.is_bv_value(simple):
        raise unsupported(
            node.args.exprs[index], "size argument is not a constant", "pass sizeof(the object)"
        )
    return simple.as_long()


def _whole_object(
    ex: Executor, vals: list[Value], index: int, size: int, st: PathState, node: c_ast.FuncCall
) -> tuple[Ref, Value]:
    name = node.name.name
    ref, value = ex.calls.pointee(vals, index, name, st, node, bytes_ok=True)
    ctype = ex.memory.type_at(st, ref)
    if ex.types.sizeof(ctype) != size:
        raise unsupported(
            node,
            f"{name} over {size} bytes of a {ex.types.sizeof(ctype)}-byte object",
            f"{name} whole objects: pass sizeof(the object)",
        )
    return ref, value


def _memset(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    size = _size_arg(ex, vals, 2, node)
    ref, _ = _whole_object(ex, vals, 0, size, st, node)
    byte = ex.as_int(vals[1], node.args.exprs[1])
    simple = z3.simplify(byte.expr)
    if not z3.is_bv_value(simple):
        raise unsupported(node.args.exprs[1], "memset with a non-constant byte", "memset with a constant")
    ex.memory.write(
        st,
        ref,
        ex.memory.build_value(ex.memory.type_at(st, ref), Memory.const_leaf(simple.as_long() & 0xFF)),
        node,
    )
    return [(st, vals[0])]


def _memcpy(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    size = _size_arg(ex, vals, 2, node)
    dst_ref, _ = _whole_object(ex, vals, 0, size, st, node)
    _, src = _whole_object(ex, vals, 1, size, st, node)
    if value_type(src) != ex.memory.type_at(st, dst_ref):
        raise unsupported(
            node, "memcpy between objects of different types", "copy objects of the same type (or assign)"
        )
    ex.memory.write(st, dst_ref, src, node)
    return [(st, vals[0])]


def _bytes_equal(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> z3.BoolRef:
    size = _size_arg(ex, vals, 2, node)
    _, a = _whole_object(ex, vals, 0, size, st, node)
    _, b = _whole_object(ex, vals, 1, size, st, node)
    fa, fb = ex.memory.flatten(a, node), ex.memory.flatten(b, node)
    if fa.size() != fb.size():
        return z3.BoolVal(False)
    return fa == fb


def _memcmp(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    equal = _bytes_equal(ex, vals, st, node)
    return [(st, IntV(z3.If(equal, z3.BitVecVal(0, 32), z3.BitVecVal(1, 32)), INT))]


def _nf_bytes_equal(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    return [(st, BoolV(_bytes_equal(ex, vals, st, node)))]


def _nf_hash_bytes(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    size = _size_arg(ex, vals, 1, node)
    _, data = _whole_object(ex, vals, 0, size, st, node)
    flat = ex.memory.flatten(data, node)
    return [(st, IntV(ex.hash_function(flat.size())(flat), UINT))]


def _token_bucket_take(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    ref, _ = ex.calls.pointee(vals, 0, "nf_token_bucket_take", st, node)
    ident = st.fresh_id("fn")
    ex.memory.write(
        st, ref, ex.memory.build_value(ex.memory.type_at(st, ref), Memory.symbol_leaf(f"{ident}.cell")), node
    )
    return [(st, BoolV(z3.Bool(f"{ident}.found")))]


def _no_effect(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    del vals
    if ex.mode == "process":
        raise unsupported(
            node,
            f"'{node.name.name}' (output) called from nf_process",
            "keep nf_process free of I/O; count events in nflib state instead",
        )
    return [(st, IntV(z3.BitVecVal(0, 32), INT))]


def _parse_status_name(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    del ex, vals, node
    return [(st, OpaqueV("status name"))]


Handler = Callable[["Executor", list[Value], PathState, c_ast.FuncCall], Results]

BUILTINS: dict[str, Handler] = {
    "memset": _memset,
    "memcpy": _memcpy,
    "memmove": _memcpy,
    "memcmp": _memcmp,
    "nf_bytes_equal": _nf_bytes_equal,
    "nf_hash_bytes": _nf_hash_bytes,
    "nf_token_bucket_take": _token_bucket_take,
    "nf_parse_status_name": _parse_status_name,
    "printf": _no_effect,
    "fprintf": _no_effect,
    "snprintf": _no_effect,
}

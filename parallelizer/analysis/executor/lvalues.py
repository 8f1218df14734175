"""Lvalues: a Visitor whose visit_<Expression> methods return the location
(Ref) an lvalue expression designates on each path, for assignment, `&` and
loads; and how pointers designate locations (dereference, array steps,
global variables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3
from pycparser import c_ast

from parallelizer.analysis.ctype import ArrayType, StructType, type_name
from parallelizer.analysis.errors import unsupported
from parallelizer.analysis.executor.dispatch import Visitor, source_text
from parallelizer.analysis.executor.memory import Memory
from parallelizer.analysis.executor.state import PathState
from parallelizer.analysis.values import ObjectV, PacketV, PtrV, Ref, Value

if TYPE_CHECKING:
    from parallelizer.analysis.executor.core import Executor

Locations = list[tuple[PathState, Ref]]


class Lvalues(Visitor):
    def __init__(self, ex: Executor) -> None:
        super().__init__()
        self.ex = ex

    def generic_visit(self, node: c_ast.Node, st: PathState) -> Locations:
        del st
        raise unsupported(node, f"assignment to {source_text(node)}", "assign to variables and their fields")

    def visit_ID(self, node: c_ast.ID, st: PathState) -> Locations:
        slot = st.lookup(node.name)
        if slot is not None:
            return [(st, Ref(slot))]
        return [(st, self.global_ref(node, st))]

    def visit_StructRef(self, node: c_ast.StructRef, st: PathState) -> Locations:
        results = []
        if node.type == ".":
            bases = self.visit(node.name, st)
        else:
            bases = []
            for state, ptr in self.ex.eval(node.name, st):
                bases.append((state, self.deref(state, ptr, node, f"->{node.field.name}")))
        for state, ref in bases:
            ctype = self.ex.memory.type_at(state, ref)
            if not isinstance(ctype, StructType) or self.ex.types.field_type(ctype, node.field.name) is None:
                raise unsupported(node, f"no field '{node.field.name}' here", "access declared struct fields")
            results.append((state, Ref(ref.slot, (*ref.path, node.field.name))))
        return results

    def visit_ArrayRef(self, node: c_ast.ArrayRef, st: PathState) -> Locations:
        results = []
        for state, index_value in self.ex.eval(node.subscript, st):
            index = self.ex.as_int(index_value, node.subscript)
            simple = z3.simplify(index.expr)
            if not z3.is_bv_value(simple):
                raise unsupported(
                    node,
                    "array indexed by a value that depends on the packet or state",
                    "keep per-index data in an nflib vector (nf_vector_borrow)",
                )
            offset = simple.as_signed_long() if index.ctype.signed else simple.as_long()
            base_type = self.ex.static_types.visit(node.name, state)
            if isinstance(base_type, ArrayType):
                for state2, ref in self.visit(node.name, state):
                    results.append((state2, Ref(ref.slot, (*ref.path, offset))))
            else:
                for state2, ptr in self.ex.eval(node.name, state):
                    ref = self.deref(state2, ptr, node, "[]")
                    results.append((state2, self.offset_ref(state2, ref, offset, node)))
        return results

    def visit_UnaryOp(self, node: c_ast.UnaryOp, st: PathState) -> Locations:
        if node.op != "*":
            return self.generic_visit(node, st)
        return [(s, self.deref(s, p, node, "*")) for s, p in self.ex.eval(node.expr, st)]

    def offset_ref(self, st: PathState, ref: Ref, offset: int, node: c_ast.Node) -> Ref:
        if offset == 0:
            return ref
        if ref.view is not None:
            size = self.ex.types.sizeof(ref.view)
            base_type = self.ex.memory.type_at(st, Ref(ref.slot, ref.path))
            start = ref.offset + offset * size
            if start < 0 or start + size > self.ex.types.sizeof(base_type):
                raise unsupported(
                    node,
                    f"{size}-byte access at byte {start} of a {self.ex.types.sizeof(base_type)}-byte "
                    f"{type_name(base_type)} (out of bounds)",
                    "keep accesses through pointer casts inside the object",
                )
            return Ref(ref.slot, ref.path, start, ref.view)
        if ref.path and isinstance(ref.path[-1], int):
            return Ref(ref.slot, (*ref.path[:-1], ref.path[-1] + offset))
        del st
        raise unsupported(node, "pointer arithmetic", "index arrays with [] instead of moving pointers")

    def deref(self, st: PathState, ptr: Value, node: c_ast.Node, how: str) -> Ref:
        if isinstance(ptr, PtrV):
            if ptr.ref is None:
                raise unsupported(node, "dereference of a NULL pointer", "check pointers before use")
            return self.ex.memory.view_ref(st, ptr, ptr.ref, node)
        if isinstance(ptr, ObjectV):
            raise unsupported(
                node,
                f"state object '{ptr.name}' dereferenced ({how})",
                "touch state objects only by passing them to nflib functions",
            )
        if isinstance(ptr, PacketV):
            raise unsupported(
                node,
                f"packet structure accessed directly ({how})",
                "read packet fields with nf_pkt_* getters and write them with nf_pkt_set_*",
            )
        raise unsupported(
            node,
            f"dereference of a value that is not a pointer ({how})",
            "dereference only pointers to variables",
        )

    def global_ref(self, node: c_ast.ID, st: PathState) -> Ref:
        decl = self.ex.tu.variables.get(node.name)
        if decl is None:
            raise unsupported(node, f"unknown identifier '{node.name}'", "declare it before use")
        is_const = "const" in decl.quals or (
            isinstance(decl.type, c_ast.PtrDecl) and "const" in decl.type.quals
        )
        if not is_const and self.ex.mode == "process":
            raise unsupported(
                node,
                f"global mutable variable '{node.name}'",
                "keep mutable state in struct nf_state objects built with nflib, or make it const",
            )
        ctype = self.ex.types.resolve(decl.type)
        if decl.init is None:
            value = self.ex.memory.build_value(ctype, Memory.symbol_leaf(f"global.{node.name}"))
            slot = st.new_slot(ctype, value)
        else:
            results = self.ex.expressions.initializer(decl.init, ctype, st)
            if len(results) != 1:
                raise unsupported(
                    decl, f"initialiser of '{node.name}' is not constant", "use constant initialisers"
                )
            slot = st.new_slot(ctype, results[0][1])
        st.readonly.add(slot)
        st.frames[0][0][node.name] = slot
        return Ref(slot)

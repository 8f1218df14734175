"""The static type of an expression, without evaluating it where the
declarations tell (the operand of sizeof, an array's base): a Visitor whose
generic_visit evaluates the expression on a copy of the path and takes the
type of its value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pycparser import c_ast

from parallelizer.analysis.ctype import INT, VOID, ArrayType, CType, PtrType, StructType
from parallelizer.analysis.errors import unsupported
from parallelizer.analysis.executor.dispatch import Visitor
from parallelizer.analysis.executor.state import PathState
from parallelizer.analysis.values import ArrayV, BoolV, IntV, PtrV, StructV, Value

if TYPE_CHECKING:
    from parallelizer.analysis.executor.core import Executor


class StaticTypes(Visitor):
    def __init__(self, ex: Executor) -> None:
        super().__init__()
        self.ex = ex

    def generic_visit(self, node: c_ast.Node, st: PathState) -> CType:
        for _, value in self.ex.eval(node, st.fork()):
            return value_type(value)
        raise unsupported(node, "sizeof of an expression without a value", "use sizeof(type)")

    def visit_ID(self, node: c_ast.ID, st: PathState) -> CType:
        slot = st.lookup(node.name)
        if slot is not None:
            return st.slot_types[slot]
        decl = self.ex.tu.variables.get(node.name)
        if decl is not None:
            return self.ex.types.resolve(decl.type)
        return self.generic_visit(node, st)

    def visit_StructRef(self, node: c_ast.StructRef, st: PathState) -> CType:
        base = self.visit(node.name, st)
        if node.type == "->" and isinstance(base, PtrType):
            base = base.target
        if isinstance(base, StructType):
            field_type = self.ex.types.field_type(base, node.field.name)
            if field_type is not None:
                return field_type
        return self.generic_visit(node, st)

    def visit_UnaryOp(self, node: c_ast.UnaryOp, st: PathState) -> CType:
        if node.op == "*":
            return self._element(self.visit(node.expr, st), node, st)
        return self.generic_visit(node, st)

    def visit_ArrayRef(self, node: c_ast.ArrayRef, st: PathState) -> CType:
        return self._element(self.visit(node.name, st), node, st)

    def visit_Cast(self, node: c_ast.Cast, st: PathState) -> CType:
        return self.ex.types.resolve(node.to_type)

    def _element(self, base: CType, node: c_ast.Node, st: PathState) -> CType:
        """What a pointer or array of type `base` designates."""
        if isinstance(base, PtrType):
            return base.target
        if isinstance(base, ArrayType):
            return base.elem
        return self.generic_visit(node, st)


def value_type(value: Value) -> CType:
    """The C type of a value (an int for a condition's value)."""
    if isinstance(value, IntV):
        return value.ctype
    if isinstance(value, BoolV):
        return INT
    if isinstance(value, StructV):
        return value.ctype
    if isinstance(value, ArrayV):
        return value.ctype
    if isinstance(value, PtrV):
        return PtrType(value.target)
    return PtrType(VOID)

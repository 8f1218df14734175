"""Expressions: a Visitor whose visit_<Expression> methods return the value of
an expression on each path it leads to (Results); C's arithmetic on those
values; initialisers. Calls are the calls module's (visit_FuncCall)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3
from pycparser import c_ast

from parallelizer.analysis import nflib_model
from parallelizer.analysis.ctype import (
    INT,
    ULONG,
    ArrayType,
    CType,
    StructType,
    VoidType,
    int_literal_type,
    parse_int_constant,
)
from parallelizer.analysis.errors import unsupported
from parallelizer.analysis.executor.dispatch import Visitor
from parallelizer.analysis.executor.memory import Memory
from parallelizer.analysis.executor.state import PathState, Results
from parallelizer.analysis.executor.widths import common_type, compare, negate, promote, resize
from parallelizer.analysis.values import (
    ArrayV,
    BoolV,
    FuncV,
    IntV,
    ObjectV,
    OpaqueV,
    PtrV,
    Ref,
    StructV,
    Value,
)

if TYPE_CHECKING:
    from parallelizer.analysis.executor.core import Executor


class Expressions(Visitor):
    construct = "expression"

    def __init__(self, ex: Executor) -> None:
        super().__init__()
        self.ex = ex

    def visit_Constant(self, node: c_ast.Constant, st: PathState) -> Results:
        if node.type == "string":
            return [(st, OpaqueV("string " + node.value))]
        if node.type in ("float", "double"):
            raise unsupported(node, "floating-point constant", "use integer arithmetic")
        value = parse_int_constant(node.value)
        if value is None:
            raise unsupported(node, f"constant {node.value}", "use integer constants")
        ctype = INT if node.type == "char" else int_literal_type(node.value, value)
        return [(st, IntV(z3.BitVecVal(value, ctype.bits), ctype))]

    def visit_ID(self, node: c_ast.ID, st: PathState) -> Results:
        slot = st.lookup(node.name)
        if slot is None:
            if node.name in self.ex.types.enum_consts:
                return [(st, IntV(z3.BitVecVal(self.ex.types.enum_consts[node.name], 32), INT))]
            if node.name in self.ex.tu.functions or (
                node.name in self.ex.tu.declarations and node.name not in self.ex.tu.variables
            ):
                return [(st, FuncV(node.name))]
        results = []
        for state, ref in self.ex.lvalues.visit(node, st):
            results.append((state, self.load(state, ref, node)))
        return results

    def load(self, st: PathState, ref: Ref, node: c_ast.Node) -> Value:
        ctype = self.ex.memory.type_at(st, ref)
        if isinstance(ctype, ArrayType):  # arrays decay to a pointer to their first element
            return PtrV(Ref(ref.slot, (*ref.path, 0)), ctype.elem)
        return self.ex.memory.read(st, ref, node)

    def visit_StructRef(self, node: c_ast.StructRef, st: PathState) -> Results:
        return [(s, self.load(s, ref, node)) for s, ref in self.ex.lvalues.visit(node, st)]

    def visit_ArrayRef(self, node: c_ast.ArrayRef, st: PathState) -> Results:
        return [(s, self.load(s, ref, node)) for s, ref in self.ex.lvalues.visit(node, st)]

    def visit_Cast(self, node: c_ast.Cast, st: PathState) -> Results:
        ctype = self.ex.types.resolve(node.to_type)
        results = []
        for state, value in self.visit(node.expr, st):
            if isinstance(ctype, VoidType):
                results.append((state, OpaqueV("void")))
            else:
                results.append((state, self.ex.convert(state, value, ctype, node)))
        return results

    def visit_TernaryOp(self, node: c_ast.TernaryOp, st: PathState) -> Results:
        results: Results = []
        for state, cond in self.visit(node.cond, st):
            condition = self.ex.truth(cond, node.cond)
            if self._pure(node.iftrue) and self._pure(node.iffalse):
                then_vals = self.visit(node.iftrue, state.fork())
                else_vals = self.visit(node.iffalse, state.fork())
                if len(then_vals) == 1 and len(else_vals) == 1:
                    merged = self._merge(condition, then_vals[0][1], else_vals[0][1], node)
                    if merged is not None:
                        results.append((state, merged))
                        continue
            for branch_state, taken in self.ex.branch(state, condition, node.cond):
                results.extend(self.visit(node.iftrue if taken else node.iffalse, branch_state))
        return results

    def _merge(self, cond: z3.BoolRef, a: Value, b: Value, node: c_ast.Node) -> Value | None:
        simple = z3.simplify(cond)
        if z3.is_true(simple) or z3.is_false(simple):
            return None  # decided: evaluate the chosen side alone
        if isinstance(a, IntV | BoolV) and isinstance(b, IntV | BoolV):
            if isinstance(a, BoolV) and isinstance(b, BoolV):
                return BoolV(z3.If(cond, a.expr, b.expr))
            ia, ib = self.ex.as_int(a, node), self.ex.as_int(b, node)
            ctype = common_type(ia.ctype, ib.ctype)
            return IntV(
                z3.If(
                    cond,
                    resize(ia.expr, ctype.bits, ia.ctype.signed),
                    resize(ib.expr, ctype.bits, ib.ctype.signed),
                ),
                ctype,
            )
        return None

    def _pure(self, node: c_ast.Node) -> bool:
        """No calls other than packet getters and no assignments inside."""
        effects = _Effects()
        effects.visit(node)
        return not effects.found

    def visit_FuncCall(self, node: c_ast.FuncCall, st: PathState) -> Results:
        return self.ex.calls.eval_call(node, st)

    def visit_ExprList(self, node: c_ast.ExprList, st: PathState) -> Results:
        results: Results = [(st, OpaqueV("void"))]
        for expr in node.exprs:
            results = [pair for state, _ in results for pair in self.visit(expr, state)]
        return results

    def visit_CompoundLiteral(self, node: c_ast.CompoundLiteral, st: PathState) -> Results:
        return self.initializer(node.init, self.ex.types.resolve(node.type), st)

    def visit_Assignment(self, node: c_ast.Assignment, st: PathState) -> Results:
        results: Results = []
        for state, value in self.visit(node.rvalue, st):
            for state2, ref in self.ex.lvalues.visit(node.lvalue, state):
                ctype = self.ex.memory.type_at(state2, ref)
                if node.op != "=":
                    current = self.ex.memory.read(state2, ref, node.lvalue)
                    value = self.arith(node.op[:-1], current, value, node)
                converted = self.ex.convert(state2, value, ctype, node)
                self.ex.memory.write(state2, ref, converted, node)
                results.append((state2, converted))
        return results

    def visit_UnaryOp(self, node: c_ast.UnaryOp, st: PathState) -> Results:
        op = node.op
        if op == "sizeof":
            if isinstance(node.expr, c_ast.Typename):
                ctype = self.ex.types.resolve(node.expr)
            else:
                ctype = self.ex.static_types.visit(node.expr, st)
            return [(st, IntV(z3.BitVecVal(self.ex.types.sizeof(ctype), 64), ULONG))]
        if op == "&":
            if (
                isinstance(node.expr, c_ast.ID)
                and node.expr.name in self.ex.tu.functions
                and st.lookup(node.expr.name) is None
            ):
                return [(st, FuncV(node.expr.name))]
            return [
                (s, PtrV(ref, self.ex.memory.type_at(s, ref)))
                for s, ref in self.ex.lvalues.visit(node.expr, st)
            ]
        if op == "*":
            results = []
            for state, ptr in self.visit(node.expr, st):
                ref = self.ex.lvalues.deref(state, ptr, node, "*")
                if self.ex.mode == "process" and ref.slot in state.readonly and not ref.path:
                    raise unsupported(
                        node,
                        "the state pointer is dereferenced as a whole",
                        "read single fields (state->field) and pass objects to nflib calls",
                    )
                results.append((state, self.load(state, ref, node)))
            return results
        if op in ("++", "--", "p++", "p--"):
            results = []
            delta = IntV(z3.BitVecVal(1, 32), INT)
            for state, ref in self.ex.lvalues.visit(node.expr, st):
                old = self.ex.memory.read(state, ref, node.expr)
                if isinstance(old, PtrV):
                    raise unsupported(
                        node, "pointer arithmetic", "index arrays with [] instead of moving pointers"
                    )
                new = self.ex.convert(
                    state,
                    self.arith("+" if "+" in op else "-", old, delta, node),
                    self.ex.memory.type_at(state, ref),
                    node,
                )
                self.ex.memory.write(state, ref, new, node)
                results.append((state, old if op.startswith("p") else new))
            return results
        results = []
        for state, value in self.visit(node.expr, st):
            if op == "!":
                results.append((state, BoolV(negate(self.ex.truth(value, node.expr)))))
                continue
            operand = self.ex.as_int(value, node.expr)
            ctype = promote(operand.ctype)
            expr = resize(operand.expr, ctype.bits, operand.ctype.signed)
            if op == "-":
                results.append((state, IntV(-expr, ctype)))
            elif op == "~":
                results.append((state, IntV(~expr, ctype)))
            elif op == "+":
                results.append((state, IntV(expr, ctype)))
            else:
                raise unsupported(node, f"operator {op}", "see docs/NF_C_SUBSET.md")
        return results

    def visit_BinaryOp(self, node: c_ast.BinaryOp, st: PathState) -> Results:
        if node.op in ("&&", "||"):
            return self._logical(node, st)
        results = []
        for state, left in self.visit(node.left, st):
            for state2, right in self.visit(node.right, state):
                results.append((state2, self.arith(node.op, left, right, node)))
        return results

    def _logical(self, node: c_ast.BinaryOp, st: PathState) -> Results:
        is_and = node.op == "&&"
        results: Results = []
        for state, left in self.visit(node.left, st):
            lcond = self.ex.truth(left, node.left)
            if self._pure(node.right):
                for state2, right in self.visit(node.right, state):
                    rcond = self.ex.truth(right, node.right)
                    combined = z3.And(lcond, rcond) if is_and else z3.Or(lcond, rcond)
                    simple = z3.simplify(combined)
                    if z3.is_true(simple) or z3.is_false(simple):
                        combined = simple
                    results.append((state2, BoolV(combined)))
                continue
            # The right operand has effects: it runs only when the left one does not decide.
            for branch_state, taken in self.ex.branch(state, lcond, node.left):
                if taken != is_and:
                    results.append((branch_state, BoolV(z3.BoolVal(not is_and))))
                    continue
                for state2, right in self.visit(node.right, branch_state):
                    results.append((state2, BoolV(self.ex.truth(right, node.right))))
        return results

    def arith(self, op: str, left: Value, right: Value, node: c_ast.Node) -> Value:
        if not isinstance(left, IntV | BoolV) or not isinstance(right, IntV | BoolV):
            if op in ("==", "!=") and isinstance(left, PtrV) and isinstance(right, PtrV | IntV):
                equal = (isinstance(right, PtrV) and left.ref == right.ref) or (
                    isinstance(right, IntV) and left.ref is None
                )
                return BoolV(z3.BoolVal(equal == (op == "==")))
            if self.ex.mode == "init" and op in ("==", "!="):
                # Checks such as `state->map == NULL` after a constructor: objects exist.
                def is_null(v: Value) -> bool:
                    return (isinstance(v, PtrV) and v.ref is None) or isinstance(v, IntV)

                if is_null(left) or is_null(right):
                    return BoolV(z3.BoolVal(op == "!="))
            if isinstance(left, PtrV | ObjectV) and op in ("+", "-"):
                raise unsupported(
                    node,
                    "pointer arithmetic" + (" on a state object" if isinstance(left, ObjectV) else ""),
                    "index arrays with [], and reach state only through nflib calls",
                )
            bad = left if not isinstance(left, IntV | BoolV) else right
            raise self.ex.misuse(bad, node, f"used with operator {op}")
        a, b = self.ex.as_int(left, node), self.ex.as_int(right, node)
        if op in ("<<", ">>"):
            ctype = promote(a.ctype)
            x = resize(a.expr, ctype.bits, a.ctype.signed)
            y = resize(b.expr, ctype.bits, b.ctype.signed)
            if op == "<<":
                return IntV(x << y, ctype)
            return IntV(x >> y if ctype.signed else z3.LShR(x, y), ctype)
        ctype = common_type(a.ctype, b.ctype)
        x = resize(a.expr, ctype.bits, a.ctype.signed)
        y = resize(b.expr, ctype.bits, b.ctype.signed)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return BoolV(compare(op, x, y, ctype.signed))
        if op == "+":
            expr = x + y
        elif op == "-":
            expr = x - y
        elif op == "*":
            expr = x * y
        elif op == "/":
            expr = x / y if ctype.signed else z3.UDiv(x, y)
        elif op == "%":
            expr = z3.SRem(x, y) if ctype.signed else z3.URem(x, y)
        elif op == "&":
            expr = x & y
        elif op == "|":
            expr = x | y
        elif op == "^":
            expr = x ^ y
        else:
            raise unsupported(node, f"operator {op}", "see docs/NF_C_SUBSET.md")
        if z3.is_bv_value(x) and z3.is_bv_value(y):
            expr = z3.simplify(expr)
        return IntV(expr, ctype)

    def initializer(self, init: c_ast.Node, ctype: CType, st: PathState) -> Results:
        """Values of an initialiser (expression or brace list) for type ctype."""
        if isinstance(init, c_ast.InitList):
            base = self.ex.memory.build_value(ctype, Memory.const_leaf(0))
            states: Results = [(st, base)]
            position = 0
            for item in init.exprs:
                if isinstance(item, c_ast.NamedInitializer):
                    if len(item.name) != 1 or not isinstance(item.name[0], c_ast.ID | c_ast.Constant):
                        raise unsupported(item, "nested designator", "use one designator per level")
                    designator = item.name[0]
                    key: str | int
                    if isinstance(designator, c_ast.ID):
                        key = designator.name
                    else:
                        key = parse_int_constant(designator.value) or 0
                    expr = item.expr
                else:
                    key, expr = self._positional(ctype, position, item), item
                if isinstance(ctype, StructType):
                    assert isinstance(key, str)
                    names = [name for name, _ in self.ex.types.fields(ctype)]
                    position = names.index(key) + 1
                    elem_type = self.ex.types.field_type(ctype, key)
                else:
                    assert isinstance(ctype, ArrayType) and isinstance(key, int)
                    position = key + 1
                    elem_type = ctype.elem
                assert elem_type is not None
                next_states: Results = []
                for state, partial in states:
                    for state2, value in self.initializer(expr, elem_type, state):
                        if isinstance(partial, StructV):
                            next_states.append((state2, partial.with_field(str(key), value)))
                        else:
                            assert isinstance(partial, ArrayV)
                            next_states.append((state2, partial.with_elem(int(key), value)))
                states = next_states
            return states
        return [(s, self.ex.convert(s, v, ctype, init)) for s, v in self.visit(init, st)]

    def _positional(self, ctype: CType, position: int, node: c_ast.Node) -> str | int:
        if isinstance(ctype, StructType):
            fields = self.ex.types.fields(ctype)
            if position >= len(fields):
                raise unsupported(node, "too many initialisers", "initialise each field once")
            return fields[position][0]
        if isinstance(ctype, ArrayType):
            return position
        raise unsupported(node, "brace initialiser for a scalar", "initialise scalars with an expression")


class _Effects(c_ast.NodeVisitor):
    """Finds an effect below a node: an assignment, ++ or --, or a call other
    than a packet getter (found stays False for an expression without one)."""

    def __init__(self) -> None:
        self.found = False

    def visit_Assignment(self, node: c_ast.Assignment) -> None:
        self.found = True

    def visit_UnaryOp(self, node: c_ast.UnaryOp) -> None:
        self.found |= node.op in ("++", "--", "p++", "p--")
        self.generic_visit(node)

    def visit_FuncCall(self, node: c_ast.FuncCall) -> None:
        getter = isinstance(node.name, c_ast.ID) and node.name.name in nflib_model.PACKET_GETTERS
        self.found |= not getter
        self.generic_visit(node)

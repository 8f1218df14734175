"""The executor of one entry function: its feasibility checks and branching
(Z3), C's conversions of values, and the wiring of the concepts it is built
from (memory, statements, expressions, calls)."""

from __future__ import annotations

from collections.abc import Callable

import z3
from pycparser import c_ast

from parallelizer.analysis.budget import Budget, Meter
from parallelizer.analysis.ctype import INT, CType, FloatType, IntType, PtrType, VoidType
from parallelizer.analysis.errors import AnalysisError, unsupported
from parallelizer.analysis.executor.calls import Calls
from parallelizer.analysis.executor.expressions import Expressions
from parallelizer.analysis.executor.lvalues import Lvalues
from parallelizer.analysis.executor.memory import Memory
from parallelizer.analysis.executor.state import Ctl, PathState, Results
from parallelizer.analysis.executor.statements import Statements
from parallelizer.analysis.executor.static_types import StaticTypes
from parallelizer.analysis.executor.widths import conjuncts, negate, resize
from parallelizer.analysis.frontend import TranslationUnit
from parallelizer.analysis.values import BoolV, FuncV, IntV, ObjectV, OpaqueV, PacketV, PtrV, Value


class Executor:
    """Runs one function symbolically over all feasible paths, in one mode:
    "init" (nf_state_create, nf_port_count) or "process" (nf_process)."""

    def __init__(
        self,
        tu: TranslationUnit,
        mode: str,
        config_value: Callable[[str, IntType], Value],
        meter: Meter | None = None,
    ) -> None:
        self.tu = tu
        self.types = tu.types
        self.mode = mode
        self.config_value = config_value
        self.meter = meter if meter is not None else Meter(Budget())
        self.solver_checks = 0
        self._hash_fns: dict[int, z3.FuncDeclRef] = {}
        self._serial = 0
        if mode == "process":
            self.meter.start_path()  # one executor runs nf_process for one input port
        self.memory = Memory(self)
        self.statements = Statements(self)
        self.expressions = Expressions(self)
        self.lvalues = Lvalues(self)
        self.static_types = StaticTypes(self)
        self.calls = Calls(self)

    # ---- the entry points and the visitors' shorthands ---------------------------------

    def call_function(self, name: str, args: list[Value], st: PathState, node: c_ast.Node) -> Results:
        """Runs the function `name` of the translation unit on args: its results."""
        return self.calls.call_function(name, args, st, node)

    def eval(self, node: c_ast.Node, st: PathState) -> Results:
        """The values of an expression on each path it leads to."""
        return self.expressions.visit(node, st)

    def exec_stmt(self, node: c_ast.Node, st: PathState) -> list[tuple[PathState, Ctl]]:
        """The paths a statement leads to, each with how it ended."""
        return self.statements.visit(node, st)

    def build_value(self, ctype: CType, leaf: Callable[[str, IntType], Value], path: str = "") -> Value:
        return self.memory.build_value(ctype, leaf, path)

    # ---- feasibility ------------------------------------------------------------

    def feasible(self, st: PathState, extra: z3.BoolRef, node: c_ast.Node | None = None) -> bool:
        self.meter.tick(node)
        # The QF_BV solver: cheap to set up (~3 ms, z3.Solver() ~70 ms here, which dominates
        # the many small queries) and fast on hard bit-vector queries such as merged sums
        # (SimpleSolver is 5x slower there); it handles nf_hash_bytes' uninterpreted function.
        result, solver = self._check(z3.SolverFor("QF_BV"), st, extra)
        if result == z3.unknown and "timeout" not in solver.reason_unknown():
            result, solver = self._check(z3.Solver(), st, extra)  # outside QF_BV's logic
        if result == z3.unknown:
            raise self.meter.solver_gave_up(node)
        return result == z3.sat

    def _check(
        self, solver: z3.Solver, st: PathState, extra: z3.BoolRef
    ) -> tuple[z3.CheckSatResult, z3.Solver]:
        solver.set("timeout", self.meter.budget.solver_timeout_ms)
        solver.add(*st.assumptions)
        solver.add(*st.conds)
        solver.add(extra)
        self.solver_checks += 1
        return solver.check(), solver

    def outcomes(self, st: PathState, cond: z3.BoolRef, node: c_ast.Node | None) -> tuple[bool, bool]:
        """(cond can hold, cond can fail) under st's path condition."""
        simple = z3.simplify(cond)
        if z3.is_true(simple):
            return True, False
        if z3.is_false(simple):
            return False, True
        return self.feasible(st, cond, node), self.feasible(st, z3.Not(cond), node)

    def fork(self, st: PathState, node: c_ast.Node | None) -> PathState:
        """A copy of st for the other outcome of the branch at node (counted in the budget)."""
        self.meter.fork(node, self.mode == "process")
        self._serial += 1
        other = st.fork()
        st.trail.append((self._serial, True, node))
        other.trail.append((self._serial, False, node))
        return other

    def branch(
        self, st: PathState, cond: z3.BoolRef, node: c_ast.Node | None = None
    ) -> list[tuple[PathState, bool]]:
        """The feasible outcomes of cond on st (st itself is reused for one of them)."""
        can_true, can_false = self.outcomes(st, cond, node)
        if can_true and can_false:
            other = self.fork(st, node)
            st.conds.extend(conjuncts(cond))
            other.conds.extend(conjuncts(negate(cond)))
            return [(st, True), (other, False)]
        if can_true:
            return [(st, True)]
        if can_false:
            return [(st, False)]
        return []

    def count_fork(
        self,
        then_results: list[tuple[PathState, Ctl]],
        else_results: list[tuple[PathState, Ctl]],
        mark: int,
        node: c_ast.Node,
    ) -> None:
        """Books a fork made by PathState.fork as self.fork would (budget, and the
        trails of the arms' end states at the fork's place, `mark`)."""
        self.meter.fork(node, self.mode == "process")
        self._serial += 1
        for results, taken in ((then_results, True), (else_results, False)):
            for state, _ in results:
                state.trail.insert(mark, (self._serial, taken, node))

    def hash_function(self, bits: int) -> z3.FuncDeclRef:
        """nf_hash_bytes on `bits`-bit inputs: one uninterpreted function per width."""
        if bits not in self._hash_fns:
            self._hash_fns[bits] = z3.Function("nf_hash_bytes", z3.BitVecSort(bits), z3.BitVecSort(32))
        return self._hash_fns[bits]

    # ---- conversions ----------------------------------------------------------------

    def as_int(self, value: Value, node: c_ast.Node) -> IntV:
        if isinstance(value, IntV):
            return value
        if isinstance(value, BoolV):
            return IntV(z3.If(value.expr, z3.BitVecVal(1, 32), z3.BitVecVal(0, 32)), INT)
        raise self.misuse(value, node, "used as a number")

    def truth(self, value: Value, node: c_ast.Node) -> z3.BoolRef:
        if isinstance(value, BoolV):
            return value.expr
        if isinstance(value, IntV):
            return value.expr != 0
        if isinstance(value, PtrV):
            return z3.BoolVal(value.ref is not None)
        if self.mode == "init" and isinstance(value, ObjectV | OpaqueV | FuncV):
            return z3.BoolVal(True)
        raise self.misuse(value, node, "used as a condition")

    def misuse(self, value: Value, node: c_ast.Node, how: str) -> AnalysisError:
        if isinstance(value, ObjectV):
            return unsupported(
                node,
                f"state object '{value.name}' {how}",
                "touch state objects only by passing them to nflib functions",
            )
        if isinstance(value, PacketV):
            return unsupported(
                node,
                f"the packet pointer {how}",
                "read packet fields with nf_pkt_* getters and write them with nf_pkt_set_*",
            )
        if isinstance(value, PtrV):
            return unsupported(
                node,
                f"a pointer {how}",
                "compute with integers; pass pointers only to nflib calls and helpers",
            )
        return unsupported(
            node, f"a value that is not an integer {how}", "compute with integer and boolean values"
        )

    def convert(self, st: PathState, value: Value, ctype: CType, node: c_ast.Node) -> Value:
        """value converted to ctype as by assignment or cast."""
        if isinstance(ctype, IntType):
            if ctype.is_bool:
                return BoolV(self.truth(value, node))
            if isinstance(value, BoolV):
                return IntV(
                    z3.If(value.expr, z3.BitVecVal(1, ctype.bits), z3.BitVecVal(0, ctype.bits)), ctype
                )
            if isinstance(value, IntV):
                return IntV(resize(value.expr, ctype.bits, value.ctype.signed), ctype)
            if self.mode == "init" and isinstance(value, OpaqueV):
                return IntV(z3.BitVec(st.fresh_id("init.opaque"), ctype.bits), ctype)
            raise self.misuse(value, node, "converted to an integer")
        if isinstance(ctype, PtrType):
            if isinstance(value, PtrV):
                if value.ref is not None and st.store.get(value.ref.slot) is None and not value.ref.path:
                    target = ctype.target
                    if not isinstance(target, VoidType):  # typed view of fresh heap memory
                        st.store[value.ref.slot] = self.memory.build_value(target, Memory.const_leaf(0))
                        st.slot_types[value.ref.slot] = target
                return PtrV(value.ref, ctype.target)
            if isinstance(value, IntV) and z3.is_bv_value(value.expr) and value.expr.as_long() == 0:
                return PtrV(None, ctype.target)
            if isinstance(value, ObjectV | PacketV | FuncV | OpaqueV):
                return value
            raise unsupported(
                node, "an integer converted to a pointer", "use pointers only to existing variables"
            )
        if isinstance(ctype, VoidType):
            return OpaqueV("void")
        if isinstance(ctype, FloatType):
            raise unsupported(node, "floating-point arithmetic", "use integer arithmetic (e.g. fixed point)")
        return value

"""Statements: a Visitor whose visit_<Statement> methods return the paths a
statement leads to, each with how it ended (NORMAL, BREAK, CONTINUE or
("return", value)). A node that is no statement kind is an expression
statement (generic_visit). Branches fork or join (merge.py); loops unroll,
with a bound on the iterations whose exit depends on packet or state values."""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3
from pycparser import c_ast

from parallelizer.analysis import merge
from parallelizer.analysis.ctype import VOID
from parallelizer.analysis.errors import AnalysisError, location_of, unsupported
from parallelizer.analysis.executor.dispatch import Visitor, source_text
from parallelizer.analysis.executor.memory import Memory
from parallelizer.analysis.executor.state import BREAK, CONTINUE, NORMAL, Ctl, PathState
from parallelizer.analysis.executor.widths import compare, conjuncts, negate, promote, resize
from parallelizer.analysis.values import PtrV

if TYPE_CHECKING:
    from parallelizer.analysis.executor.core import Executor

# A loop whose condition stays symbolic for this many iterations has no bound.
MAX_SYMBOLIC_ITERATIONS = 16
MAX_CONCRETE_ITERATIONS = 100_000
INIT_SYMBOLIC_ITERATIONS = 2

Paths = list[tuple[PathState, Ctl]]


class Statements(Visitor):
    def __init__(self, ex: Executor) -> None:
        super().__init__()
        self.ex = ex

    def block(self, items: list[c_ast.Node], st: PathState) -> Paths:
        states: Paths = [(st, NORMAL)]
        for item in items:
            next_states: Paths = []
            for state, ctl in states:
                if ctl is NORMAL:
                    next_states.extend(self.visit(item, state))
                else:
                    next_states.append((state, ctl))
            states = next_states
        return states

    def generic_visit(self, node: c_ast.Node, st: PathState) -> Paths:
        """An expression statement."""
        return [(s, NORMAL) for s, _ in self.ex.eval(node, st)]

    def visit_Compound(self, node: c_ast.Compound, st: PathState) -> Paths:
        st.frames[-1].append({})
        results = self.block(node.block_items or [], st)
        for state, _ in results:
            state.frames[-1].pop()
        return results

    def visit_DeclList(self, node: c_ast.DeclList, st: PathState) -> Paths:
        return self.block(node.decls, st)

    def visit_EmptyStatement(self, node: c_ast.EmptyStatement, st: PathState) -> Paths:
        return [(st, NORMAL)]

    def visit_Pragma(self, node: c_ast.Pragma, st: PathState) -> Paths:
        return [(st, NORMAL)]

    def visit_Typedef(self, node: c_ast.Typedef, st: PathState) -> Paths:
        self.ex.types.add_typedef(node)
        return [(st, NORMAL)]

    def visit_Return(self, node: c_ast.Return, st: PathState) -> Paths:
        if node.expr is None:
            return [(st, ("return", None))]
        return [(s, ("return", v)) for s, v in self.ex.eval(node.expr, st)]

    def visit_Break(self, node: c_ast.Break, st: PathState) -> Paths:
        return [(st, BREAK)]

    def visit_Continue(self, node: c_ast.Continue, st: PathState) -> Paths:
        return [(st, CONTINUE)]

    def visit_Goto(self, node: c_ast.Goto, st: PathState) -> Paths:
        if self.ex.mode == "init":
            # Initialisation code jumps to its cleanup on failure: such paths fail.
            return [(st, ("return", PtrV(None, VOID)))]
        raise unsupported(node, f"goto {node.name}", "use if/else, loops with break, or return")

    def visit_Label(self, node: c_ast.Label, st: PathState) -> Paths:
        if self.ex.mode == "init":
            return [(st, NORMAL)] if node.stmt is None else self.visit(node.stmt, st)
        raise unsupported(node, f"label '{node.name}'", "use if/else, loops with break, or return")

    # ---- declarations ---------------------------------------------------------------

    def visit_Decl(self, node: c_ast.Decl, st: PathState) -> Paths:
        if isinstance(node.type, c_ast.FuncDecl):
            return [(st, NORMAL)]
        ctype = self.ex.types.resolve(node.type)
        if node.name is None:
            return [(st, NORMAL)]
        if "static" in node.storage and "const" not in node.quals and self.ex.mode == "process":
            raise unsupported(
                node,
                f"static local variable '{node.name}' keeps state between packets",
                "keep state in struct nf_state objects built with nflib",
            )
        # The variable is in scope in its own initialiser (`T *p = calloc(1, sizeof(*p))`).
        value = self.ex.memory.build_value(ctype, Memory.symbol_leaf(st.fresh_id("undef")))
        slot = st.new_slot(ctype, value)
        st.frames[-1][-1][node.name] = slot
        if node.init is None:
            return [(st, NORMAL)]
        results: Paths = []
        for state, init_value in self.ex.expressions.initializer(node.init, ctype, st):
            state.store[slot] = init_value
            results.append((state, NORMAL))
        return results

    # ---- branches -------------------------------------------------------------------

    def visit_If(self, node: c_ast.If, st: PathState) -> Paths:
        results: Paths = []
        for state, cond in self.ex.eval(node.cond, st):
            results.extend(self._if(node, state, self.ex.truth(cond, node.cond)))
        return results

    def _if(self, node: c_ast.If, st: PathState, cond: z3.BoolRef) -> Paths:
        """Both arms when both are feasible: joined into one path (merge.py) when the
        arms can only change locals and end in one state each, else forked."""
        can_true, can_false = self.ex.outcomes(st, cond, node.cond)
        arms = []
        if can_true and can_false:
            base, mark = len(st.conds), len(st.trail)
            other = st.fork()
            st.conds.extend(conjuncts(cond))
            other.conds.extend(conjuncts(negate(cond)))
            if (
                merge.mergeable(node.iftrue)
                and merge.mergeable(node.iffalse)
                and merge.independent_condition(cond)
            ):
                then_results = self._arm(node.iftrue, st)
                else_results = self._arm(node.iffalse, other)
                if len(then_results) == 1 and len(else_results) == 1:
                    (then_state, then_ctl), (else_state, else_ctl) = then_results[0], else_results[0]
                    if then_ctl is NORMAL and else_ctl is NORMAL:
                        joined = merge.join_states(cond, base, then_state, else_state)
                        if joined is not None:
                            return [(joined, NORMAL)]
                # Not joinable: the arms ran under their conditions exactly as forked paths.
                self.ex.count_fork(then_results, else_results, mark, node.cond)
                return then_results + else_results
            self.ex.count_fork([(st, NORMAL)], [(other, NORMAL)], mark, node.cond)
            arms = [(node.iftrue, st), (node.iffalse, other)]
        elif can_true or can_false:
            arms = [(node.iftrue if can_true else node.iffalse, st)]
        results: Paths = []
        for body, state in arms:
            results.extend(self._arm(body, state))
        return results

    def _arm(self, body: c_ast.Node | None, st: PathState) -> Paths:
        return [(st, NORMAL)] if body is None else self.visit(body, st)

    def visit_Switch(self, node: c_ast.Switch, st: PathState) -> Paths:
        body = node.stmt.block_items if isinstance(node.stmt, c_ast.Compound) else [node.stmt]
        body = body or []
        labels: list[tuple[int, c_ast.Node]] = [
            (i, item) for i, item in enumerate(body) if isinstance(item, c_ast.Case | c_ast.Default)
        ]
        for item in body:
            if not isinstance(item, c_ast.Case | c_ast.Default):
                raise unsupported(
                    item, "statement before the first case label", "start switch bodies with case"
                )
        results: Paths = []
        for state, scrutinee in self.ex.eval(node.cond, st):
            value = self.ex.as_int(scrutinee, node.cond)
            ctype = promote(value.ctype)
            expr = resize(value.expr, ctype.bits, value.ctype.signed)
            case_conds: list[tuple[int, z3.BoolRef]] = []
            for index, label in labels:
                if isinstance(label, c_ast.Case):
                    constant = self.ex.types.const_eval(label.expr)
                    if constant is None:
                        raise unsupported(
                            label.expr, "case label is not a constant", "use constant case labels"
                        )
                    case_conds.append(
                        (index, compare("==", expr, z3.BitVecVal(constant, ctype.bits), ctype.signed))
                    )
            default_index = next((i for i, label in labels if isinstance(label, c_ast.Default)), None)
            none_matches = z3.And(*[z3.Not(c) for _, c in case_conds]) if case_conds else z3.BoolVal(True)
            entries = list(case_conds)
            entries.append((default_index if default_index is not None else -1, none_matches))
            remaining = [state]
            for entry_index, cond in entries:
                next_remaining: list[PathState] = []
                for cur in remaining:
                    for branch_state, taken in self.ex.branch(cur, cond, node.cond):
                        if not taken:
                            next_remaining.append(branch_state)
                            continue
                        if entry_index < 0:
                            results.append((branch_state, NORMAL))
                            continue
                        stmts: list[c_ast.Node] = []
                        for item in body[entry_index:]:
                            stmts.extend(item.stmts or [])
                        branch_state.frames[-1].append({})
                        for after, ctl in self.block(stmts, branch_state):
                            after.frames[-1].pop()
                            results.append((after, NORMAL if ctl is BREAK else ctl))
                remaining = next_remaining
        return results

    # ---- loops ----------------------------------------------------------------------

    def visit_For(self, node: c_ast.For, st: PathState) -> Paths:
        return self._loop(node, st, node.init, node.next, test_first=True)

    def visit_While(self, node: c_ast.While, st: PathState) -> Paths:
        return self._loop(node, st, None, None, test_first=True)

    def visit_DoWhile(self, node: c_ast.DoWhile, st: PathState) -> Paths:
        return self._loop(node, st, None, None, test_first=False)

    def _loop(
        self,
        node: c_ast.For | c_ast.While | c_ast.DoWhile,
        st: PathState,
        init: c_ast.Node | None,
        step: c_ast.Node | None,
        test_first: bool,
    ) -> Paths:
        """Unrolls a loop. In nf_process, an iteration whose exit is decided by packet
        or state values (the condition forks, or a break/return inside the body is
        taken on some paths and not on others) is a symbolic iteration; a path with
        more than MAX_SYMBOLIC_ITERATIONS of them is refused, as the loop's bound is
        then not a constant. `for (i = 0; i < 8; i++) if (x == i) return ...` has 8
        symbolic iterations and runs; `for (n = 0; n < 100000; n++) if (n >= len) break;`
        is refused after 16 instead of forking 100,000 paths."""
        key = (id(node), len(st.call_stack))
        st.frames[-1].append({})
        starts: list[PathState] = [st]
        if init is not None:
            starts = [s for s, _ in self.visit(init, st)]
        for state in starts:
            state.loop_counts[key] = 0
        cond_node = node.cond
        done: Paths = []
        # Paths at the loop head, with how many iterations they ran.
        heads: list[tuple[PathState, int]] = [(s, 0) for s in starts]
        first_unconditional = not test_first
        while heads:
            state, iterations = heads.pop(0)
            self.ex.meter.tick(node)
            if iterations > MAX_CONCRETE_ITERATIONS:
                raise unsupported(
                    node,
                    f"loop runs more than {MAX_CONCRETE_ITERATIONS} iterations",
                    "bound loops by a small constant",
                )
            entering: list[PathState] = []
            if first_unconditional and iterations == 0:
                entering = [state]
            elif cond_node is None:
                entering = [state]
            else:
                for cond_state, cond in self.ex.eval(cond_node, state):
                    condition = self.ex.truth(cond, cond_node)
                    outcomes = self.ex.branch(cond_state, condition, cond_node)
                    if (
                        len(outcomes) == 2
                        or not z3.is_true(z3.simplify(condition))
                        and not z3.is_false(z3.simplify(condition))
                    ):
                        for outcome_state, _ in outcomes:
                            outcome_state.loop_counts[key] = outcome_state.loop_counts.get(key, 0) + 1
                    for outcome_state, taken in outcomes:
                        count = outcome_state.loop_counts.get(key, 0)
                        if taken:
                            if count > MAX_SYMBOLIC_ITERATIONS and self.ex.mode == "process":
                                raise self._unbounded(node, cond_node)
                            if count > INIT_SYMBOLIC_ITERATIONS and self.ex.mode == "init":
                                continue  # init: a few iterations show every constructor call
                            entering.append(outcome_state)
                        else:
                            done.append((outcome_state, NORMAL))
            for body_state in entering:
                mark = len(body_state.trail)
                staying: list[PathState] = []
                leaving: list[PathState] = []
                for after, ctl in self.visit(node.stmt, body_state):
                    if ctl is BREAK or ctl[0] == "return":
                        done.append((after, NORMAL if ctl is BREAK else ctl))
                        leaving.append(after)
                    else:
                        staying.append(after)
                if self.ex.mode == "process" and leaving and staying:
                    decider = _parting(leaving[0].trail, staying[0].trail, mark)
                    for after in staying:
                        count = after.loop_counts.get(key, 0) + 1
                        after.loop_counts[key] = count
                        if count > MAX_SYMBOLIC_ITERATIONS:
                            raise self._unbounded(node, decider)
                for after in staying:
                    nexts = [after]
                    if step is not None:
                        nexts = [s for s, _ in self.ex.eval(step, after)]
                    heads.extend((s, iterations + 1) for s in nexts)
        for state, _ in done:
            state.frames[-1].pop()
            state.loop_counts.pop(key, None)
        return done

    def _unbounded(self, loop: c_ast.Node, exit_node: c_ast.Node | None) -> AnalysisError:
        """The error for a loop whose exit kept depending on packet or state values."""
        how = f"more than {MAX_SYMBOLIC_ITERATIONS} iterations ran while its exit"
        if exit_node is not None:
            how += f" `{source_text(exit_node)}` ({location_of(exit_node)})"
        return unsupported(
            loop,
            f"loop without a constant bound: {how} depends on packet or state values",
            f"bound loops by a constant, e.g. for (int i = 0; i < N; i++), with at most "
            f"{MAX_SYMBOLIC_ITERATIONS} iterations that may exit on a packet or state value",
        )


def _parting(
    left: list[tuple[int, bool, c_ast.Node | None]],
    right: list[tuple[int, bool, c_ast.Node | None]],
    mark: int,
) -> c_ast.Node | None:
    """The condition of the first fork after `mark` where two paths' trails part."""
    for a, b in zip(left[mark:], right[mark:], strict=False):
        if a != b:
            return a[2]
    return None

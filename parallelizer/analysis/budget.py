"""Budgets of one analysis (paths, solver time, wall time) and the meter that
enforces them, so that no NF source makes the analyzer run unbounded.

The defaults leave ample headroom over every NF in nfs/ (measured with the
analyzer of this commit on the 2-core machine: the largest, hhh, explores 164
paths of nf_process in about 22 s, its slowest solver check taking 0.1 s;
docs/NF_C_SUBSET.md, "Budgets"). Exceeding one
is an AnalysisError at the branch that forked most (or the loop running when
time ran out), naming the flag that raises the budget."""

from __future__ import annotations

import dataclasses
import time

from pycparser import c_ast

from parallelizer.analysis.errors import AnalysisError, location_of


@dataclasses.dataclass(frozen=True)
class Budget:
    """Limits of one analysis; each has an analyze flag of the same name."""

    max_paths: int = 2000  # forks of nf_process over all input ports, plus one per port
    solver_timeout_ms: int = 10_000  # one feasibility check
    max_seconds: float = 300.0  # the whole analysis (init, port count, every port)


def _branch_text(node: c_ast.Node) -> str:
    from parallelizer.analysis.executor import source_text  # executor imports this module

    text = source_text(node)
    return text if len(text) <= 80 else text[:77] + "..."


class Meter:
    """Counts the forks of one analysis per branch node and watches the clock."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.deadline = time.monotonic() + budget.max_seconds
        self.paths = 0  # paths of nf_process started (one per port, plus one per fork)
        self._forks: dict[int, tuple[c_ast.Node | None, int]] = {}

    def forks_at(self, node: c_ast.Node | None) -> int:
        return self._forks.get(id(node), (node, 0))[1]

    def start_path(self) -> None:
        self.paths += 1

    def fork(self, node: c_ast.Node | None, process: bool) -> None:
        """Records a fork at `node`; in nf_process it counts against max_paths."""
        _, count = self._forks.get(id(node), (node, 0))
        self._forks[id(node)] = (node, count + 1)
        if process:
            self.paths += 1
            if self.paths > self.budget.max_paths:
                raise self._exceeded(
                    node, f"more than {self.budget.max_paths} paths through nf_process", "--max_paths"
                )
        self.tick(node)

    def tick(self, node: c_ast.Node | None) -> None:
        """Raises when the analysis has run past max_seconds."""
        if time.monotonic() > self.deadline:
            raise self._exceeded(
                node, f"analysis still running after {self.budget.max_seconds:g} s", "--max_seconds"
            )

    def solver_gave_up(self, node: c_ast.Node | None) -> AnalysisError:
        return self._exceeded(
            node,
            f"the solver could not decide a branch within {self.budget.solver_timeout_ms} ms",
            "--solver_timeout_ms",
            at_node=True,
            advice="simplify the condition (e.g. no products of packet fields)",
        )

    def _exceeded(
        self,
        node: c_ast.Node | None,
        what: str,
        flag: str,
        at_node: bool = False,
        advice: str = "merge independent branches (arms without nflib calls, packet writes or returns; "
        "docs/NF_C_SUBSET.md), bound loops by constants",
    ) -> AnalysisError:
        """The error at the branch that forked most (at `node` when none forked)."""
        worst, count = node, self.forks_at(node)
        if not at_node:
            for candidate, forks in self._forks.values():
                if candidate is not None and forks > count:
                    worst, count = candidate, forks
        where = location_of(worst)
        if worst is not None and count:
            what += f"; this branch (`{_branch_text(worst)}`) forked {count} times"
        elif worst is not None:
            what += f" (at `{_branch_text(worst)}`)"
        return AnalysisError(where, what, f"{advice}, or raise {flag}")

"""The one dispatch of the executor over pycparser nodes, in the idiom of
pycparser's c_ast.NodeVisitor: `visit(node, st)` calls the visitor's
`visit_<NodeClass>(node, st)` or, for a node class it has no method for,
`generic_visit(node, st)`. Statements, expressions, lvalues and the static
types of sizeof operands are each such a visitor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycparser import c_ast, c_generator

from parallelizer.analysis.errors import unsupported
from parallelizer.analysis.executor.state import PathState

_GEN = c_generator.CGenerator()


def source_text(node: c_ast.Node) -> str:
    return _GEN.visit(node)


class Visitor:
    """Base of the executor's visitors. `construct` names what the visitor
    evaluates in the error for a node class it does not support."""

    construct = "construct"

    def __init__(self) -> None:
        self._handlers: dict[type, Callable[[Any, PathState], Any]] = {}

    def visit(self, node: c_ast.Node, st: PathState) -> Any:
        handler = self._handlers.get(node.__class__)
        if handler is None:
            handler = getattr(self, "visit_" + node.__class__.__name__, self.generic_visit)
            self._handlers[node.__class__] = handler
        return handler(node, st)

    def generic_visit(self, node: c_ast.Node, st: PathState) -> Any:
        del st
        raise unsupported(
            node,
            f"unsupported {self.construct} ({type(node).__name__})",
            "see docs/NF_C_SUBSET.md for the supported C subset",
        )

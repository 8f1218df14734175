"""Errors the analyzer reports to NF authors: file:line:column, what, what instead."""

from __future__ import annotations

from pycparser import c_ast


def location_of(node: c_ast.Node | None) -> str:
    """file:line:column of a pycparser node ('<unknown>' when it has none)."""
    coord = getattr(node, "coord", None)
    if coord is None:
        return "<unknown>"
    column = coord.column or 1
    return f"{coord.file}:{coord.line}:{column}"


class AnalysisError(Exception):
    """A problem in the NF source (or its setup) that stops the analysis."""

    def __init__(self, location: str, what: str, instead: str) -> None:
        super().__init__(f"{location}: error: {what}; {instead}")
        self.location = location
        self.what = what
        self.instead = instead


def unsupported(node: c_ast.Node | None, what: str, instead: str) -> AnalysisError:
    """An AnalysisError located at `node`."""
    return AnalysisError(location_of(node), what, instead)

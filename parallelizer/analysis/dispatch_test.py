"""Tests of the executor's one dispatch (executor/dispatch.py): visit_<NodeClass>
methods, and the fallbacks for node classes a visitor has no method for, which
must be the analyzer's located `file:line:col: error: ...; ...` (never a
traceback). The expected strings are written out here, from errors.py's format
and docs/NF_C_SUBSET.md, not taken from the code under test."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest
from pycparser import c_ast
from pycparser.plyparser import Coord

from parallelizer.analysis import describe
from parallelizer.analysis.errors import AnalysisError
from parallelizer.analysis.executor.dispatch import Visitor
from testing import nfpar_runfiles

# The paths below are relative to nfpar's root, also when nfpar is vendored.
os.chdir(nfpar_runfiles.root())

TESTDATA = "parallelizer/analysis/testdata"


class _Names(Visitor):
    """Knows identifiers only."""

    def visit_ID(self, node: c_ast.ID, st: object) -> str:
        return f"id {node.name} on {st}"


class _NamesAndConstants(_Names):
    def visit_Constant(self, node: c_ast.Constant, st: object) -> str:
        return f"constant {node.value}"


def test_visit_calls_the_method_of_the_node_class() -> None:
    assert _Names().visit(c_ast.ID("x"), "st0") == "id x on st0"
    assert _NamesAndConstants().visit(c_ast.Constant("int", "7"), None) == "constant 7"


def test_node_class_without_method_is_a_located_error() -> None:
    node = c_ast.Constant("int", "7", coord=Coord("nf.c", 12, 5))
    with pytest.raises(AnalysisError) as info:
        _Names().visit(node, None)
    assert str(info.value) == (
        "nf.c:12:5: error: unsupported construct (Constant); see docs/NF_C_SUBSET.md for the supported C subset"
    )


def test_handlers_are_per_visitor_class() -> None:
    # Negative control of the cache: a visitor that has the method is not refused
    # after one that lacks it met the same node class.
    node = c_ast.Constant("int", "7")
    with pytest.raises(AnalysisError):
        _Names().visit(node, None)
    assert _NamesAndConstants().visit(node, None) == "constant 7"


def analyze_process(body: str) -> tuple[str, describe.Analysis]:
    """(path, analysis) of minimal_nf.h plus an nf_process with `body` (line 4 on)."""
    source = (
        '#include "minimal_nf.h"\n'
        "int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {\n"
        "  (void)state; (void)now; (void)in_port; (void)pkt;\n" + body + "\n}\n"
    )
    directory = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    path = os.path.join(directory, "test_nf.c")
    with open(path, "w") as out:
        out.write(source)
    return path, describe.analyze(path, [".", TESTDATA], 1)


@pytest.mark.parametrize(
    "statement, column, what, instead",
    [
        # No statement or expression visitor has visit_StaticAssert.
        (
            '_Static_assert(1, "one");',
            3,
            "unsupported expression (StaticAssert)",
            "see docs/NF_C_SUBSET.md for the supported C subset",
        ),
        # The lvalue visitor has no visit_BinaryOp; pycparser places `a + b` at `a`.
        ("(in_port + 1) = 2;", 4, "assignment to in_port + 1", "assign to variables and their fields"),
    ],
)
def test_unsupported_constructs_in_an_nf_are_located(
    statement: str, column: int, what: str, instead: str
) -> None:
    with pytest.raises(AnalysisError) as info:
        analyze_process(f"  {statement}\n  return 0;")
    error = info.value
    assert error.location.endswith(f"test_nf.c:4:{column}"), str(error)
    assert (error.what, error.instead) == (what, instead)


def test_supported_neighbours_are_analyzed() -> None:
    # Negative control of the test above: the same places with supported constructs.
    _, analysis = analyze_process("  uint16_t port = in_port;\n  port = 2;\n  in_port + 1;\n  return port;")
    assert len(analysis.description.paths) == 1


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

"""Symbolic executor for the NF C subset: forks on branches, prunes infeasible
paths with Z3, inlines static helpers, unrolls bounded loops and models nflib
calls by their summaries (nflib_model). One Executor runs one entry function
in one mode: "init" (nf_state_create, nf_port_count) or "process" (nf_process).

A package with one module per concept, so each can be read (and changed)
alone; the Executor (core.py) wires them and owns what they share:

  widths.py        bit-vector widths, C's integer promotions, readable conditions
  state.py         PathState (what one path owns), OpRecord, CreatedObject, Ctl
  memory.py        the memory model: typed values in slots, byte views, fresh values
  dispatch.py      Visitor: the one dispatch over pycparser nodes (visit_<NodeClass>)
  statements.py    Statements visitor: blocks, declarations, if, loops, switch
  expressions.py   Expressions visitor: values, arithmetic, initialisers
  lvalues.py       Lvalues visitor: the locations expressions designate
  static_types.py  StaticTypes visitor: the type of a sizeof operand
  calls.py         helper calls, nflib summaries, packet getters and setters
  builtins.py      memcpy, memset, memcmp, nf_hash_bytes, ...: on Calls.pointee
  core.py          Executor: feasibility and branching, C conversions, wiring

Callers need only the names below."""

from parallelizer.analysis.executor.core import Executor
from parallelizer.analysis.executor.dispatch import source_text
from parallelizer.analysis.executor.state import CreatedObject, OpRecord, PathState
from parallelizer.analysis.executor.widths import compare

__all__ = ["CreatedObject", "Executor", "OpRecord", "PathState", "compare", "source_text"]

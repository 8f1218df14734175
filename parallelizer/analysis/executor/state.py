"""What one path owns (PathState: its memory, scopes, path condition, state
operations and packet), the records of what it did, and the control results
of statements. A path forks by copying its PathState; values are immutable
(values.py), so forks share them."""

from __future__ import annotations

import dataclasses

import z3
from pycparser import c_ast

from parallelizer.analysis.ctype import CType
from parallelizer.analysis.values import Value


@dataclasses.dataclass
class OpRecord:
    """A state operation on one path."""

    id: str
    object: str
    kind: str
    call: str
    location: str
    key: Value | None = None
    index: Value | None = None
    value: Value | None = None
    results: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CreatedObject:
    """An nflib constructor call seen in init mode."""

    name: str
    family: str
    call: c_ast.FuncCall
    capacity: Value
    key_type: CType | None
    cell_type: CType | None


class PathState:
    """Everything one path owns; `fork` copies it."""

    def __init__(self) -> None:
        self.store: dict[int, Value | None] = {}
        self.slot_types: dict[int, CType] = {}
        self.readonly: set[int] = set()
        self.frames: list[list[dict[str, int]]] = [[{}]]
        self.conds: list[z3.BoolRef] = []
        self.assumptions: list[z3.BoolRef] = []
        self.ops: list[OpRecord] = []
        self.created: list[CreatedObject] = []
        self.packet: dict[str, Value] = {}
        self.rewrites: dict[str, Value] = {}
        self.next_slot = 0
        self.counters: dict[str, int] = {}
        self.loop_counts: dict[tuple[int, int], int] = {}
        self.call_stack: list[str] = []
        # (fork serial, outcome, condition node) of every fork this path went through:
        # where an exiting and a continuing path of a loop iteration part, the exit was decided.
        self.trail: list[tuple[int, bool, c_ast.Node | None]] = []

    def fork(self) -> PathState:
        other = PathState.__new__(PathState)
        other.store = dict(self.store)
        other.slot_types = dict(self.slot_types)
        other.readonly = set(self.readonly)
        other.frames = [[dict(scope) for scope in frame] for frame in self.frames]
        other.conds = list(self.conds)
        other.assumptions = list(self.assumptions)
        other.ops = list(self.ops)
        other.created = list(self.created)
        other.packet = dict(self.packet)
        other.rewrites = dict(self.rewrites)
        other.next_slot = self.next_slot
        other.counters = dict(self.counters)
        other.loop_counts = dict(self.loop_counts)
        other.call_stack = list(self.call_stack)
        other.trail = list(self.trail)
        return other

    def new_slot(self, ctype: CType, value: Value | None) -> int:
        slot = self.next_slot
        self.next_slot += 1
        self.store[slot] = value
        self.slot_types[slot] = ctype
        return slot

    def fresh_id(self, prefix: str) -> str:
        count = self.counters.get(prefix, 0)
        self.counters[prefix] = count + 1
        return f"{prefix}{count}"

    def lookup(self, name: str) -> int | None:
        for scope in reversed(self.frames[-1]):
            if name in scope:
                return scope[name]
        return None


# Control results of a statement.
NORMAL = ("normal",)
BREAK = ("break",)
CONTINUE = ("continue",)

# ("return", value or None) for a return statement.
Ctl = tuple
# The feasible outcomes of an expression: each path with its value.
Results = list[tuple[PathState, Value]]

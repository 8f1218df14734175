"""Symbolic values of the executor. All are immutable: forks share them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import z3

from parallelizer.analysis.ctype import CType, IntType, StructType


@dataclasses.dataclass(frozen=True)
class IntV:
    """An integer of a C integer type (width = expr.size())."""

    expr: z3.BitVecRef
    ctype: IntType


@dataclasses.dataclass(frozen=True)
class BoolV:
    """A C truth value (an int 0/1 that is kept as a Z3 Bool for readable conditions)."""

    expr: z3.BoolRef


@dataclasses.dataclass(frozen=True)
class StructV:
    ctype: StructType
    fields: tuple[tuple[str, Value], ...]

    def get(self, name: str) -> Value:
        for fname, value in self.fields:
            if fname == name:
                return value
        raise KeyError(name)

    def with_field(self, name: str, value: Value) -> StructV:
        return StructV(self.ctype, tuple((f, value if f == name else v) for f, v in self.fields))


@dataclasses.dataclass(frozen=True)
class ArrayV:
    """An array whose elements are created on first use by `factory(index)`."""

    ctype: CType
    length: int
    elems: tuple[tuple[int, Value], ...]
    factory: Callable[[int], Value] = dataclasses.field(compare=False)

    def get(self, index: int) -> Value:
        for i, value in self.elems:
            if i == index:
                return value
        return self.factory(index)

    def with_elem(self, index: int, value: Value) -> ArrayV:
        elems = tuple((i, v) for i, v in self.elems if i != index) + ((index, value),)
        return ArrayV(self.ctype, self.length, tuple(sorted(elems, key=lambda e: e[0])), self.factory)


@dataclasses.dataclass(frozen=True)
class Ref:
    """A location: a storage slot and a path of field names / array indexes in it.

    With `view`, the location is the `view`-typed integer at byte `offset` inside
    the object at (slot, path): an access through a pointer cast such as
    `((uint8_t *)&key)[1]`, read and written byte-exactly (x86-64 little-endian)."""

    slot: int
    path: tuple[str | int, ...] = ()
    offset: int = 0
    view: CType | None = None


@dataclasses.dataclass(frozen=True)
class PtrV:
    """A pointer to a location (None: NULL) whose pointee has type `target`."""

    ref: Ref | None
    target: CType


@dataclasses.dataclass(frozen=True)
class ObjectV:
    """An nflib object held in a field of struct nf_state."""

    name: str
    kind: str  # "map", "vector", ... (the constructor's family)


@dataclasses.dataclass(frozen=True)
class PacketV:
    """The packet pointer nf_process receives; only nf_pkt_* calls may use it."""


@dataclasses.dataclass(frozen=True)
class FuncV:
    name: str


@dataclasses.dataclass(frozen=True)
class OpaqueV:
    """A value the analysis does not track (strings, FILE*, buffers at init)."""

    what: str


Value = IntV | BoolV | StructV | ArrayV | PtrV | ObjectV | PacketV | FuncV | OpaqueV

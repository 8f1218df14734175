"""The memory model: typed values in the slots of a PathState, addressed by
Refs (slot, path of fields and indexes, and for accesses through pointer
casts a byte view); reads and writes of whole values and of their bytes
(x86-64 layout, little-endian); fresh values of a type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import z3
from pycparser import c_ast

from parallelizer.analysis.ctype import (
    ArrayType,
    CType,
    IntType,
    PtrType,
    StructType,
    VoidType,
    type_name,
)
from parallelizer.analysis.errors import AnalysisError, unsupported
from parallelizer.analysis.executor.state import PathState
from parallelizer.analysis.executor.widths import resize, simplify_const
from parallelizer.analysis.values import ArrayV, BoolV, IntV, OpaqueV, PtrV, Ref, StructV, Value

if TYPE_CHECKING:
    from parallelizer.analysis.executor.core import Executor


class Memory:
    """Values in memory of one executor's paths."""

    def __init__(self, ex: Executor) -> None:
        self.ex = ex
        self.types = ex.types

    # ---- values -----------------------------------------------------------------

    def build_value(self, ctype: CType, leaf: Callable[[str, IntType], Value], path: str = "") -> Value:
        """A value of ctype whose integer leaves are leaf(path, type)."""
        if isinstance(ctype, IntType):
            return leaf(path, ctype)
        if isinstance(ctype, StructType):
            sdef = self.types.struct_def(ctype)
            if sdef is None:
                return OpaqueV(f"incomplete struct {ctype.name}")
            return StructV(
                ctype,
                tuple((name, self.build_value(ftype, leaf, f"{path}.{name}")) for name, ftype in sdef.fields),
            )
        if isinstance(ctype, ArrayType):
            elem = ctype.elem
            return ArrayV(ctype, ctype.length, (), lambda i: self.build_value(elem, leaf, f"{path}[{i}]"))
        if isinstance(ctype, PtrType):
            return OpaqueV(f"uninitialised pointer {path}")
        return OpaqueV(f"value of {ctype}")

    @staticmethod
    def symbol_leaf(prefix: str) -> Callable[[str, IntType], Value]:
        def leaf(path: str, ctype: IntType) -> Value:
            name = prefix + path
            if ctype.is_bool:
                return BoolV(z3.Bool(name))
            return IntV(z3.BitVec(name, ctype.bits), ctype)

        return leaf

    @staticmethod
    def const_leaf(byte: int) -> Callable[[str, IntType], Value]:
        def leaf(path: str, ctype: IntType) -> Value:
            del path
            if ctype.is_bool:
                return BoolV(z3.BoolVal(byte != 0))
            pattern = int.from_bytes(bytes([byte]) * (ctype.bits // 8), "little")
            return IntV(z3.BitVecVal(pattern, ctype.bits), ctype)

        return leaf

    # ---- memory ------------------------------------------------------------------

    def type_at(self, st: PathState, ref: Ref) -> CType:
        if ref.view is not None:
            return ref.view
        ctype = st.slot_types[ref.slot]
        for step in ref.path:
            if isinstance(step, int):
                assert isinstance(ctype, ArrayType)
                ctype = ctype.elem
            else:
                assert isinstance(ctype, StructType)
                field_type = self.types.field_type(ctype, step)
                assert field_type is not None
                ctype = field_type
        return ctype

    def read(self, st: PathState, ref: Ref, node: c_ast.Node) -> Value:
        if ref.view is not None:
            base = Ref(ref.slot, ref.path)
            size = self.types.sizeof(ref.view)
            pieces = self.read_bytes(
                self.read(st, base, node), self.type_at(st, base), ref.offset, ref.offset + size, node
            )
            bits = pieces[0] if len(pieces) == 1 else z3.Concat(*reversed(pieces))
            assert isinstance(ref.view, IntType)
            return IntV(bits, ref.view)
        value = st.store.get(ref.slot)
        if value is None:
            raise unsupported(node, "read of memory without a type", "cast allocations to their struct type")
        for step in ref.path:
            if isinstance(step, int):
                assert isinstance(value, ArrayV)
                if not 0 <= step < max(value.length, 1):
                    raise unsupported(
                        node,
                        f"array index {step} out of bounds [0, {value.length})",
                        "keep array indexes within the array",
                    )
                value = value.get(step)
            else:
                assert isinstance(value, StructV), (value, step)
                value = value.get(step)
        return value

    def write(self, st: PathState, ref: Ref, value: Value, node: c_ast.Node) -> None:
        if self.ex.mode == "process" and ref.slot in st.readonly:
            what = ".".join(str(step) for step in ref.path) or "the state"
            raise unsupported(
                node,
                f"nf_process writes state field '{what}' directly",
                "change state only through nflib calls (e.g. nf_vector_return, nf_map_put)",
            )
        if ref.view is not None:
            base = Ref(ref.slot, ref.path)
            number = self.ex.as_int(value, node)
            bits = resize(number.expr, self.types.sizeof(ref.view) * 8, number.ctype.signed)
            new = self.write_bytes(self.read(st, base, node), self.type_at(st, base), ref.offset, bits, node)
            self.write(st, base, new, node)
            return

        def update(current: Value | None, path: tuple[str | int, ...]) -> Value:
            if not path:
                return value
            step = path[0]
            if isinstance(step, int):
                assert isinstance(current, ArrayV)
                if not 0 <= step < max(current.length, 1):
                    raise unsupported(
                        node,
                        f"array index {step} out of bounds [0, {current.length})",
                        "keep array indexes within the array",
                    )
                return current.with_elem(step, update(current.get(step), path[1:]))
            assert isinstance(current, StructV)
            return current.with_field(step, update(current.get(step), path[1:]))

        st.store[ref.slot] = update(st.store.get(ref.slot), ref.path)

    # ---- byte views: accesses through pointer casts (x86-64, little-endian) -------------

    def view_ref(self, st: PathState, ptr: PtrV, ref: Ref, node: c_ast.Node) -> Ref:
        """The location `ptr` designates when its type differs from the object's:
        an integer view of the object's bytes (or the object itself when a byte
        pointer is cast back to the object's type)."""
        actual = self.type_at(st, ref)
        target = ptr.target
        if target == actual or isinstance(target, VoidType) or isinstance(actual, VoidType):
            return ref
        base, offset = Ref(ref.slot, ref.path), ref.offset
        if base.path and isinstance(base.path[-1], int) and ref.view is None:
            # A pointer to an array element views the array's bytes from that element on.
            element = self.type_at(st, base)
            base = Ref(ref.slot, ref.path[:-1])
            offset = ref.path[-1] * self.types.sizeof(element)
        base_type = self.type_at(st, base)
        if target == base_type and offset == 0:
            return base
        if not isinstance(target, IntType) or target.is_bool:
            raise unsupported(
                node,
                f"{type_name(base_type)} accessed through a pointer to {type_name(target)}",
                "access objects through pointers of their own type, or their bytes through "
                "an integer pointer such as (uint8_t *)&key",
            )
        size = self.types.sizeof(target)
        if offset < 0 or offset + size > self.types.sizeof(base_type):
            raise unsupported(
                node,
                f"{size}-byte access at byte {offset} of a {self.types.sizeof(base_type)}-byte "
                f"{type_name(base_type)} (out of bounds)",
                "keep accesses through pointer casts inside the object",
            )
        if offset == 0 and base_type == target:
            return base
        return Ref(ref.slot, base.path, offset, target)

    def read_bytes(
        self, value: Value, ctype: CType, lo: int, hi: int, node: c_ast.Node
    ) -> list[z3.BitVecRef]:
        """Bytes [lo, hi) of value (of type ctype) as bit-vectors, lowest address first."""
        if isinstance(ctype, IntType) and isinstance(value, IntV | BoolV):
            bits = self.flatten(value, node)
            if lo == 0 and hi * 8 == bits.size():
                return [bits]
            return [simplify_const(z3.Extract(8 * hi - 1, 8 * lo, bits))]
        members = self._overlapping(ctype, lo, hi, node)
        if not isinstance(value, StructV | ArrayV):
            raise self._bytes_of_non_integer(ctype, node)
        pieces: list[z3.BitVecRef] = []
        for name, start, ftype in members:
            sub = value.get(name) if isinstance(value, StructV) else value.get(int(name))  # type: ignore[arg-type]
            size = self.types.sizeof(ftype)
            pieces += self.read_bytes(sub, ftype, max(lo, start) - start, min(hi, start + size) - start, node)
        return pieces

    def write_bytes(self, value: Value, ctype: CType, lo: int, data: z3.BitVecRef, node: c_ast.Node) -> Value:
        """value (of type ctype) with bytes [lo, lo + |data|) replaced by data (little-endian)."""
        hi = lo + data.size() // 8
        if isinstance(ctype, IntType) and isinstance(value, BoolV):
            return BoolV(z3.simplify(data != 0))
        if isinstance(ctype, IntType) and isinstance(value, IntV):
            width = value.expr.size()
            if lo == 0 and data.size() == width:
                return IntV(data, ctype)
            keep = ((1 << width) - 1) ^ (((1 << data.size()) - 1) << (8 * lo))
            old = value.expr
            if z3.is_app_of(old, z3.Z3_OP_BAND) and old.num_args() == 2 and z3.is_bv_value(old.arg(1)):
                keep &= old.arg(1).as_long()  # (x & m) & keep reads as x & (m & keep)
                old = old.arg(0)
            kept = simplify_const(old & z3.BitVecVal(keep, width))
            placed = simplify_const(z3.ZeroExt(width - data.size(), data))
            if lo:
                placed = simplify_const(placed << (8 * lo))
            if z3.is_bv_value(placed) and placed.as_long() == 0:
                return IntV(kept, ctype)
            return IntV(simplify_const(kept | placed), ctype)
        members = self._overlapping(ctype, lo, hi, node)
        if not isinstance(value, StructV | ArrayV):
            raise self._bytes_of_non_integer(ctype, node)
        result = value
        for name, start, ftype in members:
            size = self.types.sizeof(ftype)
            a, b = max(lo, start), min(hi, start + size)
            part = (
                data
                if (a, b) == (lo, hi)
                else simplify_const(z3.Extract(8 * (b - lo) - 1, 8 * (a - lo), data))
            )
            if isinstance(result, StructV):
                assert isinstance(name, str)
                result = result.with_field(
                    name, self.write_bytes(result.get(name), ftype, a - start, part, node)
                )
            else:
                assert isinstance(name, int)
                result = result.with_elem(
                    name, self.write_bytes(result.get(name), ftype, a - start, part, node)
                )
        return result

    def _overlapping(
        self, ctype: CType, lo: int, hi: int, node: c_ast.Node
    ) -> list[tuple[str | int, int, CType]]:
        """(field or index, byte offset, type) of the members of ctype that overlap
        bytes [lo, hi); an error when a byte in the range is padding."""
        if isinstance(ctype, StructType):
            members: list[tuple[str | int, int, CType]] = list(self.types.offsets(ctype))
        elif isinstance(ctype, ArrayType):
            size = self.types.sizeof(ctype.elem)
            first, last = lo // size, (hi - 1) // size
            members = [(i, i * size, ctype.elem) for i in range(first, last + 1)]
        else:
            raise self._bytes_of_non_integer(ctype, node)
        result = [m for m in members if m[1] < hi and m[1] + self.types.sizeof(m[2]) > lo]
        covered = sum(min(hi, start + self.types.sizeof(t)) - max(lo, start) for _, start, t in result)
        if covered != hi - lo:
            span = f"byte {lo}" if hi - lo == 1 else f"bytes {lo} to {hi - 1}"
            raise unsupported(
                node,
                f"access through a pointer cast to padding bytes of {type_name(ctype)} "
                f"(it covers {span})",
                "access declared fields only (e.g. key.field = value)",
            )
        return result

    def _bytes_of_non_integer(self, ctype: CType, node: c_ast.Node) -> AnalysisError:
        return unsupported(
            node,
            f"bytes of {type_name(ctype)} accessed through a pointer cast",
            "access only integer fields through pointer casts; keep pointers and state objects typed",
        )

    def flatten(self, value: Value, node: c_ast.Node) -> z3.BitVecRef:
        """The bytes of a value as one bit-vector (fields in declaration order)."""
        if isinstance(value, IntV):
            return value.expr
        if isinstance(value, BoolV):
            return z3.If(value.expr, z3.BitVecVal(1, 8), z3.BitVecVal(0, 8))
        if isinstance(value, StructV):
            parts = [self.flatten(v, node) for _, v in value.fields]
            return z3.simplify(z3.Concat(*parts)) if len(parts) > 1 else parts[0]
        if isinstance(value, ArrayV):
            parts = [self.flatten(value.get(i), node) for i in range(value.length)]
            return z3.simplify(z3.Concat(*parts)) if len(parts) > 1 else parts[0]
        raise self.ex.misuse(value, node, "compared or hashed as bytes")

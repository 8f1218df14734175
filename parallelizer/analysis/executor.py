"""Symbolic executor for the NF C subset: forks on branches, prunes infeasible
paths with Z3, inlines static helpers, unrolls bounded loops and models nflib
calls by their summaries (nflib_model). One instance runs one entry function
in one mode: "init" (nf_state_create, nf_port_count) or "process" (nf_process)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import z3
from pycparser import c_ast, c_generator

from parallelizer.analysis import merge, nflib_model
from parallelizer.analysis.budget import Budget, Meter
from parallelizer.analysis.ctype import (
    BOOL,
    INT,
    UINT,
    ULONG,
    VOID,
    ArrayType,
    CType,
    FloatType,
    FuncType,
    IntType,
    PtrType,
    StructType,
    VoidType,
    int_literal_type,
    parse_int_constant,
)
from parallelizer.analysis.errors import AnalysisError, location_of, unsupported
from parallelizer.analysis.frontend import TranslationUnit
from parallelizer.analysis.values import (
    ArrayV,
    BoolV,
    FuncV,
    IntV,
    ObjectV,
    OpaqueV,
    PacketV,
    PtrV,
    Ref,
    StructV,
    Value,
)

# A loop whose condition stays symbolic for this many iterations has no bound.
MAX_SYMBOLIC_ITERATIONS = 16
MAX_CONCRETE_ITERATIONS = 100_000
INIT_SYMBOLIC_ITERATIONS = 2

_GEN = c_generator.CGenerator()


def source_text(node: c_ast.Node) -> str:
    return _GEN.visit(node)


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

Ctl = tuple
Results = list[tuple[PathState, Value]]


def _resize(expr: z3.BitVecRef, bits: int, signed: bool) -> z3.BitVecRef:
    size = expr.size()
    if size == bits:
        return expr
    if size > bits:
        if z3.is_app_of(expr, z3.Z3_OP_ZERO_EXT) or z3.is_app_of(expr, z3.Z3_OP_SIGN_EXT):
            inner = expr.arg(0)
            if inner.size() == bits:
                return inner
            if inner.size() < bits:
                return _resize(inner, bits, z3.is_app_of(expr, z3.Z3_OP_SIGN_EXT))
        if z3.is_bv_value(expr):
            return z3.BitVecVal(expr.as_long() & ((1 << bits) - 1), bits)
        return z3.simplify(z3.Extract(bits - 1, 0, expr))
    if z3.is_bv_value(expr):
        value = expr.as_long()
        if signed and value >= 1 << (size - 1):
            value -= 1 << size
        return z3.BitVecVal(value & ((1 << bits) - 1), bits)
    return z3.SignExt(bits - size, expr) if signed else z3.ZeroExt(bits - size, expr)


def _strip_ext(expr: z3.BitVecRef) -> z3.BitVecRef:
    while z3.is_app_of(expr, z3.Z3_OP_ZERO_EXT):
        expr = expr.arg(0)
    return expr


def _fits(value: int, bits: int) -> bool:
    return 0 <= value < (1 << bits)


def compare(op: str, a: z3.BitVecRef, b: z3.BitVecRef, signed: bool) -> z3.BoolRef:
    """a op b, narrowed to the operands' original widths when both are
    zero-extended values or small constants (keeps conditions readable)."""
    inner_a, inner_b = _strip_ext(a), _strip_ext(b)
    narrow_a, narrow_b = a, b
    if inner_a is not a or inner_b is not b:
        if z3.is_bv_value(b) and inner_a is not a and _fits(b.as_long(), inner_a.size()):
            narrow_a, narrow_b = inner_a, z3.BitVecVal(b.as_long(), inner_a.size())
        elif z3.is_bv_value(a) and inner_b is not b and _fits(a.as_long(), inner_b.size()):
            narrow_a, narrow_b = z3.BitVecVal(a.as_long(), inner_b.size()), inner_b
        elif inner_a is not a and inner_b is not b and inner_a.size() == inner_b.size():
            narrow_a, narrow_b = inner_a, inner_b
    if narrow_a is not a:
        signed = False  # both were zero-extended: the comparison is unsigned
    a, b = narrow_a, narrow_b
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    table = {
        "<": (z3.ULT, lambda x, y: x < y),
        "<=": (z3.ULE, lambda x, y: x <= y),
        ">": (z3.UGT, lambda x, y: x > y),
        ">=": (z3.UGE, lambda x, y: x >= y),
    }
    unsigned_op, signed_op = table[op]
    return signed_op(a, b) if signed else unsigned_op(a, b)


def negate(cond: z3.BoolRef) -> z3.BoolRef:
    """Not(cond), without double negations (keeps path conditions readable)."""
    if z3.is_not(cond):
        return cond.arg(0)
    if z3.is_distinct(cond) and cond.num_args() == 2:
        return cond.arg(0) == cond.arg(1)
    if z3.is_eq(cond) and z3.is_bv(cond.arg(0)):
        return cond.arg(0) != cond.arg(1)
    if z3.is_or(cond):  # De Morgan: conjunctions split into separate path conditions
        return z3.And(*[negate(child) for child in cond.children()])
    if z3.is_and(cond):
        return z3.Or(*[negate(child) for child in cond.children()])
    return z3.Not(cond)


def conjuncts(cond: z3.BoolRef) -> list[z3.BoolRef]:
    """cond as a list of conjuncts."""
    if z3.is_and(cond):
        return [part for child in cond.children() for part in conjuncts(child)]
    return [cond]


def promote(ctype: IntType) -> IntType:
    if ctype.bits < 32:
        return INT
    if ctype.is_bool:
        return INT
    return ctype


def common_type(a: IntType, b: IntType) -> IntType:
    a, b = promote(a), promote(b)
    if a.signed == b.signed:
        return a if a.bits >= b.bits else b
    unsigned, signed = (a, b) if not a.signed else (b, a)
    if unsigned.bits >= signed.bits:
        return unsigned
    return signed


class Executor:
    """Runs one function symbolically over all feasible paths."""

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

    def as_int(self, value: Value, node: c_ast.Node) -> IntV:
        if isinstance(value, IntV):
            return value
        if isinstance(value, BoolV):
            return IntV(z3.If(value.expr, z3.BitVecVal(1, 32), z3.BitVecVal(0, 32)), INT)
        raise self._misuse(value, node, "used as a number")

    def truth(self, value: Value, node: c_ast.Node) -> z3.BoolRef:
        if isinstance(value, BoolV):
            return value.expr
        if isinstance(value, IntV):
            return value.expr != 0
        if isinstance(value, PtrV):
            return z3.BoolVal(value.ref is not None)
        if self.mode == "init" and isinstance(value, ObjectV | OpaqueV | FuncV):
            return z3.BoolVal(True)
        raise self._misuse(value, node, "used as a condition")

    def _misuse(self, value: Value, node: c_ast.Node, how: str) -> AnalysisError:
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
                return IntV(_resize(value.expr, ctype.bits, value.ctype.signed), ctype)
            if self.mode == "init" and isinstance(value, OpaqueV):
                return IntV(z3.BitVec(st.fresh_id("init.opaque"), ctype.bits), ctype)
            raise self._misuse(value, node, "converted to an integer")
        if isinstance(ctype, PtrType):
            if isinstance(value, PtrV):
                if value.ref is not None and st.store.get(value.ref.slot) is None and not value.ref.path:
                    target = ctype.target
                    if not isinstance(target, VoidType):  # typed view of fresh heap memory
                        st.store[value.ref.slot] = self.build_value(target, self.const_leaf(0))
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
        if self.mode == "process" and ref.slot in st.readonly:
            what = ".".join(str(step) for step in ref.path) or "the state"
            raise unsupported(
                node,
                f"nf_process writes state field '{what}' directly",
                "change state only through nflib calls (e.g. nf_vector_return, nf_map_put)",
            )
        if ref.view is not None:
            base = Ref(ref.slot, ref.path)
            number = self.as_int(value, node)
            bits = _resize(number.expr, self.types.sizeof(ref.view) * 8, number.ctype.signed)
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
                f"{_type_name(base_type)} accessed through a pointer to {_type_name(target)}",
                "access objects through pointers of their own type, or their bytes through "
                "an integer pointer such as (uint8_t *)&key",
            )
        size = self.types.sizeof(target)
        if offset < 0 or offset + size > self.types.sizeof(base_type):
            raise unsupported(
                node,
                f"{size}-byte access at byte {offset} of a {self.types.sizeof(base_type)}-byte "
                f"{_type_name(base_type)} (out of bounds)",
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
            return [_simplify_const(z3.Extract(8 * hi - 1, 8 * lo, bits))]
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
            kept = _simplify_const(old & z3.BitVecVal(keep, width))
            placed = _simplify_const(z3.ZeroExt(width - data.size(), data))
            if lo:
                placed = _simplify_const(placed << (8 * lo))
            if z3.is_bv_value(placed) and placed.as_long() == 0:
                return IntV(kept, ctype)
            return IntV(_simplify_const(kept | placed), ctype)
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
                else _simplify_const(z3.Extract(8 * (b - lo) - 1, 8 * (a - lo), data))
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
                f"access through a pointer cast to padding bytes of {_type_name(ctype)} "
                f"(it covers {span})",
                "access declared fields only (e.g. key.field = value)",
            )
        return result

    def _bytes_of_non_integer(self, ctype: CType, node: c_ast.Node) -> AnalysisError:
        return unsupported(
            node,
            f"bytes of {_type_name(ctype)} accessed through a pointer cast",
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
        raise self._misuse(value, node, "compared or hashed as bytes")

    # ---- statements ----------------------------------------------------------------

    def exec_block(self, items: list[c_ast.Node], st: PathState) -> list[tuple[PathState, Ctl]]:
        states: list[tuple[PathState, Ctl]] = [(st, NORMAL)]
        for item in items:
            next_states: list[tuple[PathState, Ctl]] = []
            for state, ctl in states:
                if ctl is NORMAL:
                    next_states.extend(self.exec_stmt(item, state))
                else:
                    next_states.append((state, ctl))
            states = next_states
        return states

    def exec_stmt(self, node: c_ast.Node, st: PathState) -> list[tuple[PathState, Ctl]]:
        if isinstance(node, c_ast.Compound):
            st.frames[-1].append({})
            results = self.exec_block(node.block_items or [], st)
            for state, _ in results:
                state.frames[-1].pop()
            return results
        if isinstance(node, c_ast.Decl):
            return [(s, NORMAL) for s in self.exec_decl(node, st)]
        if isinstance(node, c_ast.DeclList):
            return self.exec_block(node.decls, st)
        if isinstance(node, c_ast.EmptyStatement):
            return [(st, NORMAL)]
        if isinstance(node, c_ast.Return):
            if node.expr is None:
                return [(st, ("return", None))]
            return [(s, ("return", v)) for s, v in self.eval(node.expr, st)]
        if isinstance(node, c_ast.If):
            results: list[tuple[PathState, Ctl]] = []
            for state, cond in self.eval(node.cond, st):
                results.extend(self.exec_if(node, state, self.truth(cond, node.cond)))
            return results
        if isinstance(node, c_ast.For | c_ast.While | c_ast.DoWhile):
            return self.exec_loop(node, st)
        if isinstance(node, c_ast.Break):
            return [(st, BREAK)]
        if isinstance(node, c_ast.Continue):
            return [(st, CONTINUE)]
        if isinstance(node, c_ast.Switch):
            return self.exec_switch(node, st)
        if isinstance(node, c_ast.Goto):
            if self.mode == "init":
                # Initialisation code jumps to its cleanup on failure: such paths fail.
                return [(st, ("return", PtrV(None, VOID)))]
            raise unsupported(node, f"goto {node.name}", "use if/else, loops with break, or return")
        if isinstance(node, c_ast.Label):
            if self.mode == "init":
                return [(st, NORMAL)] if node.stmt is None else self.exec_stmt(node.stmt, st)
            raise unsupported(node, f"label '{node.name}'", "use if/else, loops with break, or return")
        if isinstance(node, c_ast.Pragma | c_ast.Pragma):
            return [(st, NORMAL)]
        if isinstance(node, c_ast.Typedef):
            self.types.add_typedef(node)
            return [(st, NORMAL)]
        # An expression statement.
        return [(s, NORMAL) for s, _ in self.eval(node, st)]

    def exec_if(self, node: c_ast.If, st: PathState, cond: z3.BoolRef) -> list[tuple[PathState, Ctl]]:
        """Both arms when both are feasible: joined into one path (merge.py) when the
        arms can only change locals and end in one state each, else forked."""
        can_true, can_false = self.outcomes(st, cond, node.cond)
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
                self._count_fork(then_results, else_results, mark, node.cond)
                return then_results + else_results
            self._count_fork([(st, NORMAL)], [(other, NORMAL)], mark, node.cond)
            arms = [(node.iftrue, st), (node.iffalse, other)]
        elif can_true or can_false:
            arms = [(node.iftrue if can_true else node.iffalse, st)]
        results: list[tuple[PathState, Ctl]] = []
        for body, state in arms:
            results.extend(self._arm(body, state))
        return results

    def _arm(self, body: c_ast.Node | None, st: PathState) -> list[tuple[PathState, Ctl]]:
        return [(st, NORMAL)] if body is None else self.exec_stmt(body, st)

    def _count_fork(
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

    def exec_decl(self, node: c_ast.Decl, st: PathState) -> list[PathState]:
        if isinstance(node.type, c_ast.FuncDecl):
            return [st]
        ctype = self.types.resolve(node.type)
        if node.name is None:
            return [st]
        if "static" in node.storage and "const" not in node.quals and self.mode == "process":
            raise unsupported(
                node,
                f"static local variable '{node.name}' keeps state between packets",
                "keep state in struct nf_state objects built with nflib",
            )
        # The variable is in scope in its own initialiser (`T *p = calloc(1, sizeof(*p))`).
        value = self.build_value(ctype, self.symbol_leaf(st.fresh_id("undef")))
        slot = st.new_slot(ctype, value)
        st.frames[-1][-1][node.name] = slot
        if node.init is None:
            return [st]
        results = []
        for state, init_value in self.eval_init(node.init, ctype, st):
            state.store[slot] = init_value
            results.append(state)
        return results

    def eval_init(self, init: c_ast.Node, ctype: CType, st: PathState) -> Results:
        """Values of an initialiser (expression or brace list) for type ctype."""
        if isinstance(init, c_ast.InitList):
            base = self.build_value(ctype, self.const_leaf(0))
            states: Results = [(st, base)]
            position = 0
            for item in init.exprs:
                if isinstance(item, c_ast.NamedInitializer):
                    if len(item.name) != 1 or not isinstance(item.name[0], c_ast.ID | c_ast.Constant):
                        raise unsupported(item, "nested designator", "use one designator per level")
                    designator = item.name[0]
                    key: str | int
                    if isinstance(designator, c_ast.ID):
                        key = designator.name
                    else:
                        key = parse_int_constant(designator.value) or 0
                    expr = item.expr
                else:
                    key, expr = self._positional(ctype, position, item), item
                if isinstance(ctype, StructType):
                    assert isinstance(key, str)
                    names = [name for name, _ in self.types.fields(ctype)]
                    position = names.index(key) + 1
                    elem_type = self.types.field_type(ctype, key)
                else:
                    assert isinstance(ctype, ArrayType) and isinstance(key, int)
                    position = key + 1
                    elem_type = ctype.elem
                assert elem_type is not None
                next_states: Results = []
                for state, partial in states:
                    for state2, value in self.eval_init(expr, elem_type, state):
                        if isinstance(partial, StructV):
                            next_states.append((state2, partial.with_field(str(key), value)))
                        else:
                            assert isinstance(partial, ArrayV)
                            next_states.append((state2, partial.with_elem(int(key), value)))
                states = next_states
            return states
        return [(s, self.convert(s, v, ctype, init)) for s, v in self.eval(init, st)]

    def _positional(self, ctype: CType, position: int, node: c_ast.Node) -> str | int:
        if isinstance(ctype, StructType):
            fields = self.types.fields(ctype)
            if position >= len(fields):
                raise unsupported(node, "too many initialisers", "initialise each field once")
            return fields[position][0]
        if isinstance(ctype, ArrayType):
            return position
        raise unsupported(node, "brace initialiser for a scalar", "initialise scalars with an expression")

    def exec_loop(self, node: c_ast.Node, st: PathState) -> list[tuple[PathState, Ctl]]:
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
        if isinstance(node, c_ast.For) and node.init is not None:
            starts = [s for s, _ in self.exec_stmt(node.init, st)]
        for state in starts:
            state.loop_counts[key] = 0
        cond_node = getattr(node, "cond", None)
        done: list[tuple[PathState, Ctl]] = []
        # Paths at the loop head, with how many iterations they ran.
        heads: list[tuple[PathState, int]] = [(s, 0) for s in starts]
        first_unconditional = isinstance(node, c_ast.DoWhile)
        while heads:
            state, iterations = heads.pop(0)
            self.meter.tick(node)
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
                for cond_state, cond in self.eval(cond_node, state):
                    condition = self.truth(cond, cond_node)
                    outcomes = self.branch(cond_state, condition, cond_node)
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
                            if count > MAX_SYMBOLIC_ITERATIONS and self.mode == "process":
                                raise self._unbounded(node, cond_node)
                            if count > INIT_SYMBOLIC_ITERATIONS and self.mode == "init":
                                continue  # init: a few iterations show every constructor call
                            entering.append(outcome_state)
                        else:
                            done.append((outcome_state, NORMAL))
            for body_state in entering:
                mark = len(body_state.trail)
                staying: list[PathState] = []
                leaving: list[PathState] = []
                for after, ctl in self.exec_stmt(node.stmt, body_state):
                    if ctl is BREAK or ctl[0] == "return":
                        done.append((after, NORMAL if ctl is BREAK else ctl))
                        leaving.append(after)
                    else:
                        staying.append(after)
                if self.mode == "process" and leaving and staying:
                    decider = _parting(leaving[0].trail, staying[0].trail, mark)
                    for after in staying:
                        count = after.loop_counts.get(key, 0) + 1
                        after.loop_counts[key] = count
                        if count > MAX_SYMBOLIC_ITERATIONS:
                            raise self._unbounded(node, decider)
                for after in staying:
                    nexts = [after]
                    if isinstance(node, c_ast.For) and node.next is not None:
                        nexts = [s for s, _ in self.eval(node.next, after)]
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

    def exec_switch(self, node: c_ast.Switch, st: PathState) -> list[tuple[PathState, Ctl]]:
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
        results: list[tuple[PathState, Ctl]] = []
        for state, scrutinee in self.eval(node.cond, st):
            value = self.as_int(scrutinee, node.cond)
            ctype = promote(value.ctype)
            expr = _resize(value.expr, ctype.bits, value.ctype.signed)
            case_conds: list[tuple[int, z3.BoolRef]] = []
            for index, label in labels:
                if isinstance(label, c_ast.Case):
                    constant = self.types.const_eval(label.expr)
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
                    for branch_state, taken in self.branch(cur, cond, node.cond):
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
                        for after, ctl in self.exec_block(stmts, branch_state):
                            after.frames[-1].pop()
                            results.append((after, NORMAL if ctl is BREAK else ctl))
                remaining = next_remaining
        return results

    # ---- function calls --------------------------------------------------------------

    def call_function(self, name: str, args: list[Value], st: PathState, node: c_ast.Node) -> Results:
        func = self.tu.functions[name]
        if name in st.call_stack:
            raise unsupported(node, f"recursive call of '{name}'", "write the recursion as a bounded loop")
        ftype = self.types.resolve(func.decl.type)
        assert isinstance(ftype, FuncType)
        params = func.decl.type.args.params if func.decl.type.args is not None else []
        params = [
            p
            for p in params
            if not (isinstance(p, c_ast.Typename) and isinstance(self.types.resolve(p), VoidType))
        ]
        if len(params) != len(args):
            raise unsupported(
                node,
                f"'{name}' called with {len(args)} arguments, declared with {len(params)}",
                "call functions with their declared arguments",
            )
        st.call_stack.append(name)
        st.frames.append([{}])
        for param, ptype, arg in zip(params, ftype.params, args, strict=True):
            slot = st.new_slot(ptype, self.convert(st, arg, ptype, node))
            if param.name is not None:
                st.frames[-1][-1][param.name] = slot
        results: Results = []
        for state, ctl in self.exec_stmt(func.body, st):
            state.frames.pop()
            state.call_stack.pop()
            if ctl[0] == "return" and ctl[1] is not None:
                results.append((state, self.convert(state, ctl[1], ftype.ret, node)))
            else:
                results.append((state, OpaqueV("void")))
        return results

    def eval_call(self, node: c_ast.FuncCall, st: PathState) -> Results:
        if not isinstance(node.name, c_ast.ID):
            raise unsupported(
                node,
                "call through a function pointer",
                "call functions by name (static helpers or nflib functions)",
            )
        name = node.name.name
        if st.lookup(name) is not None or (name in self.tu.variables and name not in self.tu.functions):
            raise unsupported(
                node,
                f"call through the function pointer '{name}'",
                "call functions by name (static helpers or nflib functions)",
            )
        arg_nodes = node.args.exprs if node.args is not None else []
        if name == "nf_pkt_status" or name in nflib_model.PACKET_GETTERS:
            return [
                (s, self.packet_get(name, vals, s, node)) for s, vals in self.eval_args(arg_nodes, st, name)
            ]
        results: Results = []
        for state, vals in self.eval_args(arg_nodes, st, name):
            results.extend(self.call_with_values(name, vals, state, node, arg_nodes))
        return results

    def eval_args(
        self, nodes: list[c_ast.Node], st: PathState, name: str
    ) -> list[tuple[PathState, list[Value]]]:
        states: list[tuple[PathState, list[Value]]] = [(st, [])]
        for arg in nodes:
            next_states = []
            for state, vals in states:
                if (
                    isinstance(arg, c_ast.ID)
                    and arg.name in self.tu.functions
                    and state.lookup(arg.name) is None
                ):
                    next_states.append((state, [*vals, FuncV(arg.name)]))
                    continue
                for state2, value in self.eval(arg, state):
                    next_states.append((state2, [*vals, value]))
            states = next_states
        del name
        return states

    def call_with_values(
        self, name: str, vals: list[Value], st: PathState, node: c_ast.FuncCall, arg_nodes: list[c_ast.Node]
    ) -> Results:
        if name in nflib_model.OPS:
            return self.state_op(name, nflib_model.OPS[name], vals, st, node)
        if name in nflib_model.PACKET_SETTERS:
            return [(st, self.packet_set(name, vals, st, node))]
        if name in nflib_model.CONSTRUCTORS:
            return [(st, self.construct(name, vals, st, node, arg_nodes))]
        handler = _BUILTINS.get(name)
        if handler is not None:
            return handler(self, vals, st, node)
        if name in self.tu.functions:
            return self.call_function(name, vals, st, node)
        if self.mode == "init":
            return [(st, self.opaque_result(name, st, node))]
        if name in nflib_model.DESTRUCTORS or name in ("nf_time_now", "nf_packet_init", "calloc", "malloc"):
            raise unsupported(
                node,
                f"'{name}' called from nf_process",
                "allocate state in nf_state_create and use the `now` argument for time",
            )
        raise unsupported(
            node,
            f"call of the external function '{name}' whose effect is unknown",
            "use nflib functions or define the helper as a static function in the NF source",
        )

    def opaque_result(self, name: str, st: PathState, node: c_ast.Node) -> Value:
        decl = self.tu.declarations.get(name)
        if decl is None:
            return IntV(z3.BitVec(st.fresh_id("init.ext"), 32), INT)
        ftype = self.types.resolve(decl.type)
        ret = ftype.ret if isinstance(ftype, FuncType) else INT
        if name in ("calloc", "malloc"):
            return PtrV(Ref(st.new_slot(VOID, None)), VOID)
        if isinstance(ret, IntType):
            return self.build_value(ret, self.symbol_leaf(st.fresh_id("init.ext")))
        if isinstance(ret, PtrType):
            return OpaqueV(f"result of {name}")
        del node
        return OpaqueV(f"result of {name}")

    # ---- nflib -------------------------------------------------------------------------

    def _object_arg(
        self, vals: list[Value], index: int, family: str, name: str, node: c_ast.FuncCall
    ) -> ObjectV:
        value = vals[index] if index < len(vals) else None
        arg_node = node.args.exprs[index] if node.args is not None and index < len(node.args.exprs) else node
        if not isinstance(value, ObjectV):
            raise unsupported(
                arg_node,
                f"argument {index + 1} of {name} is not a state object",
                "pass the nflib object stored in struct nf_state (e.g. state->flows)",
            )
        if value.kind != family:
            raise unsupported(
                arg_node,
                f"{name} needs a {family} but '{value.name}' is a {value.kind}",
                f"pass a {family} created with nf_{family}_create",
            )
        return value

    def _pointee(
        self,
        vals: list[Value],
        index: int,
        name: str,
        st: PathState,
        node: c_ast.FuncCall,
        bytes_ok: bool = False,
    ) -> tuple[Ref, Value]:
        value = vals[index]
        arg_node = node.args.exprs[index]
        if not isinstance(value, PtrV) or value.ref is None:
            raise unsupported(
                arg_node,
                f"argument {index + 1} of {name} is not a pointer to a local variable",
                "pass the address of a local variable (e.g. &key)",
            )
        if value.ref.view is not None and not bytes_ok:
            # nflib reads a whole key or cell from the address, not the viewed bytes.
            raise unsupported(
                arg_node,
                f"argument {index + 1} of {name} points into the bytes of an object (through a pointer cast)",
                "pass the address of the whole object (e.g. &key)",
            )
        return value.ref, self.read(st, value.ref, arg_node)

    def state_op(
        self,
        name: str,
        summary: nflib_model.OpSummary,
        vals: list[Value],
        st: PathState,
        node: c_ast.FuncCall,
    ) -> Results:
        obj = self._object_arg(vals, 0, summary.family, name, node)
        op_id = st.fresh_id("op")
        location = location_of(node)
        record = OpRecord(op_id, obj.name, summary.kind, name, location)
        if summary.key_ptr is not None:
            _, record.key = self._pointee(vals, summary.key_ptr, name, st, node)
        if summary.key_scalar is not None:
            record.key = self.as_int(vals[summary.key_scalar], node.args.exprs[summary.key_scalar])
        if summary.index is not None:
            record.index = self.as_int(vals[summary.index], node.args.exprs[summary.index])
        if summary.value is not None:
            record.value = self.as_int(vals[summary.value], node.args.exprs[summary.value])
        if summary.value_ptr is not None:
            _, record.value = self._pointee(vals, summary.value_ptr, name, st, node)
        if self.mode == "process" or name != "nf_lpm_add":
            st.ops.append(record)
        for index, family, kind in summary.also:
            other = self._object_arg(vals, index, family, name, node)
            st.ops.append(OpRecord(st.fresh_id("op"), other.name, kind, name, location))
        for index, part in summary.outs:
            ref, _ = self._pointee(vals, index, name, st, node)
            ctype = self.type_at(st, ref)
            symbol = f"{op_id}.{part}"
            self.write(st, ref, self.build_value(ctype, self.symbol_leaf(symbol)), node)
            record.results.append(symbol)
        result: Value = OpaqueV("void")
        if summary.ret is not None:
            symbol = f"{op_id}.{summary.ret}"
            record.results.append(symbol)
            decl = self.tu.declarations.get(name)
            ftype = self.types.resolve(decl.type) if decl is not None else FuncType(INT, ())
            ret_type = ftype.ret if isinstance(ftype, FuncType) and isinstance(ftype.ret, IntType) else INT
            result = self.build_value(ret_type, self.symbol_leaf(symbol))
            if summary.ret_domain is not None and isinstance(result, IntV):
                st.assumptions.append(
                    z3.Or(*[result.expr == z3.BitVecVal(c, ret_type.bits) for c in summary.ret_domain])
                )
        return [(st, result)]

    def construct(
        self, name: str, vals: list[Value], st: PathState, node: c_ast.FuncCall, arg_nodes: list[c_ast.Node]
    ) -> Value:
        if self.mode == "process":
            raise unsupported(
                node, f"'{name}' called from nf_process", "create every state object in nf_state_create"
            )
        ctor = nflib_model.CONSTRUCTORS[name]
        name_node = arg_nodes[0]
        if not (isinstance(name_node, c_ast.Constant) and name_node.type == "string"):
            raise unsupported(
                name_node,
                f"the name of the object created by {name} is not a string literal",
                'pass the nf_state field name as a string literal, e.g. "flows"',
            )
        obj_name = name_node.value[1:-1]
        key_type = self.sizeof_type(arg_nodes[ctor.key_size], st) if ctor.key_size is not None else None
        cell_type = self.sizeof_type(arg_nodes[ctor.cell_size], st) if ctor.cell_size is not None else None
        st.created.append(
            CreatedObject(obj_name, ctor.family, node, vals[ctor.capacity], key_type, cell_type)
        )
        return ObjectV(obj_name, ctor.family)

    def sizeof_type(self, node: c_ast.Node, st: PathState) -> CType | None:
        """The type T of an argument written sizeof(T) or sizeof(expr)."""
        if isinstance(node, c_ast.UnaryOp) and node.op == "sizeof":
            if isinstance(node.expr, c_ast.Typename):
                return self.types.resolve(node.expr)
            return self.static_type(node.expr, st)
        return None

    def packet_get(self, name: str, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Value:
        if not vals or not isinstance(vals[0], PacketV):
            raise unsupported(
                node,
                f"{name} called on something other than the packet of nf_process",
                "pass the nf_process packet pointer",
            )
        field, bits = nflib_model.PACKET_GETTERS[name]
        value = st.packet[field]
        if name == "nf_pkt_status":
            assert isinstance(value, IntV)
            return IntV(_resize(value.expr, 32, False), INT)
        return value

    def packet_set(self, name: str, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Value:
        if self.mode == "init":
            raise unsupported(node, f"{name} outside nf_process", "rewrite packets only in nf_process")
        if len(vals) != 2 or not isinstance(vals[0], PacketV):
            raise unsupported(
                node,
                f"{name} called on something other than the packet of nf_process",
                "pass the nf_process packet pointer",
            )
        field = nflib_model.PACKET_SETTERS[name]
        current = st.packet[field]
        if isinstance(current, StructV):
            value = vals[1]
            if not isinstance(value, StructV) or value.ctype != current.ctype:
                raise unsupported(node, f"{name} needs a struct {current.ctype.name}", "pass a struct nf_mac")
        else:
            assert isinstance(current, IntV)
            value = self.convert(st, vals[1], current.ctype, node.args.exprs[1])
        st.packet[field] = value
        st.rewrites[field] = value
        return OpaqueV("void")

    # ---- expressions -----------------------------------------------------------------

    def static_type(self, node: c_ast.Node, st: PathState) -> CType:
        """Type of an expression from declarations, without evaluating it (for sizeof)."""
        if isinstance(node, c_ast.ID):
            slot = st.lookup(node.name)
            if slot is not None:
                return st.slot_types[slot]
            decl = self.tu.variables.get(node.name)
            if decl is not None:
                return self.types.resolve(decl.type)
        elif isinstance(node, c_ast.StructRef):
            base = self.static_type(node.name, st)
            if node.type == "->" and isinstance(base, PtrType):
                base = base.target
            if isinstance(base, StructType):
                field_type = self.types.field_type(base, node.field.name)
                if field_type is not None:
                    return field_type
        elif isinstance(node, c_ast.UnaryOp) and node.op == "*":
            base = self.static_type(node.expr, st)
            if isinstance(base, PtrType | ArrayType):
                return base.target if isinstance(base, PtrType) else base.elem
        elif isinstance(node, c_ast.ArrayRef):
            base = self.static_type(node.name, st)
            if isinstance(base, PtrType | ArrayType):
                return base.target if isinstance(base, PtrType) else base.elem
        elif isinstance(node, c_ast.Cast):
            return self.types.resolve(node.to_type)
        for _, value in self.eval(node, st.fork()):
            return self.value_type(value)
        raise unsupported(node, "sizeof of an expression without a value", "use sizeof(type)")

    def value_type(self, value: Value) -> CType:
        if isinstance(value, IntV):
            return value.ctype
        if isinstance(value, BoolV):
            return INT
        if isinstance(value, StructV):
            return value.ctype
        if isinstance(value, ArrayV):
            return value.ctype
        if isinstance(value, PtrV):
            return PtrType(value.target)
        return PtrType(VOID)

    def eval_lvalue(self, node: c_ast.Node, st: PathState) -> list[tuple[PathState, Ref]]:
        if isinstance(node, c_ast.ID):
            slot = st.lookup(node.name)
            if slot is not None:
                return [(st, Ref(slot))]
            return [(st, self.global_ref(node, st))]
        if isinstance(node, c_ast.StructRef):
            results = []
            if node.type == ".":
                bases = self.eval_lvalue(node.name, st)
            else:
                bases = []
                for state, ptr in self.eval(node.name, st):
                    bases.append((state, self.deref(state, ptr, node, f"->{node.field.name}")))
            for state, ref in bases:
                ctype = self.type_at(state, ref)
                if not isinstance(ctype, StructType) or self.types.field_type(ctype, node.field.name) is None:
                    raise unsupported(
                        node, f"no field '{node.field.name}' here", "access declared struct fields"
                    )
                results.append((state, Ref(ref.slot, (*ref.path, node.field.name))))
            return results
        if isinstance(node, c_ast.ArrayRef):
            results = []
            for state, index_value in self.eval(node.subscript, st):
                index = self.as_int(index_value, node.subscript)
                simple = z3.simplify(index.expr)
                if not z3.is_bv_value(simple):
                    raise unsupported(
                        node,
                        "array indexed by a value that depends on the packet or state",
                        "keep per-index data in an nflib vector (nf_vector_borrow)",
                    )
                offset = simple.as_signed_long() if index.ctype.signed else simple.as_long()
                base_type = self.static_type(node.name, state)
                if isinstance(base_type, ArrayType):
                    for state2, ref in self.eval_lvalue(node.name, state):
                        results.append((state2, Ref(ref.slot, (*ref.path, offset))))
                else:
                    for state2, ptr in self.eval(node.name, state):
                        ref = self.deref(state2, ptr, node, "[]")
                        results.append((state2, self.offset_ref(state2, ref, offset, node)))
            return results
        if isinstance(node, c_ast.UnaryOp) and node.op == "*":
            return [(s, self.deref(s, p, node, "*")) for s, p in self.eval(node.expr, st)]
        raise unsupported(node, f"assignment to {source_text(node)}", "assign to variables and their fields")

    def offset_ref(self, st: PathState, ref: Ref, offset: int, node: c_ast.Node) -> Ref:
        if offset == 0:
            return ref
        if ref.view is not None:
            size = self.types.sizeof(ref.view)
            base_type = self.type_at(st, Ref(ref.slot, ref.path))
            start = ref.offset + offset * size
            if start < 0 or start + size > self.types.sizeof(base_type):
                raise unsupported(
                    node,
                    f"{size}-byte access at byte {start} of a {self.types.sizeof(base_type)}-byte "
                    f"{_type_name(base_type)} (out of bounds)",
                    "keep accesses through pointer casts inside the object",
                )
            return Ref(ref.slot, ref.path, start, ref.view)
        if ref.path and isinstance(ref.path[-1], int):
            return Ref(ref.slot, (*ref.path[:-1], ref.path[-1] + offset))
        del st
        raise unsupported(node, "pointer arithmetic", "index arrays with [] instead of moving pointers")

    def deref(self, st: PathState, ptr: Value, node: c_ast.Node, how: str) -> Ref:
        if isinstance(ptr, PtrV):
            if ptr.ref is None:
                raise unsupported(node, "dereference of a NULL pointer", "check pointers before use")
            return self.view_ref(st, ptr, ptr.ref, node)
        if isinstance(ptr, ObjectV):
            raise unsupported(
                node,
                f"state object '{ptr.name}' dereferenced ({how})",
                "touch state objects only by passing them to nflib functions",
            )
        if isinstance(ptr, PacketV):
            raise unsupported(
                node,
                f"packet structure accessed directly ({how})",
                "read packet fields with nf_pkt_* getters and write them with nf_pkt_set_*",
            )
        raise unsupported(
            node,
            f"dereference of a value that is not a pointer ({how})",
            "dereference only pointers to variables",
        )

    def global_ref(self, node: c_ast.ID, st: PathState) -> Ref:
        decl = self.tu.variables.get(node.name)
        if decl is None:
            raise unsupported(node, f"unknown identifier '{node.name}'", "declare it before use")
        is_const = "const" in decl.quals or (
            isinstance(decl.type, c_ast.PtrDecl) and "const" in decl.type.quals
        )
        if not is_const and self.mode == "process":
            raise unsupported(
                node,
                f"global mutable variable '{node.name}'",
                "keep mutable state in struct nf_state objects built with nflib, or make it const",
            )
        ctype = self.types.resolve(decl.type)
        if decl.init is None:
            value = self.build_value(ctype, self.symbol_leaf(f"global.{node.name}"))
            slot = st.new_slot(ctype, value)
        else:
            results = self.eval_init(decl.init, ctype, st)
            if len(results) != 1:
                raise unsupported(
                    decl, f"initialiser of '{node.name}' is not constant", "use constant initialisers"
                )
            slot = st.new_slot(ctype, results[0][1])
        st.readonly.add(slot)
        st.frames[0][0][node.name] = slot
        return Ref(slot)

    def eval(self, node: c_ast.Node, st: PathState) -> Results:
        method = getattr(self, "eval_" + type(node).__name__, None)
        if method is None:
            raise unsupported(
                node,
                f"unsupported expression ({type(node).__name__})",
                "see docs/NF_C_SUBSET.md for the supported C subset",
            )
        return method(node, st)

    def eval_Constant(self, node: c_ast.Constant, st: PathState) -> Results:
        if node.type == "string":
            return [(st, OpaqueV("string " + node.value))]
        if node.type in ("float", "double"):
            raise unsupported(node, "floating-point constant", "use integer arithmetic")
        value = parse_int_constant(node.value)
        if value is None:
            raise unsupported(node, f"constant {node.value}", "use integer constants")
        ctype = INT if node.type == "char" else int_literal_type(node.value, value)
        return [(st, IntV(z3.BitVecVal(value, ctype.bits), ctype))]

    def eval_ID(self, node: c_ast.ID, st: PathState) -> Results:
        slot = st.lookup(node.name)
        if slot is None:
            if node.name in self.types.enum_consts:
                return [(st, IntV(z3.BitVecVal(self.types.enum_consts[node.name], 32), INT))]
            if node.name in self.tu.functions or (
                node.name in self.tu.declarations and node.name not in self.tu.variables
            ):
                return [(st, FuncV(node.name))]
        results = []
        for state, ref in self.eval_lvalue(node, st):
            results.append((state, self.load(state, ref, node)))
        return results

    def load(self, st: PathState, ref: Ref, node: c_ast.Node) -> Value:
        ctype = self.type_at(st, ref)
        if isinstance(ctype, ArrayType):  # arrays decay to a pointer to their first element
            return PtrV(Ref(ref.slot, (*ref.path, 0)), ctype.elem)
        return self.read(st, ref, node)

    def eval_StructRef(self, node: c_ast.StructRef, st: PathState) -> Results:
        return [(s, self.load(s, ref, node)) for s, ref in self.eval_lvalue(node, st)]

    def eval_ArrayRef(self, node: c_ast.ArrayRef, st: PathState) -> Results:
        return [(s, self.load(s, ref, node)) for s, ref in self.eval_lvalue(node, st)]

    def eval_Cast(self, node: c_ast.Cast, st: PathState) -> Results:
        ctype = self.types.resolve(node.to_type)
        results = []
        for state, value in self.eval(node.expr, st):
            if isinstance(ctype, VoidType):
                results.append((state, OpaqueV("void")))
            else:
                results.append((state, self.convert(state, value, ctype, node)))
        return results

    def eval_TernaryOp(self, node: c_ast.TernaryOp, st: PathState) -> Results:
        results: Results = []
        for state, cond in self.eval(node.cond, st):
            condition = self.truth(cond, node.cond)
            if self._pure(node.iftrue) and self._pure(node.iffalse):
                then_vals = self.eval(node.iftrue, state.fork())
                else_vals = self.eval(node.iffalse, state.fork())
                if len(then_vals) == 1 and len(else_vals) == 1:
                    merged = self._merge(condition, then_vals[0][1], else_vals[0][1], node)
                    if merged is not None:
                        results.append((state, merged))
                        continue
            for branch_state, taken in self.branch(state, condition, node.cond):
                results.extend(self.eval(node.iftrue if taken else node.iffalse, branch_state))
        return results

    def _merge(self, cond: z3.BoolRef, a: Value, b: Value, node: c_ast.Node) -> Value | None:
        simple = z3.simplify(cond)
        if z3.is_true(simple) or z3.is_false(simple):
            return None  # decided: evaluate the chosen side alone
        if isinstance(a, IntV | BoolV) and isinstance(b, IntV | BoolV):
            if isinstance(a, BoolV) and isinstance(b, BoolV):
                return BoolV(z3.If(cond, a.expr, b.expr))
            ia, ib = self.as_int(a, node), self.as_int(b, node)
            ctype = common_type(ia.ctype, ib.ctype)
            return IntV(
                z3.If(
                    cond,
                    _resize(ia.expr, ctype.bits, ia.ctype.signed),
                    _resize(ib.expr, ctype.bits, ib.ctype.signed),
                ),
                ctype,
            )
        return None

    def _pure(self, node: c_ast.Node) -> bool:
        """No calls other than packet getters and no assignments inside."""
        for child in _walk(node):
            if isinstance(child, c_ast.Assignment):
                return False
            if isinstance(child, c_ast.UnaryOp) and child.op in ("++", "--", "p++", "p--"):
                return False
            if isinstance(child, c_ast.FuncCall):
                if not (isinstance(child.name, c_ast.ID) and child.name.name in nflib_model.PACKET_GETTERS):
                    return False
        return True

    def eval_FuncCall(self, node: c_ast.FuncCall, st: PathState) -> Results:
        return self.eval_call(node, st)

    def eval_ExprList(self, node: c_ast.ExprList, st: PathState) -> Results:
        results: Results = [(st, OpaqueV("void"))]
        for expr in node.exprs:
            results = [pair for state, _ in results for pair in self.eval(expr, state)]
        return results

    def eval_CompoundLiteral(self, node: c_ast.CompoundLiteral, st: PathState) -> Results:
        return self.eval_init(node.init, self.types.resolve(node.type), st)

    def eval_Assignment(self, node: c_ast.Assignment, st: PathState) -> Results:
        results: Results = []
        for state, value in self.eval(node.rvalue, st):
            for state2, ref in self.eval_lvalue(node.lvalue, state):
                ctype = self.type_at(state2, ref)
                if node.op != "=":
                    current = self.read(state2, ref, node.lvalue)
                    value = self.arith(node.op[:-1], current, value, node)
                converted = self.convert(state2, value, ctype, node)
                self.write(state2, ref, converted, node)
                results.append((state2, converted))
        return results

    def eval_UnaryOp(self, node: c_ast.UnaryOp, st: PathState) -> Results:
        op = node.op
        if op == "sizeof":
            if isinstance(node.expr, c_ast.Typename):
                ctype = self.types.resolve(node.expr)
            else:
                ctype = self.static_type(node.expr, st)
            return [(st, IntV(z3.BitVecVal(self.types.sizeof(ctype), 64), ULONG))]
        if op == "&":
            if (
                isinstance(node.expr, c_ast.ID)
                and node.expr.name in self.tu.functions
                and st.lookup(node.expr.name) is None
            ):
                return [(st, FuncV(node.expr.name))]
            return [(s, PtrV(ref, self.type_at(s, ref))) for s, ref in self.eval_lvalue(node.expr, st)]
        if op == "*":
            results = []
            for state, ptr in self.eval(node.expr, st):
                ref = self.deref(state, ptr, node, "*")
                if self.mode == "process" and ref.slot in state.readonly and not ref.path:
                    raise unsupported(
                        node,
                        "the state pointer is dereferenced as a whole",
                        "read single fields (state->field) and pass objects to nflib calls",
                    )
                results.append((state, self.load(state, ref, node)))
            return results
        if op in ("++", "--", "p++", "p--"):
            results = []
            delta = IntV(z3.BitVecVal(1, 32), INT)
            for state, ref in self.eval_lvalue(node.expr, st):
                old = self.read(state, ref, node.expr)
                if isinstance(old, PtrV):
                    raise unsupported(
                        node, "pointer arithmetic", "index arrays with [] instead of moving pointers"
                    )
                new = self.convert(
                    state,
                    self.arith("+" if "+" in op else "-", old, delta, node),
                    self.type_at(state, ref),
                    node,
                )
                self.write(state, ref, new, node)
                results.append((state, old if op.startswith("p") else new))
            return results
        results = []
        for state, value in self.eval(node.expr, st):
            if op == "!":
                results.append((state, BoolV(negate(self.truth(value, node.expr)))))
                continue
            operand = self.as_int(value, node.expr)
            ctype = promote(operand.ctype)
            expr = _resize(operand.expr, ctype.bits, operand.ctype.signed)
            if op == "-":
                results.append((state, IntV(-expr, ctype)))
            elif op == "~":
                results.append((state, IntV(~expr, ctype)))
            elif op == "+":
                results.append((state, IntV(expr, ctype)))
            else:
                raise unsupported(node, f"operator {op}", "see docs/NF_C_SUBSET.md")
        return results

    def eval_BinaryOp(self, node: c_ast.BinaryOp, st: PathState) -> Results:
        if node.op in ("&&", "||"):
            return self.eval_logical(node, st)
        results = []
        for state, left in self.eval(node.left, st):
            for state2, right in self.eval(node.right, state):
                results.append((state2, self.arith(node.op, left, right, node)))
        return results

    def eval_logical(self, node: c_ast.BinaryOp, st: PathState) -> Results:
        is_and = node.op == "&&"
        results: Results = []
        for state, left in self.eval(node.left, st):
            lcond = self.truth(left, node.left)
            if self._pure(node.right):
                for state2, right in self.eval(node.right, state):
                    rcond = self.truth(right, node.right)
                    combined = z3.And(lcond, rcond) if is_and else z3.Or(lcond, rcond)
                    simple = z3.simplify(combined)
                    if z3.is_true(simple) or z3.is_false(simple):
                        combined = simple
                    results.append((state2, BoolV(combined)))
                continue
            # The right operand has effects: it runs only when the left one does not decide.
            for branch_state, taken in self.branch(state, lcond, node.left):
                if taken != is_and:
                    results.append((branch_state, BoolV(z3.BoolVal(not is_and))))
                    continue
                for state2, right in self.eval(node.right, branch_state):
                    results.append((state2, BoolV(self.truth(right, node.right))))
        return results

    def arith(self, op: str, left: Value, right: Value, node: c_ast.Node) -> Value:
        if not isinstance(left, IntV | BoolV) or not isinstance(right, IntV | BoolV):
            if op in ("==", "!=") and isinstance(left, PtrV) and isinstance(right, PtrV | IntV):
                equal = (isinstance(right, PtrV) and left.ref == right.ref) or (
                    isinstance(right, IntV) and left.ref is None
                )
                return BoolV(z3.BoolVal(equal == (op == "==")))
            if self.mode == "init" and op in ("==", "!="):
                # Checks such as `state->map == NULL` after a constructor: objects exist.
                def is_null(v: Value) -> bool:
                    return (isinstance(v, PtrV) and v.ref is None) or isinstance(v, IntV)

                if is_null(left) or is_null(right):
                    return BoolV(z3.BoolVal(op == "!="))
            if isinstance(left, PtrV | ObjectV) and op in ("+", "-"):
                raise unsupported(
                    node,
                    "pointer arithmetic" + (" on a state object" if isinstance(left, ObjectV) else ""),
                    "index arrays with [], and reach state only through nflib calls",
                )
            bad = left if not isinstance(left, IntV | BoolV) else right
            raise self._misuse(bad, node, f"used with operator {op}")
        a, b = self.as_int(left, node), self.as_int(right, node)
        if op in ("<<", ">>"):
            ctype = promote(a.ctype)
            x = _resize(a.expr, ctype.bits, a.ctype.signed)
            y = _resize(b.expr, ctype.bits, b.ctype.signed)
            if op == "<<":
                return IntV(x << y, ctype)
            return IntV(x >> y if ctype.signed else z3.LShR(x, y), ctype)
        ctype = common_type(a.ctype, b.ctype)
        x = _resize(a.expr, ctype.bits, a.ctype.signed)
        y = _resize(b.expr, ctype.bits, b.ctype.signed)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return BoolV(compare(op, x, y, ctype.signed))
        if op == "+":
            expr = x + y
        elif op == "-":
            expr = x - y
        elif op == "*":
            expr = x * y
        elif op == "/":
            expr = x / y if ctype.signed else z3.UDiv(x, y)
        elif op == "%":
            expr = z3.SRem(x, y) if ctype.signed else z3.URem(x, y)
        elif op == "&":
            expr = x & y
        elif op == "|":
            expr = x | y
        elif op == "^":
            expr = x ^ y
        else:
            raise unsupported(node, f"operator {op}", "see docs/NF_C_SUBSET.md")
        if z3.is_bv_value(x) and z3.is_bv_value(y):
            expr = z3.simplify(expr)
        return IntV(expr, ctype)

    def hash_function(self, bits: int) -> z3.FuncDeclRef:
        if bits not in self._hash_fns:
            self._hash_fns[bits] = z3.Function("nf_hash_bytes", z3.BitVecSort(bits), z3.BitVecSort(32))
        return self._hash_fns[bits]


def _simplify_const(expr: z3.BitVecRef) -> z3.BitVecRef:
    """expr folded when it is a constant (symbolic terms stay as written, readable)."""
    simple = z3.simplify(expr)
    return simple if z3.is_bv_value(simple) else expr


def _type_name(ctype: CType) -> str:
    if isinstance(ctype, StructType):
        return f"struct {ctype.name}"
    if isinstance(ctype, IntType):
        if ctype.is_bool:
            return "bool"
        return f"{'' if ctype.signed else 'u'}int{ctype.bits}_t"
    if isinstance(ctype, ArrayType):
        return f"{_type_name(ctype.elem)}[{ctype.length}]"
    if isinstance(ctype, PtrType):
        return f"{_type_name(ctype.target)} *"
    if isinstance(ctype, VoidType):
        return "void"
    return "a function" if isinstance(ctype, FuncType) else "a floating-point value"


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


def _walk(node: c_ast.Node):
    yield node
    for _, child in node.children():
        yield from _walk(child)


# ---- libc and pure nflib helpers ----------------------------------------------------


def _size_arg(ex: Executor, vals: list[Value], index: int, node: c_ast.FuncCall) -> int:
    value = ex.as_int(vals[index], node.args.exprs[index])
    simple = z3.simplify(value.expr)
    if not z3.is_bv_value(simple):
        raise unsupported(
            node.args.exprs[index], "size argument is not a constant", "pass sizeof(the object)"
        )
    return simple.as_long()


def _whole_object(
    ex: Executor, vals: list[Value], index: int, size: int, st: PathState, node: c_ast.FuncCall
) -> tuple[Ref, Value]:
    name = node.name.name
    ref, value = ex._pointee(vals, index, name, st, node, bytes_ok=True)
    ctype = ex.type_at(st, ref)
    if ex.types.sizeof(ctype) != size:
        raise unsupported(
            node,
            f"{name} over {size} bytes of a {ex.types.sizeof(ctype)}-byte object",
            f"{name} whole objects: pass sizeof(the object)",
        )
    return ref, value


def _memset(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    size = _size_arg(ex, vals, 2, node)
    ref, _ = _whole_object(ex, vals, 0, size, st, node)
    byte = ex.as_int(vals[1], node.args.exprs[1])
    simple = z3.simplify(byte.expr)
    if not z3.is_bv_value(simple):
        raise unsupported(node.args.exprs[1], "memset with a non-constant byte", "memset with a constant")
    ex.write(st, ref, ex.build_value(ex.type_at(st, ref), ex.const_leaf(simple.as_long() & 0xFF)), node)
    return [(st, vals[0])]


def _memcpy(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    size = _size_arg(ex, vals, 2, node)
    dst_ref, _ = _whole_object(ex, vals, 0, size, st, node)
    _, src = _whole_object(ex, vals, 1, size, st, node)
    if ex.value_type(src) != ex.type_at(st, dst_ref):
        raise unsupported(
            node, "memcpy between objects of different types", "copy objects of the same type (or assign)"
        )
    ex.write(st, dst_ref, src, node)
    return [(st, vals[0])]


def _bytes_equal(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> z3.BoolRef:
    size = _size_arg(ex, vals, 2, node)
    _, a = _whole_object(ex, vals, 0, size, st, node)
    _, b = _whole_object(ex, vals, 1, size, st, node)
    fa, fb = ex.flatten(a, node), ex.flatten(b, node)
    if fa.size() != fb.size():
        return z3.BoolVal(False)
    return fa == fb


def _memcmp(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    equal = _bytes_equal(ex, vals, st, node)
    return [(st, IntV(z3.If(equal, z3.BitVecVal(0, 32), z3.BitVecVal(1, 32)), INT))]


def _nf_bytes_equal(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    return [(st, BoolV(_bytes_equal(ex, vals, st, node)))]


def _nf_hash_bytes(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    size = _size_arg(ex, vals, 1, node)
    _, data = _whole_object(ex, vals, 0, size, st, node)
    flat = ex.flatten(data, node)
    return [(st, IntV(ex.hash_function(flat.size())(flat), UINT))]


def _token_bucket_take(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    ref, _ = ex._pointee(vals, 0, "nf_token_bucket_take", st, node)
    ident = st.fresh_id("fn")
    ex.write(st, ref, ex.build_value(ex.type_at(st, ref), ex.symbol_leaf(f"{ident}.cell")), node)
    return [(st, BoolV(z3.Bool(f"{ident}.found")))]


def _no_effect(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    del vals
    if ex.mode == "process":
        raise unsupported(
            node,
            f"'{node.name.name}' (output) called from nf_process",
            "keep nf_process free of I/O; count events in nflib state instead",
        )
    return [(st, IntV(z3.BitVecVal(0, 32), INT))]


def _parse_status_name(ex: Executor, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Results:
    del ex, vals, node
    return [(st, OpaqueV("status name"))]


_BUILTINS: dict[str, Callable[[Executor, list[Value], PathState, c_ast.FuncCall], Results]] = {
    "memset": _memset,
    "memcpy": _memcpy,
    "memmove": _memcpy,
    "memcmp": _memcmp,
    "nf_bytes_equal": _nf_bytes_equal,
    "nf_hash_bytes": _nf_hash_bytes,
    "nf_token_bucket_take": _token_bucket_take,
    "nf_parse_status_name": _parse_status_name,
    "printf": _no_effect,
    "fprintf": _no_effect,
    "snprintf": _no_effect,
}

BOOL_TYPE = BOOL
UINT_TYPE = UINT

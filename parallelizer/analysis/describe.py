"""Builds the NfDescription of an NF source: config defaults, state objects
from nf_state_create, every feasible path of nf_process per input port, and
the relations between packets."""

from __future__ import annotations

import dataclasses
import os

import z3
from pycparser import c_ast

from parallelizer import limits
from parallelizer.analysis import frontend, inputs, nflib_model, relations, render
from parallelizer.analysis.budget import Budget, Meter
from parallelizer.analysis.config_defaults import CONFIG_STRUCT, config_defaults
from parallelizer.analysis.ctype import ArrayType, CType, IntType, StructType
from parallelizer.analysis.errors import AnalysisError, unsupported
from parallelizer.analysis.executor import (
    CreatedObject,
    Executor,
    PathState,
    compare,
    source_text,
)
from parallelizer.analysis.relations import PathResult
from parallelizer.analysis.values import ArrayV, IntV, ObjectV, OpaqueV, PacketV, PtrV, Ref, StructV, Value
from parallelizer.schema import packet_fields
from proto import nf_description_pb2 as pb

STATE_STRUCT = StructType("nf_state")
_KIND = {
    "map": pb.StateObject.MAP,
    "vector": pb.StateObject.VECTOR,
    "dchain": pb.StateObject.DCHAIN,
    "sketch": pb.StateObject.SKETCH,
    "cht": pb.StateObject.CHT,
    "lpm": pb.StateObject.LPM,
}
U16 = IntType(16, False)


@dataclasses.dataclass
class Analysis:
    description: pb.NfDescription
    solver_checks: int


def _require(tu: frontend.TranslationUnit, name: str) -> c_ast.FuncDef:
    func = tu.functions.get(name)
    if func is None:
        raise AnalysisError(
            f"{tu.source}:1:1", f"the NF does not define {name}", f"define {name} as declared in nflib/nf.h"
        )
    return func


def _config_leaf(defaults: dict[str, int], overrides: dict[str, int], used: set[str]):
    def leaf(path: str, ctype: IntType) -> Value:
        key = path.lstrip(".")
        used.add(key)
        if key in overrides or key in defaults:
            value = overrides.get(key, defaults.get(key))
            assert value is not None
            if ctype.is_bool:
                from parallelizer.analysis.values import BoolV

                return BoolV(z3.BoolVal(value != 0))
            return IntV(z3.BitVecVal(value, ctype.bits), ctype)
        if ctype.is_bool:
            from parallelizer.analysis.values import BoolV

            return BoolV(z3.Bool("cfg." + key))
        return IntV(z3.BitVec("cfg." + key, ctype.bits), ctype)

    return leaf


def _nf_name(tu: frontend.TranslationUnit) -> str:
    decl = tu.variables.get("nf_name")
    if decl is not None and isinstance(decl.init, c_ast.Constant) and decl.init.type == "string":
        return decl.init.value[1:-1]
    return os.path.splitext(os.path.basename(tu.source))[0]


def _struct_fields(tu: frontend.TranslationUnit, ctype: CType | None) -> tuple[str, list[pb.StructField]]:
    if not isinstance(ctype, StructType):
        return "", []
    fields = []
    for name, offset, ftype in tu.types.offsets(ctype):
        fields.append(pb.StructField(name=name, offset_bytes=offset, width_bits=tu.types.sizeof(ftype) * 8))
    return ctype.name, fields


class Analyzer:
    def __init__(
        self,
        source: str,
        include_dirs: list[str],
        ports: int | None = None,
        config_overrides: dict[str, int] | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.meter = Meter(budget or Budget())  # before parsing: the budget covers the whole analysis
        inputs.check_ports(ports)
        self.tu = frontend.parse(source, include_dirs)
        self.ports = ports
        self.defaults = config_defaults(self.tu)
        self.overrides = config_overrides or {}
        inputs.check_overrides(self.tu.types, self.overrides)
        self.used_config: set[str] = set()
        self.leaf = _config_leaf(self.defaults, self.overrides, self.used_config)
        self.solver_checks = 0

    def _fresh_state(self, ex: Executor) -> tuple[PathState, int]:
        st = PathState()
        config = ex.build_value(CONFIG_STRUCT, self.leaf, "")
        slot = st.new_slot(CONFIG_STRUCT, config)
        return st, slot

    # ---- nf_state_create -----------------------------------------------------------

    def run_init(self) -> tuple[PathState, int, list[CreatedObject]]:
        func = _require(self.tu, "nf_state_create")
        if self.tu.types.struct_def(STATE_STRUCT) is None:
            raise unsupported(
                func,
                "struct nf_state is not defined in the NF source",
                "define struct nf_state with the NF's nflib objects and config",
            )
        ex = Executor(self.tu, "init", self.leaf, self.meter)
        st, config_slot = self._fresh_state(ex)
        args: list[Value] = [
            PtrV(Ref(config_slot), CONFIG_STRUCT),
            OpaqueV("err"),
            IntV(z3.BitVec("init.err_len", 64), IntType(64, False)),
        ]
        results = ex.call_function("nf_state_create", args, st, func.decl)
        self.solver_checks += ex.solver_checks
        for state, value in results:
            if isinstance(value, PtrV) and value.ref is not None:
                if value.ref.path or state.slot_types.get(value.ref.slot) != STATE_STRUCT:
                    raise unsupported(
                        func,
                        "nf_state_create returns something other than an allocated " "struct nf_state",
                        "return the struct nf_state allocated with calloc",
                    )
                self._check_names(state, value.ref.slot)
                return state, value.ref.slot, state.created
        raise unsupported(
            func,
            "nf_state_create never returns a state with the default configuration",
            "return the allocated struct nf_state when its objects are created",
        )

    def _check_names(self, st: PathState, state_slot: int) -> None:
        state_value = st.store[state_slot]
        assert isinstance(state_value, StructV)
        stored = {v.name: f for f, v in state_value.fields if isinstance(v, ObjectV)}
        for created in st.created:
            field = stored.get(created.name)
            if field is None:
                held = [f for f, v in state_value.fields if isinstance(v, ObjectV) and v.name == created.name]
                raise unsupported(
                    created.call,
                    f"object \"{created.name}\" is not stored in a struct nf_state "
                    f"field of that name{' (held in ' + held[0] + ')' if held else ''}",
                    "store each object in the nf_state field whose name the constructor gets",
                )
        for field, value in state_value.fields:
            if isinstance(value, ObjectV) and value.name != field:
                created = next(c for c in st.created if c.name == value.name)
                raise unsupported(
                    created.call,
                    f'object named "{value.name}" is stored in state->{field}',
                    f'name it after its field: pass "{field}"',
                )

    # ---- nf_port_count ------------------------------------------------------------------

    def port_count(self) -> int:
        if self.ports is not None:
            return self.ports
        func = _require(self.tu, "nf_port_count")
        ex = Executor(self.tu, "init", self.leaf, self.meter)
        st, config_slot = self._fresh_state(ex)
        results = ex.call_function("nf_port_count", [PtrV(Ref(config_slot), CONFIG_STRUCT)], st, func.decl)
        counts = set()
        for _, value in results:
            if isinstance(value, IntV):
                simple = z3.simplify(value.expr)
                if z3.is_bv_value(simple):
                    counts.add(simple.as_long())
                    continue
            counts.add(None)
        if len(counts) != 1 or None in counts:
            raise unsupported(
                func,
                "nf_port_count does not return a constant for the default configuration",
                "give port roles constant defaults in nf_config_parse, or pass --ports",
            )
        count = counts.pop()
        if not 1 <= count <= limits.MAX_PORTS:
            raise unsupported(
                func,
                f"nf_port_count returns {count} for the default configuration; "
                f"the parallel runtimes run 1 to {limits.MAX_PORTS} ports",
                "give port roles defaults within that range, or pass --ports",
            )
        return count

    # ---- nf_process ---------------------------------------------------------------------

    def run_process(self, init_state: PathState, state_slot: int, port: int) -> list[PathResult]:
        func = _require(self.tu, "nf_process")
        ex = Executor(self.tu, "process", self.leaf, self.meter)
        st = PathState()
        st.store = dict(init_state.store)
        st.slot_types = dict(init_state.slot_types)
        st.next_slot = init_state.next_slot
        st.readonly = set(st.store)
        for name, (field, bits) in {k: v for k, v in nflib_model.PACKET_GETTERS.items()}.items():
            del name
            st.packet[field] = IntV(z3.BitVec(field, bits), IntType(bits, False))
        status = st.packet["pkt.status"]
        assert isinstance(status, IntV)
        st.assumptions.append(self._status_range(status.expr, func))
        for field, struct_name in nflib_model.BYTE_STRUCTS.items():
            st.packet[field] = self._byte_struct(st.packet[field], struct_name)
        args: list[Value] = [
            PtrV(Ref(state_slot), STATE_STRUCT),
            PacketV(),
            IntV(z3.BitVecVal(port, 16), U16),
            IntV(z3.BitVec("now", 64), IntType(64, True)),
        ]
        results: list[PathResult] = []
        for state, value in ex.call_function("nf_process", args, st, func.decl):
            results.extend(self._outcomes(ex, state, value, port, func))
        self.solver_checks += ex.solver_checks
        return results

    def parse_statuses(self, func: c_ast.FuncDef) -> dict[str, int]:
        """nflib/packet.h's enum nf_parse_status as the NF's unit declares it."""
        statuses = nflib_model.parse_statuses(self.tu.ast, self.tu.types.enum_consts)
        if not statuses:
            raise unsupported(
                func,
                f"enum {nflib_model.PARSE_STATUS_ENUM} is not declared",
                'include "nflib/nf.h" (it declares the packet API of nflib/packet.h)',
            )
        return statuses

    def _status_range(self, status: z3.BitVecRef, func: c_ast.FuncDef) -> z3.BoolRef:
        """pkt.status is one of the header's statuses (a range when they count from 0)."""
        values = sorted(set(self.parse_statuses(func).values()))
        if values == list(range(len(values))):
            return z3.ULE(status, values[-1])
        return z3.Or(*(status == v for v in values))

    def path_families(self, conds: list[z3.BoolRef], func: c_ast.FuncDef) -> list[int]:
        """The address families (pb.Path.Family) a packet on a path with
        `conds` can have: those with a status the conditions admit."""
        by_family: dict[str, list[int]] = {}
        for name, value in self.parse_statuses(func).items():
            family = nflib_model.STATUS_FAMILIES.get(name, nflib_model.NOT_IP)
            by_family.setdefault(family, []).append(value)
        status = z3.BitVec("pkt.status", packet_fields.WIDTHS["pkt.status"])
        out = []
        for family in ("IPV4", "IPV6", nflib_model.NOT_IP):
            values = by_family.get(family, [])
            if not values:
                continue
            solver = z3.Solver()
            solver.add(*conds)
            solver.add(z3.Or(*(status == v for v in values)))
            self.solver_checks += 1
            if solver.check() != z3.unsat:
                out.append(pb.Path.Family.Value(family))
        return out

    @staticmethod
    def _byte_struct(value: Value, struct_name: str) -> Value:
        """A packet field as the struct of one byte array its getter returns
        (struct nf_mac, struct nf_ipv6_addr: bytes[0] most significant)."""
        assert isinstance(value, IntV)
        elem = IntType(8, False)
        expr = value.expr
        n = expr.size() // 8
        top = expr.size() - 1
        arr = ArrayV(
            ArrayType(elem, n),
            n,
            tuple((i, IntV(z3.Extract(top - 8 * i, top - 7 - 8 * i, expr), elem)) for i in range(n)),
            lambda i: IntV(z3.BitVecVal(0, 8), elem),
        )
        return StructV(StructType(struct_name), (("bytes", arr),))

    def _outcomes(
        self, ex: Executor, st: PathState, value: Value, port: int, func: c_ast.FuncDef
    ) -> list[PathResult]:
        if not isinstance(value, IntV):
            raise unsupported(
                func, "nf_process returns no port on some path", "return a port, NF_DROP or NF_FLOOD"
            )
        ret = value.expr
        results = []
        choices = [
            ("DROP", compare("==", ret, z3.BitVecVal(-1, 32), True)),
            ("FLOOD", compare("==", ret, z3.BitVecVal(-2, 32), True)),
            ("FORWARD", z3.BitVecVal(0, 32) <= ret),
        ]
        remaining = [st]
        for action, cond in choices:
            next_remaining = []
            for cur in remaining:
                for state, taken in ex.branch(cur, cond):
                    if not taken:
                        next_remaining.append(state)
                        continue
                    out_port = value if action == "FORWARD" else None
                    rewrites = {f: v for f, v in state.rewrites.items()}
                    rewrites = {
                        f: (self._flat_struct(v) if isinstance(v, StructV) else v)
                        for f, v in rewrites.items()
                    }
                    results.append(
                        PathResult(port, list(state.conds), list(state.ops), action, out_port, rewrites)
                    )
                    results[-1].families = self.path_families(list(state.conds), func)
            remaining = next_remaining
        return results

    @staticmethod
    def _flat_struct(value: StructV) -> Value:
        bits = render.flat_bits(value)
        assert bits is not None
        return IntV(bits, IntType(bits.size(), False))

    # ---- description --------------------------------------------------------------------

    def describe(self) -> Analysis:
        init_state, state_slot, created = self.run_init()
        ports = self.port_count()
        paths: list[PathResult] = []
        for port in range(ports):
            paths.extend(self.run_process(init_state, state_slot, port))
        desc = pb.NfDescription(nf_name=_nf_name(self.tu), source=self.tu.source, port_count=ports)
        for key in sorted((set(self.defaults) & self.used_config) | set(self.overrides)):
            value = self.overrides.get(key, self.defaults.get(key))
            desc.config_values.add(name="cfg." + key, value=pb.Expr(constant=value & ((1 << 64) - 1)))
        written = {op.object for path in paths for op in path.ops if op.kind in relations.WRITING_KINDS}
        for created_obj in self._ordered(init_state, state_slot, created):
            desc.objects.append(self._object(created_obj, written, paths))
        for index, path in enumerate(paths):
            desc.paths.append(self._path(index, path))
        desc.relations.extend(relations.derive(paths))
        return Analysis(desc, self.solver_checks)

    def _ordered(self, st: PathState, state_slot: int, created: list[CreatedObject]) -> list[CreatedObject]:
        state_value = st.store[state_slot]
        assert isinstance(state_value, StructV)
        order = [v.name for _, v in state_value.fields if isinstance(v, ObjectV)]
        by_name = {c.name: c for c in created}
        return [by_name[name] for name in order if name in by_name]

    def _object(self, created: CreatedObject, written: set[str], paths: list[PathResult]) -> pb.StateObject:
        obj = pb.StateObject(
            name=created.name, kind=_KIND[created.family], written_by_packets=created.name in written
        )
        coord = created.call.coord
        obj.location = f"{coord.file}:{coord.line}"
        capacity = created.capacity
        if isinstance(capacity, IntV):
            simple = z3.simplify(capacity.expr)
            if z3.is_bv_value(simple):
                obj.capacity = simple.as_long()
        ctor = nflib_model.CONSTRUCTORS[created.call.name.name]
        capacity_node = created.call.args.exprs[ctor.capacity]
        if self.tu.types.const_eval(capacity_node) is None or not obj.capacity:
            obj.capacity_expr = source_text(capacity_node)
        key_type = created.key_type
        if key_type is None and created.family in ("map", "sketch"):
            key_type = next(
                (
                    op.key.ctype
                    for p in paths
                    for op in p.ops
                    if op.object == created.name and isinstance(op.key, StructV)
                ),
                None,
            )
        obj.key_type, key_fields = _struct_fields(self.tu, key_type)
        obj.key_fields.extend(key_fields)
        cell_type = created.cell_type
        if cell_type is None and created.family == "vector":
            cell_type = next(
                (
                    op.value.ctype
                    for p in paths
                    for op in p.ops
                    if op.object == created.name and isinstance(op.value, StructV)
                ),
                None,
            )
        obj.value_type, value_fields = _struct_fields(self.tu, cell_type)
        obj.value_fields.extend(value_fields)
        return obj

    def _path(self, index: int, path: PathResult) -> pb.Path:
        proto = pb.Path(id=index, in_port=path.in_port)
        for cond in path.conds:
            proto.conditions.append(render.z3_expr(cond))
        for op in path.ops:
            sop = proto.ops.add(
                id=op.id,
                object=op.object,
                kind=pb.StateOp.Kind.Value(op.kind),
                call=op.call,
                location=op.location,
            )
            if op.key is not None:
                sop.key.CopyFrom(render.value_expr(op.key))
            if op.index is not None:
                sop.index.CopyFrom(render.value_expr(op.index))
            if op.value is not None:
                sop.value.CopyFrom(render.value_expr(op.value))
            sop.results.extend(op.results)
        proto.families.extend(path.families)
        proto.outcome.action = pb.Outcome.Action.Value(path.action)
        if path.out_port is not None:
            proto.outcome.out_port.CopyFrom(render.value_expr(path.out_port))
        for field, value in path.rewrites.items():
            proto.outcome.rewrites.add(field=field, value=render.value_expr(value))
        return proto


def analyze(
    source: str,
    include_dirs: list[str],
    ports: int | None = None,
    config_overrides: dict[str, int] | None = None,
    budget: Budget | None = None,
) -> Analysis:
    """The description of the NF in `source` (raises AnalysisError, also when a budget is exceeded)."""
    return Analyzer(source, include_dirs, ports, config_overrides, budget).describe()


__all__ = ["Analysis", "PacketV", "analyze"]

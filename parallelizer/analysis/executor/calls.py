"""Calls: static helpers of the NF inlined (with their own frame), nflib calls
modelled by their summaries (nflib_model: state operations, packet getters
and setters, constructors), libc and pure nflib helpers (builtins.py), and in
init mode the results of other external functions as fresh values.

`pointee` is the public helper that reads the object a pointer argument
designates; the builtins use it too."""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3
from pycparser import c_ast

from parallelizer.analysis import nflib_model
from parallelizer.analysis.ctype import INT, VOID, CType, FuncType, IntType, VoidType
from parallelizer.analysis.errors import location_of, unsupported
from parallelizer.analysis.executor.builtins import BUILTINS
from parallelizer.analysis.executor.memory import Memory
from parallelizer.analysis.executor.state import CreatedObject, OpRecord, PathState, Results
from parallelizer.analysis.executor.widths import resize
from parallelizer.analysis.values import FuncV, IntV, ObjectV, OpaqueV, PacketV, PtrV, Ref, StructV, Value

if TYPE_CHECKING:
    from parallelizer.analysis.executor.core import Executor


class Calls:
    def __init__(self, ex: Executor) -> None:
        self.ex = ex

    def call_function(self, name: str, args: list[Value], st: PathState, node: c_ast.Node) -> Results:
        func = self.ex.tu.functions[name]
        if name in st.call_stack:
            raise unsupported(node, f"recursive call of '{name}'", "write the recursion as a bounded loop")
        ftype = self.ex.types.resolve(func.decl.type)
        assert isinstance(ftype, FuncType)
        params = func.decl.type.args.params if func.decl.type.args is not None else []
        params = [
            p
            for p in params
            if not (isinstance(p, c_ast.Typename) and isinstance(self.ex.types.resolve(p), VoidType))
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
            slot = st.new_slot(ptype, self.ex.convert(st, arg, ptype, node))
            if param.name is not None:
                st.frames[-1][-1][param.name] = slot
        results: Results = []
        for state, ctl in self.ex.exec_stmt(func.body, st):
            state.frames.pop()
            state.call_stack.pop()
            if ctl[0] == "return" and ctl[1] is not None:
                results.append((state, self.ex.convert(state, ctl[1], ftype.ret, node)))
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
        if st.lookup(name) is not None or (name in self.ex.tu.variables and name not in self.ex.tu.functions):
            raise unsupported(
                node,
                f"call through the function pointer '{name}'",
                "call functions by name (static helpers or nflib functions)",
            )
        arg_nodes = node.args.exprs if node.args is not None else []
        if name == "nf_pkt_status" or name in nflib_model.PACKET_GETTERS:
            return [(s, self.packet_get(name, vals, s, node)) for s, vals in self.eval_args(arg_nodes, st)]
        results: Results = []
        for state, vals in self.eval_args(arg_nodes, st):
            results.extend(self.call_with_values(name, vals, state, node, arg_nodes))
        return results

    def eval_args(self, nodes: list[c_ast.Node], st: PathState) -> list[tuple[PathState, list[Value]]]:
        """The argument values on each path; a function name is the function itself."""
        states: list[tuple[PathState, list[Value]]] = [(st, [])]
        for arg in nodes:
            next_states = []
            for state, vals in states:
                if (
                    isinstance(arg, c_ast.ID)
                    and arg.name in self.ex.tu.functions
                    and state.lookup(arg.name) is None
                ):
                    next_states.append((state, [*vals, FuncV(arg.name)]))
                    continue
                for state2, value in self.ex.eval(arg, state):
                    next_states.append((state2, [*vals, value]))
            states = next_states
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
        handler = BUILTINS.get(name)
        if handler is not None:
            return handler(self.ex, vals, st, node)
        if name in self.ex.tu.functions:
            return self.call_function(name, vals, st, node)
        if self.ex.mode == "init":
            return [(st, self.opaque_result(name, st))]
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

    def opaque_result(self, name: str, st: PathState) -> Value:
        """The result of an external function in init mode: a fresh value."""
        decl = self.ex.tu.declarations.get(name)
        if decl is None:
            return IntV(z3.BitVec(st.fresh_id("init.ext"), 32), INT)
        ftype = self.ex.types.resolve(decl.type)
        ret = ftype.ret if isinstance(ftype, FuncType) else INT
        if name in ("calloc", "malloc"):
            return PtrV(Ref(st.new_slot(VOID, None)), VOID)
        if isinstance(ret, IntType):
            return self.ex.memory.build_value(ret, Memory.symbol_leaf(st.fresh_id("init.ext")))
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

    def pointee(
        self,
        vals: list[Value],
        index: int,
        name: str,
        st: PathState,
        node: c_ast.FuncCall,
        bytes_ok: bool = False,
    ) -> tuple[Ref, Value]:
        """The location and value of the object argument `index` of the call
        `name` points to: the address of a variable (of a part of it with
        bytes_ok, e.g. for memcpy over a field), or an error at the argument."""
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
        return value.ref, self.ex.memory.read(st, value.ref, arg_node)

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
            _, record.key = self.pointee(vals, summary.key_ptr, name, st, node)
        if summary.key_scalar is not None:
            record.key = self.ex.as_int(vals[summary.key_scalar], node.args.exprs[summary.key_scalar])
        if summary.index is not None:
            record.index = self.ex.as_int(vals[summary.index], node.args.exprs[summary.index])
        if summary.value is not None:
            record.value = self.ex.as_int(vals[summary.value], node.args.exprs[summary.value])
        if summary.value_ptr is not None:
            _, record.value = self.pointee(vals, summary.value_ptr, name, st, node)
        if self.ex.mode == "process" or name != "nf_lpm_add":
            st.ops.append(record)
        for index, family, kind in summary.also:
            other = self._object_arg(vals, index, family, name, node)
            st.ops.append(OpRecord(st.fresh_id("op"), other.name, kind, name, location))
        for index, part in summary.outs:
            ref, _ = self.pointee(vals, index, name, st, node)
            ctype = self.ex.memory.type_at(st, ref)
            symbol = f"{op_id}.{part}"
            self.ex.memory.write(st, ref, self.ex.memory.build_value(ctype, Memory.symbol_leaf(symbol)), node)
            record.results.append(symbol)
        result: Value = OpaqueV("void")
        if summary.ret is not None:
            symbol = f"{op_id}.{summary.ret}"
            record.results.append(symbol)
            decl = self.ex.tu.declarations.get(name)
            ftype = self.ex.types.resolve(decl.type) if decl is not None else FuncType(INT, ())
            ret_type = ftype.ret if isinstance(ftype, FuncType) and isinstance(ftype.ret, IntType) else INT
            result = self.ex.memory.build_value(ret_type, Memory.symbol_leaf(symbol))
            if summary.ret_domain is not None and isinstance(result, IntV):
                st.assumptions.append(
                    z3.Or(*[result.expr == z3.BitVecVal(c, ret_type.bits) for c in summary.ret_domain])
                )
        return [(st, result)]

    def construct(
        self, name: str, vals: list[Value], st: PathState, node: c_ast.FuncCall, arg_nodes: list[c_ast.Node]
    ) -> Value:
        if self.ex.mode == "process":
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
                return self.ex.types.resolve(node.expr)
            return self.ex.static_types.visit(node.expr, st)
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
            return IntV(resize(value.expr, 32, False), INT)
        return value

    def packet_set(self, name: str, vals: list[Value], st: PathState, node: c_ast.FuncCall) -> Value:
        if self.ex.mode == "init":
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
            value = self.ex.convert(st, vals[1], current.ctype, node.args.exprs[1])
        st.packet[field] = value
        st.rewrites[field] = value
        return OpaqueV("void")

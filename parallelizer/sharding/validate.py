"""Loading and checking an NfDescription before planning."""

from __future__ import annotations

from google.protobuf import descriptor, text_format

from parallelizer import limits
from parallelizer.schema import packet_fields
from parallelizer.sharding import dependencies, exprs
from proto import nf_description_pb2 as desc_pb2
from proto import plan_pb2

# SMT-LIB operators an Apply may name: the Z3 names the analyzer renders
# (parallelizer/analysis/render.py, with Z3's "if" written "ite"). Boolean
# results have width_bits 0, bit-vector results the width. Anything else is a
# corrupt or foreign description.
_BOOL_OPS = {
    *("=", "distinct", "not", "and", "or", "xor", "=>"),
    *("bvult", "bvule", "bvugt", "bvuge", "bvslt", "bvsle", "bvsgt", "bvsge"),
}
_BV_OPS = {
    *("bvadd", "bvsub", "bvmul", "bvneg", "bvnot", "bvand", "bvor", "bvxor", "bvshl", "bvlshr", "bvashr"),
    *("bvudiv", "bvsdiv", "bvurem", "bvsrem", "bvsmod", "bvudiv_i", "bvsdiv_i", "bvurem_i", "bvsrem_i"),
    *("bvsmod_i", "bvredor", "bvredand", "concat", "ext_rotate_left", "ext_rotate_right"),
}
# Index parameters of the parameterised (bit-vector) operators; others take none.
_APPLY_PARAMS = {
    "extract": 2,
    "zero_extend": 1,
    "sign_extend": 1,
    "repeat": 1,
    "rotate_left": 1,
    "rotate_right": 1,
}
# Uninterpreted functions: nflib functions the analyzer models opaquely
# (nf_hash_bytes); bit-vector valued.
_NFLIB_FUNCTION_PREFIX = "nf_"
# Widest bit-vector a description may hold: a whole struct key flattened to
# bits (the analyzer concatenates array bytes); far above any packet key.
MAX_WIDTH_BITS = 4096


class DescriptionError(Exception):
    """The description cannot be planned; the message says where and why.

    `problems` lists each finding; `origin` is the file (or name) checked."""

    def __init__(self, origin: str, problems: list[str]) -> None:
        if len(problems) == 1:
            text = f"{origin}: {problems[0]}"
        else:
            text = f"{origin}: {len(problems)} problem(s):\n  " + "\n  ".join(problems)
        super().__init__(text)
        self.origin = origin
        self.problems = problems


def uint_max(field: descriptor.FieldDescriptor) -> int:
    """Largest value an unsigned integer proto field holds."""
    bits = {descriptor.FieldDescriptor.TYPE_UINT32: 32, descriptor.FieldDescriptor.TYPE_UINT64: 64}
    return (1 << bits[field.type]) - 1


# Capacities are copied into the plan (ObjectDecision.capacity_total).
MAX_CAPACITY = uint_max(plan_pb2.ObjectDecision.DESCRIPTOR.fields_by_name["capacity_total"])


def load(path: str) -> desc_pb2.NfDescription:
    """Parses a text-proto NfDescription; errors name file:line:column."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise DescriptionError(path, [f"cannot read the description: {e.strerror}"]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DescriptionError(
            f"{path}:{line}", [f"not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start})"]
        ) from None
    return parse(text, path)


def parse(text: str, origin: str) -> desc_pb2.NfDescription:
    """Parses and checks a text-proto NfDescription read from `origin`."""
    description = desc_pb2.NfDescription()
    try:
        text_format.Parse(text, description)
    except text_format.ParseError as e:
        location = origin
        if e.GetLine() is not None:
            location += f":{e.GetLine()}" + (f":{e.GetColumn()}" if e.GetColumn() is not None else "")
        what = str(e).split(" : ", 1)[-1]
        raise DescriptionError(location, [f"{what} (not a valid nfpar.NfDescription text proto)"]) from None
    check(description, origin)
    return description


def _written_flag_errors(description: desc_pb2.NfDescription) -> list[str]:
    """written_by_packets is the analysis's fact (derived from the paths); the
    planner reads it, so a description whose flag contradicts its own paths is
    refused rather than silently corrected."""
    changed = {
        op.object for path in description.paths for op in path.ops if op.kind in dependencies.CHANGE_KINDS
    }
    return [
        f"objects[{i}]: object '{obj.name}' is changed by a path (write, create, refresh, free or "
        "expire) but written_by_packets is false: regenerate the description with the analyzer "
        "(bazel build //nfs/<nf>:description)"
        for i, obj in enumerate(description.objects)
        if obj.name in changed and not obj.written_by_packets
    ]


def check(description: desc_pb2.NfDescription, origin: str = "<description>") -> None:
    """Raises DescriptionError listing every inconsistency found."""
    errors: list[str] = []
    if not 1 <= description.port_count <= limits.MAX_PORTS:
        errors.append(
            f"port_count is {description.port_count}: the parallel runtimes run NFs with 1 to "
            f"{limits.MAX_PORTS} ports (parallelizer/limits.py)"
        )
        # Every per-port loop would be sized by it; stop before planning.
        raise DescriptionError(origin, errors)
    names: set[str] = set()
    for i, obj in enumerate(description.objects):
        where = f"objects[{i}]" + (f" ({obj.location})" if obj.location else "")
        if not obj.name:
            errors.append(f"{where}: empty name")
        elif obj.name in names:
            errors.append(f"{where}: object '{obj.name}' declared twice")
        names.add(obj.name)
        if obj.kind == desc_pb2.StateObject.KIND_UNSPECIFIED:
            errors.append(
                f"{where}: object '{obj.name}' has no kind (MAP, VECTOR, DCHAIN, SKETCH, CHT or LPM)"
            )
        for part in ("key_fields", "value_fields"):
            for j, field in enumerate(getattr(obj, part)):
                if not 1 <= field.width_bits <= MAX_WIDTH_BITS:
                    errors.append(
                        f"{where}.{part}[{j}].width_bits: {field.width_bits} ('{field.name}'): "
                        f"a struct field has 1 to {MAX_WIDTH_BITS} bits"
                    )
        if obj.capacity > MAX_CAPACITY:
            errors.append(
                f"{where}.capacity: {obj.capacity} exceeds {MAX_CAPACITY} (the plan's capacity_total is 32 bits)"
            )
    errors.extend(_written_flag_errors(description))
    path_ids: set[int] = set()
    for path in description.paths:
        where = f"path {path.id}"
        if path.id in path_ids:
            errors.append(f"{where}: path id used twice")
        path_ids.add(path.id)
        if description.port_count and path.in_port >= description.port_count:
            errors.append(f"{where}: in_port {path.in_port} is not below port_count {description.port_count}")
        op_ids: set[str] = set()
        for op in path.ops:
            op_where = f"{where} op '{op.id}'" + (f" ({op.location})" if op.location else "")
            if not op.id or op.id in op_ids:
                errors.append(f"{op_where}: op ids must be unique and non-empty within a path")
            op_ids.add(op.id)
            if op.object not in names:
                errors.append(
                    f"{op_where}: object '{op.object}' is not declared; declared objects: {sorted(names)}"
                )
            if op.kind == desc_pb2.StateOp.KIND_UNSPECIFIED:
                errors.append(f"{op_where}: op kind is unspecified")
            for part in ("key", "index", "value"):
                if op.HasField(part):
                    errors.extend(_field_errors(getattr(op, part), f"{op_where} {part}"))
                    errors.extend(_expr_errors(getattr(op, part), f"{op_where} {part}"))
        for k, cond in enumerate(path.conditions):
            errors.extend(_field_errors(cond, f"{where} conditions[{k}]"))
            errors.extend(_expr_errors(cond, f"{where} conditions[{k}]"))
        if path.outcome.HasField("out_port"):
            errors.extend(_expr_errors(path.outcome.out_port, f"{where} outcome.out_port"))
        for k, rewrite in enumerate(path.outcome.rewrites):
            errors.extend(_expr_errors(rewrite.value, f"{where} outcome.rewrites[{k}].value"))
    for i, rel in enumerate(description.relations):
        where = f"relations[{i}] ({desc_pb2.Relation.Kind.Name(rel.kind)} on '{rel.object}')"
        if rel.object not in names:
            errors.append(
                f"{where}: object '{rel.object}' is not declared; declared objects: {sorted(names)}"
            )
        for port_name in ("writer_port", "reader_port"):
            port = getattr(rel, port_name)
            if description.port_count and port >= description.port_count:
                errors.append(f"{where}: {port_name} {port} is not below port_count {description.port_count}")
        for pair in rel.pairs:
            for f in (pair.writer_field, pair.reader_field):
                try:
                    packet_fields.parse_slice(f)  # a field, or a slice of one (a key byte)
                except ValueError as e:
                    errors.append(f"{where}: {e}")
    if errors:
        raise DescriptionError(origin, errors)


def _expr_errors(expr: desc_pb2.Expr, where: str) -> list[str]:
    """Operators and widths that no analyzer output has, named by field path."""
    errors: list[str] = []
    if expr.width_bits > MAX_WIDTH_BITS:
        errors.append(f"{where}.width_bits: {expr.width_bits} exceeds {MAX_WIDTH_BITS}")
    kind = expr.WhichOneof("kind")
    if kind is None:
        errors.append(f"{where}: empty expression (set one of packet_field, constant, symbol, apply, ...)")
    elif kind == "packet_field":
        width = packet_fields.WIDTHS.get(expr.packet_field)
        if width is not None and expr.width_bits != width:
            errors.append(f"{where}.width_bits: {expr.width_bits} but {expr.packet_field} has {width} bits")
    elif kind in ("symbol", "config") and not getattr(expr, kind):
        errors.append(f"{where}.{kind}: empty name")
    elif kind == "constant" and expr.width_bits and expr.constant >> expr.width_bits:
        errors.append(f"{where}.constant: {expr.constant} does not fit width_bits {expr.width_bits}")
    elif kind == "constant" and expr.width_bits == 0 and expr.constant > 1:
        errors.append(f"{where}.constant: {expr.constant} with width_bits 0 (a boolean) must be 0 or 1")
    elif kind == "apply":
        errors.extend(_apply_errors(expr, where))
        for i, arg in enumerate(expr.apply.args):
            errors.extend(_expr_errors(arg, f"{where}.apply.args[{i}]"))
    elif kind == "field_of":
        errors.extend(_expr_errors(expr.field_of.base, f"{where}.field_of.base"))
    elif kind == "struct_value":
        for i, named in enumerate(expr.struct_value.fields):
            errors.extend(_expr_errors(named.value, f"{where}.struct_value.fields[{i}]"))
    return errors


def _field_errors(expr: desc_pb2.Expr, where: str) -> list[str]:
    return [
        f"{where}: unknown packet field '{f}'; known: {sorted(packet_fields.WIDTHS)}"
        for f in sorted(exprs.packet_fields_in(expr))
        if f not in packet_fields.WIDTHS
    ]


def _apply_errors(expr: desc_pb2.Expr, where: str) -> list[str]:
    """An Apply's own fields (its arguments are checked by the caller)."""
    op, params = expr.apply.op, expr.apply.params
    nflib_function = op.startswith(_NFLIB_FUNCTION_PREFIX)
    if op not in _BOOL_OPS | _BV_OPS | set(_APPLY_PARAMS) | {"ite"} and not nflib_function:
        return [
            f"{where}.apply.op: unknown operator '{op}' (the analyzer emits those of _BOOL_OPS, _BV_OPS and _APPLY_PARAMS in parallelizer/sharding/validate.py)"
        ]
    errors = []
    if not nflib_function and len(params) != _APPLY_PARAMS.get(op, 0):
        errors.append(
            f"{where}.apply.params: '{op}' takes {_APPLY_PARAMS.get(op, 0)} parameter(s), not {len(params)}"
        )
    if op in _BOOL_OPS and expr.width_bits:
        errors.append(f"{where}.width_bits: {expr.width_bits} but '{op}' yields a boolean (width_bits 0)")
    if op == "extract" and len(params) == 2 and not params[0] >= params[1]:
        errors.append(f"{where}.apply.params: extract [{params[0]}:{params[1]}] needs hi >= lo")
    elif (
        op == "extract"
        and len(params) == 2
        and expr.width_bits
        and expr.width_bits != params[0] - params[1] + 1
    ):
        errors.append(
            f"{where}.width_bits: {expr.width_bits} but extract [{params[0]}:{params[1]}] has {params[0] - params[1] + 1} bits"
        )
    return errors

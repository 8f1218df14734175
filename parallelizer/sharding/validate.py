"""Loading and checking an NfDescription before planning."""

from __future__ import annotations

from google.protobuf import text_format

from parallelizer.sharding import exprs
from proto import nf_description_pb2 as desc_pb2


class DescriptionError(Exception):
    """The description cannot be planned; the message says where and why."""


def load(path: str) -> desc_pb2.NfDescription:
    """Parses a text-proto NfDescription; errors name file:line:column."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise DescriptionError(f"{path}: cannot read the description: {e.strerror}") from None
    description = desc_pb2.NfDescription()
    try:
        text_format.Parse(text, description)
    except text_format.ParseError as e:
        raise DescriptionError(f"{path}:{e}: not a valid nfpar.NfDescription text proto") from None
    check(description, path)
    return description


def check(description: desc_pb2.NfDescription, origin: str = "<description>") -> None:
    """Raises DescriptionError listing every inconsistency found."""
    errors: list[str] = []
    if description.port_count < 1:
        errors.append(f"port_count is {description.port_count}: an NF needs at least one port")
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
        for k, cond in enumerate(path.conditions):
            errors.extend(_field_errors(cond, f"{where} conditions[{k}]"))
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
                if f not in exprs.PACKET_FIELD_WIDTHS:
                    errors.append(
                        f"{where}: unknown packet field '{f}'; known: {sorted(exprs.PACKET_FIELD_WIDTHS)}"
                    )
    if errors:
        raise DescriptionError(f"{origin}: {len(errors)} problem(s):\n  " + "\n  ".join(errors))


def _field_errors(expr: desc_pb2.Expr, where: str) -> list[str]:
    return [
        f"{where}: unknown packet field '{f}'; known: {sorted(exprs.PACKET_FIELD_WIDTHS)}"
        for f in sorted(exprs.packet_fields_in(expr))
        if f not in exprs.PACKET_FIELD_WIDTHS
    ]

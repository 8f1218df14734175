"""Relations between packets that state creates, derived from the paths alone:
SAME_KEY, STORED_VALUE_COMPARED and INDEX_RETURNS_IN_PACKET (see
proto/nf_description.proto)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import z3

from parallelizer.analysis import nflib_model, render
from parallelizer.analysis.executor import OpRecord
from parallelizer.analysis.values import ArrayV, BoolV, IntV, StructV, Value
from proto import nf_description_pb2 as pb

WRITING_KINDS = {"WRITE", "CREATE", "REFRESH", "DESTROY", "EXPIRE"}


@dataclasses.dataclass
class PathResult:
    """One feasible path of nf_process, with Z3-level data."""

    in_port: int
    conds: list[z3.BoolRef]
    ops: list[OpRecord]
    action: str  # "DROP", "FORWARD", "FLOOD"
    out_port: Value | None
    rewrites: dict[str, Value]
    # pb.Path.Family values a packet on the path can have (from pkt.status).
    families: list[int] = dataclasses.field(default_factory=list)


def _strip(term: z3.ExprRef) -> z3.ExprRef:
    while z3.is_app(term) and term.decl().kind() in (z3.Z3_OP_ZERO_EXT, z3.Z3_OP_SIGN_EXT, z3.Z3_OP_EXTRACT):
        term = term.arg(0)
    return term


def packet_field_of(term: z3.ExprRef) -> str | None:
    """The packet field, or the bit slice of one ("ipv6.src[127:120]"), that a
    term equals up to zero or sign extension; None for anything else.

    A slice must stay a slice: two keys that hold the same byte of an address
    are equal whenever that byte is, so a relation that named the whole field
    would let packets that share the entry disagree on the other bits (a key
    made of an address's first bytes, e.g. a prefix). Bits an extension added
    above the field are constant (zero extension) or copies of its top bit."""
    window: tuple[int, int] | None = None  # (hi, lo) within the current term
    while z3.is_app(term):
        kind = term.decl().kind()
        if kind == z3.Z3_OP_EXTRACT:
            hi, lo = term.params()
            window = (hi, lo) if window is None else (lo + window[0], lo + window[1])
            term = term.arg(0)
        elif kind in (z3.Z3_OP_ZERO_EXT, z3.Z3_OP_SIGN_EXT):
            inner = term.arg(0).size()
            if window is not None:
                if window[1] >= inner:
                    return None  # only the extension's bits: no field bit
                window = (min(window[0], inner - 1), window[1])
            term = term.arg(0)
        else:
            break
    if not (z3.is_const(term) and not z3.is_bv_value(term)):
        return None
    name = term.decl().name()
    if name not in nflib_model.PACKET_FIELDS:
        return None
    if window is None or window == (term.size() - 1, 0):
        return name
    return f"{name}[{window[0]}:{window[1]}]"


def _consts(term: z3.ExprRef) -> set[str]:
    found: set[str] = set()
    todo = [term]
    seen: set[int] = set()
    while todo:
        cur = todo.pop()
        if cur.get_id() in seen:
            continue
        seen.add(cur.get_id())
        if z3.is_const(cur) and not z3.is_bv_value(cur) and not z3.is_true(cur) and not z3.is_false(cur):
            found.add(cur.decl().name())
        elif z3.is_app(cur):
            todo.extend(cur.children())
    return found


def _leaves(value: Value, path: str = "") -> Iterator[tuple[str, z3.ExprRef]]:
    if isinstance(value, IntV | BoolV):
        yield path, value.expr
    elif isinstance(value, StructV):
        for name, field in value.fields:
            yield from _leaves(field, f"{path}.{name}" if path else name)
    elif isinstance(value, ArrayV):
        for i in range(value.length):
            yield from _leaves(value.get(i), f"{path}[{i}]")


def _equalities(cond: z3.BoolRef, positive: bool = True) -> Iterator[tuple[z3.ExprRef, z3.ExprRef]]:
    """Equalities a == b implied by cond (positive) or by Not(cond)."""
    if z3.is_not(cond):
        yield from _equalities(cond.arg(0), not positive)
    elif z3.is_and(cond) and positive or z3.is_or(cond) and not positive:
        for child in cond.children():
            yield from _equalities(child, positive)
    elif z3.is_eq(cond) and positive or z3.is_distinct(cond) and not positive and cond.num_args() == 2:
        yield cond.arg(0), cond.arg(1)


def _pairs_key(pairs: list[tuple[str, str, str]]) -> tuple[tuple[str, str, str], ...]:
    return tuple(sorted(set(pairs)))


def same_key(paths: list[PathResult]) -> dict[tuple, str]:
    found: dict[tuple, str] = {}
    for writer in paths:
        for wop in writer.ops:
            if wop.kind not in WRITING_KINDS or wop.key is None:
                continue
            wterms = render.struct_field_terms(wop.key)
            for reader in paths:
                for rop in reader.ops:
                    if rop.object != wop.object or rop.key is None:
                        continue
                    rterms = render.struct_field_terms(rop.key)
                    pairs = []
                    for field, wterm in wterms.items():
                        wfield = packet_field_of(wterm)
                        rfield = packet_field_of(rterms[field]) if field in rterms else None
                        if wfield and rfield:
                            pairs.append((wfield, rfield, field))
                    if not pairs:
                        continue
                    key = ("SAME_KEY", wop.object, writer.in_port, reader.in_port, _pairs_key(pairs))
                    found.setdefault(
                        key,
                        (
                            f"{wop.call} at {wop.location} (port {writer.in_port}) and {rop.call} at {rop.location} "
                            f"(port {reader.in_port}) use the same key"
                        ),
                    )
    return found


def stored_value_compared(paths: list[PathResult]) -> dict[tuple, str]:
    groups: dict[tuple, set[tuple[str, str, str]]] = {}
    for reader in paths:
        reads = {op.id: op for op in reader.ops if op.kind == "READ"}
        for cond in reader.conds:
            for left, right in _equalities(cond):
                for cell_side, field_side in ((left, right), (right, left)):
                    cell = _strip(cell_side)
                    rfield = packet_field_of(field_side)
                    if rfield is None or not z3.is_const(cell):
                        continue
                    parts = cell.decl().name().split(".", 2)
                    if len(parts) != 3 or parts[1] != "cell" or parts[0] not in reads:
                        continue
                    rop, leaf = reads[parts[0]], parts[2]
                    for writer in paths:
                        for wop in writer.ops:
                            if wop.object != rop.object or wop.kind != "WRITE" or wop.value is None:
                                continue
                            for wleaf, wterm in _leaves(wop.value):
                                wfield = packet_field_of(wterm)
                                if wleaf == leaf and wfield is not None:
                                    group = (
                                        rop.object,
                                        writer.in_port,
                                        reader.in_port,
                                        wop.call,
                                        wop.location,
                                        rop.call,
                                        rop.location,
                                    )
                                    groups.setdefault(group, set()).add((wfield, rfield, leaf))
    found: dict[tuple, str] = {}
    for (obj, wport, rport, wcall, wloc, rcall, rloc), pairs in groups.items():
        key = ("STORED_VALUE_COMPARED", obj, wport, rport, _pairs_key(list(pairs)))
        stored = ", ".join(f"{w} in '{via}'" for w, _, via in sorted(pairs, key=lambda p: p[2]))
        compared = ", ".join(f"'{via}' = {r}" for _, r, via in sorted(pairs, key=lambda p: p[2]))
        found.setdefault(
            key,
            (
                f"port {wport} stores {stored} of {obj} ({wcall} at {wloc}); port {rport} reads the cell "
                f"({rcall} at {rloc}) and proceeds only when {compared}"
            ),
        )
    return found


def index_returns_in_packet(paths: list[PathResult]) -> dict[tuple, str]:
    found: dict[tuple, str] = {}
    for writer in paths:
        for create in writer.ops:
            if create.kind != "CREATE":
                continue
            symbol = f"{create.id}.index"
            indexed = {create.object}
            for op in writer.ops:
                if op.index is not None and isinstance(op.index, IntV) and symbol in _consts(op.index.expr):
                    indexed.add(op.object)
            wfields = sorted(
                field
                for field, value in writer.rewrites.items()
                if isinstance(value, IntV) and symbol in _consts(value.expr)
            )
            if not wfields:
                continue
            for reader in paths:
                for rop in reader.ops:
                    if rop.object not in indexed or not isinstance(rop.index, IntV):
                        continue
                    names = _consts(rop.index.expr)
                    fields = [n for n in names if n in nflib_model.PACKET_FIELDS]
                    if len(fields) != 1 or any(n.startswith(("op", "fn")) for n in names):
                        continue
                    pairs = tuple((wfield, fields[0], "index") for wfield in wfields)
                    key = ("INDEX_RETURNS_IN_PACKET", rop.object, writer.in_port, reader.in_port, pairs)
                    found.setdefault(
                        key,
                        (
                            f"port {writer.in_port} allocates an index of {create.object} ({create.call} at "
                            f"{create.location}) and writes it into {', '.join(wfields)}; port {reader.in_port} "
                            f"indexes {rop.object} with {fields[0]} ({rop.call} at {rop.location})"
                        ),
                    )
    return found


def derive(paths: list[PathResult]) -> list[pb.Relation]:
    found: dict[tuple, str] = {}
    found.update(same_key(paths))
    found.update(stored_value_compared(paths))
    found.update(index_returns_in_packet(paths))
    relations = []
    kind_order = {"STORED_VALUE_COMPARED": 0, "INDEX_RETURNS_IN_PACKET": 1, "SAME_KEY": 2}
    for key in sorted(found, key=lambda k: (kind_order[k[0]], *k[1:])):
        kind, obj, wport, rport, pairs = key
        relation = pb.Relation(
            kind=pb.Relation.Kind.Value(kind),
            object=obj,
            writer_port=wport,
            reader_port=rport,
            explanation=found[key],
        )
        for wfield, rfield, via in pairs:
            relation.pairs.add(writer_field=wfield, reader_field=rfield, via=via)
        relations.append(relation)
    return relations

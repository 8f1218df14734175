"""Which packets must meet: per state object, the entries packets touch and the
pairs of packets (across ports and paths) that may touch the same entry.

Input: an NfDescription. Output: one `ObjectDependencies` per state object with
its accesses, the `Constraint`s that partitioning it by RSS needs, and, when RSS
cannot partition it, the blockers (named object, fields and why).
"""

from __future__ import annotations

import dataclasses
import itertools

from parallelizer.sharding import exprs, fields
from proto import nf_description_pb2 as desc_pb2

Op = desc_pb2.StateOp
WRITE_KINDS = frozenset({Op.WRITE, Op.CREATE, Op.REFRESH, Op.DESTROY})
# Kinds that change an object: the writes and EXPIRE, which frees what is old.
# An object a packet changes is written by packets (the analysis's
# written_by_packets, relations.WRITING_KINDS: no read-only copy per core can
# hold it); EXPIRE alone adds no constraint between packets (time-driven: each
# core expires its own entries, _collect_path).
CHANGE_KINDS = WRITE_KINDS | {Op.EXPIRE}


@dataclasses.dataclass(frozen=True)
class FieldEq:
    """Bits of packet p's field equal bits of packet q's field."""

    a: fields.FieldBits
    b: fields.FieldBits

    def __str__(self) -> str:
        return f"{self.a} = {self.b}"


@dataclasses.dataclass(frozen=True)
class Constraint:
    """Packets p on port_a and q on port_b with all `equalities` must meet.

    Hashable fields of p or q not named in `equalities` are unrelated: they may
    take any value. `unhashable` lists equalities on fields RSS cannot hash.
    p is a packet of address family `family_a`, q of `family_b`
    (fields.IPV4/IPV6): that decides where their fields sit in the Toeplitz
    input. An equality on a field the packet's family does not have (ipv4.src
    of an IPv6 packet) reads 0 there (nflib's getters outside their
    precondition), so it fixes the other side's bits at 0.
    """

    port_a: int
    port_b: int
    equalities: tuple[FieldEq, ...]
    origin: str
    unhashable: tuple[str, ...] = ()
    family_a: str = fields.IPV4
    family_b: str = fields.IPV4

    def equations(self) -> tuple:
        """What the key solver reads: two constraints with equal equations
        constrain the keys alike (their origins and unhashable parts aside)."""
        return (
            self.port_a,
            self.port_b,
            self.family_a,
            self.family_b,
            tuple(sorted(map(str, self.equalities))),
        )

    def signature(self) -> tuple:
        return self.equations() + (tuple(sorted(self.unhashable)),)

    def swapped(self) -> Constraint:
        eqs = tuple(FieldEq(e.b, e.a) for e in self.equalities)
        return Constraint(
            self.port_b, self.port_a, eqs, self.origin, self.unhashable, self.family_b, self.family_a
        )

    def normalized(self) -> Constraint:
        c = self.swapped() if (self.port_a, self.family_a) > (self.port_b, self.family_b) else self
        eqs = tuple(sorted(c.equalities, key=str))
        return dataclasses.replace(c, equalities=eqs)


@dataclasses.dataclass(frozen=True)
class Keyed:
    """Entry chosen by key slots (map/sketch key, or an index found under a key)."""

    slots: tuple[tuple[str, exprs.Slot], ...]
    via: str


@dataclasses.dataclass(frozen=True)
class Fresh:
    """A newly allocated index not stored under any key."""

    allocator: str


@dataclasses.dataclass(frozen=True)
class FromPacket:
    """An index read back from packet fields (e.g. a NAT's external port)."""

    packet_fields: tuple[str, ...]
    expr: str


@dataclasses.dataclass(frozen=True)
class Opaque:
    """Any entry: a stored value, a lookup result, ..."""

    what: str


Entry = Keyed | Fresh | FromPacket | Opaque


@dataclasses.dataclass(frozen=True)
class Access:
    object: str
    port: int
    path_id: int
    op_id: str
    kind: int
    call: str
    entry: Entry
    location: str
    families: tuple[str, ...] = (fields.IPV4,)

    @property
    def writes(self) -> bool:
        return self.kind in WRITE_KINDS

    def where(self) -> str:
        loc = f" at {self.location}" if self.location else ""
        return (
            f"port {self.port} path {self.path_id} {self.op_id} {self.call or Op.Kind.Name(self.kind)}{loc}"
        )


@dataclasses.dataclass
class ObjectDependencies:
    name: str
    kind: int
    capacity: int
    capacity_expr: str
    written_by_packets: bool
    family: str = ""
    accesses: list[Access] = dataclasses.field(default_factory=list)
    constraints: list[Constraint] = dataclasses.field(default_factory=list)
    blockers: list[str] = dataclasses.field(default_factory=list)
    index_leaves_nf: bool = False

    @property
    def write_paths(self) -> set[int]:
        return {a.path_id for a in self.accesses if a.writes}

    @property
    def access_paths(self) -> set[int]:
        return {a.path_id for a in self.accesses}

    def key_fields(self) -> list[str]:
        """Per port, the packet fields deciding the entry (e.g. "port 0: ipv4.src")."""
        per_port: dict[int, list[str]] = {}
        for a in self.accesses:
            names = per_port.setdefault(a.port, [])
            for text in _entry_fields(a.entry):
                if text not in names:
                    names.append(text)
        return [f"port {p}: {', '.join(n) or '-'}" for p, n in sorted(per_port.items())]


def _entry_fields(entry: Entry) -> list[str]:
    if isinstance(entry, Keyed):
        return [str(s) for _, s in entry.slots if isinstance(s, exprs.FieldSlot)]
    if isinstance(entry, FromPacket):
        return [f"index from {entry.expr}"]
    if isinstance(entry, Opaque):
        return [f"any entry ({entry.what})"]
    return []


class _Families:
    """Union-find over objects sharing an index space."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def analyze(description: desc_pb2.NfDescription) -> dict[str, ObjectDependencies]:
    """Dependencies of every state object of `description` (validated)."""
    objects = {
        o.name: ObjectDependencies(o.name, o.kind, o.capacity, o.capacity_expr, o.written_by_packets)
        for o in description.objects
    }
    families = _Families()
    for name in objects:
        families.find(name)
    for path in description.paths:
        _collect_path(path, objects, families)
    for obj in objects.values():
        obj.family = families.find(obj.name)
    relations = list(description.relations) + derive_compare_relations(description)
    for path in description.paths:
        _mark_indexes_leaving(path, objects)
    for rel in relations:
        if rel.kind == desc_pb2.Relation.INDEX_RETURNS_IN_PACKET and rel.object in objects:
            objects[rel.object].index_leaves_nf = True
    _propagate_family_flag(objects)
    for obj in objects.values():
        if obj.written_by_packets:
            _object_constraints(obj, objects, relations)
    return objects


def path_families(path: desc_pb2.Path) -> tuple[str, ...]:
    """The families whose Toeplitz input a packet of `path` is hashed in.
    NOT_IP packets are not hashed (RETA entry 0): that is the hash of an
    all-zero input, which is an IPv4 packet too, so they count as IPv4 (as
    every packet did before IPv6). No families (older descriptions): IPv4."""
    names = {desc_pb2.Path.Family.Name(f) for f in path.families}
    out = tuple(f for f in fields.FAMILIES if f in names)
    if "NOT_IP" in names and fields.IPV4 not in out:
        out = (fields.IPV4, *out)
    return out or (fields.IPV4,)


def port_families(description: desc_pb2.NfDescription) -> dict[int, tuple[str, ...]]:
    """Per input port, the IP families its packets may have (what RSS must hash)."""
    seen: dict[int, set[str]] = {p: set() for p in range(description.port_count)}
    for path in description.paths:
        names = {desc_pb2.Path.Family.Name(f) for f in path.families} or {fields.IPV4}
        seen.setdefault(path.in_port, set()).update(n for n in names if n in fields.FAMILIES)
    return {p: tuple(f for f in fields.FAMILIES if f in s) or (fields.IPV4,) for p, s in seen.items()}


def _collect_path(path: desc_pb2.Path, objects: dict[str, ObjectDependencies], families: _Families) -> None:
    ops_by_id = {op.id: op for op in path.ops}
    packet_families = path_families(path)
    index_users: dict[str, list[str]] = {}
    for op in path.ops:
        if op.object not in objects:
            continue
        if op.kind == Op.EXPIRE:
            continue  # time-driven: each core expires its own entries
        kind = objects[op.object].kind
        if op.kind == Op.CREATE:
            entry = _resolve_index_symbol(f"{op.id}.index", path, ops_by_id, families, op.object)
        elif kind in (desc_pb2.StateObject.VECTOR, desc_pb2.StateObject.DCHAIN) and op.HasField("index"):
            entry = _resolve_index(op.index, path, ops_by_id, families, op.object)
            index_users.setdefault(op.index.SerializeToString(deterministic=True), []).append(op.object)
        elif op.HasField("key"):
            entry = Keyed(exprs.key_slots(op.key, path.in_port), op.object)
        else:
            entry = Opaque(f"{op.call or 'operation'} without key or index")
        if op.HasField("value") and op.value.WhichOneof("kind") == "symbol":
            producer = ops_by_id.get(op.value.symbol.split(".")[0])
            if producer is not None and producer.object in objects and producer.kind == Op.CREATE:
                families.union(op.object, producer.object)  # map values index the allocator's space
        objects[op.object].accesses.append(
            Access(
                op.object, path.in_port, path.id, op.id, op.kind, op.call, entry, op.location, packet_families
            )
        )
    for users in index_users.values():
        for other in users[1:]:
            families.union(users[0], other)


def _resolve_index(
    expr: desc_pb2.Expr,
    path: desc_pb2.Path,
    ops_by_id: dict[str, desc_pb2.StateOp],
    families: _Families,
    obj: str,
) -> Entry:
    kind = expr.WhichOneof("kind")
    if kind == "symbol":
        return _resolve_index_symbol(expr.symbol, path, ops_by_id, families, obj)
    if kind == "apply" and expr.apply.op == "zero_extend" and len(expr.apply.args) == 1:
        return _resolve_index(expr.apply.args[0], path, ops_by_id, families, obj)
    if kind == "constant":
        return Keyed((("index", exprs.ConstSlot(expr.constant)),), obj)
    if kind == "config":
        return Keyed((("index", exprs.ConfigSlot(expr.config)),), obj)
    packet = exprs.packet_fields_in(expr)
    if packet and not exprs.symbols_in(expr) and kind != "field_of":
        if packet == {"in_port"}:
            return Keyed((("index", exprs.ConstSlot(path.in_port)),), obj)
        return FromPacket(tuple(sorted(packet)), exprs.describe(expr))
    return Opaque(f"index {exprs.describe(expr)}")


def _resolve_index_symbol(
    symbol: str,
    path: desc_pb2.Path,
    ops_by_id: dict[str, desc_pb2.StateOp],
    families: _Families,
    obj: str,
) -> Entry:
    op_id, _, part = symbol.partition(".")
    producer = ops_by_id.get(op_id)
    if producer is None:
        return Opaque(f"index {symbol}")
    families.union(obj, producer.object)
    if producer.kind == Op.READ and part == "value" and producer.HasField("key"):
        # An index found under a key: the entry follows that key.
        return Keyed(exprs.key_slots(producer.key, path.in_port), producer.object)
    if producer.kind == Op.CREATE and part == "index":
        for put in path.ops:
            if put.HasField("key") and put.HasField("value") and put.value.symbol == symbol:
                families.union(obj, put.object)
                return Keyed(exprs.key_slots(put.key, path.in_port), put.object)
        return Fresh(producer.object)
    return Opaque(f"index {symbol} from {producer.call or producer.object}")


def _mark_indexes_leaving(path: desc_pb2.Path, objects: dict[str, ObjectDependencies]) -> None:
    """Indexes of an allocator that are written into the packet leave the NF."""
    ops_by_id = {op.id: op for op in path.ops}
    for rewrite in path.outcome.rewrites:
        for symbol in exprs.symbols_in(rewrite.value):
            producer = ops_by_id.get(symbol.split(".")[0])
            if producer is not None and producer.object in objects:
                objects[producer.object].index_leaves_nf = True


def _propagate_family_flag(objects: dict[str, ObjectDependencies]) -> None:
    leaving = {o.family for o in objects.values() if o.index_leaves_nf}
    for o in objects.values():
        o.index_leaves_nf = o.family in leaving and o.kind in (
            desc_pb2.StateObject.DCHAIN,
            desc_pb2.StateObject.VECTOR,
        )


def derive_compare_relations(description: desc_pb2.NfDescription) -> list[desc_pb2.Relation]:
    """STORED_VALUE_COMPARED relations visible in the paths.

    A reader path that borrows a cell of vector V and requires
    `cell.f == packet field x`, and a writer path that stores packet field y as
    V's cell field f, give the pair (writer y, reader x).
    """
    stored: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for path in description.paths:
        for op in path.ops:
            if op.kind == Op.WRITE and op.value.WhichOneof("kind") == "struct_value":
                for named in op.value.struct_value.fields:
                    if named.value.WhichOneof("kind") == "packet_field":
                        stored.setdefault((op.object, named.name), set()).add(
                            (path.in_port, named.value.packet_field)
                        )
    out = []
    for path in description.paths:
        ops_by_id = {op.id: op for op in path.ops}
        compared: dict[str, list[tuple[str, str]]] = {}  # object -> (cell field, reader field)
        for cond in _conjuncts(path.conditions):
            pair = _field_compare(cond)
            if pair is None:
                continue
            symbol, cell_field, reader_field = pair
            producer = ops_by_id.get(symbol.split(".")[0])
            if producer is not None and producer.kind == Op.READ:
                compared.setdefault(producer.object, []).append((cell_field, reader_field))
        for obj, pairs in compared.items():
            writers: dict[int, list[desc_pb2.FieldPair]] = {}
            for cell_field, reader_field in pairs:
                for writer_port, writer_field in sorted(stored.get((obj, cell_field), ())):
                    writers.setdefault(writer_port, []).append(
                        desc_pb2.FieldPair(
                            writer_field=writer_field, reader_field=reader_field, via=cell_field
                        )
                    )
            for writer_port, fps in writers.items():
                rel = desc_pb2.Relation(
                    kind=desc_pb2.Relation.STORED_VALUE_COMPARED,
                    object=obj,
                    writer_port=writer_port,
                    reader_port=path.in_port,
                    explanation=f"derived from path {path.id} conditions",
                )
                rel.pairs.extend(fps)
                out.append(rel)
    return out


def _conjuncts(conditions) -> list[desc_pb2.Expr]:
    out = []
    stack = list(conditions)
    while stack:
        c = stack.pop()
        if c.WhichOneof("kind") == "apply" and c.apply.op == "and":
            stack.extend(c.apply.args)
        else:
            out.append(c)
    return out


def _field_compare(cond: desc_pb2.Expr) -> tuple[str, str, str] | None:
    """(cell symbol, cell field, packet field) of `cell.f == packet field`."""
    if cond.WhichOneof("kind") != "apply" or cond.apply.op != "=" or len(cond.apply.args) != 2:
        return None
    a, b = cond.apply.args
    for x, y in ((a, b), (b, a)):
        x, y = _strip_extend(x), _strip_extend(y)
        if (
            x.WhichOneof("kind") == "field_of"
            and x.field_of.base.WhichOneof("kind") == "symbol"
            and y.WhichOneof("kind") == "packet_field"
        ):
            return x.field_of.base.symbol, x.field_of.field, y.packet_field
    return None


def _strip_extend(e: desc_pb2.Expr) -> desc_pb2.Expr:
    while e.WhichOneof("kind") == "apply" and e.apply.op == "zero_extend" and len(e.apply.args) == 1:
        e = e.apply.args[0]
    return e


def _object_constraints(
    obj: ObjectDependencies,
    objects: dict[str, ObjectDependencies],
    relations: list[desc_pb2.Relation],
) -> None:
    family = [o.name for o in objects.values() if o.family == obj.family]
    guards = [
        r for r in relations if r.object in family and r.kind == desc_pb2.Relation.STORED_VALUE_COMPARED
    ]
    guarded_ports = {r.reader_port for r in guards}
    found: dict[tuple, Constraint] = {}

    def add(c: Constraint) -> None:
        c = c.normalized()
        found.setdefault(c.signature(), c)

    # Pairs with the same ports, entries and families give the same constraint
    # (the first one's origin is kept either way): solve each kind once. The
    # pair count is quadratic in the accesses, and dual-stack NFs have many.
    seen: set[tuple] = set()
    for a, b in itertools.combinations_with_replacement(obj.accesses, 2):
        if not (a.writes or b.writes):
            continue
        kind = (a.port, b.port, a.entry, b.entry, a.families, b.families)
        if kind in seen:
            continue
        outcome = _pair_constraint(a, b, guarded_ports)
        if outcome is None:
            seen.add(kind)
            continue
        if isinstance(outcome, str):
            obj.blockers.append(outcome)  # names the ops: not cached
            continue
        seen.add(kind)
        for fa, fb in itertools.product(a.families, b.families):
            add(dataclasses.replace(outcome, family_a=fa, family_b=fb))
    members = [o for o in objects.values() if o.name in family]
    for rel in relations:
        if rel.object not in family or rel.kind == desc_pb2.Relation.INDEX_RETURNS_IN_PACKET:
            continue
        if rel.object != obj.name and rel.kind == desc_pb2.Relation.SAME_KEY:
            continue
        c = _relation_constraint(rel)
        writer = _side_families(members, rel.writer_port, writes=True)
        reader = _side_families(members, rel.reader_port, writes=False)
        for fa, fb in itertools.product(writer, reader):
            add(dataclasses.replace(c, family_a=fa, family_b=fb))
    obj.constraints = sorted(found.values(), key=lambda c: c.signature())
    for c in obj.constraints:
        if not c.equalities:
            obj.blockers.append(_no_hashable_relation(obj.name, c))
    obj.blockers = list(dict.fromkeys(obj.blockers))


def _side_families(members: list[ObjectDependencies], port: int, writes: bool) -> tuple[str, ...]:
    """Families of the packets on `port` that access (write, when `writes`) an
    object of the index family: one side of a relation between packets."""
    seen = {
        f
        for o in members
        for a in o.accesses
        if a.port == port and (a.writes or not writes)
        for f in a.families
    }
    return tuple(f for f in fields.FAMILIES if f in seen) or (fields.IPV4,)


def _no_hashable_relation(name: str, c: Constraint) -> str:
    if c.unhashable:
        fields_text = "; ".join(c.unhashable)
        return (
            f"object '{name}': packets on port {c.port_a} and port {c.port_b} touch the same entry when "
            f"{fields_text}; NIC RSS hashes only {', '.join(fields.WIDTHS)}, so no RSS key can keep "
            f"them on one core ({c.origin})"
        )
    return (
        f"object '{name}': packets on port {c.port_a} and port {c.port_b} may touch the same entry "
        f"whatever their hashable fields ({c.origin}), so RSS cannot partition it"
    )


def _pair_constraint(a: Access, b: Access, guarded_ports: set[int]) -> Constraint | str | None:
    """The constraint for accesses a and b, None when they can never meet or a
    relation covers them, or a blocker message."""
    origin = f"object '{a.object}': {a.where()} / {b.where()}"
    ea, eb = a.entry, b.entry
    if isinstance(ea, FromPacket) or isinstance(eb, FromPacket):
        reader = a if isinstance(ea, FromPacket) else b
        if reader.port in guarded_ports:
            return None  # the STORED_VALUE_COMPARED relation gives the constraint
        idx = reader.entry
        assert isinstance(idx, FromPacket)
        return (
            f"object '{a.object}': {reader.where()} reaches an entry by an index read from the packet "
            f"({idx.expr}) with no stored value compared against the packet, so any packet may touch any "
            f"entry ({origin})"
        )
    if isinstance(ea, Fresh) and isinstance(eb, Fresh):
        return None
    if (
        isinstance(ea, Fresh | Keyed)
        and isinstance(eb, Fresh | Keyed)
        and (isinstance(ea, Fresh) or isinstance(eb, Fresh))
    ):
        return None  # a fresh index is not found under any key
    if isinstance(ea, Opaque) or isinstance(eb, Opaque):
        what = ea.what if isinstance(ea, Opaque) else eb.what  # type: ignore[union-attr]
        return Constraint(a.port, b.port, (), f"{origin}: entry chosen by {what}")
    assert isinstance(ea, Keyed) and isinstance(eb, Keyed)
    return _keyed_constraint(a, ea, b, eb, origin)


def _keyed_constraint(a: Access, ea: Keyed, b: Access, eb: Keyed, origin: str) -> Constraint | None:
    slots_b = dict(eb.slots)
    eqs: list[FieldEq] = []
    unhashable: list[str] = []
    for name, sa in ea.slots:
        sb = slots_b.get(name)
        if sb is None:
            continue
        if isinstance(sa, exprs.ConstSlot) and isinstance(sb, exprs.ConstSlot) and sa.value != sb.value:
            return None  # never the same entry
        if isinstance(sa, exprs.FieldSlot) and isinstance(sb, exprs.FieldSlot):
            if sa.hi - sa.lo != sb.hi - sb.lo:
                continue
            if fields.is_hashable(sa.field) and fields.is_hashable(sb.field):
                eqs.append(
                    FieldEq(
                        fields.FieldBits(sa.field, sa.hi, sa.lo), fields.FieldBits(sb.field, sb.hi, sb.lo)
                    )
                )
            else:
                unhashable.append(f"{sa} (port {a.port}) = {sb} (port {b.port}) [key '{name}']")
    return Constraint(a.port, b.port, tuple(eqs), origin, tuple(unhashable))


def _relation_constraint(rel: desc_pb2.Relation) -> Constraint:
    eqs = []
    unhashable = []
    for pair in rel.pairs:
        if fields.is_hashable(pair.writer_field) and fields.is_hashable(pair.reader_field):
            eqs.append(
                FieldEq(
                    fields.parse_field_bits(pair.writer_field), fields.parse_field_bits(pair.reader_field)
                )
            )
        else:
            unhashable.append(
                f"{pair.writer_field} (port {rel.writer_port}) = {pair.reader_field} (port {rel.reader_port})"
            )
    kind = desc_pb2.Relation.Kind.Name(rel.kind)
    why = f": {rel.explanation}" if rel.explanation else ""
    return Constraint(
        rel.writer_port,
        rel.reader_port,
        tuple(eqs),
        f"object '{rel.object}': {kind} relation{why}",
        tuple(unhashable),
    )

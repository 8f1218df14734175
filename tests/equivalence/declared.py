"""What the plan declares may differ between a parallel run and the sequential
NF, derived from the plan and the NF description (no NF names):

* index fields: an object whose plan decision has `index_ranges_disjoint` and
  whose description has an INDEX_RETURNS_IN_PACKET relation puts an allocated
  index into a packet field (writer port/field) that comes back in a later
  packet's field (reader port/field). Its values may differ; they must form a
  consistent bijection per flow, unique, within the owning worker's range.
* per-core capacities: under shared-nothing, a partitioned object whose
  constructor takes an instance layout (map, vector, dchain) holds a 1/workers
  share of the capacity the NF asks for at run time (capacity_per_worker(); the
  runtime's NF_LAYOUT_SHARE, nflib/instance.h), so traffic that fills one
  worker's share behaves as a sequential NF of that capacity over the worker's
  own packets (worker_args()).

The NF's configured capacity comes from its options: an object whose capacity
is `cfg->FIELD` in the description takes the value of option `--FIELD` (with
`-` for `_`, the NFs' convention, e.g. --max-flows for cfg->max_flows) when the
arguments give it, else the description's default.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from google.protobuf import text_format

from proto import nf_description_pb2, plan_pb2

# Byte offsets of header fields in an Ethernet + IPv4 (IHL 5) frame, and the
# checksums that cover them.
IPV4 = 14
FIELDS = {
    "ipv4.src": (IPV4 + 12, 4),
    "ipv4.dst": (IPV4 + 16, 4),
    "l4.src_port": (IPV4 + 20, 2),
    "l4.dst_port": (IPV4 + 22, 2),
}


@dataclasses.dataclass(frozen=True)
class IndexField:
    object: str
    writer_port: int
    writer_field: str
    reader_port: int
    reader_field: str
    base: int | None  # constant added to the index in the rewrite (config default)


# Object kinds whose nflib constructor takes its share from the instance layout
# (nflib map.c, vector.c, dchain.c use nf_instance_resolve's capacity; sketch,
# cht and lpm keep the size they are asked for).
SHARED_KINDS = (
    nf_description_pb2.StateObject.MAP,
    nf_description_pb2.StateObject.VECTOR,
    nf_description_pb2.StateObject.DCHAIN,
)
_CAPACITY_EXPR = re.compile(r"cfg->([a-z_][a-z0-9_]*)")


def _option_value(nf_args: Sequence[str], option: str) -> str | None:
    """The last value of `--option V` or `--option=V` in nf_args."""
    value = None
    for i, arg in enumerate(nf_args):
        if arg == option and i + 1 < len(nf_args):
            value = nf_args[i + 1]
        elif arg.startswith(option + "="):
            value = arg[len(option) + 1 :]
    return value


def share(requested: int, workers: int) -> int:
    """nflib's NF_LAYOUT_SHARE (instance.c): requested / workers, rounded down to
    a power of two when requested is one."""
    value = requested // workers
    if requested & (requested - 1) == 0 and value > 0:
        value = 1 << (value.bit_length() - 1)
    return value


@dataclasses.dataclass(frozen=True)
class Declared:
    plan: plan_pb2.Plan
    index_fields: list[IndexField]
    objects: dict[str, nf_description_pb2.StateObject] = dataclasses.field(default_factory=dict)

    @property
    def shared_nothing(self) -> bool:
        return self.plan.strategy == plan_pb2.SHARED_NOTHING

    @property
    def hybrid(self) -> bool:
        return self.plan.strategy == plan_pb2.HYBRID

    def strategies(self) -> list[str]:
        """Every strategy the plan admits (locks and TM always; shared_nothing or hybrid
        when planned)."""
        return (
            (["shared_nothing"] if self.shared_nothing else [])
            + ["locks", "tm"]
            + (["hybrid"] if self.hybrid else [])
        )

    def capacity_option(self, object_name: str) -> str | None:
        """The NF option that sets the object's capacity (None: a constant)."""
        obj = self._object(object_name)
        if not obj.capacity_expr:
            return None
        match = _CAPACITY_EXPR.fullmatch(obj.capacity_expr.replace(" ", ""))
        if match is None:
            raise ValueError(
                f"object {object_name}: capacity expression {obj.capacity_expr!r} is not cfg->FIELD; "
                f"the comparison cannot tell which option sets it"
            )
        return "--" + match.group(1).replace("_", "-")

    def capacity(self, object_name: str, nf_args: Sequence[str] = ()) -> int:
        """Entries the NF asks for with these options (the sequential NF's capacity)."""
        obj = self._object(object_name)
        option = self.capacity_option(object_name)
        value = _option_value(nf_args, option) if option else None
        if value is None:
            if obj.capacity == 0:
                raise ValueError(f"object {object_name}: no default capacity in the description")
            return obj.capacity
        try:
            return int(value)
        except ValueError as e:
            raise ValueError(f"object {object_name}: {option} {value!r} is not an integer") from e

    def capacity_per_worker(self, object_name: str, workers: int, nf_args: Sequence[str] = ()) -> int:
        """Entries of a partitioned object per shared-nothing worker: the runtime's
        share of the configured capacity (objects of other kinds keep it whole)."""
        requested = self.capacity(object_name, nf_args)
        if self._object(object_name).kind not in SHARED_KINDS:
            return requested
        return share(requested, workers)

    def worker_args(self, nf_args: Sequence[str], workers: int) -> list[str]:
        """NF options under which the sequential NF has the capacities of one
        shared-nothing worker: every option that sizes a shared partitioned
        object set to its share. An option that also sizes an object kept whole
        (replicated, or a kind that ignores layouts) cannot be scaled: error."""
        scaled: dict[str, int] = {}
        whole: dict[str, str] = {}
        partitioned = {o.object for o in self.partitioned_objects()}
        for name, obj in self.objects.items():
            option = self.capacity_option(name)
            if option is None:
                continue
            if name in partitioned and obj.kind in SHARED_KINDS:
                scaled[option] = self.capacity_per_worker(name, workers, nf_args)
            else:
                whole.setdefault(option, name)
        for option in scaled.keys() & whole.keys():
            raise ValueError(
                f"option {option} sizes partitioned objects and {whole[option]}, which every worker "
                f"keeps whole: no sequential configuration has one worker's capacities"
            )
        out = [a for a in _strip_options(nf_args, scaled)]
        for option, value in sorted(scaled.items()):
            if value == 0:
                raise ValueError(f"{option}: a share of 0 entries with {workers} workers")
            out += [option, str(value)]
        return out

    def _object(self, object_name: str) -> nf_description_pb2.StateObject:
        obj = self.objects.get(object_name)
        if obj is None:
            raise ValueError(f"object {object_name} is not in the NF description ({sorted(self.objects)})")
        return obj

    def partitioned_objects(self) -> list[plan_pb2.ObjectDecision]:
        return [o for o in self.plan.objects if o.placement == plan_pb2.ObjectDecision.PARTITIONED]


def _strip_options(nf_args: Sequence[str], options) -> list[str]:
    out, skip = [], False
    for i, arg in enumerate(nf_args):
        if skip:
            skip = False
            continue
        if arg in options and i + 1 < len(nf_args):
            skip = True
            continue
        if any(arg.startswith(o + "=") for o in options):
            continue
        out.append(arg)
    return out


def _parse(path: str, message):
    with open(path) as f:
        text_format.Parse(f.read(), message)
    return message


def _index_base(description: nf_description_pb2.NfDescription, field: str) -> int | None:
    """The constant term of `bvadd(constant, <index>)` in the rewrite of `field`."""
    for path in description.paths:
        for rewrite in path.outcome.rewrites:
            value = rewrite.value
            if rewrite.field != field or not value.HasField("apply") or value.apply.op != "bvadd":
                continue
            constants = [a.constant for a in value.apply.args if a.WhichOneof("kind") == "constant"]
            if len(constants) == 1:
                return constants[0]
    return None


def load(plan_path: str, description_path: str) -> Declared:
    plan = _parse(plan_path, plan_pb2.Plan())
    description = _parse(description_path, nf_description_pb2.NfDescription())
    disjoint = {o.object: o for o in plan.objects if o.index_ranges_disjoint}
    fields: dict[tuple, IndexField] = {}
    for relation in description.relations:
        if relation.kind != nf_description_pb2.Relation.INDEX_RETURNS_IN_PACKET:
            continue
        if relation.object not in disjoint:
            continue
        for pair in relation.pairs:
            if pair.writer_field not in FIELDS or pair.reader_field not in FIELDS:
                raise ValueError(
                    f"{plan_path}: object {relation.object}: index field {pair.writer_field} -> "
                    f"{pair.reader_field} is not a header field the comparison knows ({sorted(FIELDS)})"
                )
            key = (relation.writer_port, pair.writer_field, relation.reader_port, pair.reader_field)
            fields.setdefault(
                key,
                IndexField(
                    relation.object,
                    relation.writer_port,
                    pair.writer_field,
                    relation.reader_port,
                    pair.reader_field,
                    _index_base(description, pair.writer_field),
                ),
            )
    return Declared(plan, list(fields.values()), {o.name: o for o in description.objects})

"""What the plan declares may differ between a parallel run and the sequential
NF, derived from the plan and the NF description (no NF names):

* index fields: an object whose plan decision has `index_ranges_disjoint` and
  whose description has an INDEX_RETURNS_IN_PACKET relation puts an allocated
  index into a packet field (writer port/field) that comes back in a later
  packet's field (reader port/field). Its values may differ; they must form a
  consistent bijection per flow, unique, within the owning worker's range.
* per-core capacities: a partitioned object holds `capacity_per_core` entries
  per planned core, i.e. capacity_per_worker() entries with a given worker count.
"""

from __future__ import annotations

import dataclasses

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
    capacity_total: int


@dataclasses.dataclass(frozen=True)
class Declared:
    plan: plan_pb2.Plan
    index_fields: list[IndexField]

    @property
    def shared_nothing(self) -> bool:
        return self.plan.strategy == plan_pb2.SHARED_NOTHING

    def strategies(self) -> list[str]:
        """Every strategy the plan admits (locks and TM always; sn when planned)."""
        return (["sn"] if self.shared_nothing else []) + ["locks", "tm"]

    def capacity_per_worker(self, object_name: str, workers: int) -> int:
        """As dpdk_rules/runtime/parallel/config_util.c: the plan's total split over
        the workers, rounded down to a power of two when the plan's share is one."""
        decision = next(o for o in self.plan.objects if o.object == object_name)
        per_core = decision.capacity_per_core
        if self.plan.cores in (0, workers):
            return per_core
        per_worker = per_core * self.plan.cores // workers
        if per_core & (per_core - 1) == 0:
            per_worker = 1 << (per_worker.bit_length() - 1)
        return per_worker

    def partitioned_objects(self) -> list[plan_pb2.ObjectDecision]:
        return [o for o in self.plan.objects if o.placement == plan_pb2.ObjectDecision.PARTITIONED]


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
            decision = disjoint[relation.object]
            total = decision.capacity_per_core * max(plan.cores, 1)
            fields.setdefault(
                key,
                IndexField(
                    relation.object,
                    relation.writer_port,
                    pair.writer_field,
                    relation.reader_port,
                    pair.reader_field,
                    _index_base(description, pair.writer_field),
                    total,
                ),
            )
    return Declared(plan, list(fields.values()))

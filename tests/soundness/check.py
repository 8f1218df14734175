"""The soundness checker (docs/SOUNDNESS.md): from a sequential run's record
of every nflib access, derives which packets must meet on one worker, and
checks with the plan's RSS configuration (key, rss_hf) and the runtime's RETA
rule (parallelizer/sharding/reta.py; tests/parallel/softrss.py) that
they do at every worker count from 1 to 64.

What must meet (a pair (a, b): packet b must run on packet a's worker):

* keyed objects (map): an entry's lifetime runs from the put that created it
  to the erase or expiry that removed it; every hit, put-exists or erase in
  it pairs with the creating packet. A miss finds nothing and constrains
  nothing. An expiry constrains nothing: it is time-driven, and each worker
  expires its own entries before it looks at them (docs/EQUIVALENCE.md,
  "Hybrid"). An entry created at init exists on every worker; a packet that
  erases it pairs with every later access to that key.
* keyed objects without deletion (sketch): the key's lifetime starts at its
  first increment and never ends; every later estimate or increment of that
  key pairs with it (an estimate before any increment reads no count of the
  key on any worker).
* dchain: an index's lifetime runs from its allocation to its free or
  expiry; refreshes, allocated-checks that hit and the free pair with the
  allocating packet.
* vector: a read pairs with the last packet that wrote the cell (what the
  read sees); a cell written only at init is on every worker.
* objects whose index ranges are disjoint per worker (index_ranges_disjoint:
  their indexes leave the NF, e.g. NAT ports): identity is the allocation
  lifetime, not the index value. An access by an index the packet obtained
  from the state (a map hit's value, an allocation) is checked as above. An
  access by an index the packet carries itself names a lifetime only when the
  packet answers an output of a packet that touched that same lifetime (the
  index left the NF in that output); otherwise the value is a coincidence of
  the sequential numbering: in a parallel build it lands in the receiving
  worker's own range or in no allocated range at all, so it cannot reach
  another worker's entry. Those accesses are counted ("unbound"), not paired.

Objects the plan PARTITIONS are checked (SHARED_NOTHING and HYBRID plans);
REPLICATED objects must not be written by any packet. LOCKS/TM plans have no
per-worker state: the check is trivially satisfied."""

from __future__ import annotations

import dataclasses
import ipaddress
import random
import struct
from collections.abc import Sequence

from proto import plan_pb2
from testing import softrss
from testing.inmem import Packet
from tests.soundness.trace import Access, Trace

MAX_WORKERS = 64
INIT = -1

WRITE_OPS = {
    "put_new",
    "erase",
    "expire",
    "alloc",
    "refresh",
    "free",
    "write",
    "increment",
    "sketch_expire",
    "lpm_add",
}


@dataclasses.dataclass(frozen=True)
class Run:
    name: str  # e.g. "uniform"
    packets: list[Packet]  # the input (replies already answering this run's outputs)
    answers: dict[int, int]  # reply index -> client packet index it answers
    trace: Trace


@dataclasses.dataclass(frozen=True)
class Pair:
    obj: str
    entry: str  # key / index and lifetime, for reports
    first: int  # packet that fixed the entry's worker (creator, last writer)
    second: int  # packet that must be on its worker
    rule: str


@dataclasses.dataclass
class Failure:
    run: str
    pair: Pair
    workers: int  # smallest failing worker count
    worker_first: int
    worker_second: int
    failing_counts: int  # how many of 1..64 fail
    first_desc: str
    second_desc: str

    def __str__(self) -> str:
        p = self.pair
        return (
            f"{self.run}: object {p.obj} entry {p.entry} ({p.rule}): packet {self.first_desc} reaches "
            f"worker {self.worker_first} but packet {self.second_desc} reaches worker "
            f"{self.worker_second} at {self.workers} workers ({self.failing_counts} of 1..{MAX_WORKERS} "
            f"worker counts split them)"
        )


@dataclasses.dataclass
class Report:
    strategy: str
    packets: int = 0
    accesses: int = 0
    entries: int = 0  # lifetimes / keys / cells of partitioned objects with an access
    pairs: int = 0
    unbound: int = 0  # disjoint-index accesses by a value not handed to the packet
    checked_objects: list[str] = dataclasses.field(default_factory=list)
    failures: list[Failure] = dataclasses.field(default_factory=list)
    failing_pairs: int = 0  # all pairs split at some worker count (failures lists the first per entry)
    errors: list[str] = dataclasses.field(default_factory=list)  # replicated writes, unknown objects

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors

    def failed_objects(self) -> set[str]:
        return {f.pair.obj for f in self.failures}


def flow_text(frame: bytes) -> str:
    if len(frame) >= 38 and frame[12:14] == b"\x08\x00" and frame[14] >> 4 == 4:
        proto = frame[23]
        src, dst = struct.unpack_from("!4s4s", frame, 26)
        ihl = (frame[14] & 15) * 4
        a, b = ".".join(map(str, src)), ".".join(map(str, dst))
        if proto in (6, 17) and len(frame) >= 14 + ihl + 4:
            sport, dport = struct.unpack_from("!HH", frame, 14 + ihl)
            return f"{'tcp' if proto == 6 else 'udp'} {a}:{sport} -> {b}:{dport}"
        return f"ipv4 proto {proto} {a} -> {b}"
    if len(frame) >= 54 and frame[12:14] == b"\x86\xdd" and frame[14] >> 4 == 6:
        nxt = frame[20]
        a, b = (str(ipaddress.IPv6Address(frame[i : i + 16])) for i in (22, 38))
        if nxt in (6, 17) and len(frame) >= 58:
            sport, dport = struct.unpack_from("!HH", frame, 54)
            return f"{'tcp' if nxt == 6 else 'udp'} [{a}]:{sport} -> [{b}]:{dport}"
        return f"ipv6 next header {nxt} {a} -> {b}"
    return f"non-IP frame of {len(frame)} bytes"


class _Lifetimes:
    """Constraint derivation for one run (see the module docstring)."""

    def __init__(self, placements: dict[str, int], disjoint: set[str], answers: dict[int, int]):
        self.placements = placements
        self.disjoint = disjoint
        self.answers = answers
        self.pairs: list[Pair] = []
        self.entries: set[tuple] = set()
        self.unbound = 0
        self.map_live: dict[tuple[str, bytes], tuple[int, int]] = {}  # -> (creator, lifetime)
        self.map_init_erased: dict[tuple[str, bytes], int] = {}
        self.sketch_owner: dict[tuple[str, bytes], int] = {}
        self.chain_live: dict[tuple[str, int], tuple[int, int]] = {}
        self.cell_writer: dict[tuple[str, int], int] = {}
        self.generation: dict[int, int] = {}  # index value -> allocations in disjoint chains
        self.touched: dict[int, set[tuple[int, int]]] = {}  # packet -> (index, generation)
        self.derived: dict[int, set[int]] = {}  # packet -> index values nflib gave it
        self.lifetime_counter = 0

    def _pair(self, obj: str, entry: str, first: int, second: int, rule: str) -> None:
        if first == INIT or first == second:
            return
        self.pairs.append(Pair(obj, entry, first, second, rule))

    def _bound(self, a: Access) -> bool:
        """Whether an index access names the entry's current lifetime."""
        if a.obj not in self.disjoint:
            return True
        if a.index in self.derived.get(a.packet, ()):
            return True
        client = self.answers.get(a.packet)
        current = (a.index, self.generation.get(a.index, 0))
        if client is not None and current in self.touched.get(client, ()):
            return True
        self.unbound += 1
        return False

    def feed(self, a: Access) -> None:
        p = a.packet
        if a.op == "get_hit" or (a.op == "alloc" and a.index is not None):
            self.derived.setdefault(p, set()).add(a.value if a.op == "get_hit" else a.index)
        if a.kind == "dchain" and a.obj in self.disjoint and a.op == "alloc":
            self.generation[a.index] = self.generation.get(a.index, 0) + 1
        partitioned = self.placements.get(a.obj) == plan_pb2.ObjectDecision.PARTITIONED
        if a.kind in ("dchain", "vector") and a.obj in self.disjoint and a.index is not None:
            if not a.op.startswith("expire") and p != INIT:
                # Binding is decided before this packet's own touch counts.
                bound = a.op in ("alloc", "write") or self._bound(a)
                if bound:
                    self.touched.setdefault(p, set()).add((a.index, self.generation.get(a.index, 0)))
            else:
                bound = True
        else:
            bound = True
        if not partitioned:
            return
        handler = getattr(self, "_" + a.kind, None)
        if handler is None:
            raise ValueError(f"object {a.obj}: no soundness rule for {a.kind} objects")
        handler(a, bound)

    def _map(self, a: Access, bound: bool) -> None:
        k = (a.obj, a.key)
        entry = f"key {a.key.hex()}"
        if k in self.map_init_erased and a.packet != INIT:
            self._pair(
                a.obj, entry + " (created at init, erased)", self.map_init_erased[k], a.packet, "init entry"
            )
        if a.op == "put_new":
            self.lifetime_counter += 1
            self.map_live[k] = (a.packet, self.lifetime_counter)
            self.entries.add(("map", k, self.lifetime_counter))
            return
        if a.op in ("get_hit", "put_exists", "erase", "expire"):
            live = self.map_live.get(k)
            if live is None:
                raise ValueError(f"trace inconsistent: {a.op} of {a.obj} {entry} that no put created")
            creator, lifetime = live
            self.entries.add(("map", k, lifetime))
            if a.op != "expire":
                self._pair(a.obj, f"{entry} (lifetime {lifetime})", creator, a.packet, f"map {a.op}")
            if a.op in ("erase", "expire"):
                del self.map_live[k]
                if creator == INIT and a.op == "erase" and a.packet != INIT:
                    self.map_init_erased[k] = a.packet

    def _sketch(self, a: Access, bound: bool) -> None:
        if a.key is None:
            return  # sketch_expire: whole structure, time-driven
        k = (a.obj, a.key)
        owner = self.sketch_owner.get(k)
        if owner is None:
            if a.op == "increment":
                self.sketch_owner[k] = a.packet
                self.entries.add(("sketch", k))
            return
        self._pair(a.obj, f"key {a.key.hex()}", owner, a.packet, f"sketch {a.op}")

    def _dchain(self, a: Access, bound: bool) -> None:
        if a.index is None:
            return  # alloc_full
        k = (a.obj, a.index)
        if a.op == "alloc":
            self.lifetime_counter += 1
            self.chain_live[k] = (a.packet, self.lifetime_counter)
            self.entries.add(("dchain", k, self.lifetime_counter))
            return
        if a.op in ("refresh", "check_hit", "free", "expire"):
            live = self.chain_live.get(k)
            if live is None:
                raise ValueError(f"trace inconsistent: {a.op} of {a.obj} index {a.index} never allocated")
            creator, lifetime = live
            if a.op in ("refresh", "check_hit", "free") and bound:
                self._pair(
                    a.obj, f"index {a.index} (lifetime {lifetime})", creator, a.packet, f"dchain {a.op}"
                )
            if a.op in ("free", "expire"):
                del self.chain_live[k]

    def _vector(self, a: Access, bound: bool) -> None:
        k = (a.obj, a.index)
        if a.op == "write":
            self.cell_writer[k] = a.packet
            self.entries.add(("vector", k, a.packet))
        elif a.op == "read" and bound:
            writer = self.cell_writer.get(k)
            if writer is not None:
                self._pair(
                    a.obj, f"cell {a.index} (written by packet {writer})", writer, a.packet, "vector read"
                )

    def _lpm(self, a: Access, bound: bool) -> None:
        if a.op in WRITE_OPS and a.packet != INIT:
            raise ValueError(
                f"object {a.obj}: packet-path writes of a partitioned {a.kind} cannot be checked"
            )

    _cht = _lpm


def _reta_indexes(plan: plan_pb2.Plan, packets: Sequence[Packet]) -> list[int]:
    """Each packet's RETA entry (softrss.entry_of); its queue at w workers is
    softrss.queue_of_entry(entry, reta_size, w)."""
    ports = {p.port: p for p in plan.ports}
    out = []
    for pkt in packets:
        cfg = ports.get(pkt.port)
        if cfg is None:
            raise ValueError(f"the plan has no RSS configuration for port {pkt.port}")
        out.append(softrss.entry_of(pkt.frame, bytes(cfg.key), cfg.rss_hf, plan.reta_size))
    # The rule itself, on a sample: queue_of_entry is queue_of's queue.
    for i in range(0, len(packets), max(len(packets) // 16, 1)):
        pkt, cfg = packets[i], ports[packets[i].port]
        for w in (1, 3, 7, 64):
            expected = softrss.queue_of_entry(out[i], plan.reta_size, w)
            assert softrss.queue_of(pkt.frame, bytes(cfg.key), cfg.rss_hf, plan.reta_size, w) == expected
    return out


# Byte ranges of the hashable fields per family: an Ethernet + 20-byte IPv4
# header frame, and an Ethernet + IPv6 fixed header frame whose next header
# is TCP/UDP (no extension headers). The plan lists them per family:
# hashed_fields (IPv4), hashed_fields_ipv6.
FIELD_BYTES = {"ipv4.src": (26, 30), "ipv4.dst": (30, 34), "l4.src_port": (34, 36), "l4.dst_port": (36, 38)}
FIELD_BYTES_IPV6 = {
    "ipv6.src": (22, 38),
    "ipv6.dst": (38, 54),
    "l4.src_port": (54, 56),
    "l4.dst_port": (56, 58),
}


def _plain_ipv4_l4(frame: bytes) -> bool:
    return (
        len(frame) >= 38
        and frame[12:14] == b"\x08\x00"
        and frame[14] == 0x45
        and frame[23] in (6, 17)
        and not (frame[20] & 0x3F or frame[21])
    )


def _plain_ipv6_l4(frame: bytes) -> bool:
    return len(frame) >= 58 and frame[12:14] == b"\x86\xdd" and frame[14] >> 4 == 6 and frame[20] in (6, 17)


FAMILIES = (
    ("hashed_fields", FIELD_BYTES, _plain_ipv4_l4),
    ("hashed_fields_ipv6", FIELD_BYTES_IPV6, _plain_ipv6_l4),
)


def check_hashed_fields(plan: plan_pb2.Plan, packets: Sequence[Packet], samples: int = 24) -> list[str]:
    """The plan's hashed_fields (per family) must be true of its key: a field a
    port does not list must not move that port's packets of that family
    between RETA entries (checked by changing the field in sample TCP/UDP
    packets of the port)."""
    rng = random.Random(1)
    errors = []
    for cfg in plan.ports:
        for list_name, field_bytes, plain in FAMILIES:
            listed = list(getattr(cfg, list_name))
            frames = [p.frame for p in packets if p.port == cfg.port and plain(p.frame)][:samples]
            for field, (lo, hi) in field_bytes.items():
                if field in listed:
                    continue
                for frame in frames:
                    before = softrss.entry_of(frame, bytes(cfg.key), cfg.rss_hf, plan.reta_size)
                    changed = frame[:lo] + rng.randbytes(hi - lo) + frame[hi:]
                    after = softrss.entry_of(changed, bytes(cfg.key), cfg.rss_hf, plan.reta_size)
                    if before != after:
                        errors.append(
                            f"port {cfg.port}: {list_name} {listed} leave out {field}, but the key hashes it "
                            f"({flow_text(frame)}: RETA entry {before}, with another {field} {after})"
                        )
                        break
    return errors


def _desc(run: Run, i: int) -> str:
    p = run.packets[i]
    return f"{i} (port {p.port}, {flow_text(p.frame)})"


def check(plan: plan_pb2.Plan, runs: Sequence[Run], max_failures: int = 20) -> Report:
    strategy = plan_pb2.Strategy.Name(plan.strategy)
    report = Report(strategy)
    placements = {o.object: o.placement for o in plan.objects}
    disjoint = {o.object for o in plan.objects if o.index_ranges_disjoint}
    partitions = plan.strategy in (plan_pb2.SHARED_NOTHING, plan_pb2.HYBRID)
    if partitions:
        checked = placements
    else:  # one shared state: nothing is per worker
        checked = {
            name: placement
            for name, placement in placements.items()
            if placement != plan_pb2.ObjectDecision.PARTITIONED
        }
    report.checked_objects = sorted(n for n, p in checked.items() if p == plan_pb2.ObjectDecision.PARTITIONED)
    failing_keys: set[tuple] = set()
    if runs:
        report.errors += check_hashed_fields(plan, [p for run in runs for p in run.packets])
    for run in runs:
        report.packets += len(run.packets)
        report.accesses += len(run.trace.accesses)
        for name in run.trace.objects:
            if name not in placements:
                report.errors.append(
                    f"{run.name}: object {name!r} is not in the plan (plan objects: {sorted(placements)})"
                )
        life = _Lifetimes(checked, disjoint, run.answers)
        for a in run.trace.accesses:
            if (
                a.packet != INIT
                and a.op in WRITE_OPS
                and placements.get(a.obj) == plan_pb2.ObjectDecision.REPLICATED
            ):
                report.errors.append(
                    f"{run.name}: REPLICATED object {a.obj} written on the packet path: {a.op} by packet "
                    f"{a.packet} ({flow_text(run.packets[a.packet].frame)})"
                )
                continue
            life.feed(a)
        report.entries += len(life.entries)
        report.unbound += life.unbound
        report.pairs += len(life.pairs)
        if not life.pairs:
            continue
        reta = _reta_indexes(plan, run.packets)
        for pair in life.pairs:
            ra, rb = reta[pair.first], reta[pair.second]
            if ra == rb:
                continue
            size = plan.reta_size
            bad = [
                w
                for w in range(1, MAX_WORKERS + 1)
                if softrss.queue_of_entry(ra, size, w) != softrss.queue_of_entry(rb, size, w)
            ]
            if not bad:
                continue
            report.failing_pairs += 1
            key = (pair.obj, run.name, pair.entry)
            if key in failing_keys or len(report.failures) >= max_failures:
                failing_keys.add(key)
                continue
            failing_keys.add(key)
            w = bad[0]

            report.failures.append(
                Failure(
                    run.name,
                    pair,
                    w,
                    softrss.queue_of_entry(ra, size, w),
                    softrss.queue_of_entry(rb, size, w),
                    len(bad),
                    _desc(run, pair.first),
                    _desc(run, pair.second),
                )
            )
    return report


def summary(nf: str, report: Report, runs: Sequence[Run]) -> str:
    lines = [
        f"{nf}: plan {report.strategy}; {len(runs)} traffic runs, {report.packets} packets, "
        f"{report.accesses} accesses, {report.entries} entries of partitioned objects, "
        f"{report.pairs} same-worker pairs checked at 1..{MAX_WORKERS} workers, "
        f"{report.unbound} disjoint-index accesses by a value not handed to the packet"
    ]
    if report.strategy in ("LOCKS", "TRANSACTIONAL_MEMORY"):
        lines.append(
            f"{nf}: {report.strategy} plan: one shared state, no per-worker entries: trivially satisfied"
        )
    elif not report.checked_objects:
        lines.append(f"{nf}: no PARTITIONED objects: trivially satisfied")
    else:
        lines.append(f"{nf}: partitioned objects checked: {', '.join(report.checked_objects)}")
    for e in report.errors:
        lines.append(f"ERROR {e}")
    for f in report.failures:
        lines.append(f"FAIL {f}")
    if report.failing_pairs > len(report.failures):
        lines.append(f"{nf}: {report.failing_pairs} pairs split in all (first per entry shown, at most 20)")
    lines.append(f"{nf}: {'PASS' if report.ok else 'FAIL'}")
    return "\n".join(lines)

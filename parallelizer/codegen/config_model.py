"""Turns a Plan into the values of the generated `nf_parallel_config` C struct.

Every check that the C runtimes would otherwise hit at start-up (bad key length,
unknown field, RETA size, a strategy the plan does not allow) is made here, at
build time, with an error that names the plan file, the field and the value.
"""

from __future__ import annotations

import dataclasses
import re

from parallelizer import limits
from parallelizer.codegen import limits_header
from parallelizer.schema import rss_hf, strategies
from proto import plan_pb2

# The runtimes' sizes and bits (parallel_limits.h is generated from the same owners).
MAX_KEY_LEN = limits.MAX_KEY_LEN
MAX_RSS_PORTS = limits.MAX_RSS_PORTS
MAX_OBJECTS = limits.MAX_OBJECTS
MAX_RETA = limits.MAX_RETA
ANY_PORT = limits.ANY_PORT

RSS_BITS = {rss_hf.c_name(name): bit for name, bit in rss_hf.BITS.items()}
KNOWN_RSS_HF = rss_hf.KNOWN
L4_RSS_HF = rss_hf.NONFRAG_IPV4_TCP | rss_hf.NONFRAG_IPV4_UDP

FIELDS = {name: limits_header.field_enum(name) for name in limits_header.HASHED_FIELDS}

STRATEGIES = {
    plan_pb2.SHARED_NOTHING: "NF_PAR_SHARED_NOTHING",
    plan_pb2.LOCKS: "NF_PAR_LOCKS",
    plan_pb2.TRANSACTIONAL_MEMORY: "NF_PAR_TRANSACTIONAL_MEMORY",
    plan_pb2.HYBRID: "NF_PAR_HYBRID",
}

PLACEMENTS = {
    plan_pb2.ObjectDecision.PARTITIONED: "NF_PAR_PARTITIONED",
    plan_pb2.ObjectDecision.REPLICATED: "NF_PAR_REPLICATED",
    plan_pb2.ObjectDecision.SHARED_LOCKED: "NF_PAR_SHARED",
}

# Default RSS of lock/TM plans that carry no per-port key: every IPv4 packet
# spread over the queues. 0x6d5a repeated is the standard symmetric key (a
# 16-bit period makes the hash of (a, b, p, q) equal that of (b, a, q, p)), so
# both directions of a flow share a queue even without a plan.
DEFAULT_KEY_PATTERN = bytes([0x6D, 0x5A])
DEFAULT_RSS_HF = rss_hf.IPV4 | L4_RSS_HF

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PlanError(ValueError):
    """A plan the runtimes cannot run; the message names the field and value."""


@dataclasses.dataclass(frozen=True)
class RssPort:
    port: int
    key: bytes
    rss_hf: int
    hashed_fields: tuple[str, ...]

    @property
    def port_c(self) -> str:
        return "NF_PAR_ANY_PORT" if self.port == ANY_PORT else str(self.port)

    @property
    def field_enums(self) -> list[str]:
        return [FIELDS[f] for f in self.hashed_fields]

    @property
    def rss_hf_c(self) -> str:
        names = [name for name, bit in RSS_BITS.items() if self.rss_hf & bit]
        return " | ".join(names) if names else "0"


@dataclasses.dataclass(frozen=True)
class ObjectRule:
    name: str
    placement: str
    index_ranges_disjoint: bool
    headroom_percent: int = 0  # plan capacity_headroom x 100; 0: none


@dataclasses.dataclass(frozen=True)
class ParallelConfig:
    nf_name: str
    strategy: str
    strategy_reason: str
    shared_nothing_allowed: bool
    hybrid_allowed: bool
    reta_size: int
    planned_cores: int
    rss_ports: tuple[RssPort, ...]
    objects: tuple[ObjectRule, ...]
    # The plan's RETA for planned_cores workers (None: the plan has none and the
    # runtimes derive it with nf_par_default_reta).
    reta: tuple[int, ...] | None = None


def _key_of(where: str, port: plan_pb2.RssPortConfig) -> bytes:
    key = bytes(port.key)
    if port.key_hex:
        text = port.key_hex.replace(":", "").replace(" ", "")
        try:
            from_hex = bytes.fromhex(text)
        except ValueError as e:
            raise PlanError(f"{where}: key_hex '{port.key_hex}' is not hexadecimal: {e}") from e
        if key and key != from_hex:
            raise PlanError(f"{where}: key and key_hex disagree ({key.hex()} vs {from_hex.hex()})")
        key = from_hex
    return key


def _rss_port(where: str, port: plan_pb2.RssPortConfig, key_length: int) -> RssPort:
    if port.port >= MAX_RSS_PORTS:
        raise PlanError(f"{where}: port {port.port} is out of range (0..{MAX_RSS_PORTS - 1})")
    key = _key_of(where, port)
    if not key:
        raise PlanError(f"{where}: no key (set key or key_hex)")
    if len(key) != key_length:  # key_length is checked against the runtimes' range
        raise PlanError(f"{where}: key of {len(key)} bytes but the plan's key_length_bytes is {key_length}")
    if port.rss_hf & ~KNOWN_RSS_HF:
        raise PlanError(
            f"{where}: rss_hf 0x{port.rss_hf:x} has bits the runtimes do not handle "
            f"(0x{port.rss_hf & ~KNOWN_RSS_HF:x}); known: {', '.join(RSS_BITS)}"
        )
    if port.rss_hf == 0:
        raise PlanError(f"{where}: rss_hf is 0: the port would hash nothing")
    for field in port.hashed_fields:
        if field not in FIELDS:
            raise PlanError(
                f"{where}: hashed field '{field}' is not hashable; expected one of {sorted(FIELDS)}"
            )
        if field.startswith("l4.") and not port.rss_hf & L4_RSS_HF:
            raise PlanError(
                f"{where}: hashed field '{field}' needs NONFRAG_IPV4_TCP or _UDP in rss_hf 0x{port.rss_hf:x}"
            )
    if len(set(port.hashed_fields)) != len(port.hashed_fields):
        raise PlanError(f"{where}: hashed_fields {list(port.hashed_fields)} repeat a field")
    return RssPort(port.port, key, port.rss_hf, tuple(port.hashed_fields))


def _plan_reta(source: str, plan: plan_pb2.Plan) -> tuple[int, ...] | None:
    """The one RETA every port of the plan uses (the runtimes program one table
    on every port), checked: reta_size entries, each a queue below `cores`."""
    tables = {tuple(p.reta) for p in plan.ports if p.reta}
    if not tables:
        return None
    if len(tables) > 1 or any(not p.reta for p in plan.ports):
        raise PlanError(
            f"{source}: ports have different reta tables; the runtimes program one RETA on every "
            "port: give every port the same reta (or none)"
        )
    (table,) = tables
    if len(table) != plan.reta_size:
        raise PlanError(f"{source}: reta has {len(table)} entries but reta_size is {plan.reta_size}")
    if plan.cores == 0:
        raise PlanError(f"{source}: the plan has a reta but cores is 0; set cores to its worker count")
    bad = [(i, q) for i, q in enumerate(table) if q >= plan.cores]
    if bad:
        i, q = bad[0]
        raise PlanError(
            f"{source}: reta[{i}] is queue {q} but the plan has cores {plan.cores}; "
            "entries must be below cores"
        )
    return table


def _object_rule(where: str, decision: plan_pb2.ObjectDecision, strategy: int) -> ObjectRule:
    if not _IDENTIFIER.match(decision.object):
        raise PlanError(f"{where}: object '{decision.object}' is not a struct nf_state field name")
    if decision.placement not in PLACEMENTS:
        raise PlanError(f"{where}: object '{decision.object}' has no placement")
    partitioned = decision.placement == plan_pb2.ObjectDecision.PARTITIONED
    if strategy == plan_pb2.SHARED_NOTHING and decision.placement == plan_pb2.ObjectDecision.SHARED_LOCKED:
        raise PlanError(
            f"{where}: object '{decision.object}' is SHARED_LOCKED, impossible under shared-nothing"
        )
    return ObjectRule(
        decision.object,
        PLACEMENTS[decision.placement],
        partitioned and decision.index_ranges_disjoint,
        _headroom_percent(decision, where) if partitioned else 0,
    )


_MAX_HEADROOM_PERCENT = 0xFFFF  # nf_par_object.headroom_percent is a uint16_t


def _headroom_percent(decision: plan_pb2.ObjectDecision, where: str) -> int:
    """The plan's per-core headroom as the runtime's whole percent."""
    headroom = decision.capacity_headroom
    if headroom == 0:  # plans from before the field: no headroom
        return 0
    if not 1 <= headroom <= _MAX_HEADROOM_PERCENT / 100:  # NaN fails too
        raise PlanError(
            f"{where}: object '{decision.object}' has capacity_headroom {headroom}: expected 1 to "
            f"{_MAX_HEADROOM_PERCENT / 100:g} (regenerate the plan with --capacity_headroom)"
        )
    return round(headroom * 100)


def build(plan: plan_pb2.Plan, source: str, strategy_override: str = "") -> ParallelConfig:
    """The generated config of `plan` (read from `source`, for messages)."""
    if plan.strategy not in STRATEGIES:
        raise PlanError(f"{source}: strategy {plan.strategy} is not one of {list(strategies.NAMES)}")
    strategy = plan.strategy
    if strategy_override:
        try:
            strategy = strategies.value_of(strategy_override)
        except strategies.UnknownStrategy as e:
            raise PlanError(f"--strategy={strategy_override}: {e}; {e.todo}") from None
        if strategy == plan_pb2.SHARED_NOTHING and plan.strategy != plan_pb2.SHARED_NOTHING:
            raise PlanError(
                f"{source}: the plan for {plan.nf_name} does not allow shared-nothing "
                f"(strategy {plan_pb2.Strategy.Name(plan.strategy)}: {plan.strategy_reason}); "
                "build :parallel_locks or :parallel_tm instead"
            )
        if strategy == plan_pb2.HYBRID and plan.strategy != plan_pb2.HYBRID:
            raise PlanError(
                f"{source}: the plan for {plan.nf_name} does not allow hybrid "
                f"(strategy {plan_pb2.Strategy.Name(plan.strategy)}: {plan.strategy_reason}); "
                "hybrid needs a plan with partitioned objects (and their RSS keys) and shared ones"
            )
    reta = plan.reta_size
    if reta == 0 or reta > MAX_RETA or reta & (reta - 1):
        raise PlanError(f"{source}: reta_size {reta} is not a power of two in 1..{MAX_RETA}")
    if len(plan.ports) > MAX_RSS_PORTS:
        raise PlanError(f"{source}: {len(plan.ports)} ports; at most {MAX_RSS_PORTS}")
    # key_length_bytes owns the key length (proto/plan.proto): every port's
    # key has it, and a plan without per-port keys gets a default key of it.
    # No fallback here: the default length has one owner, the planner's.
    length = plan.key_length_bytes
    if not limits.MIN_KEY_LEN <= length <= MAX_KEY_LEN:
        raise PlanError(
            f"{source}: key_length_bytes {length} is outside {limits.MIN_KEY_LEN}..{MAX_KEY_LEN}; "
            f"set it to the NIC's key length ({' or '.join(map(str, limits.KEY_LENGTHS))})"
        )
    ports = [_rss_port(f"{source}: ports[{i}]", p, length) for i, p in enumerate(plan.ports)]
    seen = [p.port for p in ports]
    if len(set(seen)) != len(seen):
        raise PlanError(f"{source}: ports list a port twice: {seen}")
    if strategy in (plan_pb2.SHARED_NOTHING, plan_pb2.HYBRID) and not ports:
        name = "shared-nothing" if strategy == plan_pb2.SHARED_NOTHING else "hybrid"
        raise PlanError(f"{source}: a {name} plan needs an RSS key per port (ports is empty)")
    if not ports:
        key = (DEFAULT_KEY_PATTERN * length)[:length]
        ports = [RssPort(ANY_PORT, key, DEFAULT_RSS_HF, tuple(FIELDS))]
    if len(plan.objects) > MAX_OBJECTS:
        raise PlanError(f"{source}: {len(plan.objects)} objects; at most {MAX_OBJECTS}")
    objects = [_object_rule(f"{source}: objects[{i}]", o, strategy) for i, o in enumerate(plan.objects)]
    names = [o.name for o in objects]
    if len(set(names)) != len(names):
        raise PlanError(f"{source}: objects name an object twice: {names}")
    if strategy == plan_pb2.HYBRID:
        kinds = {o.placement for o in objects}
        if not {"NF_PAR_PARTITIONED", "NF_PAR_SHARED"} <= kinds:
            raise PlanError(
                f"{source}: a hybrid plan needs PARTITIONED and SHARED_LOCKED objects; "
                f"its placements are {sorted(kinds)}"
            )
    return ParallelConfig(
        nf_name=plan.nf_name,
        strategy=STRATEGIES[strategy],
        strategy_reason=plan.strategy_reason,
        shared_nothing_allowed=plan.strategy == plan_pb2.SHARED_NOTHING,
        hybrid_allowed=plan.strategy == plan_pb2.HYBRID,
        reta_size=reta,
        planned_cores=plan.cores,
        rss_ports=tuple(ports),
        objects=tuple(objects),
        reta=_plan_reta(source, plan),
    )

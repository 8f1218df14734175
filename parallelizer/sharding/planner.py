"""From an NfDescription to a Plan: strategy, per-object placement, RSS keys,
quality numbers and verification."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from parallelizer import limits
from parallelizer.schema import strategies
from parallelizer.sharding import (
    capacity,
    dependencies,
    fields,
    profile,
    quality,
    reta,
    rss_solver,
    validate,
    verify,
)
from proto import nf_description_pb2 as desc_pb2
from proto import plan_pb2

STRATEGIES = {"auto": plan_pb2.STRATEGY_UNSPECIFIED, **strategies.NAMES}
Placement = plan_pb2.ObjectDecision


class PlanError(Exception):
    """The requested plan cannot be made; the message says why."""


@dataclasses.dataclass(frozen=True)
class PlanOptions:
    strategy: str = "auto"
    key_length: int = limits.DEFAULT_KEY_LENGTH
    reta_size: int = limits.DEFAULT_RETA_SIZE
    cores: int = 16
    seed: int = 1
    random_pairs: int = 200  # per constraint
    # Per-core share of partitioned objects: headroom x capacity / cores.
    capacity_headroom: float = 1.0
    # When one key cannot partition the state of both address families (their
    # Toeplitz windows overlap), the family whose objects are kept partitioned
    # first (docs/SHARDING.md, "IPv6"): IPv4 carries most traffic on most
    # networks; an IPv6-mostly network says IPV6.
    lock_free_family: str = fields.IPV4
    # Pcaps per port whose load the RETA balances (profile.py); () -> the rule.
    traffic_profiles: tuple[profile.PortProfile, ...] = ()


@dataclasses.dataclass
class PlanResult:
    plan: plan_pb2.Plan
    timings: dict[str, float]
    z3: verify.CheckResult
    randomized: verify.CheckResult


def check_options(options: PlanOptions) -> None:
    if options.strategy not in STRATEGIES:
        try:
            strategies.value_of(options.strategy)
        except strategies.UnknownStrategy as e:
            auto = "" if options.strategy in strategies.RENAMED else ", or auto"
            raise PlanError(f"--strategy={options.strategy}: {e}; {e.todo}{auto}") from None
    if options.key_length not in limits.KEY_LENGTHS:
        raise PlanError(f"key length {options.key_length} is not one of {limits.KEY_LENGTHS} bytes")
    if options.reta_size not in limits.RETA_SIZES:
        raise PlanError(f"RETA size {options.reta_size} is not one of {limits.RETA_SIZES}")
    if options.lock_free_family not in fields.FAMILIES:
        raise PlanError(
            f"lock-free family {options.lock_free_family!r} is not one of {', '.join(fields.FAMILIES)}"
        )
    if not 1 <= options.cores <= options.reta_size:
        raise PlanError(f"cores {options.cores} must be between 1 and the RETA size {options.reta_size}")
    try:
        capacity.check_headroom(options.capacity_headroom)
    except ValueError as e:
        raise PlanError(str(e)) from None


@dataclasses.dataclass
class _Decision:
    placement: int
    reason: str


def make_plan(
    description: desc_pb2.NfDescription,
    options: PlanOptions,
    progress: Callable[[str], None] = lambda _: None,
) -> PlanResult:
    check_options(options)
    validate.check(description, description.nf_name or "<description>")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    objects = dependencies.analyze(description)
    timings["dependencies"] = time.perf_counter() - started
    ports = list(range(description.port_count))
    m = fields.reta_bits(options.reta_size)

    t = time.perf_counter()
    strategy, strategy_reason, decisions = _decide(objects, ports, options, m)
    strategy, strategy_reason = _hybrid_if_reruns_are_safe(description, strategy, strategy_reason, decisions)
    if options.strategy == "hybrid" and strategy != plan_pb2.HYBRID:
        raise PlanError(
            f"--strategy=hybrid is impossible for this NF: its plan is "
            f"{strategies.name_of(strategy)} ({strategy_reason})"
        )
    timings["strategy"] = time.perf_counter() - t

    constraints = _plan_constraints(objects, decisions)
    t = time.perf_counter()
    progress(f"solving RSS keys for {len(ports)} port(s), {len(constraints)} constraint(s)")
    try:
        solution = rss_solver.solve(
            constraints,
            ports,
            options.key_length,
            options.reta_size,
            options.seed,
            spread_queues=options.cores,
            families=dependencies.port_families(description),
        )
    except rss_solver.SolverError as e:
        raise PlanError(f"RSS key solving failed: {e}") from None
    timings["rss_solve"] = time.perf_counter() - t

    keys = {p: s.key for p, s in solution.ports.items()}
    t = time.perf_counter()
    progress(f"verifying with Z3 ({len(constraints)} constraint(s))")
    z3_result = verify.prove(constraints, keys, options.reta_size)
    timings["verify_z3"] = time.perf_counter() - t
    t = time.perf_counter()
    random_result = verify.random_check(
        constraints, keys, options.reta_size, options.random_pairs, options.seed
    )
    timings["verify_random"] = time.perf_counter() - t
    if not (z3_result.ok and random_result.ok):
        raise PlanError(
            "the solved keys failed verification (a solver bug):\n  "
            + "\n  ".join(z3_result.failures + random_result.failures)
        )

    table, profile_rows, profiled = _run_table(keys, options, progress)

    plan = plan_pb2.Plan(
        nf_name=description.nf_name,
        strategy=strategy,
        strategy_reason=strategy_reason,
        key_length_bytes=options.key_length,
        reta_size=options.reta_size,
        cores=options.cores,
        verified_z3=z3_result.ok,
        verified_random=random_result.ok,
        random_check_pairs=random_result.checked,
        z3_checked_constraints=z3_result.checked,
        solution_space_dimension=solution.dimension,
        seed=options.seed,
        reta_source="traffic profile" if options.traffic_profiles else "rule",
        capacity_headroom=options.capacity_headroom,
    )
    if profiled is not None:
        plan.profile_balance.extend(_profile_balance(profiled, options))
    splits = {
        port: capacity.measured_splits(
            port, s.key, list(s.hashed_fields), table, options.seed, profile_rows.get(port)
        )
        for port, s in solution.ports.items()
    }
    described = {o.name: o for o in description.objects}
    # An index space is sized as one: a family with indexes that leave the NF
    # keeps its even split whole (a bigger map before a full allocator admits nothing more).
    leaving = {o.family for o in objects.values() if o.index_leaves_nf}
    for name, obj in objects.items():
        d = decisions[name]
        decision = plan_pb2.ObjectDecision(
            object=name,
            placement=d.placement,
            key_fields=obj.key_fields(),
            reason=d.reason,
            capacity_per_core=_capacity_per_core(obj, d.placement, options.cores),
            index_ranges_disjoint=d.placement == Placement.PARTITIONED and obj.index_leaves_nf,
            capacity_total=obj.capacity,
            capacity_expr=obj.capacity_expr,
        )
        if d.placement == Placement.PARTITIONED:
            _honest_capacity(decision, obj, described[name], splits, options, obj.family in leaving)
        plan.objects.append(decision)
    for port, s in sorted(solution.ports.items()):
        plan.ports.append(
            plan_pb2.RssPortConfig(
                port=port,
                hashed_fields=s.hashed_fields,
                rss_hf=s.rss_hf,
                key=s.key,
                key_hex=s.key.hex(),
                reta=table,
                zeroed_fields=s.zeroed_fields,
                families=s.families,
                hashed_fields_ipv6=s.hashed_fields_ipv6,
                zeroed_fields_ipv6=s.zeroed_fields_ipv6,
            )
        )
        for g in s.groups:
            plan.quality.append(
                plan_pb2.KeyQuality(
                    port=port,
                    field_group=g.field_group,
                    rank=g.rank,
                    rank_needed=g.rank_needed,
                    uniform_max_over_mean=s.uniform_by_family.get(g.family, s.uniform_max_over_mean),
                    queues=solution.queues,
                    flows=solution.flows,
                    spread=[
                        _spread_pb(q)
                        for q in s.spread
                        if (q.low.field, q.low.family) == (g.field_group, g.family)
                    ],
                    family=g.family,
                )
            )
        zeroed = {(q.low.field, q.low.family) for q in s.spread} - {
            (g.field_group, g.family) for g in s.groups
        }
        for field, family in sorted(zeroed):
            # A field the solver had to zero: say what that costs address plans.
            plan.quality.append(
                plan_pb2.KeyQuality(
                    port=port,
                    field_group=field,
                    rank=quality.group_rank(s.key, options.reta_size, fields.field_in(family, field)),
                    rank_needed=m,
                    spread=[
                        _spread_pb(q) for q in s.spread if (q.low.field, q.low.family) == (field, family)
                    ],
                    family=family,
                )
            )
        plan.traffic_balance.extend(_traffic_balance(port, s, options))
    for c in constraints:
        pc = plan.constraints.add(
            port_a=c.port_a, port_b=c.port_b, origin=c.origin, family_a=c.family_a, family_b=c.family_b
        )
        for eq in c.equalities:
            pc.pairs.add(field_a=str(eq.a), field_b=str(eq.b))
    timings["total"] = time.perf_counter() - started
    return PlanResult(plan, timings, z3_result, random_result)


def _spread_pb(q: rss_solver.SpreadQuality) -> plan_pb2.SpreadRank:
    return plan_pb2.SpreadRank(
        bits=str(q.low),
        address_plan=q.low.label,
        rank=q.rank,
        rank_needed=q.rank_needed,
        rank_bound=q.rank_bound,
        queues=q.queues,
        limit=q.limit,
    )


def _traffic_balance(port: int, s: rss_solver.PortSolution, options: PlanOptions):
    """Max/mean of the port's key under the RETA rule on address-plan traffic
    for each hashed address field, at quality.REPORTED_QUEUES queues."""
    out = []
    # reta.table is pure Python: build each queue count's table once.
    tables = {
        q: np.array(reta.table(options.reta_size, q))
        for q in quality.REPORTED_QUEUES
        if q <= options.reta_size
    }
    for field in s.hashed_fields:
        if not field.startswith("ipv4."):
            continue
        for traffic in quality.address_plan_traffic(field, options.seed):
            for queues in quality.REPORTED_QUEUES:
                if queues > options.reta_size:
                    continue
                table = tables[queues]
                loads = quality.table_loads(s.key, traffic.flows, traffic.weights, table)
                loads = np.pad(loads, (0, queues - len(loads)))
                out.append(
                    plan_pb2.TrafficBalance(
                        port=port,
                        traffic=traffic.name,
                        queues=queues,
                        max_over_mean=round(quality.max_over_mean(loads), 4),
                        lower_bound=round(traffic.lower_bound(queues), 4),
                    )
                )
    for field in s.hashed_fields_ipv6:
        if not field.startswith("ipv6."):
            continue
        for traffic in quality.ipv6_address_plan_traffic(field, options.seed):
            for queues, table in tables.items():
                loads = np.pad(quality.bits_loads(s.key, traffic.bits, traffic.weights, table), (0, queues))
                out.append(
                    plan_pb2.TrafficBalance(
                        port=port,
                        traffic=traffic.name,
                        queues=queues,
                        max_over_mean=round(quality.max_over_mean(loads[:queues]), 4),
                        lower_bound=round(traffic.lower_bound(queues), 4),
                    )
                )
    return out


def _capacity_per_core(obj: dependencies.ObjectDependencies, placement: int, cores: int) -> int:
    """The runtime's share (capacity.share) of the described capacity,
    before headroom (_honest_capacity applies it)."""
    if placement == Placement.PARTITIONED:
        return capacity.share(obj.capacity, cores, capacity.PERCENT)
    return obj.capacity


def _run_table(keys: dict[int, bytes], options: PlanOptions, progress):
    """The plan's RETA (the rule, or LPT on the profiles' load), each
    profiled port's hash-input rows and the profile result (None: no profile)."""
    if not options.traffic_profiles:
        return reta.table(options.reta_size, options.cores), {}, None
    progress(f"balancing the RETA on {len(options.traffic_profiles)} traffic profile(s)")
    try:
        result = profile.profile_reta(list(options.traffic_profiles), keys, options.reta_size, options.cores)
    except profile.ProfileError as e:
        raise PlanError(str(e)) from None
    rows: dict[int, np.ndarray] = {}
    for p in options.traffic_profiles:
        rows[p.port] = np.concatenate([rows[p.port], p.rows]) if p.port in rows else p.rows
    return result.table, rows, result


def _profile_balance(result: profile.ProfileResult, options: PlanOptions) -> list[plan_pb2.ProfileBalance]:
    """Max/mean of packets per queue with the rule (before) and the
    profile's RETA (after), per profile file and for all ports together."""
    rule = reta.table(options.reta_size, options.cores)
    q = options.cores

    def row(loads: np.ndarray, **where) -> plan_pb2.ProfileBalance:
        return plan_pb2.ProfileBalance(
            queues=q,
            rule_max_over_mean=round(profile.max_over_mean(profile.queue_loads(loads, rule, q)), 4),
            profile_max_over_mean=round(
                profile.max_over_mean(profile.queue_loads(loads, result.table, q)), 4
            ),
            lower_bound=round(profile.lower_bound(loads, q), 4),
            **where,
        )

    out = [
        row(loads, port=p.port, file=p.path, packets=p.packets, skipped=p.skipped)
        for p, loads in result.per_port
    ]
    packets = sum(p.packets for p, _ in result.per_port)
    skipped = sum(p.skipped for p, _ in result.per_port)
    out.append(row(result.combined, all_ports=True, packets=packets, skipped=skipped))
    return out


def _honest_capacity(
    decision: plan_pb2.ObjectDecision,
    obj: dependencies.ObjectDependencies,
    described: desc_pb2.StateObject,
    splits: dict[int, list[capacity.Split]],
    options: PlanOptions,
    indexes_leave: bool,
) -> None:
    """Headroom, its memory and the effective capacity under every measured
    split of the ports that write the object (docs/SHARDING.md, "Capacity")."""
    headroom = options.capacity_headroom
    if headroom > 1 and indexes_leave:
        decision.headroom_note = (
            f"no headroom: the indexes of its index space ({obj.family}) leave the NF, and per-core "
            "index ranges must stay within [0, capacity) like the sequential NF's"
        )
        headroom = 1.0
    decision.capacity_headroom = headroom
    total = obj.capacity
    per_core = capacity.share(total, options.cores, capacity.headroom_percent(headroom))
    decision.capacity_per_core = per_core
    size = capacity.entry_bytes(described)
    decision.entry_bytes = size.bytes
    decision.entry_bytes_how = size.how
    even = capacity.share(total, options.cores, capacity.PERCENT)
    decision.headroom_extra_bytes = max(0, per_core - even) * options.cores * size.bytes
    if total == 0:
        return
    written_on = sorted({a.port for a in obj.accesses if a.writes}) or sorted({a.port for a in obj.accesses})
    for port in written_on:
        for split in splits.get(port, []):
            entries = capacity.effective_entries(per_core, options.cores, split.max_over_mean, total)
            decision.effective_capacity.add(
                traffic=split.traffic,
                port=port,
                queues=split.queues,
                max_over_mean=split.max_over_mean,
                entries=entries,
                fraction=round(entries / total, 4),
            )


def _plan_constraints(objects, decisions) -> list[dependencies.Constraint]:
    seen: dict[tuple, dependencies.Constraint] = {}
    for name, obj in objects.items():
        if decisions[name].placement == Placement.PARTITIONED:
            for c in obj.constraints:
                seen.setdefault(c.equations(), c)
    return list(seen.values())


def _decide(objects, ports, options: PlanOptions, m: int):
    decisions: dict[str, _Decision] = {}
    written = {n: o for n, o in objects.items() if o.written_by_packets}
    for name in objects:
        if name not in written:
            decisions[name] = _Decision(
                Placement.REPLICATED, "only written in nf_state_create: each core gets a read-only copy"
            )
    forced = STRATEGIES[options.strategy]
    if forced in (plan_pb2.LOCKS, plan_pb2.TRANSACTIONAL_MEMORY):
        placement = Placement.SHARED_LOCKED if forced == plan_pb2.LOCKS else Placement.SHARED_TRANSACTIONAL
        how = "under the lock" if forced == plan_pb2.LOCKS else "inside transactions"
        for name in written:
            decisions[name] = _Decision(
                placement, f"strategy forced to {options.strategy}: one shared instance {how}"
            )
        return forced, f"forced by --strategy={options.strategy}", decisions

    blocked = _blocked_families(written, ports, options, m)
    if forced == plan_pb2.SHARED_NOTHING and blocked:
        raise PlanError(
            "--strategy=shared_nothing is impossible for this NF:\n  "
            + "\n  ".join(r for reasons in blocked.values() for r in reasons)
        )
    if not blocked:
        for name, obj in written.items():
            decisions[name] = _Decision(Placement.PARTITIONED, _partition_reason(obj))
        why = (
            "every object written by packets can be partitioned by RSS"
            if written
            else "no state is written by packets: no constraints on RSS"
        )
        return plan_pb2.SHARED_NOTHING, why, decisions

    locked = [o for o in written.values() if o.family in blocked]
    read_mostly = all(_family_read_mostly(family, written) for family in blocked)
    lock_free = _lock_free_paths(blocked, written)
    for name, obj in written.items():
        if obj.family in blocked:
            decisions[name] = _Decision(
                Placement.SHARED_LOCKED, _short(blocked[obj.family]) + _write_share(obj)
            )
        elif read_mostly or lock_free:
            pays = (
                "the locked objects are read-mostly"
                if read_mostly
                else f"paths {_path_list(lock_free)} touch partitioned objects and write no locked one"
            )
            decisions[name] = _Decision(
                Placement.PARTITIONED,
                _partition_reason(obj) + f" ({pays}, so partitioning the rest pays)",
            )
        else:
            decisions[name] = _Decision(
                Placement.SHARED_LOCKED,
                "partitionable by RSS, but shared under the lock: the unpartitionable objects "
                f"{sorted(o.name for o in locked)} are written on every path that touches them, so each "
                "packet takes the write lock anyway",
            )
    names = sorted(o.name for o in locked)
    if len(locked) == len(written):
        why = f"objects {names} cannot be partitioned by RSS and nothing else is written by packets: all under the lock"
    elif read_mostly:
        why = f"objects {names} cannot be partitioned by RSS and are read-mostly: they go under a lock, the rest is partitioned"
    elif lock_free:
        why = (
            f"objects {names} cannot be partitioned by RSS: they go under a lock, the rest is partitioned "
            f"(paths {_path_list(lock_free)} never write a locked object, so their packets need no write lock)"
        )
    else:
        why = f"objects {names} cannot be partitioned by RSS and are written on every access: everything under the lock"
    return plan_pb2.LOCKS, why, decisions


_CHANGES = dependencies.CHANGE_KINDS


def _own_write_before_shared_write(description: desc_pb2.NfDescription, decisions) -> str:
    """The first path op that writes a per-core object, other than by expiry,
    before the path's first change of a shared object ("" if none). Under
    hybrid a read attempt keeps its writes to the worker's own objects when a
    shared write abandons it; expiry repeated at the rerun's (no earlier) time
    frees exactly what one expiry at that time would, anything else would be
    applied twice."""
    shared = {n for n, d in decisions.items() if d.placement == Placement.SHARED_LOCKED}
    for path in description.paths:
        own_writes = []
        for op in path.ops:
            if op.kind not in _CHANGES:
                continue
            if op.object in shared:
                if own_writes:
                    first = own_writes[0]
                    loc = f" at {first.location}" if first.location else ""
                    return (
                        f"path {path.id} {first.id} {first.call or desc_pb2.StateOp.Kind.Name(first.kind)} "
                        f"of per-core '{first.object}'{loc} comes before {op.id} "
                        f"{op.call or desc_pb2.StateOp.Kind.Name(op.kind)} of shared '{op.object}'"
                    )
                break
            if op.kind != desc_pb2.StateOp.EXPIRE:
                own_writes.append(op)
    return ""


def _hybrid_if_reruns_are_safe(description, strategy: int, reason: str, decisions) -> tuple[int, str]:
    """A LOCKS plan with partitioned and shared objects becomes HYBRID unless
    some path writes per-core state (not by expiry) before shared state."""
    placements = {d.placement for d in decisions.values()}
    if strategy != plan_pb2.LOCKS or not {Placement.PARTITIONED, Placement.SHARED_LOCKED} <= placements:
        return strategy, reason
    blocker = _own_write_before_shared_write(description, decisions)
    if blocker:
        return (
            strategy,
            reason + f"; not hybrid: {blocker}, and a rerun under the write lock would apply it twice",
        )
    return plan_pb2.HYBRID, reason + "; hybrid: only the shared objects take the lock"


def _family_read_mostly(family: str, written) -> bool:
    """Some path touches the family without writing it."""
    members = [o for o in written.values() if o.family == family]
    accessed = set().union(*(o.access_paths for o in members))
    writing = set().union(*(o.write_paths for o in members))
    return bool(accessed - writing)


def _lock_free_paths(blocked, written) -> list[int]:
    """Paths that touch a partitionable object and write no blocked one: their
    packets run on per-core state without the write lock, so partitioning pays
    even when every blocked object is written wherever it is touched (e.g. a
    dual-stack NF whose IPv6 state is blocked: its IPv4 paths stay lock-free)."""
    locked_writes = set().union(*(o.write_paths for o in written.values() if o.family in blocked))
    partitioned_access = set().union(*(o.access_paths for o in written.values() if o.family not in blocked))
    return sorted(partitioned_access - locked_writes)


def _path_list(paths: list[int], limit: int = 6) -> str:
    shown = ", ".join(str(p) for p in paths[:limit])
    return shown + (f" (and {len(paths) - limit} more)" if len(paths) > limit else "")


def _short(reasons: list[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(reasons))
    more = f" (and {len(unique) - limit} more)" if len(unique) > limit else ""
    return "; ".join(unique[:limit]) + more


def _write_share(obj: dependencies.ObjectDependencies) -> str:
    return f" [written on {len(obj.write_paths)} of the {len(obj.access_paths)} paths that access it]"


def _partition_reason(obj: dependencies.ObjectDependencies) -> str:
    if not obj.constraints:
        return "partitioned: no two packets need to meet on it"
    related = sorted(
        {", ".join(map(str, c.equalities)) + f" (ports {c.port_a}/{c.port_b})" for c in obj.constraints}
    )
    return "partitioned by RSS: packets that may touch the same entry agree on " + "; ".join(related)


def _blocked_families(written, ports, options: PlanOptions, m: int) -> dict[str, list[str]]:
    """Families (objects sharing an index space) that RSS cannot partition, with why."""
    blocked: dict[str, list[str]] = {}
    for obj in written.values():
        if obj.blockers:
            blocked.setdefault(obj.family, []).extend(obj.blockers)
    families: dict[str, list[dependencies.ObjectDependencies]] = {}
    for obj in written.values():
        if obj.family not in blocked:
            families.setdefault(obj.family, []).append(obj)

    # Greedy: families accessed by packets of the lock-free address family first,
    # then the most accessed; a family whose constraints, together with those
    # kept so far, leave a port it is accessed on with no hashed field is blocked.
    def preferred_accesses(members) -> int:
        return sum(1 for o in members for a in o.accesses if options.lock_free_family in a.families)

    order = sorted(
        families.items(),
        key=lambda kv: (-preferred_accesses(kv[1]), -sum(len(o.accesses) for o in kv[1]), kv[0]),
    )
    kept: list[dependencies.Constraint] = []
    kept_names: list[str] = []
    kept_used: set[tuple[int, str]] = set()
    variables = rss_solver.KeyVariables(ports, options.key_length)
    for family, members in order:
        trial = kept + [c for o in members for c in o.constraints]
        space = rss_solver.build_space(trial, variables, m)
        # Per port and address family of the accessing packets: a cross-family
        # constraint (an IPv4 and an IPv6 packet reaching one entry) can zero
        # one family's input while the other's stays hashed.
        # The kept families' (port, family) inputs are checked again: a family's
        # constraints can zero the key bits an earlier family's fields need.
        used = {(a.port, af) for o in members for a in o.accesses for af in a.families}
        empty_pf = [
            (p, af)
            for p, af in sorted(used | kept_used)
            if not rss_solver.hashed_groups(space, variables, p, m, (af,))
        ]
        empty = sorted({p for p, _ in empty_pf})
        if empty:
            names = sorted(o.name for o in members)
            blocked[family] = [
                f"objects {names}: together with {kept_names or 'nothing else'} their constraints leave "
                f"port(s) {empty} without any hashable field"
                + (
                    f" of the {', '.join(sorted({af for _, af in empty_pf}))} input (one key hashes both "
                    "families and their key windows overlap: the key bits that the fields these constraints "
                    "leave unrelated must not use are the bits the other fields need)"
                    if len({c.family_a for c in trial} | {c.family_b for c in trial}) > 1
                    else ""
                )
                + ", so RSS would send all their traffic to one core"
            ]
            continue
        kept = trial
        kept_names.extend(o.name for o in members)
        kept_used |= used
    return blocked

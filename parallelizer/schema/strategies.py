"""The one spelling of each parallelization strategy, for every flag and option
(planner --strategy, codegen --strategy, the runtimes' --strategy): the
plan.proto Strategy enum, lowercased, TRANSACTIONAL_MEMORY shortened to tm."""

from __future__ import annotations

from proto import plan_pb2

NAMES: dict[str, int] = {
    "shared_nothing": plan_pb2.SHARED_NOTHING,
    "locks": plan_pb2.LOCKS,
    "tm": plan_pb2.TRANSACTIONAL_MEMORY,
    "hybrid": plan_pb2.HYBRID,
}


def name_of(strategy: int) -> str:
    """The spelling of plan.proto Strategy value `strategy`."""
    return next(name for name, value in NAMES.items() if value == strategy)

"""The one spelling of each parallelization strategy, for every flag and option
(planner --strategy, codegen --strategy, the runtimes' --strategy): the
plan.proto Strategy enum, lowercased, TRANSACTIONAL_MEMORY shortened to tm.
The runtimes read the same spellings from the generated parallel_limits.h
(codegen/limits_header.py)."""

from __future__ import annotations

from proto import plan_pb2

NAMES: dict[str, int] = {
    "shared_nothing": plan_pb2.SHARED_NOTHING,
    "locks": plan_pb2.LOCKS,
    "tm": plan_pb2.TRANSACTIONAL_MEMORY,
    "hybrid": plan_pb2.HYBRID,
}

# Spellings of earlier versions: refused, with the one to write instead (an
# alias would keep two spellings alive in scripts and test names).
RENAMED: dict[str, str] = {"sn": "shared_nothing", "shared-nothing": "shared_nothing"}


class UnknownStrategy(ValueError):
    """`str(e)` says what is wrong with the spelling; `todo` what to write."""

    def __init__(self, what: str, todo: str) -> None:
        super().__init__(what)
        self.todo = todo


def value_of(name: str) -> int:
    """The plan.proto Strategy value of spelling `name`; UnknownStrategy for an
    old spelling (naming the new one) or an unknown one (naming them all)."""
    if name in NAMES:
        return NAMES[name]
    if name in RENAMED:
        raise UnknownStrategy(f"'{name}' is the old spelling of {RENAMED[name]}", f"write {RENAMED[name]}")
    raise UnknownStrategy(f"unknown strategy '{name}'", f"write one of {', '.join(NAMES)}")


def name_of(strategy: int) -> str:
    """The spelling of plan.proto Strategy value `strategy`."""
    return next(name for name, value in NAMES.items() if value == strategy)

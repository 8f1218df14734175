"""Matrix cells expected to fail, each with its reason (docs/EQUIVALENCE.md,
"Known divergences"). Predicates read the plan, not NF names. None today."""

from __future__ import annotations


def marks(nf: str, profile: str, strategy: str, workers: int) -> list:
    del nf, profile, strategy, workers
    return []

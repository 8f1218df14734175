"""Linear algebra over GF(2) with Python ints as bit vectors (bit v = variable v)."""

from __future__ import annotations

import dataclasses
import random


def rank(rows: list[int]) -> int:
    """Rank of the matrix whose rows are the given bit vectors."""
    basis: dict[int, int] = {}  # leading bit -> row
    for row in rows:
        while row:
            lead = row.bit_length() - 1
            if lead not in basis:
                basis[lead] = row
                break
            row ^= basis[lead]
    return len(basis)


@dataclasses.dataclass
class SolutionSpace:
    """All x with A x = 0: x = sum of any subset of `basis`."""

    variables: int
    basis: list[int]
    pivots: dict[int, int]  # pivot variable -> reduced equation row

    @property
    def dimension(self) -> int:
        return len(self.basis)

    def sample(self, rng: random.Random) -> int:
        """A uniformly random solution."""
        x = 0
        for vector in self.basis:
            if rng.getrandbits(1):
                x ^= vector
        return x

    def forced_zero(self) -> int:
        """Mask of the variables that are 0 in every solution."""
        free = 0
        for vector in self.basis:
            free |= vector
        return ((1 << self.variables) - 1) & ~free

    def contains(self, x: int) -> bool:
        return all(((row & x).bit_count() & 1) == 0 for row in self.pivots.values())


# The solution space holds up to `variables` basis vectors of `variables` bits
# each: 2^15 variables are 128 MiB. The planner's systems have one variable per
# key bit per port (16 ports x 52 B keys = 6656, parallelizer/limits.py), so
# this bound only stops a caller that skipped validation before it exhausts
# memory.
MAX_VARIABLES = 1 << 15


class HomogeneousSystem:
    """Equations sum_{v in row} x_v = 0, reduced incrementally (Gauss-Jordan)."""

    def __init__(self, variables: int) -> None:
        if not 0 <= variables <= MAX_VARIABLES:
            raise ValueError(f"a GF(2) system of {variables} variables is outside 0..{MAX_VARIABLES}")
        self.variables = variables
        self._rows: dict[int, int] = {}  # pivot (lowest set bit) -> row, fully reduced

    def add(self, row: int) -> bool:
        """Adds an equation; False when it was already implied by the others."""
        if row >> self.variables:
            raise ValueError("equation mentions a variable outside the system")
        for pivot, existing in self._rows.items():
            if row >> pivot & 1:
                row ^= existing
        if row == 0:
            return False
        pivot = (row & -row).bit_length() - 1
        for other_pivot, existing in list(self._rows.items()):
            if existing >> pivot & 1:
                self._rows[other_pivot] = existing ^ row
        self._rows[pivot] = row
        return True

    def solve(self) -> SolutionSpace:
        """The solution space: one basis vector per free variable."""
        basis = []
        for free in range(self.variables):
            if free in self._rows:
                continue
            vector = 1 << free
            for pivot, row in self._rows.items():
                if row >> free & 1:
                    vector |= 1 << pivot
            basis.append(vector)
        return SolutionSpace(self.variables, basis, dict(self._rows))

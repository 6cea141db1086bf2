"""Sampling designs over a problem's factors: LHS, Sobol (Saltelli), Morris and full factorial.

A design is a recipe, not a table: method, size, seed and options. ``design.matrix(problem)``
draws its points in SALib's space (SALib's own samplers) and ``design.samples(problem)``
gives the parameter values. The same recipe always gives the same points, so a store
keeps only the recipe, and analyses rebuild the matrix that SALib's analysers need.

Designs grow without changing the points already run:

- ``lhs``: batches. Growing from 100 to 150 points draws a second Latin hypercube of 50
  (its own seed) after the first 100.
- ``morris``: batches of trajectories, the same way (Morris analysis takes any number
  of trajectories).
- ``sobol``: Saltelli's scheme on a Sobol sequence; the points of N base samples are
  the first points of 2N (checked on every draw). Use powers of two.
- ``factorial``: every combination of ``levels`` values per factor; it does not grow.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..messages import not_one_of

__all__ = ["DESIGNS", "Design"]

DESIGNS = ("lhs", "sobol", "morris", "factorial")


def _batch_seed(seed: int, batch: int) -> int:
    return int(np.random.SeedSequence([int(seed), int(batch)]).generate_state(1)[0])


@dataclass(frozen=True)
class Design:
    """``method`` in lhs | sobol | morris | factorial; ``batches``: the sizes drawn so far.

    Size means points (lhs), base samples N (sobol: N × (D + 2) points, or N × (2D + 2)
    with ``second_order``), trajectories (morris: each D + 1 points) or levels per
    factor (factorial: levels^D points, bool and choice factors at all their values).
    """

    method: str
    batches: tuple[int, ...]
    seed: int = 0
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, method: str, n: int, seed: int = 0, **options) -> Design:
        if method not in DESIGNS:
            raise ValueError(not_one_of(method, DESIGNS, "a design"))
        if int(n) < 1:
            raise ValueError(f"the design's size must be at least 1; got {n}")
        if method == "morris":
            options.setdefault("levels", 4)
        if method == "sobol":
            options.setdefault("second_order", False)
        return cls(method, (int(n),), int(seed), dict(options))

    @property
    def n(self) -> int:
        return sum(self.batches)

    def grown(self, n: int) -> Design:
        """The same design grown to size ``n`` (the points so far stay, first)."""
        n = int(n)
        if n < self.n:
            raise ValueError(f"a design only grows: it has size {self.n}, asked for {n}")
        if n == self.n:
            return self
        if self.method == "factorial":
            raise ValueError("a full factorial does not grow; add replicates instead")
        if self.method == "sobol":
            return Design(self.method, (n,), self.seed, dict(self.options))
        return Design(self.method, (*self.batches, n - self.n), self.seed, dict(self.options))

    def extends(self, other: Design) -> bool:
        """True when this design's points start with all of ``other``'s."""
        if (self.method, self.seed, self.options) != (other.method, other.seed, other.options):
            return False
        if self.method == "sobol":
            return self.n >= other.n
        return self.batches[: len(other.batches)] == other.batches

    # ---- the points -------------------------------------------------------------------------
    def matrix(self, problem) -> np.ndarray:
        """Every point in SALib's space, one row per point (the order runs and analyses use)."""
        sp = problem.salib()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's notes on sample sizes that are not powers of two
            if self.method == "sobol":
                from SALib.sample import sobol

                return sobol.sample(sp, self.n, calc_second_order=self.options["second_order"], seed=self.seed)
            if self.method == "factorial":
                return self._factorial(problem)
            parts = []
            for b, size in enumerate(self.batches):
                seed = _batch_seed(self.seed, b)
                if self.method == "lhs":
                    from SALib.sample import latin

                    parts.append(latin.sample(sp, size, seed=seed))
                else:
                    from SALib.sample import morris

                    parts.append(morris.sample(sp, size, num_levels=self.options["levels"], seed=seed))
            return np.vstack(parts)

    def _factorial(self, problem) -> np.ndarray:
        k = int(self.batches[0])
        axes = []
        for f in problem.factors:
            if f.type in ("bool", "choice"):
                axes.append([i + 0.5 for i in range(len(f.choices))])
            elif f.type == "int":
                axes.append([v + 0.5 for v in f.levels(k)])
            else:
                axes.append(f.levels(k))
        return np.array(list(itertools.product(*axes)), dtype=float)

    def samples(self, problem) -> pd.DataFrame:
        """The parameter values of every point: one column per factor, index = sample number."""
        frame = problem.frame(self.matrix(problem))
        frame.index.name = "sample"
        return frame

    def size(self, problem) -> int:
        return len(self.matrix(problem))

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "batches": list(self.batches), "seed": self.seed, "options": self.options}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Design:
        return cls(data["method"], tuple(int(b) for b in data["batches"]), int(data["seed"]), dict(data["options"]))

"""Run functions with known answers, for testing the exploration pipeline end to end.

They have the runner's signature ``run_fn(scenario, seed) -> DataFrame`` and live in a
module so that worker processes can import them. Each returns ``fake_run``'s frame
(every indicator, month by month) with one indicator replaced by a known function of
the scenario's values, so that the design, the runner, the store and the analyses are
all exercised.

- ``ishigami_run``: ``service_person_times`` = Ishigami(x1, x2, x3) (a = 7, b = 0.1), each
  x rescaled from its parameter's schema range to [-π, π]; ``ISHIGAMI_FACTORS`` are the
  three parameters read and ``IGNORED`` one that is not. Analytic indices: S1 = 0.3139,
  0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
- ``box_run``: ``station_coverage`` at the end is 0 (a miss) inside a known box of two
  parameters and 1 outside it, for scenario discovery.
"""

from __future__ import annotations

import math

import numpy as np

from ..experiment.testing import fake_run
from ..params import SCHEMA

__all__ = ["BOX", "IGNORED", "ISHIGAMI_FACTORS", "ISHIGAMI_S1", "ISHIGAMI_ST", "box_run", "ishigami", "ishigami_run"]

ISHIGAMI_FACTORS = ("sw_turnover_base", "exam_pass_prob", "hire_fill_prob")
IGNORED = "org_failure_rate"
_A, _B = 7.0, 0.1
_V = _A**2 / 8 + _B * math.pi**4 / 5 + _B**2 * math.pi**8 / 18 + 0.5
ISHIGAMI_S1 = (0.5 * (1 + _B * math.pi**4 / 5) ** 2 / _V, _A**2 / 8 / _V, 0.0)
ISHIGAMI_ST = (
    (0.5 * (1 + _B * math.pi**4 / 5) ** 2 + 8 * _B**2 * math.pi**8 / 225) / _V,
    _A**2 / 8 / _V,
    (8 * _B**2 * math.pi**8 / 225) / _V,
)


def ishigami(x1, x2, x3):
    return np.sin(x1) + _A * np.sin(x2) ** 2 + _B * x3**4 * np.sin(x1)


def _scaled(scenario, name: str) -> float:
    p = SCHEMA[name]
    v = float(scenario.params.get(name, p.default))
    return -math.pi + 2 * math.pi * (v - p.min) / (p.max - p.min)


def ishigami_run(scenario, seed, noise: float = 0.0):
    """fake_run's frame with ``service_person_times`` = Ishigami (+ ``noise`` × a seed-only normal draw)."""
    frame = fake_run(scenario, seed)
    y = ishigami(*(_scaled(scenario, n) for n in ISHIGAMI_FACTORS))
    if noise:
        y += noise * np.random.default_rng(seed).standard_normal()
    frame["service_person_times"] = y
    return frame


def _part(name: str, start: float, stop: float) -> tuple[float, float]:
    """The part of a parameter's schema range between the shares ``start`` and ``stop`` of it."""
    lo, hi = float(SCHEMA[name].min), float(SCHEMA[name].max)
    return lo + start * (hi - lo), lo + stop * (hi - lo)


# the box where the strategy misses: sw_turnover_base in its upper third and exam_pass_prob in its lower half
# (read from the schema's ranges, so the box stays inside them when a range is revised)
BOX = {"sw_turnover_base": _part("sw_turnover_base", 2 / 3, 1.0), "exam_pass_prob": _part("exam_pass_prob", 0.0, 0.5)}


def box_run(scenario, seed):
    """fake_run's frame with ``station_coverage`` 0 inside ``BOX`` (the target missed), 1 outside."""
    frame = fake_run(scenario, seed)
    inside = all(lo <= float(scenario.params.get(n, SCHEMA[n].default)) <= hi for n, (lo, hi) in BOX.items())
    frame["station_coverage"] = 0.0 if inside else 1.0
    return frame

"""Run functions for tests and demonstrations of the runner (not the model).

They have the runner's signature ``run_fn(scenario, seed) -> DataFrame`` and live in a
module so that worker processes (loky, Dask) can import them.

- ``fake_run``: a cheap, deterministic stand-in with every indicator column, driven by
  the seed and by a few of the scenario's values; for testing the machinery alone.
- ``raising_run``: the real model (or ``base``), except that in the scenario named
  ``fail_scenario`` it steps the model ``month`` months and then raises, as a model
  bug would. Use it through ``functools.partial``, which pickles.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..core.calendar import month_ends, parse_month
from ..indicators import indicator_names

__all__ = ["ForcedFailure", "fake_run", "raising_run", "slow_fake_run"]


class ForcedFailure(RuntimeError):
    """The failure ``raising_run`` raises on purpose."""


def _months(scenario) -> pd.DatetimeIndex:
    return month_ends(parse_month(scenario.start), parse_month(scenario.end))


def fake_run(scenario, seed, *, fail_after: int | None = None) -> pd.DataFrame:
    """Random walks in [0, 1] (shares) or counts, one per indicator; deterministic for a seed."""
    rng = np.random.default_rng(seed)
    dates = _months(scenario)
    lift = 1.0 + scenario.params.get("station_budget_yuan", 150_000) / 1e6 + len(scenario.changes) * 0.01
    columns = {}
    for name in indicator_names():
        steps = rng.random(len(dates)) * lift
        walk = np.cumsum(steps) / len(dates)
        columns[name] = np.minimum(walk, 1.0) if ("share" in name or "coverage" in name) else walk * 1e5
    if fail_after is not None and fail_after < len(dates):
        raise ForcedFailure(f"forced failure at month {fail_after} of scenario {scenario.name!r}")
    return pd.DataFrame(columns, index=dates)


def slow_fake_run(scenario, seed, *, seconds: float = 0.05) -> pd.DataFrame:
    """``fake_run`` that takes a while, for interrupting an experiment midway."""
    time.sleep(seconds)
    return fake_run(scenario, seed)


def raising_run(scenario, seed, *, fail_scenario: str, month: int = 30, base=None) -> pd.DataFrame:
    """Run normally, but raise at ``month`` in the scenario named ``fail_scenario``."""
    if scenario.name != fail_scenario:
        if base is not None:
            return base(scenario, seed)
        from ..simulation import simulate

        return simulate(seed=seed, **scenario.simulate_kwargs())
    if base is not None:  # a stand-in model: fail part-way through it
        return fake_run(scenario, seed, fail_after=month)
    from ..simulation import FiveSocietyModel

    model = FiveSocietyModel(seed=seed, **scenario.simulate_kwargs())
    for _ in range(month):
        model.step()
    raise ForcedFailure(f"forced failure at month {month} of scenario {scenario.name!r}")

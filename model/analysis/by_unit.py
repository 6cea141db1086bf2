"""Every level of the region: attainment, bands and cost by prefecture and county.

Read from the store's per-run tables (``OUT/units/``, written by ``model/core/units.py`` at every
year-end): each unit's counts behind the target indicators and the public money spent there.
A share target is judged on the unit's own share (its stations over its townships); a province
total (80,000 professionals) on the unit's count against the goal shared by population, an
assumption said in the tables. A unit with none of a target's units (a county has no 设区的市)
is not judged on it (empty cell). Prefectures and counties add up to the province: the tests
hold them to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.units import LEVELS, UNIT_SHARES, UNIT_TOTALS
from .results import LEVELS as BAND
from .results import goal_share, proportion_interval

__all__ = ["unit_values", "unit_attainment", "unit_cost", "unit_ranking", "LEVELS"]

_KEYS = ["scenario", "level", "unit", "prefecture", "name", "name_en"]


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f'"{level}" is not a level of the region; valid ones are: {", ".join(LEVELS)}')


def unit_values(res, level: str = "prefecture") -> pd.DataFrame:
    """Each run's value of each target's indicator at its date, per unit of ``level``.

    Columns: scenario, replicate, level, unit, prefecture, name, name_en, target, indicator,
    date, value, goal (the unit's goal: a total's goal shared by population), met, goal_share.
    Targets whose date was not recorded (not a year-end or the last month), or whose units the
    unit holds none of, are left out.
    """
    _check_level(level)
    units = res.store_units
    if units.empty:
        return pd.DataFrame(columns=["scenario", "replicate", *_KEYS[1:], "target", "indicator", "date", "value",
                                     "goal", "met", "goal_share"])
    units = units[units["level"] == level]
    parts = []
    for scenario in res.scenarios:
        mine = units[units["scenario"] == scenario]
        if mine.empty:
            continue
        for t in res.target_sets[scenario]:
            at = mine[mine["date"] == t.date]
            if at.empty:
                continue
            if t.indicator in UNIT_SHARES:
                den = at[f"{t.indicator}_den"].to_numpy(float)
                with np.errstate(invalid="ignore", divide="ignore"):
                    value = np.where(den > 0, at[f"{t.indicator}_num"].to_numpy(float) / den, np.nan)
                goal = np.full(len(at), t.value)
            elif t.indicator in UNIT_TOTALS:
                value = at[t.indicator].to_numpy(float)
                pop = at["population"].to_numpy(float)
                total = at.groupby("replicate")["population"].transform("sum").to_numpy(float)
                goal = t.value * pop / total
            else:
                continue
            frame = at[["scenario", "replicate", *_KEYS[1:]]].copy()
            frame["target"] = t.id
            frame["indicator"] = t.indicator
            frame["date"] = t.date
            frame["value"] = value
            frame["goal"] = goal
            judged = ~np.isnan(value)
            met = np.zeros(len(at), bool)
            if t.indicator in UNIT_TOTALS:
                tol = 1e-9 * np.maximum(1.0, np.abs(goal))
                met = value + tol >= goal if t.op in (">=", ">") else value - tol <= goal
            else:
                met[judged] = t.met_array(value[judged])
            frame["met"] = np.where(judged, met, np.nan)
            frame["goal_share"] = [float(goal_share(v, g, t.op)) for v, g in zip(value, goal, strict=True)]
            parts.append(frame[judged])
    if not parts:
        return pd.DataFrame(columns=["scenario", "replicate", *_KEYS[1:], "target", "indicator", "date", "value",
                                     "goal", "met", "goal_share"])
    return pd.concat(parts, ignore_index=True)


def unit_attainment(res, level: str = "prefecture", interval: float = 0.9) -> pd.DataFrame:
    """Per scenario × unit × target: how surely the unit meets it, its value and share of the goal.

    Columns: scenario, level, unit, prefecture, name, name_en, target, indicator, date, goal,
    n, met, probability, lo, hi (Jeffreys interval at ``interval``), median_value, value_q10,
    value_q90, goal_share (median; capped nowhere), goal_share_q10, goal_share_q90.
    """
    values = unit_values(res, level)
    if values.empty:
        return pd.DataFrame()
    g = values.groupby(["scenario", "unit", "target"], sort=False)
    out = g.agg(level=("level", "first"), prefecture=("prefecture", "first"), name=("name", "first"),
                name_en=("name_en", "first"), indicator=("indicator", "first"), date=("date", "first"),
                goal=("goal", "median"), n=("met", "size"), met=("met", "sum"),
                median_value=("value", "median"), value_q10=("value", lambda v: v.quantile(BAND[0])),
                value_q90=("value", lambda v: v.quantile(BAND[1])), goal_share=("goal_share", "median"),
                goal_share_q10=("goal_share", lambda v: v.quantile(BAND[0])),
                goal_share_q90=("goal_share", lambda v: v.quantile(BAND[1]))).reset_index()
    out["met"] = out["met"].astype(int)
    out["probability"] = out["met"] / out["n"]
    lo, hi = proportion_interval(out["met"], out["n"], interval)
    out.insert(out.columns.get_loc("probability") + 1, "lo", lo)
    out.insert(out.columns.get_loc("lo") + 1, "hi", hi)
    order = {name: i for i, name in enumerate(res.scenarios)}
    out = out.sort_values(["scenario", "unit"], key=lambda s: s.map(order) if s.name == "scenario" else s,
                          kind="stable")
    cols = ["scenario", "level", "unit", "prefecture", "name", "name_en", "target", "indicator", "date", "goal",
            "n", "met", "probability", "lo", "hi", "median_value", "value_q10", "value_q90", "goal_share",
            "goal_share_q10", "goal_share_q90"]
    return out[cols].reset_index(drop=True)


def unit_cost(res, level: str = "prefecture", baseline: str | None = None) -> pd.DataFrame:
    """Per scenario × unit: public spending over the window (mean of runs, with its 10–90% band),
    per resident, and the paired extra cost against the baseline (mean of run-by-run differences).

    Columns: scenario, level, unit, prefecture, name, name_en, population, date, spend_yuan,
    spend_q10, spend_q90, spend_per_resident, extra_cost_yuan (NaN for the baseline and for
    scenarios that cannot be paired with it).
    """
    _check_level(level)
    units = res.store_units
    if units.empty:
        return pd.DataFrame()
    units = units[units["level"] == level]
    last = units.groupby("scenario")["date"].transform("max")
    end = units[units["date"] == last]
    baseline = baseline or res.baseline
    g = end.groupby(["scenario", "unit"], sort=False)
    out = g.agg(level=("level", "first"), prefecture=("prefecture", "first"), name=("name", "first"),
                name_en=("name_en", "first"), population=("population", "first"), date=("date", "first"),
                spend_yuan=("public_spend_yuan", "mean"),
                spend_q10=("public_spend_yuan", lambda v: v.quantile(BAND[0])),
                spend_q90=("public_spend_yuan", lambda v: v.quantile(BAND[1]))).reset_index()
    out["spend_per_resident"] = out["spend_yuan"] / out["population"]
    base = end[end["scenario"] == baseline].set_index(["replicate", "unit"])["public_spend_yuan"]
    extra = []
    for scenario, mine in end.groupby("scenario", sort=False):
        if scenario == baseline or baseline not in res.definitions or not res.paired_with(scenario, baseline):
            continue
        diff = mine.set_index(["replicate", "unit"])["public_spend_yuan"] - base
        e = diff.dropna().groupby(level="unit").mean().rename("extra_cost_yuan").reset_index()
        e["scenario"] = scenario
        extra.append(e)
    if extra:
        out = out.merge(pd.concat(extra), on=["scenario", "unit"], how="left")
    else:
        out["extra_cost_yuan"] = np.nan
    order = {name: i for i, name in enumerate(res.scenarios)}
    out = out.sort_values(["scenario", "unit"], key=lambda s: s.map(order) if s.name == "scenario" else s,
                          kind="stable")
    return out.reset_index(drop=True)


def unit_ranking(res, level: str = "prefecture", scenario: str | None = None) -> pd.DataFrame:
    """One scenario's units ranked, furthest behind last: mean progress (each target's median value
    as a share of its goal, capped at 100%, averaged over the targets judged there), the number of
    targets met in at least half the runs, each target's probability, and spending.

    Columns: rank, unit, name, name_en, prefecture, progress, targets_met, targets_judged,
    p:<target id> for each target, spend_yuan, spend_per_resident.
    """
    scenario = scenario or res.baseline
    att = unit_attainment(res, level)
    if att.empty:
        return pd.DataFrame()
    att = att[att["scenario"] == scenario]
    cost = unit_cost(res, level)
    cost = cost[cost["scenario"] == scenario].set_index("unit") if not cost.empty else None
    att = att.assign(capped=att["goal_share"].clip(upper=1.0))
    g = att.groupby("unit", sort=True)
    out = g.agg(name=("name", "first"), name_en=("name_en", "first"), prefecture=("prefecture", "first"),
                progress=("capped", "mean"), targets_met=("probability", lambda p: int((p >= 0.5).sum())),
                targets_judged=("probability", "size"))
    probs = att.pivot(index="unit", columns="target", values="probability")
    order = [t for t in res.targets if t in probs.columns]
    for t in order:
        out[f"p:{t}"] = probs[t]
    if cost is not None:
        out["spend_yuan"] = cost["spend_yuan"]
        out["spend_per_resident"] = cost["spend_per_resident"]
    out = out.sort_values(["progress", "targets_met"], ascending=False, kind="stable").reset_index()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out

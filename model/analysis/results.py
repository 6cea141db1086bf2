"""Read an experiment store and answer the planner's question, one tidy DataFrame per method.

::

    from model import Results
    res = Results("results/demo")
    res.attainment()                  # which strategy meets which target, how surely, by when
    res.compare(baseline="baseline")  # paired differences against the status quo
    res.cost()                        # what it costs, and cost-effectiveness against the baseline
    res.quantiles("sw_talent")        # an indicator's band over time
    res.summary()                     # one row per scenario

The store (``model/experiment/README.md``) is read lazily: ``runs.parquet`` and the
manifest on first use, the timeseries once, when a method needs it.

Definitions used throughout:

- A target is *met* when the store's verdict (``T_met`` in ``runs.parquet``) says so: the
  indicator at the month ending on the target's date satisfies the condition.
- ``probability`` is the share of ok runs that met the target; its interval is a
  Jeffreys interval (Beta(k + ½, n − k + ½) quantiles; Brown, Cai & DasGupta 2001), or
  Wilson's on request, at 90% by default.
- ``median_first_met`` is the earliest month by which at least half of the ok runs had
  met the target (runs that never met it count as later than any month); NaT when fewer
  than half ever met it within the window.
- Paired differences are ``scenario − baseline`` replicate by replicate (replicate r of
  every scenario ran with the same seed); the summary is their median and 10–90% range.
- ``goal_share`` is a target's indicator at its date as a share of the goal (value / goal
  for "≥" targets, goal / value for "≤"): 100% or more meets it. It measures distance to
  a target where the probability of meeting it cannot (both 0%, or both 100%).
- Verdicts against the baseline (``Results.cost``'s ``vs_baseline``) compare the targets'
  indicators at their dates, not only the share of runs meeting them: a strategy is
  ``dominant`` only when it is materially cheaper (``MATERIAL_COST``) and no target's
  indicator is lower at its date (paired median, in the target's direction); a strategy that
  lowers any of them is a ``trade-off`` (or ``worse`` at the same cost), whatever its
  attainment.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.calendar import month_end
from ..indicators import BUDGET_LINES, CORE_NAMES, INDICATORS
from ..messages import not_one_of
from ..scenarios import Scenario
from ..targets import Target, TargetSet, load_targets

__all__ = ["MATERIAL_COST", "MATERIAL_GOAL", "Results", "divergence_month", "goal_share", "proportion_interval"]

LEVELS = (0.1, 0.9)  # the band: 10th to 90th percentile

# Materiality (assumption: a plan's figures are stated to about 1%; smaller differences are not
# a difference a planner can act on). A cost difference counts when it is at least this share of
# the baseline's spending and its paired mean is beyond twice its standard error.
MATERIAL_COST = 0.01
# A target indicator's difference is "material" when its paired median is at least this share
# of the goal. Any lower median still counts against "dominant": it is reported, never hidden.
MATERIAL_GOAL = 0.01


def proportion_interval(k, n, level: float = 0.9, method: str = "jeffreys") -> tuple[np.ndarray, np.ndarray]:
    """A two-sided interval for a binomial proportion with ``k`` successes out of ``n``.

    ``jeffreys``: equal-tailed Beta(k + ½, n − k + ½) quantiles, 0 at k = 0 and 1 at k = n.
    ``wilson``: the Wilson score interval. NaN where n = 0.
    """
    from scipy import stats

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "jeffreys":
            lo = stats.beta.ppf(alpha / 2, k + 0.5, n - k + 0.5)
            hi = stats.beta.ppf(1 - alpha / 2, k + 0.5, n - k + 0.5)
            lo = np.where(k <= 0, 0.0, lo)
            hi = np.where(k >= n, 1.0, hi)
        elif method == "wilson":
            z = stats.norm.ppf(1 - alpha / 2)
            p = k / n
            centre = (p + z * z / (2 * n)) / (1 + z * z / n)
            half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
            lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
        else:
            raise ValueError(f'"{method}" is not an interval method; valid ones are: jeffreys, wilson')
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    return lo, hi


def goal_share(value, goal: float, op: str):
    """A target's indicator as a share of its goal: value / goal for "≥" targets, goal / value
    for "≤" targets (1.0 or more: met). Arrays or scalars; NaN where undefined."""
    value = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if op in (">=", ">"):
            out = value / goal if goal else np.where(value >= goal, 1.0, 0.0)
        else:
            out = np.where(value > 0, goal / value, np.where(value <= goal, 1.0, np.nan))
    return out


def _direction(op: str) -> int:
    """+1 when a higher value is better for a target with this operator, −1 when lower is."""
    return 1 if op in (">=", ">") else -1


def divergence_month(scenario: Scenario, baseline: Scenario) -> pd.Timestamp | None:
    """The first month in which a scenario's parameters differ from the baseline's.

    Returns a month end, or None when the two never differ (or cannot be paired: another
    region or start month, where every month may differ and the start is returned).
    """
    start = month_end(scenario.start)
    if scenario.region != baseline.region or scenario.start != baseline.start:
        return start
    months = {start} | {month_end(date) for sc in (scenario, baseline) for date in sc.changes}
    for month in sorted(months):
        if month < start:
            continue
        if scenario.values_at(month) != baseline.values_at(month):
            return month
    return None


def _q(q: float) -> str:
    return f"q{round(q * 100):d}"


class Results:
    """An experiment store, read lazily, analysed into tidy DataFrames.

    Parameters
    ----------
    path : str or Path
        The store's folder (``OUT`` of ``wushe run``), or a ``RunReport``.
    baseline : str, optional
        The scenario others are compared with; default ``"baseline"`` when the store has
        it, else the first scenario.
    """

    def __init__(self, path, baseline: str | None = None):
        from ..experiment import Store

        path = getattr(path, "path", path)
        self.path = Path(path)
        self.store = Store(self.path)
        if not self.store.exists():
            raise FileNotFoundError(f"{self.path} is not an experiment store (no manifest.json); "
                                    "make one with `wushe run ... -o OUT`")
        self._baseline = baseline
        self._memo: dict = {}

    def __repr__(self) -> str:
        return f"Results({str(self.path)!r}: {len(self.scenarios)} scenarios × {self.replicates} replicates)"

    # ---- what was run ---------------------------------------------------------------------------
    @cached_property
    def manifest(self) -> dict[str, Any]:
        return self.store.manifest

    @cached_property
    def definitions(self) -> dict[str, Scenario]:
        """Each scenario as run, in experiment order (read from the manifest once, here)."""
        return {s["name"]: Scenario.from_manifest(s) for s in self.manifest["scenarios"]}

    @property
    def scenarios(self) -> list[str]:
        return list(self.definitions)

    @property
    def replicates(self) -> int:
        return int(self.manifest["experiment"]["replicates"])

    @property
    def baseline(self) -> str:
        if self._baseline is not None:
            self._check_scenario(self._baseline)
            return self._baseline
        return "baseline" if "baseline" in self.definitions else self.scenarios[0]

    def label(self, scenario: str, lang: str = "en") -> str:
        """A scenario's title in ``lang`` (its name if it has none)."""
        sc = self.definitions.get(scenario)
        return sc.label(lang) if sc is not None else scenario

    def _check_scenario(self, name: str) -> None:
        if name not in self.definitions:
            raise KeyError(not_one_of(name, self.scenarios, "a scenario of this store"))

    def _pick(self, scenarios) -> list[str]:
        if scenarios is None:
            return self.scenarios
        if isinstance(scenarios, str):
            scenarios = [scenarios]
        for s in scenarios:
            self._check_scenario(s)
        return list(scenarios)

    @cached_property
    def target_sets(self) -> dict[str, TargetSet]:
        """Each scenario's target set, by scenario."""
        loaded: dict[str, TargetSet] = {}
        out = {}
        for name, d in self.definitions.items():
            key = d.targets
            if key not in loaded:
                loaded[key] = load_targets(key)
            out[name] = loaded[key]
        return out

    @cached_property
    def targets(self) -> dict[str, Target]:
        """Every target judged in this store, by id, in target-set order."""
        out: dict[str, Target] = {}
        for ts in self.target_sets.values():
            for t in ts:
                out.setdefault(t.id, t)
        return out

    def changes(self, scenario: str) -> list[tuple[pd.Timestamp, dict[str, Any]]]:
        """A scenario's dated lever changes: (month end, {lever: value})."""
        return [(month_end(date), dict(levers)) for date, levers in self.definitions[scenario].changes.items()]

    def divergence(self, scenario: str, baseline: str | None = None) -> pd.Timestamp | None:
        """The first month ``scenario`` differs from the baseline (None: never)."""
        baseline = baseline or self.baseline
        return divergence_month(self.definitions[scenario], self.definitions[baseline])

    def paired_with(self, scenario: str, baseline: str | None = None) -> bool:
        """Can ``scenario`` be compared run by run with the baseline (same region and window)?"""
        a, b = self.definitions[scenario], self.definitions[baseline or self.baseline]
        return (a.region, a.start, a.end) == (b.region, b.start, b.end)

    # ---- data -------------------------------------------------------------------------------------
    @cached_property
    def runs(self) -> pd.DataFrame:
        """``runs.parquet``: one row per scenario × replicate."""
        return self.store.runs()

    @cached_property
    def ok_runs(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == "ok"].reset_index(drop=True)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """Every ok run's months: scenario, replicate, date, indicators (read once)."""
        return self.store.timeseries()

    @cached_property
    def store_units(self) -> pd.DataFrame:
        """Every ok run's prefecture and county table (``OUT/units/``; ``model/core/units.py``)."""
        return self.store.units()

    # ---- every level of the region (``by_unit.py``) ------------------------------------------------
    def unit_attainment(self, level: str = "prefecture", interval: float = 0.9) -> pd.DataFrame:
        """Per scenario × prefecture (or county) × target: probability met, value and share of the goal."""
        from .by_unit import unit_attainment

        return unit_attainment(self, level, interval)

    def unit_cost(self, level: str = "prefecture", baseline: str | None = None) -> pd.DataFrame:
        """Per scenario × prefecture (or county): public spending, per resident, extra against the baseline."""
        from .by_unit import unit_cost

        return unit_cost(self, level, baseline)

    def unit_ranking(self, level: str = "prefecture", scenario: str | None = None) -> pd.DataFrame:
        """One scenario's prefectures (or counties) ranked by mean progress toward the goals."""
        from .by_unit import unit_ranking

        return unit_ranking(self, level, scenario)

    def _at(self, dates, indicators: list[str], scenarios: list[str]) -> pd.DataFrame:
        """Indicator values at month ends: scenario, replicate, date, indicators."""
        ts = self.timeseries
        ts = ts[ts["scenario"].isin(scenarios)]
        if isinstance(dates, str) and dates == "all":
            return ts[["scenario", "replicate", "date", *indicators]]
        wanted = sorted({month_end(d) for d in dates})
        return ts.loc[ts["date"].isin(wanted), ["scenario", "replicate", "date", *indicators]]

    # ---- the planner's questions --------------------------------------------------------------------
    def attainment(self, level: float = 0.9, method: str = "jeffreys", lang: str | None = None) -> pd.DataFrame:
        """Per scenario × target: how surely it is met by its date, and by when.

        Columns: ``scenario``, ``target``, ``indicator``, ``op``, ``goal``, ``date``, ``n``
        (ok runs judged), ``met`` (runs that met it), ``probability``, ``lo``, ``hi`` (the
        ``level`` interval), ``median_value`` (the indicator at the date), ``value_q10``,
        ``value_q90``, ``goal_share`` (the median value as a share of the goal, see
        ``goal_share()``), ``goal_share_q10``, ``goal_share_q90``, ``ever_met`` (share of runs that met it in some month of the window),
        ``median_first_met``. With ``lang``, also ``scenario_label`` and ``target_label``.
        """
        key = (level, method)
        if key in self._memo:
            frame = self._memo[key].copy()
            return self._labelled(frame, lang) if lang else frame
        rows = []
        runs = self.ok_runs
        for scenario in self.scenarios:
            mine = runs[runs["scenario"] == scenario]
            for t in self.target_sets[scenario]:
                value = mine[f"{t.id}_value"].astype(float)
                judged = value.notna()
                met = mine.loc[judged, f"{t.id}_met"].astype(bool)
                first = mine.loc[judged, f"{t.id}_first_met"]
                n, k = int(judged.sum()), int(met.sum())
                share = pd.Series(goal_share(value[judged], t.value, t.op)) if n else pd.Series(dtype=float)
                rows.append({
                    "scenario": scenario, "target": t.id, "indicator": t.indicator, "op": t.op, "goal": t.value,
                    "date": t.date, "n": n, "met": k, "probability": k / n if n else np.nan,
                    "median_value": value[judged].median() if n else np.nan,
                    "value_q10": value[judged].quantile(LEVELS[0]) if n else np.nan,
                    "value_q90": value[judged].quantile(LEVELS[1]) if n else np.nan,
                    "goal_share": share.median() if n else np.nan,
                    "goal_share_q10": share.quantile(LEVELS[0]) if n else np.nan,
                    "goal_share_q90": share.quantile(LEVELS[1]) if n else np.nan,
                    "ever_met": float(first.notna().mean()) if n else np.nan,
                    "median_first_met": _median_first(first),
                })
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        lo, hi = proportion_interval(frame["met"], frame["n"], level, method)
        frame.insert(frame.columns.get_loc("probability") + 1, "lo", lo)
        frame.insert(frame.columns.get_loc("lo") + 1, "hi", hi)
        self._memo[key] = frame.copy()
        if lang:
            frame = self._labelled(frame, lang)
        return frame

    def compare(self, baseline: str | None = None, indicators=None, dates=None, scenarios=None,
                q=LEVELS, lang: str | None = None) -> pd.DataFrame:
        """Paired differences ``scenario − baseline``, replicate by replicate.

        Rows of ``kind == "indicator"``: each indicator at each date (default: the core
        indicators at every target date and the last month; ``dates="all"`` for every
        month). Rows of ``kind == "target"``: each target's indicator at its date, with
        ``delta_probability`` (the difference in the share of runs meeting it).
        Columns: ``scenario``, ``baseline``, ``kind``, ``name``, ``indicator``, ``date``,
        ``n_pairs``, ``median``, ``q10``, ``q90``, ``mean``, ``baseline_median``,
        ``scenario_median``, ``delta_probability``; for target rows also ``goal_share_diff``
        (the paired median in the target's direction as a share of the goal: negative means
        the scenario is further from the goal) and ``effect`` (``ahead``, ``behind`` or
        ``level``: the sign of that median; ``behind`` whenever the indicator is lower for a
        "≥" target, however little). Scenarios on another region or window than the baseline
        cannot be paired and are left out.
        """
        baseline = baseline or self.baseline
        self._check_scenario(baseline)
        others = [s for s in self._pick(scenarios) if s != baseline and self.paired_with(s, baseline)]
        if indicators is None:
            indicators = list(CORE_NAMES)
        elif isinstance(indicators, str):
            indicators = [indicators]
        for name in indicators:
            if name not in INDICATORS:
                raise KeyError(not_one_of(name, INDICATORS, "an indicator"))
        if dates is None:
            last = self.timeseries.loc[self.timeseries["scenario"] == baseline, "date"].max()
            dates = sorted({t.date for t in self.target_sets[baseline]} | {last})
        elif isinstance(dates, (str, pd.Timestamp)) and not (isinstance(dates, str) and dates == "all"):
            dates = [dates]
        lo_name, hi_name = _q(q[0]), _q(q[1])
        columns = ["scenario", "baseline", "kind", "name", "indicator", "date", "n_pairs", "median", lo_name,
                   hi_name, "mean", "baseline_median", "scenario_median", "delta_probability", "goal_share_diff",
                   "effect"]
        parts = []
        if others:
            values = self._at(dates, indicators, [baseline, *others])
            base = values[values["scenario"] == baseline].drop(columns="scenario")
            pairs = values[values["scenario"].isin(others)].merge(base, on=["replicate", "date"], suffixes=("", "__b"))
            keys = [pairs["scenario"], pairs["date"]]
            diff = pd.DataFrame({n: pairs[n] - pairs[f"{n}__b"] for n in indicators})
            g = diff.groupby(keys, sort=False)
            stats = {"median": g.median(), lo_name: g.quantile(q[0]), hi_name: g.quantile(q[1]), "mean": g.mean(),
                     "scenario_median": pairs[indicators].groupby(keys, sort=False).median(),
                     "baseline_median": pairs[[f"{n}__b" for n in indicators]].groupby(keys, sort=False).median()
                     .set_axis(indicators, axis=1)}
            long = pd.concat({k: v.stack(future_stack=True) for k, v in stats.items()}, axis=1)
            long.index = long.index.set_names(["scenario", "date", "name"])
            long = long.reset_index()
            long["n_pairs"] = long.set_index(["scenario", "date"]).index.map(g.size()).astype(int)
            long["baseline"] = baseline
            long["kind"] = "indicator"
            long["indicator"] = long["name"]
            long["delta_probability"] = np.nan
            long["goal_share_diff"] = np.nan
            long["effect"] = ""
            rank = {n: i for i, n in enumerate(indicators)}
            srank = {n: i for i, n in enumerate(others)}
            long = long.assign(_s=long["scenario"].map(srank), _n=long["name"].map(rank)).sort_values(
                ["_s", "_n", "date"], kind="stable").drop(columns=["_s", "_n"])
            parts.append(long[columns])
            parts.append(pd.DataFrame(self._compare_targets(baseline, others, q), columns=columns))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
        if lang:
            frame = self._labelled(frame, lang)
        return frame

    def _compare_targets(self, baseline: str, others: list[str], q) -> list[dict]:
        runs = self.ok_runs
        base = runs[runs["scenario"] == baseline].set_index("replicate")
        rows = []
        for s in others:
            mine = runs[runs["scenario"] == s].set_index("replicate")
            common = mine.index.intersection(base.index)
            for t in self.target_sets[s]:
                if t.id not in {x.id for x in self.target_sets[baseline]}:
                    continue
                a, b = mine.loc[common, f"{t.id}_value"], base.loc[common, f"{t.id}_value"]
                keep = a.notna() & b.notna()
                d = (a - b)[keep]
                ma = mine.loc[common, f"{t.id}_met"][keep].astype(float)
                mb = base.loc[common, f"{t.id}_met"][keep].astype(float)
                directed = _direction(t.op) * d.median() if len(d) else np.nan
                effect = "" if directed != directed else ("ahead" if directed > 0 else
                                                          "behind" if directed < 0 else "level")
                rows.append({"scenario": s, "baseline": baseline, "kind": "target", "name": t.id,
                             "indicator": t.indicator, "date": t.date, "n_pairs": int(keep.sum()),
                             "median": d.median(), _q(q[0]): d.quantile(q[0]), _q(q[1]): d.quantile(q[1]),
                             "mean": d.mean(), "baseline_median": b[keep].median(),
                             "scenario_median": a[keep].median(), "delta_probability": (ma - mb).mean(),
                             "goal_share_diff": directed / abs(t.value) if t.value else np.nan, "effect": effect})
        return rows

    def cost(self, baseline: str | None = None, lang: str | None = None) -> pd.DataFrame:
        """Public spending and cost-effectiveness, one row per scenario.

        Spending is cumulative over the window (the last month), averaged over ok runs:
        ``spend_<line>_yuan`` for each budget line (``model.indicators.BUDGET_LINES``),
        ``total_yuan`` (their sum, which is ``public_spend_yuan``), ``budget_yuan`` (what
        was budgeted). Means add up, so the lines sum to the total.

        Against the baseline, replicate by replicate (mean of paired differences):
        ``extra_cost_yuan``; ``extra_certified`` (certified social workers at the end),
        ``extra_talent`` (social-work talent at the end), ``extra_station_years`` (station
        months / 12 over the window), ``attainment_pp`` (mean probability of meeting a
        target, in percentage points) and ``extra_attainment_pp``; and the ratios
        ``yuan_per_extra_certified``, ``yuan_per_extra_talent``,
        ``yuan_per_extra_station_year``, ``yuan_per_attainment_pp`` where the cost is
        positive and the effect clearly so (its paired mean above twice its standard error;
        NaN otherwise).

        The verdict compares the targets' indicators at their dates (``compare()``'s target
        rows), so that a floor (both at 0% attainment) cannot hide a loss:
        ``mean_goal_share`` (mean over targets of the median value as a share of the goal,
        capped at 100%), ``cost_change`` (``cheaper``, ``costlier`` or ``same``: same when
        the paired extra cost is under ``MATERIAL_COST`` of the baseline's spending or within
        twice its standard error), ``targets_ahead`` and ``targets_behind`` (targets whose
        indicator is higher / lower at its date, in the target's direction, by the paired
        median), ``targets_behind_material`` (by at least ``MATERIAL_GOAL`` of the goal),
        ``worst_target`` and ``worst_goal_share_diff`` (the target furthest behind, as a
        share of its goal) and ``vs_baseline``: ``dominant`` (cheaper, no target behind),
        ``dominated`` (costlier, no target ahead), ``better`` (same cost, ahead on some and
        behind on none), ``worse`` (same cost, behind on some and ahead on none), ``same``
        (same cost, every target level) or ``trade-off``.
        """
        baseline = baseline or self.baseline
        self._check_scenario(baseline)
        ts_columns = set(self.timeseries.columns)  # a store written before a budget line existed lacks it
        lines = [f"spend_{line}_yuan" for line in BUDGET_LINES if f"spend_{line}_yuan" in ts_columns]
        ts = self.timeseries
        last = ts.loc[ts.groupby(["scenario", "replicate"], sort=False)["date"].idxmax()]
        station_years = ts.groupby(["scenario", "replicate"], sort=False)["stations"].sum() / 12.0
        per_run = last.set_index(["scenario", "replicate"])[
            [*lines, "public_spend_yuan", "public_budget_yuan", "sw_certified", "sw_talent"]].copy()
        per_run["station_years"] = station_years
        attain = self.attainment()
        mean_p = attain.groupby("scenario", sort=False)["probability"].mean() * 100.0
        mean_share = attain.assign(_s=attain["goal_share"].clip(upper=1.0)).groupby(
            "scenario", sort=False)["_s"].mean() * 100.0
        paired_names = [x for x in self.scenarios if x != baseline and self.paired_with(x, baseline)]
        effects = pd.DataFrame(self._compare_targets(baseline, paired_names, LEVELS),
                               columns=["scenario", "name", "goal_share_diff", "effect"])
        base_total = (float(per_run.loc[baseline, "public_spend_yuan"].mean())
                      if baseline in per_run.index.get_level_values(0) else np.nan)
        rows = []
        for s in self.scenarios:
            if s not in per_run.index.get_level_values(0):
                continue
            mine = per_run.loc[s]
            row: dict[str, Any] = {"scenario": s, "n": len(mine)}
            for c in lines:
                row[c] = mine[c].mean()
            row["total_yuan"] = float(sum(row[c] for c in lines))
            row["public_spend_yuan"] = mine["public_spend_yuan"].mean()
            row["budget_yuan"] = mine["public_budget_yuan"].mean()
            row["attainment_pp"] = mean_p.get(s, np.nan)
            row["mean_goal_share"] = mean_share.get(s, np.nan)
            paired = self.paired_with(s, baseline) and baseline in per_run.index.get_level_values(0)
            base = per_run.loc[baseline] if paired else None
            common = mine.index.intersection(base.index) if paired else []

            clear = {}

            def extra(col, mine=mine, base=base, common=common, paired=paired, clear=clear):
                if not (paired and len(common)):
                    return np.nan
                d = mine.loc[common, col] - base.loc[common, col]
                se = float(d.std(ddof=1)) / np.sqrt(len(d)) if len(d) > 1 else 0.0
                clear[col] = float(d.mean()) > 2 * se
                clear[f"|{col}|"] = abs(float(d.mean())) > 2 * se
                return float(d.mean())

            row["extra_cost_yuan"] = extra("public_spend_yuan")
            row["extra_certified"] = extra("sw_certified")
            row["extra_talent"] = extra("sw_talent")
            row["extra_station_years"] = extra("station_years")
            row["extra_attainment_pp"] = row["attainment_pp"] - mean_p.get(baseline, np.nan) if paired else np.nan
            clear["attainment"] = row["extra_attainment_pp"] > 0
            for effect, column, name in (("extra_certified", "sw_certified", "yuan_per_extra_certified"),
                                         ("extra_talent", "sw_talent", "yuan_per_extra_talent"),
                                         ("extra_station_years", "station_years", "yuan_per_extra_station_year"),
                                         ("extra_attainment_pp", "attainment", "yuan_per_attainment_pp")):
                c, e = row["extra_cost_yuan"], row[effect]
                row[name] = c / e if (c > 0 and e > 0 and clear.get(column, False)) else np.nan
            c = row["extra_cost_yuan"]
            if c != c:
                row["cost_change"] = ""
            elif abs(c) >= MATERIAL_COST * abs(base_total) and clear.get("|public_spend_yuan|", False):
                row["cost_change"] = "cheaper" if c < 0 else "costlier"
            else:
                row["cost_change"] = "same"
            mine_fx = effects[effects["scenario"] == s]
            gaps = mine_fx["goal_share_diff"].dropna()
            row["targets_ahead"] = int((mine_fx["effect"] == "ahead").sum()) if paired else np.nan
            row["targets_behind"] = int((mine_fx["effect"] == "behind").sum()) if paired else np.nan
            row["targets_behind_material"] = int((gaps <= -MATERIAL_GOAL).sum()) if paired else np.nan
            worst = gaps.idxmin() if len(gaps) and gaps.min() < 0 else None
            row["worst_target"] = mine_fx.loc[worst, "name"] if worst is not None else ""
            row["worst_goal_share_diff"] = float(gaps.min()) if worst is not None else np.nan
            row["vs_baseline"] = ("baseline" if s == baseline else
                                  _verdict(row["cost_change"], row["targets_ahead"], row["targets_behind"]))
            rows.append(row)
        frame = pd.DataFrame(rows)
        if lang:
            frame = self._labelled(frame, lang)
        return frame

    def quantiles(self, indicator: str, q=(0.1, 0.5, 0.9), scenarios=None) -> pd.DataFrame:
        """An indicator's quantiles over replicates, per scenario × month.

        Columns: ``scenario``, ``date``, ``n``, then ``q10``, ``q50``, ``q90`` (for the
        default ``q``).
        """
        if indicator not in INDICATORS:
            raise KeyError(not_one_of(indicator, INDICATORS, "an indicator"))
        q = [q] if isinstance(q, float) else list(q)
        names = self._pick(scenarios)
        return band(self.timeseries[self.timeseries["scenario"].isin(names)], indicator, q)

    def summary(self, lang: str | None = None) -> pd.DataFrame:
        """One row per scenario: runs, failures, targets expected to be met, spending."""
        runs = self.runs
        attain = self.attainment()
        cost = self.cost().set_index("scenario") if len(self.ok_runs) else pd.DataFrame()
        rows = []
        for s in self.scenarios:
            d = self.definitions[s]
            mine = runs[runs["scenario"] == s]
            ok = mine[mine["status"] == "ok"]
            a = attain[attain["scenario"] == s]
            met_cols = [f"{t}_met" for t in a["target"]]
            every = ok[met_cols].fillna(False).astype(bool).all(axis=1).mean() if len(ok) and met_cols else np.nan
            rows.append({
                "scenario": s, "region": d.region, "start": d.start, "end": d.end,
                "targets_set": d.targets, "runs": len(mine), "ok": len(ok), "failed": int((mine["status"] != "ok").sum()),
                "wall_s_mean": ok["wall_s"].mean() if len(ok) else np.nan,
                "targets": len(a), "expected_targets_met": a["probability"].sum(min_count=1),
                "all_targets_probability": every,
                "total_yuan": cost["total_yuan"].get(s, np.nan) if len(cost) else np.nan,
                "changes": len(d.changes),
            })
        frame = pd.DataFrame(rows)
        if lang:
            frame = self._labelled(frame, lang)
        return frame

    # ---- helpers ------------------------------------------------------------------------------------
    def _labelled(self, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
        frame = frame.copy()
        if "scenario" in frame:
            frame.insert(frame.columns.get_loc("scenario") + 1, "scenario_label",
                         frame["scenario"].map(lambda s: self.label(s, lang)))
        if "target" in frame:
            frame.insert(frame.columns.get_loc("target") + 1, "target_label",
                         frame["target"].map(lambda t: self.targets[t].label(lang)))
        if "indicator" in frame:
            frame.insert(frame.columns.get_loc("indicator") + 1, "indicator_label",
                         frame["indicator"].map(lambda i: INDICATORS[i].label(lang) if i in INDICATORS else i))
        return frame


def band(frame: pd.DataFrame, indicator: str, q) -> pd.DataFrame:
    """Quantiles of ``indicator`` over replicates per scenario × date of a long frame."""
    order = list(dict.fromkeys(frame["scenario"]))
    g = frame.groupby(["scenario", "date"], sort=False)[indicator]
    out = g.size().rename("n").to_frame()
    for x in q:
        out[_q(x)] = g.quantile(x)
    out = out.reset_index()
    out["_rank"] = out["scenario"].map({s: i for i, s in enumerate(order)})
    return out.sort_values(["_rank", "date"], kind="stable").drop(columns="_rank").reset_index(drop=True)


def _median_first(first: pd.Series) -> pd.Timestamp:
    """The earliest month by which at least half the runs had met a target (NaT: never for half)."""
    n = len(first)
    if n == 0:
        return pd.NaT
    reached = first.dropna().sort_values()
    need = int(np.ceil(n / 2))
    return pd.Timestamp(reached.iloc[need - 1]) if len(reached) >= need else pd.NaT


def _verdict(cost_change: str, ahead, behind) -> str:
    """The verdict against the baseline from the material cost change and the number of targets
    whose indicator is ahead / behind at its date. Never ``dominant``, ``better`` or ``same``
    when any target is behind."""
    if not cost_change or ahead != ahead or behind != behind:
        return ""
    if cost_change == "cheaper":
        return "dominant" if behind == 0 else "trade-off"
    if cost_change == "costlier":
        return "dominated" if ahead == 0 else "trade-off"
    if behind == 0:
        return "better" if ahead else "same"
    return "worse" if ahead == 0 else "trade-off"

"""Scenario discovery: where in the uncertainties does a strategy miss a target? (PRIM, EMA Workbench)

Run the strategy over sampled uncertainties (``wushe explore --scenario S --uncertainties …``),
then ``discover(results, "station_coverage")`` asks EMA Workbench's PRIM for a box (a range
on a few factors) that holds most of the runs that miss the target (coverage) and in
which most runs miss (density). PRIM peels the space step by step; each step is a point
of the *peeling trajectory*, trading coverage for density. The box chosen by default is
the densest one that still covers ``min_coverage`` of the misses; any other is one
``select`` away.

Each run is one case (its factors' values, missed or not): replicate noise shows as
densities below 1 inside a box whose misses are not certain.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .runner import ExploreResults

__all__ = ["Discovery", "discover", "plot_tradeoff"]


@dataclass
class Discovery:
    """PRIM's answer: the box, its coverage and density, the peeling trajectory."""

    results: ExploreResults
    target: str
    factors: list[str]
    box: Any  # ema_workbench's PrimBox
    chosen: int
    base_rate: float
    cases: int

    @property
    def trajectory(self) -> pd.DataFrame:
        return self.box.peeling_trajectory

    @property
    def coverage(self) -> float:
        return float(self.trajectory.loc[self.chosen, "coverage"])

    @property
    def density(self) -> float:
        return float(self.trajectory.loc[self.chosen, "density"])

    @property
    def mass(self) -> float:
        return float(self.trajectory.loc[self.chosen, "mass"])

    def select(self, i: int) -> Discovery:
        """Another point of the peeling trajectory as the chosen box."""
        if not 0 <= int(i) < len(self.trajectory):
            raise IndexError(f"the peeling trajectory has boxes 0 to {len(self.trajectory) - 1}; got {i}")
        self.chosen = int(i)
        self.box.select(int(i))
        return self

    def limits(self, lang: str = "en") -> pd.DataFrame:
        """The chosen box: one row per factor it restricts (low, high, the factor's full range)."""
        lims = self.box.box_lims[self.chosen]
        full = self.box.box_lims[0]
        rows = []
        problem = self.results.problem
        for name in self.factors:
            f = problem.factor(name)
            lo, hi = lims[name].iloc[0], lims[name].iloc[1]
            if f.type in ("bool", "choice"):
                kept, every = set(lims[name].iloc[0]), set(full[name].iloc[0])
                if kept == every:
                    continue
                rows.append({"factor": name, "label": f.label(lang), "values": ", ".join(map(str, sorted(kept, key=str))),
                             "low": np.nan, "high": np.nan, "range_low": np.nan, "range_high": np.nan})
                continue
            if lo <= full[name].iloc[0] and hi >= full[name].iloc[1]:
                continue
            rows.append({"factor": name, "label": f.label(lang), "values": "", "low": float(lo), "high": float(hi),
                         "range_low": float(f.low), "range_high": float(f.high)})
        return pd.DataFrame(rows, columns=["factor", "label", "values", "low", "high", "range_low", "range_high"])

    def summary(self, lang: str = "en") -> str:
        t = self.results.problem.outcome(f"{self.target}_met").label(lang)
        if lang == "zh":
            head = (f"{t}:{self.cases} 次运行中未达成比例 {self.base_rate:.0%};所选盒子(第 {self.chosen} 步)"
                    f"覆盖率 {self.coverage:.0%}、密度 {self.density:.0%}、占样本 {self.mass:.0%}")
        else:
            head = (f"{t}: missed in {self.base_rate:.0%} of {self.cases} runs; chosen box (step {self.chosen}) "
                    f"coverage {self.coverage:.0%}, density {self.density:.0%}, mass {self.mass:.0%}")
        lines = [head]
        for row in self.limits(lang).itertuples(index=False):
            if row.values:
                lines.append(f"  {row.label} ∈ {{{row.values}}}")
            else:
                lines.append(f"  {row.low:.4g} ≤ {row.label} ≤ {row.high:.4g}   ({row.range_low:g} – {row.range_high:g})")
        return "\n".join(lines)


def discover(results, target: str, over: str | list[str] = "uncertainties", min_coverage: float = 0.5,
             peel_alpha: float = 0.05, mass_min: float = 0.05) -> Discovery:
    """PRIM on "the strategy misses ``target``" (a target id) over ``over`` (uncertainties, levers, factors or names)."""
    from ema_workbench.analysis import prim

    results = results if isinstance(results, ExploreResults) else ExploreResults(results)
    problem = results.problem
    problem.outcome(f"{target}_met")
    if isinstance(over, str) and over in ("uncertainties", "levers", "factors"):
        factors = [f.name for f in getattr(problem, over)]
    else:
        factors = [over] if isinstance(over, str) else list(over)
        for name in factors:
            problem.factor(name)
    if not factors:
        raise ValueError(f"this exploration varies no {over}: nothing for PRIM to search over")
    frame = results.outcomes()
    frame = frame[frame["status"] == "ok"]
    x = frame[factors].copy()
    for name in factors:
        if problem.factor(name).type in ("bool", "choice"):
            x[name] = x[name].astype(str).astype("category")
        else:
            x[name] = x[name].astype(float)
    x = x.reset_index(drop=True)
    y = (frame[f"{target}_met"].to_numpy() == 0)
    if not y.any():
        raise ValueError(f"{target} is met in every run: there is no miss to explain")
    if y.all():
        raise ValueError(f"{target} is missed in every run: no box of these factors explains it")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min).find_box()
    traj = box.peeling_trajectory
    ok = traj[traj["coverage"] >= min_coverage]
    chosen = int(ok["density"].idxmax()) if len(ok) else 0
    found = Discovery(results, target, factors, box, chosen, float(y.mean()), len(y))
    return found.select(chosen)


_TEXT = {
    "coverage": {"zh": "覆盖率(盒内未达成运行 / 全部未达成运行)", "en": "coverage (misses in the box / all misses)"},
    "density": {"zh": "密度(盒内运行中未达成的比例)", "en": "density (share of runs in the box that miss)"},
    "title": {"zh": "情景发现:{t} 未达成", "en": "Scenario discovery: {t} missed"},
    "dims": {"zh": "受限因子数", "en": "factors restricted"},
    "chosen": {"zh": "所选盒子", "en": "chosen box"},
}


def plot_tradeoff(found: Discovery, lang: str = "en"):
    """PRIM's peeling trajectory: density against coverage, coloured by the number of factors restricted."""
    import matplotlib.pyplot as plt

    from ..analysis.fonts import use_fonts

    lang = use_fonts(lang)
    traj = found.trajectory
    fig, ax = plt.subplots(figsize=(6.8, 5), layout="constrained")
    pts = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=28, zorder=2)
    ax.plot(traj["coverage"], traj["density"], color="0.75", lw=0.8, zorder=1)
    ax.scatter([found.coverage], [found.density], s=160, facecolors="none", edgecolors="#c8553d", lw=2, zorder=3,
               label=_TEXT["chosen"][lang])
    bar = fig.colorbar(pts, ax=ax)
    bar.set_label(_TEXT["dims"][lang])
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(_TEXT["coverage"][lang])
    ax.set_ylabel(_TEXT["density"][lang])
    label = found.results.problem.outcome(f"{found.target}_met").label(lang)
    ax.set_title(_TEXT["title"][lang].format(t=label.replace("(达成)", "").replace(" (met)", "")))
    ax.legend(loc="lower left", fontsize=8)
    return fig

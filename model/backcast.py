"""Backcasting: run the record's scenario from 2018 and hold it against what was observed.

::

    runs = backcast(seeds=range(5))                # history_2018 on hubei, to end-2022
    table = compare(runs, load_observations("hubei"))
    table[["date", "indicator", "area", "value", "model_lo", "model_hi", "inside"]]

An observation is inside when its value lies in the model's band over the seeds (lowest
to highest run) widened by the observation's stated uncertainty: ``model_lo × (1 − u) ≤
value ≤ model_hi × (1 + u)``; a "more than" figure only needs ``model_hi × (1 + u) ≥
value``, a range only needs to overlap the band. Figures for one prefecture (Wuhan) are
read from that prefecture's communities and townships, month by month.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .core.calendar import parse_month
from .observed import DERIVED, derived_series
from .scenarios import load_scenario
from .simulation import FiveSocietyModel

__all__ = ["Backcast", "backcast", "compare", "anchor_check", "observed_value", "run_observed", "AREA_INDICATORS"]

# Indicators that can be read for one prefecture of the region
AREA_INDICATORS = ("volunteers_registered", "stations", "station_coverage")


def _area_values(m: FiveSocietyModel, pref: int) -> dict[str, float]:
    c, tw = m.communities, m.townships
    in_pref = m.community_prefecture == pref
    towns = m.township_prefecture == pref
    return {
        "volunteers_registered": float(c.volunteers_registered[in_pref].sum()),
        "stations": float(tw.has_station[towns].sum()),
        "station_coverage": float(tw.has_station[towns].mean()),
    }


@dataclass
class Backcast:
    """Runs of one scenario over several seeds: province frames and per-prefecture frames."""

    scenario: str
    region: str
    frames: list[pd.DataFrame] = field(default_factory=list)
    areas: list[dict[str, pd.DataFrame]] = field(default_factory=list)  # per run: prefecture -> frame
    units: dict[str, int] = field(default_factory=dict)  # how many communities, for "count" observations
    start: pd.Timestamp | None = None


def run_observed(seed: int, areas: tuple[str, ...] = (), **kw) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], int]:
    """One run with the prefecture frames the observations need: (province frame, area → frame, communities)."""
    m = FiveSocietyModel(seed=seed, **kw)
    names = m.structure.prefecture_names
    idx = {a: names.index(a) for a in areas if a in names}
    rows: dict[str, list] = {a: [] for a in idx}
    while m.running:
        m.step()
        if idx and m.t >= 0 and len(m.frame()) == m.t + 1:
            for a, i in idx.items():
                rows[a].append(_area_values(m, i))
    frame = m.frame()
    return frame, {a: pd.DataFrame(r, index=frame.index[: len(r)]) for a, r in rows.items()}, int(m.communities.n)


def observed_value(frame: pd.DataFrame, area_frames: dict[str, pd.DataFrame], communities: int,
                   indicator: str, date, area: str = "province", measure: str = "value") -> float:
    """The run's value of an observation: as of its date, for its area, as a value or a count of communities."""
    data = frame if area == "province" else area_frames.get(area)
    if data is None or (indicator not in DERIVED and indicator not in data.columns):
        return float("nan")
    series = derived_series(data, indicator)
    at = series[series.index <= date]
    if len(at) == 0 or series.index.max() < date:
        return float("nan")
    value = float(at.iloc[-1])
    return value * communities if measure == "count" else value


def backcast(seeds=range(5), scenario: str = "history_2018", end: str = "2022-12",
             areas: tuple[str, ...] = ("武汉市",)) -> Backcast:
    """Run ``scenario`` (from its own start, 2018-01 for ``history_2018``) once per seed to ``end``."""
    sc = load_scenario(scenario)
    kw = sc.simulate_kwargs()
    kw["end"] = end
    out = Backcast(scenario=sc.name, region=sc.region, start=parse_month(kw["start"], "start"))
    for seed in seeds:
        frame, area_frames, communities = run_observed(seed, tuple(areas), **kw)
        out.frames.append(frame)
        out.areas.append(area_frames)
        out.units = {"communities": communities}
    return out


def _model_values(run: Backcast, i: int, obs) -> float:
    return observed_value(run.frames[i], run.areas[i], run.units["communities"], obs.indicator, obs.date,
                          obs.area, obs.measure)


def compare(run: Backcast, observations: pd.DataFrame) -> pd.DataFrame:
    """One row per observation the runs cover: the model's band over the seeds and whether it holds the value."""
    rows = []
    for obs in observations.itertuples(index=False):
        if obs.date < run.start or (pd.notna(obs.cumulative_from) and run.start > obs.cumulative_from):
            continue  # before the run, or a cumulative series the run did not see from its start
        values = np.array([_model_values(run, i, obs) for i in range(len(run.frames))])
        if np.isnan(values).all():
            continue
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        u = obs.uncertainty
        if obs.bound == "lower":
            inside = hi * (1 + u) >= obs.value
        elif obs.high != obs.value * (1 + u):  # an explicit range: it must overlap the band
            inside = hi >= obs.low and lo <= obs.high
        else:
            inside = lo * (1 - u) <= obs.value <= hi * (1 + u)
        rows.append({"date": obs.date, "indicator": obs.indicator, "area": obs.area, "value": obs.value,
                     "low": obs.low, "high": obs.high, "conf": obs.conf, "model_lo": lo, "model_hi": hi,
                     "model_median": float(np.nanmedian(values)), "inside": bool(inside), "source": obs.source})
    return pd.DataFrame(rows)


# Region-file anchor keys and the indicator (or per-community count) they are compared with
_ANCHOR_INDICATORS = {
    "station_coverage": "station_coverage",
    "sw_certified": "sw_certified",
    "cw_certified_share": "community_worker_certified_share",
    "agencies": "agencies",
    "incubator_city_coverage": "incubator_city_coverage",
    "incubator_county_coverage": "incubator_county_coverage",
    "volunteer_point_coverage": "volunteer_point_coverage",
    "community_fund_coverage": "community_fund_coverage",
}


def anchor_check(run: Backcast, anchor: str = "2021-01", at: str = "2020-12-31") -> pd.DataFrame:
    """The runs' state at ``at`` against the region file's ``anchor`` ± its documented uncertainty.

    One row per anchor key with an indicator to compare (community organisations as
    orgs per community × communities; registered volunteers and talent against the
    population and the certified): the anchor value, its range, the model's band and
    whether the two overlap.
    """
    from .regions import load_region

    region = load_region(run.region)
    state = region.initial[pd.Timestamp(anchor)]
    when = pd.Timestamp(at)
    counts = region.unit_counts()
    rows = []

    def add(key, target, values):
        u = region.uncertainty.get(key, 0.0)
        lo, hi = min(values), max(values)
        rows.append({"key": key, "anchor": target, "low": target * (1 - u), "high": target * (1 + u),
                     "model_lo": lo, "model_hi": hi,
                     "inside": bool(hi >= target * (1 - u) - 1e-12 and lo <= target * (1 + u) + 1e-12)})

    for key, ind in _ANCHOR_INDICATORS.items():
        add(key, state[key], [float(f.loc[when, ind]) for f in run.frames])
    orgs = state["orgs_per_urban_community"] * counts["urban_community"] + \
        state["orgs_per_rural_community"] * counts["rural_community"]
    add("orgs_per_urban_community", orgs, [float(f.loc[when, "community_orgs"]) for f in run.frames])
    pops = {p["name"]: p["population"] for p in region.prefectures}
    own = {p["name"]: p["volunteer_registered_share"] for p in region.prefectures if "volunteer_registered_share" in p}
    from .regions import dated_value

    registered = sum(dated_value(own[n], pd.Timestamp(anchor), True) * pops[n] if n in own
                     else state["volunteer_registered_share"] * pops[n] for n in pops)
    add("volunteer_registered_share", registered, [float(f.loc[when, "volunteers_registered"]) for f in run.frames])
    # talent less the certified: the practitioners plus the uncertified in stations and agencies
    talent_uncertified = state["sw_uncertified_practitioners"]
    add("sw_uncertified_practitioners", talent_uncertified,
        [float(f.loc[when, "sw_talent"] - f.loc[when, "sw_certified"]) for f in run.frames])
    return pd.DataFrame(rows)

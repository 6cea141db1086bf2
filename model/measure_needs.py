"""Measure what residents' needs, the platform and committees do in the model (paired seeds).

``python -m model.measure_needs [--seeds 5] [--regions demo linhai]`` prints, for each
region, the paired differences (variant − base, same seed) of the indicators that move,
averaged over the run's last twelve months, for these variants:

* ``needs x2``: twice the monthly onset of needs (``need_onset``);
* ``platform on``: the digital platform from the start;
* ``committees weak`` / ``committees strong``: every community's committee strength set to
  0.25 / 0.75 after set-up, and the lever ``party_building`` at 0.5;
* needs assessment at every station, brand projects (with and without assessment), charity
  money for social-work projects, 18 community-worker posts per 10,000 urban residents, and
  a township share of station money;

and the ``linhai`` preset to 2021-12 against the figures the seed reports (the region
file's ``[checks]``). The figures go in the model's notes; the script is kept so that they
can be measured again on any commit.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from .params import SCHEMA
from .simulation import FiveSocietyModel

WATCH = (
    "needs_met_share", "needs_open", "service_person_times", "community_orgs", "volunteers_active",
    "volunteer_hours", "charity_raised_yuan", "stations", "sw_stationed", "community_workers",
    "public_spend_yuan", "needs_met_share_elderly_alone", "needs_met_share_left_behind_children",
    "needs_met_share_disability", "needs_met_share_low_income", "platform_orders", "platform_orders_served",
    "platform_orders_unmet", "households_visited", "needs_found_on_visits", "project_services",
    "volunteers_lapsed", "orgs_registered",
)


def _run(region: str, seed: int, params: dict | None = None, committee: float | None = None,
         end: str = "2025-12") -> pd.DataFrame:
    m = FiveSocietyModel(region=region, seed=seed, end=end, params=params)
    if committee is not None:
        m.communities.committee[:] = committee
    return m.run()


def variants() -> dict[str, dict]:
    out = {
        "needs x2": {"params": {"need_onset": 2 * SCHEMA["need_onset"].default}},
        "platform on": {"params": {"digital_platform": True}},
    }
    out["committees weak"] = {"committee": 0.25}
    out["committees strong"] = {"committee": 0.75}
    if "party_building" in SCHEMA:
        out["party building 0.5"] = {"params": {"party_building": 0.5}}
    optional = {
        "needs assessment": {"needs_assessment_share": 1.0},
        "brand 50k": {"brand_project_yuan": 50_000},
        "brand 50k + assessment": {"brand_project_yuan": 50_000, "needs_assessment_share": 1.0},
        "charity projects 0.5": {"charity_project_share": 0.5},
        "cw posts 18/10k": {"cw_posts_per_10k": 18.0},
        "channels: township 0.3": {"funding_township_share": 0.3},
    }
    for name, params in optional.items():
        if all(k in SCHEMA for k in params):
            out[name] = {"params": params}
    return out


def measure(region: str, seeds: range) -> pd.DataFrame:
    rows = []
    base = {s: _run(region, s) for s in seeds}
    for name, spec in variants().items():
        for s in seeds:
            var = _run(region, s, spec.get("params"), spec.get("committee"))
            tail_b, tail_v = base[s].iloc[-12:], var.iloc[-12:]
            for col in WATCH:
                if col in tail_b:
                    b, v = float(tail_b[col].mean()), float(tail_v[col].mean())
                    rows.append({"region": region, "variant": name, "seed": s, "indicator": col,
                                 "base": b, "variant_value": v, "diff": v - b})
    return pd.DataFrame(rows)


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    g = df.groupby(["region", "variant", "indicator"], sort=False)
    out = g.agg(base=("base", "mean"), variant=("variant_value", "mean"), diff=("diff", "mean"),
                diff_min=("diff", "min"), diff_max=("diff", "max"))
    out["rel"] = out["diff"] / out["base"].where(out["base"] != 0)
    moved = (out["diff_min"].abs() > 1e-9) | (out["diff_max"].abs() > 1e-9)
    return out[moved]


# How a run of the linhai preset compares with each figure of the region file's [checks]:
# (indicator, how the months of 2021 are read) or None where the model has no such count.
CHECKS = {
    "stations": ("stations", "last"),
    "households_visited": ("households_visited", "sum"),
    "needs_recorded": ("needs_found_on_visits", "sum"),
    "platform_orders": ("platform_orders", "sum"),
    "projects": None,  # the model funds projects per station, it does not count them
    "person_times": None,  # the seed counts the new stations' services; the model's are all providers'
    "trained": None,
    "platform_visits": None,  # visits without an order are not modelled
}


def linhai_checks(seeds: range) -> pd.DataFrame:
    """The linhai preset (platform from 2021-06) to 2021-12 against the seed's reported figures."""
    from .regions import load_region

    checks = load_region("linhai").checks
    runs = [_run_changes("linhai", s) for s in seeds]
    rows = []
    for key, reported in checks.items():
        how = CHECKS.get(key)
        if how is None:
            rows.append({"check": key, "seed_reports": reported, "model_mean": None, "model_min": None,
                         "model_max": None, "read_as": "not modelled"})
            continue
        col, agg = how
        vals = [float(df[col].iloc[-1] if agg == "last" else df[col].sum()) for df in runs]
        rows.append({"check": key, "seed_reports": reported, "model_mean": float(np.mean(vals)),
                     "model_min": min(vals), "model_max": max(vals), "read_as": f"{col} ({agg} of 2021)"})
    return pd.DataFrame(rows)


def _run_changes(region: str, seed: int) -> pd.DataFrame:
    m = FiveSocietyModel(region=region, seed=seed, end="2021-12", changes={"2021-06": {"digital_platform": True}})
    return m.run()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m model.measure_needs", description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--regions", nargs="+", default=["demo", "linhai"])
    args = ap.parse_args(argv)
    seeds = range(args.seeds)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 500)
    t0 = time.perf_counter()
    for region in args.regions:
        print(f"== {region}: paired differences, mean of the last 12 months, seeds 0–{args.seeds - 1}")
        print(summarise(measure(region, seeds)).round(4).to_string())
    print("== linhai preset (platform from 2021-06) in 2021 against the seed's figures")
    print(linhai_checks(seeds).round(1).to_string(index=False))
    for region in args.regions:
        times = []
        for s in seeds:
            t = time.perf_counter()
            _run(region, s)
            times.append(time.perf_counter() - t)
        print(f"== speed {region} 2021-01→2025-12: median {np.median(times):.3f} s over {len(times)} runs "
              "(shared 2-core machine, noisy)")
    print(f"(measured in {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

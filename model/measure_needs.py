"""Measure what residents' needs, the platform and committees do in the model (paired seeds).

``python -m model.measure_needs [--seeds 5] [--regions demo linhai]`` prints, for each
region, the paired differences (variant − base, same seed) of the indicators that move,
averaged over the run's last twelve months, for these variants:

* ``needs x2``: twice the monthly onset of needs (``need_onset``);
* ``platform on``: the digital platform from the start;
* ``committees weak`` / ``committees strong``: every community's committee strength set to
  0.25 / 0.75 after set-up, and the lever ``party_building`` at 0.5;
* ``needs assessment``, ``charity projects``, ``cw posts 18`` where the model has those levers;

and the station coverage of ``linhai`` at 2021-12. The figures go in the model's notes; the
script is kept so that they can be measured again on any commit.
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
    "platform_orders_unmet",
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
    if "needs_assessment" in SCHEMA:
        out["needs assessment"] = {"params": {"needs_assessment": True}}
    if "charity_project_share" in SCHEMA:
        out["charity projects"] = {"params": {"charity_project_share": 0.5}}
    if "cw_posts_per_10k" in SCHEMA:
        out["cw posts 18"] = {"params": {"cw_posts_per_10k": 18.0}}
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


def linhai_2021(seeds: range) -> pd.DataFrame:
    rows = []
    for s in seeds:
        df = _run("linhai", s, end="2021-12")
        last = df.iloc[-1]
        rows.append({"seed": s, **{k: last[k] for k in ("stations", "station_coverage", "service_person_times")
                                   if k in last}})
    return pd.DataFrame(rows)


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
    print("== linhai at 2021-12")
    print(linhai_2021(seeds).to_string(index=False))
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

"""Lever figures: every lever at its minimum and maximum on paired seeds (prints, asserts nothing).

``python -m model.bench.levers`` runs ``demo`` and ``linhai`` with each lever at its
minimum and maximum (each choice for choice levers), the others at their defaults, on the
same seeds (common random numbers), and prints end-of-run figures against the default
run: stations, stationed social workers and social workers per station, station
turnover, vacancies, needs met, public spending, organisations, agencies, charity
raised, and how station contracts ended (renewed or re-tendered). ``--hubei`` adds the
``hubei`` figures the direction table and FACTS ranges are checked on (defaults,
contract length, the squeeze, full build). ``--csv PATH`` writes every run's figures.

The figures are the evidence behind ODD §7's direction table; the paired-seed tests in
``tests/test_directions.py`` hold the model to the signs.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from ..params import SCHEMA

__all__ = ["run_figures", "lever_settings", "main"]

FIGURES = (
    "stations", "sw_stationed", "sw_per_station", "turnover", "vacancies", "needs_met", "spend_yi",
    "orgs", "agencies", "charity_yi", "renewed", "retendered", "orphaned", "max_coverage",
)


def run_figures(region: str, seed: int, params: dict | None = None, changes: dict | None = None,
                start: str = "2021-01", end: str = "2025-12") -> dict:
    """One run's figures: end-of-run stocks, means over the last 12 months, contract endings."""
    from ..simulation import FiveSocietyModel

    m = FiveSocietyModel(region=region, seed=seed, start=start, end=end, params=params, changes=changes)
    df = m.run()
    last = df.iloc[-1]
    tail = df.iloc[-12:]
    # station turnover: the yearly figure at each December after the first year, averaged
    dec = df[(df.index.month == 12) & (df.index > df.index[0] + pd.DateOffset(months=11))]
    events = pd.Series([ev for _, _, ev, _ in m.townships.history], dtype=object)
    stations = float(tail["stations"].mean())
    return {
        "stations": float(last["stations"]),
        "sw_stationed": float(last["sw_stationed"]),
        "sw_per_station": float(tail["sw_stationed"].mean() / stations) if stations else float("nan"),
        "turnover": float(dec["sw_turnover_12m"].mean()) if len(dec) else float("nan"),
        "vacancies": float(tail["station_vacancies"].mean()),
        "needs_met": float(tail["needs_met_share"].mean()),
        "spend_yi": float(last["public_spend_yuan"]) / 1e8,
        "orgs": float(last["community_orgs"]),
        "agencies": float(last["agencies"]),
        "charity_yi": float(last["charity_raised_yuan"]) / 1e8,
        "renewed": int((events == "contract renewed").sum()),
        "retendered": int((events == "re-tender").sum()),
        "orphaned": int((events == "agency folded").sum()),
        "max_coverage": float(df["station_coverage"].max()),
    }


def lever_settings() -> list[tuple[str, object]]:
    """(lever, value) pairs: each numeric lever at min and max, each choice, each boolean."""
    out = []
    for name, p in SCHEMA.items():
        if p.kind != "lever":
            continue
        if p.type == "choice":
            out += [(name, c) for c in p.choices if c != p.default]
        elif p.type == "bool":
            out.append((name, not p.default))
        else:
            out += [(name, v) for v in (p.min, p.max) if v != p.default]
    return out


def _mean_runs(region, seeds, params=None, changes=None):
    rows = [run_figures(region, s, params, changes) for s in seeds]
    return pd.DataFrame(rows).mean()


def bench_levers(regions=("demo", "linhai"), seeds=range(5), csv: str | None = None) -> pd.DataFrame:
    rows = []
    for region in regions:
        t0 = time.perf_counter()
        base = _mean_runs(region, seeds)
        rows.append({"region": region, "lever": "(defaults)", "value": "", **base.to_dict()})
        for lever, value in lever_settings():
            figs = _mean_runs(region, seeds, {lever: value})
            rows.append({"region": region, "lever": lever, "value": value, **figs.to_dict()})
        print(f"# {region}: {len(rows)} settings × {len(list(seeds))} seeds in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
    df = pd.DataFrame(rows)
    if csv:
        df.to_csv(csv, index=False)
    return df


def bench_hubei(seeds=range(3)) -> pd.DataFrame:
    """The hubei figures the issue names: defaults, contract length, pay, the squeeze, a full build."""
    settings = {
        "(defaults)": {},
        "contract_years=1": {"contract_years": 1},
        "contract_years=3": {"contract_years": 3},
        "renewal_rule=always": {"renewal_rule": "always"},
        "sw_pay_ratio=0.5": {"sw_pay_ratio": 0.5},
        "sw_pay_ratio=1.5": {"sw_pay_ratio": 1.5},
        "fiscal_squeeze=0.13": {"fiscal_squeeze": 0.13},
        "station_build_share=1": {"station_build_share": 1.0},
    }
    rows = []
    for label, params in settings.items():
        figs = _mean_runs("hubei", seeds, params)
        rows.append({"region": "hubei", "lever": label, **figs.to_dict()})
    return pd.DataFrame(rows)


def _print(df: pd.DataFrame) -> None:
    with pd.option_context("display.width", 250, "display.max_rows", 500, "display.max_columns", 30,
                           "display.float_format", lambda v: f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"):
        print(df.to_string(index=False))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m model.bench.levers", description=__doc__.split("\n")[0])
    ap.add_argument("--regions", nargs="+", default=["demo", "linhai"])
    ap.add_argument("--seeds", type=int, default=5, help="paired seeds per setting (default 5)")
    ap.add_argument("--hubei", action="store_true", help="add the hubei figures (3 seeds each)")
    ap.add_argument("--no-levers", action="store_true", help="skip the lever sweep")
    ap.add_argument("--csv", help="write every setting's mean figures here")
    args = ap.parse_args(argv)
    print("# machine shared with other work: timings are indicative only", file=sys.stderr)
    if not args.no_levers:
        _print(bench_levers(args.regions, range(args.seeds), args.csv))
    if args.hubei:
        _print(bench_hubei())
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())

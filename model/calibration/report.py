"""The fit report: observations over posterior predictive bands, marginals, pairs, what was fitted.

``fit_report(cal, out, lang)`` runs the model on posterior draws (draw ``r`` with seed
``r``) over the fitted window and on to the end of the forecast, then writes
``fit_report_{lang}.html`` (figures embedded) with PNG figures and CSV tables beside it:

- every observed indicator: the posterior predictive median and 90% band, the
  observations with their stated ranges as error bars (data overlays, as Covasim draws
  them), the fitted window shaded apart from the out-of-sample forecast;
- the share of observations inside their 90% predictive interval (model runs plus the
  observation's own error), against the stated 90%;
- each fitted parameter's posterior against its uniform prior; pairs of fitted parameters;
- the screening table (Morris μ*), fitted and left-at-prior parameters.
"""

from __future__ import annotations

import base64
import functools
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.calendar import month_end
from ..indicators import INDICATORS
from ..params import SCHEMA
from ..text import t
from .fit import Calibration
from .posterior import Posterior

__all__ = ["coverage", "fit_report", "predictive"]


def _t(key: str, lang: str) -> str:
    return t(f"fit_{key}", lang)


def _run_draw(region: str, start: str, end: str, params: dict, changes: dict, draw: dict, seed: int,
              columns: tuple[str, ...], areas: tuple[str, ...] = ()):
    """One run's long rows: the province's ``columns`` and each prefecture's area indicators (``area`` column)."""
    from ..backcast import run_observed

    frame, area_frames, communities = run_observed(seed, tuple(areas), region=region, start=start, end=end,
                                                   params={**draw, **params}, changes=changes or None)
    parts = [frame[list(columns)].assign(area="province")]
    parts += [f.assign(area=a) for a, f in area_frames.items()]
    out = pd.concat(parts)
    out["communities"] = communities
    return out


def predictive(posterior: Posterior, region: str, start: str = "2018-01", end: str = "2025-12", *,
               draws: int = 40, params: dict | None = None, changes: dict | None = None,
               indicators=None, areas: tuple[str, ...] = (), executor: str = "local",
               workers: int | None = None) -> pd.DataFrame:
    """Runs on the first ``draws`` posterior draws (draw ``r`` with seed ``r``).

    Long rows: draw, date, area (``province`` or a prefecture of ``areas``), the indicators.
    """
    from ..experiment.executors import open_executor
    from ..experiment.runner import replicate_seeds

    columns = tuple(indicators or INDICATORS)
    seeds = replicate_seeds(0, draws)
    fn = functools.partial(_run_draw, region, start, end, dict(params or {}), dict(changes or {}))
    with open_executor(executor, workers) as (pool, _n):
        futures = [pool.submit(fn, posterior.draw(r), seeds[r], columns, tuple(areas)) for r in range(draws)]
        frames = []
        for r, fut in enumerate(futures):
            f = fut.result().rename_axis("date").reset_index()
            f.insert(0, "draw", r)
            frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _observed_series(runs: pd.DataFrame, indicator: str, area: str = "province", measure: str = "value"):
    """Per draw, the run's series of an observation (a prefecture's, or a count of communities)."""
    from ..observed import derived_series

    rows = runs[runs["area"] == area] if "area" in runs.columns else runs
    out = {}
    for draw, frame in rows.groupby("draw", sort=True):
        f = frame.set_index("date")
        if indicator not in f.columns and indicator not in _derived():
            continue
        series = derived_series(f, indicator)
        out[draw] = series * float(f["communities"].iloc[0]) if measure == "count" else series
    return out


def _derived():
    from ..observed import DERIVED

    return DERIVED


def coverage(runs: pd.DataFrame, obs: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Each observation against its 90% posterior predictive interval (runs plus observation error)."""
    rng = np.random.default_rng(seed)
    rows = []
    for o in obs.itertuples(index=False):
        area, measure = getattr(o, "area", "province"), getattr(o, "measure", "value")
        series = _observed_series(runs, o.indicator, area, measure)
        values = [float(s[s.index <= o.date].iloc[-1]) for s in series.values() if (s.index <= o.date).any()]
        x = np.asarray(values)
        noisy = (x[None, :] + rng.normal(0.0, o.sigma, size=(200, len(x)))).ravel()
        lo, hi = np.quantile(noisy, [0.05, 0.95])
        # a floor ("more than y") holds when the model can reach it: y at or below the band's top
        inside = bool(o.value <= hi) if o.bound == "lower" else bool(lo <= o.value <= hi)
        rows.append({"date": o.date, "indicator": o.indicator, "area": area, "value": o.value, "bound": o.bound,
                     "model_median": float(np.median(x)), "band_low": float(lo), "band_high": float(hi),
                     "inside": inside})
    return pd.DataFrame(rows)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    return buf.getvalue()


def _label(indicator: str, lang: str) -> str:
    if indicator in INDICATORS:
        return INDICATORS[indicator].label(lang)
    return {"talent_per_certified": {"en": "Talent per certified social worker",
                                     "zh": "人才总量与持证社工之比"}}.get(indicator, {}).get(lang, indicator)


def _band_figure(runs: pd.DataFrame, obs: pd.DataFrame, window_end: pd.Timestamp, lang: str):
    import matplotlib.pyplot as plt

    obs = obs.assign(area=obs["area"] if "area" in obs.columns else "province",
                     measure=obs["measure"] if "measure" in obs.columns else "value")
    names = list(dict.fromkeys(zip(obs["indicator"], obs["area"], obs["measure"], strict=True)))
    cols = 2
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(11, 3.2 * rows), squeeze=False)
    for ax, (name, area, measure) in zip(axes.ravel(), names, strict=False):
        series = _observed_series(runs, name, area, measure)
        table = pd.concat([s.rename(d) for d, s in series.items()], axis=1)
        q = table.quantile([0.05, 0.5, 0.95], axis=1).T
        ax.fill_between(q.index, q[0.05], q[0.95], color="#4c72b0", alpha=0.25, lw=0)
        ax.plot(q.index, q[0.5], color="#4c72b0", lw=1.6)
        ax.axvspan(q.index[0], window_end, color="#999999", alpha=0.08, lw=0)
        o = obs[(obs["indicator"] == name) & (obs["area"] == area) & (obs["measure"] == measure)]
        upper = np.where(np.isfinite(o["high"]), o["high"] - o["value"], 0.0)
        ax.errorbar(o["date"], o["value"], yerr=[o["value"] - o["low"], upper], fmt="o", color="#c44e52",
                    ms=4, capsize=3, lw=1.2)
        for row in o[o["bound"] == "lower"].itertuples():
            ax.annotate("≥", (row.date, row.value), textcoords="offset points", xytext=(4, 4), fontsize=9,
                        color="#c44e52")
        title = _label(name, lang) + ("" if area == "province" else f" · {area}")
        if measure == "count":
            title += " (" + {"en": "communities", "zh": "社区数"}[lang] + ")"
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def _marginals_figure(post: Posterior, lang: str):
    import matplotlib.pyplot as plt

    names = post.fitted
    fig, axes = plt.subplots(1, max(1, len(names)), figsize=(3.2 * max(1, len(names)), 2.8), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        p = SCHEMA[name]
        ax.hist(post.draws[name], bins=20, range=(p.min, p.max), density=True, color="#4c72b0", alpha=0.7)
        ax.axhline(1.0 / (p.max - p.min), color="#555555", ls="--", lw=1, label=_t("prior_line", lang))
        ax.axvline(float(p.default), color="#c44e52", lw=1, label=_t("default", lang))
        ax.set_title(p.label(lang), fontsize=9)
        ax.set_xlabel(p.unit, fontsize=8)
    axes.ravel()[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def _pairs_figure(post: Posterior, lang: str):
    import matplotlib.pyplot as plt

    names = post.fitted
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(2.2 * k, 2.2 * k), squeeze=False)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(post.draws[a], bins=20, color="#4c72b0", alpha=0.7)
            else:
                ax.scatter(post.draws[b], post.draws[a], s=4, alpha=0.5, color="#4c72b0")
            if i == k - 1:
                ax.set_xlabel(SCHEMA[b].label(lang), fontsize=7)
            if j == 0:
                ax.set_ylabel(SCHEMA[a].label(lang), fontsize=7)
            ax.tick_params(labelsize=6)
    fig.tight_layout()
    return fig


def fit_report(cal: Calibration, out: str | Path | None = None, lang: str = "en", *, draws: int = 40,
               forecast_end: str = "2025-12", executor: str = "local", workers: int | None = None) -> Path:
    """Write the fit report for a calibration into ``out`` (its folder by default); return the HTML's path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..analysis.fonts import use_fonts

    lang = use_fonts(lang) if lang == "zh" else (use_fonts("en") or "en")
    out = Path(out or cal.path)
    out.mkdir(parents=True, exist_ok=True)
    post = cal.posterior()
    obs = cal.observations.table
    columns = sorted({c for ind in obs["indicator"] for c in _columns_of(ind)})
    areas = tuple(sorted({a for a in obs["area"] if a != "province"}))
    # the runs are the same in both languages: kept beside the report, keyed by posterior and settings
    cache = out / f"predictive_{post.identity}_{draws}_{forecast_end}.parquet"
    if cache.exists():
        runs = pd.read_parquet(cache)
    else:
        runs = predictive(post, cal.spec.region, cal.spec.start, forecast_end, draws=draws,
                          params=cal.spec.params, changes=cal.spec.changes, indicators=columns, areas=areas,
                          executor=executor, workers=workers)
        tmp = cache.with_name(f".{cache.name}.tmp")
        runs.to_parquet(tmp, index=False)
        tmp.replace(cache)
    window_end = month_end(cal.spec.end)
    check = coverage(runs[runs["date"] <= window_end], obs, seed=cal.spec.seed)
    check.to_csv(out / "coverage.csv", index=False)
    post.summary().to_csv(out / "posterior_summary.csv", index=False)
    figures = {
        "bands": _band_figure(runs, obs, window_end, lang),
        "marginals": _marginals_figure(post, lang) if post.fitted else None,
        "pairs": _pairs_figure(post, lang) if len(post.fitted) > 1 else None,
    }
    images = {}
    for key, fig in figures.items():
        if fig is None:
            continue
        data = _png(fig)
        (out / f"fit_{key}_{lang}.png").write_bytes(data)
        images[key] = base64.b64encode(data).decode()
        plt.close(fig)
    k, n = int(check["inside"].sum()), len(check)
    meta = post.meta
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{e(_t('title', lang))}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;font-size:16px}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
        "img{max-width:100%}</style></head><body>",
        f"<h1>{e(_t('title', lang))}</h1>",
        f"<p>{e(_t('region', lang))}: {e(cal.spec.region)} · {e(_t('window', lang))}: "
        f"{e(cal.spec.start)} – {e(cal.spec.end)} · {e(_t('runs', lang))}: {int(meta.get('model_runs', 0)):,} "
        f"({e(_t('median_run', lang))} {meta.get('median_run_seconds', float('nan')):.2f} s, "
        f"{e(_t('cpu', lang))} {meta.get('median_run_cpu_seconds', float('nan')):.2f} s; "
        f"{e(_t('wall', lang))} {meta.get('wall_seconds', float('nan')) / 60:.1f} min)</p>",
        f"<p>{e(_t('method', lang))}: {e(_t('method_text', lang) if lang == 'zh' else meta.get('method', ''))}</p>",
        f"<p>{e(_t('chain', lang).format(walkers=_walkers(cal), kept=meta.get('kept_steps', 0), acc=meta.get('acceptance', float('nan')), tau=_tau(meta)))}</p>",
        f"<h2>{e(_t('coverage', lang))}</h2><p><b>{e(_t('coverage_text', lang).format(k=k, n=n, share=k / max(n, 1)))}"
        "</b></p>",
        f"<h2>{e(_t('bands', lang))}</h2><p>{e(_t('bands_text', lang))}</p>",
        f"<img alt='bands' src='data:image/png;base64,{images['bands']}'>",
    ]
    if "marginals" in images:
        parts += [f"<h2>{e(_t('marginals', lang))}</h2>",
                  f"<img alt='marginals' src='data:image/png;base64,{images['marginals']}'>"]
    if "pairs" in images:
        parts += [f"<h2>{e(_t('pairs', lang))}</h2>",
                  f"<img alt='pairs' src='data:image/png;base64,{images['pairs']}'>"]
    mu = {r["name"]: r.get("mu_star") for r in meta.get("screening", [])}
    parts.append(f"<h2>{e(_t('parameters', lang))}</h2><table><tr>"
                 + "".join(f"<th>{e(_t(c, lang))}</th>" for c in ("name", "status", "range", "median", "interval",
                                                                   "mu_star"))
                 + "</tr>")
    for row in post.summary().itertuples():
        m = mu.get(row.name)
        status = _t("fitted", lang) if row.fitted else _t("prior", lang)
        if not row.fitted and m is not None and not pd.isna(m) and m == 0:
            status = _t("forecast_only", lang)
        parts.append(f"<tr><td>{e(row.label_zh if lang == 'zh' else row.label_en)} ({e(row.name)})</td>"
                     f"<td>{e(status)}</td><td>{row.min:g} – {row.max:g}</td><td>{row.median:.3g}</td>"
                     f"<td>{row.q05:.3g} – {row.q95:.3g}</td>"
                     f"<td>{'' if m is None or pd.isna(m) else f'{m:.3g}'}</td></tr>")
    parts.append("</table>")
    left = cal.observations.left_out
    if len(left):
        parts.append(f"<h2>{e(_t('left_out', lang))}</h2><table><tr><th>{e(_t('date', lang))}</th>"
                     f"<th>{e(_t('indicator', lang))}</th><th>{e(_t('why', lang))}</th></tr>")
        for row in left.itertuples():
            why = row.why_zh if lang == "zh" else row.why
            area = "" if row.area == "province" else f" · {row.area}"
            parts.append(f"<tr><td>{row.date:%Y-%m}</td><td>{e(_label(row.indicator, lang))}{e(area)}</td>"
                         f"<td>{e(str(why))}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    path = out / f"fit_report_{lang}.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _walkers(cal) -> int:
    return int(cal.chain["walker"].nunique()) if len(cal.chain) else 0


def _tau(meta: dict) -> str:
    taus = meta.get("autocorr_steps") or {}
    return ", ".join(f"{k}: {v:.1f}" for k, v in taus.items()) or "-"


def _columns_of(indicator: str) -> tuple[str, ...]:
    from ..observed import DERIVED

    return DERIVED.get(indicator, (indicator,))


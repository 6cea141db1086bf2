"""Sensitivity analysis of an exploration store: Morris screening and Sobol indices (SALib).

SALib assumes a deterministic model; wushe is stochastic. The treatment here:

1. **Common random numbers.** Replicate ``r`` of every sample point runs on the same
   seed, so the difference between two points is a difference in their values, not in
   their random draws (a Morris elementary effect is exactly such a difference).
2. **Replicate averaging.** Each point's output is its mean over the R replicates: the
   expected outcome (for a met flag, the chance of meeting the target). With R seeds
   fixed, that mean is a deterministic function of the point, which is what SALib
   analyses.
3. **Noise reported, not hidden.** ``noise_share`` is the share of the variance of the
   averaged outputs that replicate noise alone would give: mean within-point variance
   / R, over the variance of the point means. Near 0 the indices describe the model's
   response; above about 0.2 more replicates are needed (grow the store with ``-r``).
   Sobol confidence intervals (SALib's bootstrap over sample points) do not include
   the replicate noise, which is why it is reported beside them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .runner import ExploreResults

__all__ = ["averaged", "morris", "noise_share", "plot_morris", "plot_sobol", "sobol"]


def _results(results) -> ExploreResults:
    return results if isinstance(results, ExploreResults) else ExploreResults(results)


def averaged(results, outcome: str) -> np.ndarray:
    """The outcome's mean over replicates at each sample point, in design order (SALib's Y)."""
    results = _results(results)
    results.problem.outcome(outcome)
    frame = results.outcomes()
    n = results.design.size(results.problem)
    counts = frame.groupby("sample")[outcome].count().reindex(range(n), fill_value=0)
    if (counts == 0).any():
        missing = counts.index[counts == 0][:5].tolist()
        raise ValueError(f"{results.path}: no finished run gives {outcome} at sample points {missing}: "
                         "finish the store (run the same command again) or choose another outcome")
    return frame.groupby("sample")[outcome].mean().reindex(range(n)).to_numpy(dtype=float)


def noise_share(results, outcome: str) -> float:
    """Share of the variance of the replicate means that replicate noise alone explains (0 = none)."""
    results = _results(results)
    frame = results.outcomes()
    g = frame.groupby("sample")[outcome]
    means = g.mean()
    within = float((g.var(ddof=1) / g.count()).mean()) if results.exploration.replicates > 1 else float("nan")
    total = float(means.var(ddof=1))
    if total == 0:
        return 0.0 if within == 0 else float("inf")
    return within / total


def _check(results: ExploreResults, method: str):
    if results.design.method != method:
        raise ValueError(f"{results.path} holds a {results.design.method} design; {method} analysis needs a "
                         f"{method} design (wushe explore --design {method})")


def morris(results, outcome: str, conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Morris screening of ``outcome``: mu, mu_star, sigma and mu_star_conf per factor, by mu_star.

    ``attrs`` hold the outcome, the number of trajectories, replicates and ``noise_share``.
    """
    from SALib.analyze import morris as analyse

    results = _check_results(results, "morris")
    problem = results.problem
    X = results.design.matrix(problem)
    Y = averaged(results, outcome)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = analyse.analyze(problem.salib(), X, Y, conf_level=conf_level, num_levels=results.design.options["levels"],
                             seed=seed)
    table = pd.DataFrame({k: si[k] for k in ("mu", "mu_star", "sigma", "mu_star_conf")}, index=problem.names)
    # in units of the outcome per factor range: SALib's effects are per unit of the factor
    width = np.array([b[1] - b[0] for b in problem.salib()["bounds"]])
    table = table.mul(width, axis=0)
    table["kind"] = [f.kind for f in problem.factors]
    table.index.name = "factor"
    table = table.sort_values("mu_star", ascending=False)
    table.attrs.update(outcome=outcome, method="morris", trajectories=results.design.n,
                       replicates=results.exploration.replicates, noise_share=noise_share(results, outcome),
                       conf_level=conf_level)
    return table


def sobol(results, outcome: str, conf_level: float = 0.95, num_resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Sobol indices of ``outcome``: S1, S1_conf, ST, ST_conf per factor (conf = half-width), by ST."""
    from SALib.analyze import sobol as analyse

    results = _check_results(results, "sobol")
    problem = results.problem
    Y = averaged(results, outcome)
    second = results.design.options["second_order"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = analyse.analyze(problem.salib(), Y, calc_second_order=second, conf_level=conf_level,
                             num_resamples=num_resamples, seed=seed)
    table = pd.DataFrame({k: si[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}, index=problem.names)
    table["kind"] = [f.kind for f in problem.factors]
    table.index.name = "factor"
    table = table.sort_values("ST", ascending=False)
    table.attrs.update(outcome=outcome, method="sobol", base_samples=results.design.n,
                       replicates=results.exploration.replicates, noise_share=noise_share(results, outcome),
                       conf_level=conf_level)
    return table


def _check_results(results, method: str) -> ExploreResults:
    results = _results(results)
    _check(results, method)
    return results


# ---- figures ---------------------------------------------------------------------------------

_TEXT = {
    "mu_star": {"zh": "μ*(平均绝对效应,结果单位/因子全程)", "en": "μ* (mean absolute effect, outcome units per factor range)"},
    "sigma": {"zh": "σ(效应标准差:非线性或交互)", "en": "σ (spread of effects: non-linearity or interaction)"},
    "morris_title": {"zh": "Morris 筛选:{o}", "en": "Morris screening: {o}"},
    "sobol_title": {"zh": "Sobol 指数:{o}", "en": "Sobol indices: {o}"},
    "S1": {"zh": "一阶指数 S1", "en": "first order S1"},
    "ST": {"zh": "总效应指数 ST", "en": "total order ST"},
    "index": {"zh": "方差占比", "en": "share of variance"},
    "note": {"zh": "{r} 次重复取均值(共同随机数);重复噪声占方差 {n:.0%};误差线为 {c:.0%} 置信区间",
             "en": "mean of {r} replicates (common random numbers); replicate noise {n:.0%} of variance; "
                   "bars: {c:.0%} intervals"},
    "lever": {"zh": "政策杠杆", "en": "lever"},
    "uncertainty": {"zh": "不确定因素", "en": "uncertainty"},
}


def _label(results, name: str, lang: str) -> str:
    return results.problem.factor(name).label(lang)


def plot_morris(table: pd.DataFrame, results, lang: str = "en"):
    """μ*–σ plane of a ``morris`` table: far right = influential; high = non-linear or interacting."""
    import matplotlib.pyplot as plt

    from ..analysis.fonts import use_fonts

    results = _results(results)
    lang = use_fonts(lang)
    fig, ax = plt.subplots(figsize=(7.5, 5.2), layout="constrained")
    colours = {"lever": "#1b6ca8", "uncertainty": "#c8553d"}
    for kind, part in table.groupby("kind"):
        ax.errorbar(part["mu_star"], part["sigma"], xerr=part["mu_star_conf"], fmt="o", color=colours[kind],
                    label=_TEXT[kind][lang], capsize=3)
    for name, row in table.iterrows():
        ax.annotate(_label(results, name, lang), (row["mu_star"], row["sigma"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    lim = max(float(table["mu_star"].max()), float(table["sigma"].max()), 1e-12) * 1.1
    ax.plot([0, lim], [0, lim], color="0.7", lw=0.8, ls="--")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    outcome = results.problem.outcome(table.attrs["outcome"]).label(lang)
    ax.set_title(_TEXT["morris_title"][lang].format(o=outcome))
    ax.set_xlabel(_TEXT["mu_star"][lang])
    ax.set_ylabel(_TEXT["sigma"][lang])
    ax.legend(loc="upper left", fontsize=8)
    fig.text(0.01, 0.005, _TEXT["note"][lang].format(r=table.attrs["replicates"], n=table.attrs["noise_share"],
                                                    c=table.attrs["conf_level"]), fontsize=7, color="0.35")
    return fig


def plot_sobol(table: pd.DataFrame, results, lang: str = "en"):
    """Bars of S1 and ST per factor with their confidence intervals."""
    import matplotlib.pyplot as plt

    from ..analysis.fonts import use_fonts

    results = _results(results)
    lang = use_fonts(lang)
    fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.5 * len(table)), layout="constrained")
    y = np.arange(len(table))
    h = 0.38
    ax.barh(y - h / 2, table["S1"], h, xerr=table["S1_conf"], color="#1b6ca8", label=_TEXT["S1"][lang], capsize=3)
    ax.barh(y + h / 2, table["ST"], h, xerr=table["ST_conf"], color="#f4a259", label=_TEXT["ST"][lang], capsize=3)
    ax.set_yticks(y, [_label(results, n, lang) for n in table.index])
    ax.invert_yaxis()
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel(_TEXT["index"][lang])
    outcome = results.problem.outcome(table.attrs["outcome"]).label(lang)
    ax.set_title(_TEXT["sobol_title"][lang].format(o=outcome))
    ax.legend(loc="lower right", fontsize=8)
    fig.text(0.01, 0.005, _TEXT["note"][lang].format(r=table.attrs["replicates"], n=table.attrs["noise_share"],
                                                    c=table.attrs["conf_level"]), fontsize=7, color="0.35")
    return fig

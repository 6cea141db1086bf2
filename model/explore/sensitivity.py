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

**Lever dependencies.** Some parameters act only through a partner lever (the schema's
``needs``; the "acts through" column of ``wushe list``): ``direct_share`` does anything
only when ``procurement_mode = mixed``, ``evaluation_pass_mark`` only when
``renewal_rule = evaluate``, and so on. ``dependencies(problem)`` says, for each such
factor, where its partner stands in the exploration: varied too (the factor's effect
then shows as an interaction: Morris σ, Sobol ST − S1), fixed where the factor acts, or
fixed where it cannot act (its default, usually). In that last case an index of 0 is
true by construction and says nothing of the lever's worth; the tables carry the
columns ``needs`` and ``partner`` and the figures mark such factors with † and a note.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .runner import ExploreResults

__all__ = ["DEPENDENT_MARK", "averaged", "dependencies", "dependency_notes", "morris", "noise_share",
           "plot_morris", "plot_sobol", "sobol"]

DEPENDENT_MARK = "†"  # beside a factor that acts only through a partner lever, in tables' notes and figures


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


def dependencies(problem) -> pd.DataFrame:
    """Each factor that acts only through a partner lever, and where that partner stands here.

    One row per such factor (index ``factor``): ``needs`` (the partner), ``when`` (the
    partner's condition, en and zh), ``partner_value`` (its value in the base scenario),
    ``partner_default`` (whether that is the schema default) and ``partner``:

    * ``varied``: the partner is a factor too; the dependent one acts only in part of
      the design, so its effect shows as an interaction (Morris σ, Sobol ST − S1);
    * ``active``: the partner is fixed at a value where the factor acts;
    * ``changes``: the partner is fixed at a value where it does not act, but a dated
      change of the base scenario sets it where it does (the factor acts from then);
    * ``inactive``: the partner is fixed where the factor cannot act: its indices are 0
      by construction.
    """
    from ..params import SCHEMA, condition_holds

    rows = []
    names = set(problem.names)
    base = problem.base
    for f in problem.factors:
        if not f.param.needs:
            continue
        partner, when_en, when_zh = f.param.needs
        value = base.params.get(partner, SCHEMA[partner].default)
        if partner in names:
            status = "varied"
        elif condition_holds(value, when_en):
            status = "active"
        elif any(partner in c and condition_holds(c[partner], when_en) for c in base.changes.values()):
            status = "changes"
        else:
            status = "inactive"
        rows.append({"factor": f.name, "needs": partner, "when": when_en, "when_zh": when_zh,
                     "partner_value": value, "partner_default": value == SCHEMA[partner].default,
                     "partner": status})
    columns = ["needs", "when", "when_zh", "partner_value", "partner_default", "partner"]
    return pd.DataFrame(rows, columns=["factor", *columns]).set_index("factor")


_DEP_TEXT = {
    "varied": {"en": "{m}{f} acts only through {p} {w}; {p} is varied here too, so {f} acts in part of the design "
                     "only: its effect shows as an interaction (Morris σ, Sobol ST − S1)",
               "zh": "{m}{f} 只能通过 {p} {w} 起作用;此处 {p} 也在变化,{f} 只在设计的一部分中起作用:"
                     "其效应表现为交互作用(Morris σ、Sobol ST − S1)"},
    "active": {"en": "{m}{f} acts only through {p} {w}; here {p} = {v}{d}, so it acts",
               "zh": "{m}{f} 只能通过 {p} {w} 起作用;此处 {p} = {v}{d},它起作用"},
    "changes": {"en": "{m}{f} acts only through {p} {w}; here {p} = {v}{d} until a dated change of the base "
                      "scenario sets it so: {f} acts from then only",
                "zh": "{m}{f} 只能通过 {p} {w} 起作用;此处 {p} = {v}{d},直到基础情景的定时变更将其改为满足条件:"
                      "{f} 只在此后起作用"},
    "inactive": {"en": "{m}{f} acts only through {p} {w}; here {p} = {v}{d}, so {f} cannot act: its index is 0 by "
                       "construction, not evidence that it does not matter (set {p} {w} in the base scenario, "
                       "or vary {p} too)",
                 "zh": "{m}{f} 只能通过 {p} {w} 起作用;此处 {p} = {v}{d},{f} 无法起作用:其指数为 0 是构造使然,"
                       "并不说明它不重要(请在基础情景中设 {p} {w},或同时改变 {p})"},
    "default": {"en": " (its default)", "zh": "(默认值)"},
}


def dependency_notes(problem, lang: str = "en", names=None) -> list[str]:
    """One sentence per dependent factor (of ``names``, default all), in ``lang``: what it needs and whether it acts."""
    deps = dependencies(problem)
    lang = "zh" if lang == "zh" else "en"
    out = []
    for name, row in deps.iterrows():
        if names is not None and name not in names:
            continue
        out.append(_DEP_TEXT[row["partner"]][lang].format(
            m=DEPENDENT_MARK, f=name, p=row["needs"], w=row["when_zh"] if lang == "zh" else row["when"],
            v=row["partner_value"], d=_DEP_TEXT["default"][lang] if row["partner_default"] else ""))
    return out


def _with_dependencies(table: pd.DataFrame, problem) -> pd.DataFrame:
    """Add the columns ``needs`` (the partner lever, or "") and ``partner`` (varied | active | changes | inactive)."""
    deps = dependencies(problem)
    table["needs"] = [deps.loc[n, "needs"] if n in deps.index else "" for n in table.index]
    table["partner"] = [deps.loc[n, "partner"] if n in deps.index else "" for n in table.index]
    table.attrs["dependencies"] = {lang: dependency_notes(problem, lang) for lang in ("en", "zh")}
    return table


NUMERIC = {"morris": ["mu", "mu_star", "sigma", "mu_star_conf"], "sobol": ["S1", "S1_conf", "ST", "ST_conf"]}


def _check(results: ExploreResults, method: str):
    if results.design.method != method:
        raise ValueError(f"{results.path} holds a {results.design.method} design; {method} analysis needs a "
                         f"{method} design (wushe explore --design {method})")


def morris(results, outcome: str, conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Morris screening of ``outcome``: mu, mu_star, sigma and mu_star_conf per factor, by mu_star.

    Also ``kind``, and ``needs`` and ``partner`` for a factor acting through a partner
    lever (see ``dependencies``). ``attrs`` hold the outcome, the number of
    trajectories, replicates, ``noise_share`` and the dependency notes in en and zh.
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
    table = _with_dependencies(table.sort_values("mu_star", ascending=False), problem)
    table.attrs.update(outcome=outcome, method="morris", trajectories=results.design.n,
                       replicates=results.exploration.replicates, noise_share=noise_share(results, outcome),
                       conf_level=conf_level)
    return table


def sobol(results, outcome: str, conf_level: float = 0.95, num_resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Sobol indices of ``outcome``: S1, S1_conf, ST, ST_conf per factor (conf = half-width), by ST.

    Also ``kind``, ``needs`` and ``partner``, as in ``morris``.
    """
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
    table = _with_dependencies(table.sort_values("ST", ascending=False), problem)
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
    "inactive": {"zh": "† 其伙伴杠杆使其无法起作用", "en": "† its partner lever leaves it no effect here"},
}


def _label(results, name: str, lang: str, table: pd.DataFrame | None = None) -> str:
    """The factor's label, with † when it acts only through a partner lever."""
    text = results.problem.factor(name).label(lang)
    if table is not None and "needs" in table.columns and table.loc[name, "needs"]:
        text += DEPENDENT_MARK
    return text


def _footnotes(fig, table: pd.DataFrame, results, lang: str) -> None:
    """The noise note, then one line per dependent factor (what it needs, whether it can act here)."""
    import textwrap

    lines = [_TEXT["note"][lang].format(r=table.attrs["replicates"], n=table.attrs["noise_share"],
                                        c=table.attrs["conf_level"])]
    width = 70 if lang == "zh" else 130
    for note in dependency_notes(results.problem, lang, set(table.index)):
        lines += textwrap.wrap(note, width)
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=7, color="0.35", va="bottom")
    # keep the axes above the notes: each 7-point line is about 0.12 inch high
    bottom = min(0.5, (0.12 * len(lines) + 0.05) / fig.get_figheight())
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))  # (left, bottom, width, height)


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
    cannot = table[table.get("partner", pd.Series("", index=table.index)) == "inactive"]
    if len(cannot):  # acting through a partner held where they cannot act: hollow grey rings
        ax.scatter(cannot["mu_star"], cannot["sigma"], s=120, facecolors="none", edgecolors="0.45", zorder=3,
                   label=_TEXT["inactive"][lang])
    raised = 0
    for name, row in table.iterrows():
        inactive = row.get("partner") == "inactive"
        if inactive:  # at μ* = σ = 0, often on top of another factor's point: its label above the others
            raised += 1
        ax.annotate(_label(results, name, lang, table), (row["mu_star"], row["sigma"]), textcoords="offset points",
                    xytext=(5, 4 + 13 * raised if inactive else 4), fontsize=8,
                    color="0.45" if inactive else "black")
    lim = max(float(table["mu_star"].max()), float(table["sigma"].max()), 1e-12) * 1.1
    ax.plot([0, lim], [0, lim], color="0.7", lw=0.8, ls="--")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    outcome = results.problem.outcome(table.attrs["outcome"]).label(lang)
    ax.set_title(_TEXT["morris_title"][lang].format(o=outcome))
    ax.set_xlabel(_TEXT["mu_star"][lang])
    ax.set_ylabel(_TEXT["sigma"][lang])
    ax.legend(loc="upper left", fontsize=8)
    _footnotes(fig, table, results, lang)
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
    ax.set_yticks(y, [_label(results, n, lang, table) for n in table.index])
    for tick, name in zip(ax.get_yticklabels(), table.index, strict=True):
        if "partner" in table.columns and table.loc[name, "partner"] == "inactive":
            tick.set_color("0.45")  # acts through a partner held where it cannot act
    ax.invert_yaxis()
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel(_TEXT["index"][lang])
    outcome = results.problem.outcome(table.attrs["outcome"]).label(lang)
    ax.set_title(_TEXT["sobol_title"][lang].format(o=outcome))
    ax.legend(loc="lower right", fontsize=8)
    _footnotes(fig, table, results, lang)
    return fig

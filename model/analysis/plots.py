"""Figures (matplotlib), in Chinese (``lang="zh"``) or English (``lang="en"``).

::

    from model.analysis import plot_indicator, plot_attainment, plot_difference, plot_cost
    plot_indicator("results/demo", "sw_talent", lang="zh")   # a store: median and 10–90% band per scenario
    plot_indicator(model.simulate(region="demo"), "stations") # one run: the same function
    plot_attainment(res); plot_difference(res, "sw_certified"); plot_cost(res)

Each function takes ``ax=`` to draw into an existing axes and returns the Figure.
Scenario colours are fixed by experiment order (the baseline is always dark grey), so
a scenario has the same colour in every figure of a report. Where no Chinese font is
installed, ``lang="zh"`` figures are drawn with English labels and a warning.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ..formatting import format_value
from ..indicators import INDICATORS
from ..messages import not_one_of
from ..targets import load_targets
from ..text import t
from .fonts import use_fonts
from .results import LEVELS, Results, _q, band

__all__ = ["plot_attainment", "plot_cost", "plot_difference", "plot_indicator", "scenario_colours"]

BASELINE_COLOUR = "#333333"
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
            "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"]


def scenario_colours(names, baseline: str | None = None) -> dict[str, str]:
    """A colour per scenario, in order; the baseline dark grey."""
    out, i = {}, 0
    for name in names:
        if name == baseline:
            out[name] = BASELINE_COLOUR
        else:
            out[name] = _PALETTE[i % len(_PALETTE)]
            i += 1
    return out


def _figure(ax, size):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _wrap(text: str, lang: str, width_en: int = 24, width_zh: int = 12) -> str:
    if lang == "zh":
        width = width_zh
        return "\n".join(text[i:i + width] for i in range(0, len(text), width))
    return "\n".join(textwrap.wrap(text, width_en)) or text


def yuan_scale(values, lang: str) -> tuple[float, str]:
    """A divisor and unit for yuan amounts of this size (万元/亿元, million/billion yuan)."""
    top = float(np.nanmax(np.abs(np.asarray(values, dtype=float)))) if np.size(values) else 0.0
    if lang == "zh":
        return (1e8, t("yi_yuan", lang)) if top >= 1e8 else (1e4, t("wan_yuan", lang))
    return (1e9, t("billion_yuan", lang)) if top >= 1e10 else (1e6, t("million_yuan", lang))


def _axis_format(ax, indicator: str, values, lang: str) -> tuple[float, str]:
    """Percent axis for shares, scaled yuan for money; returns (divisor, unit) for the data."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    ind = INDICATORS.get(indicator)
    if ind is not None and ind.share:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        return 1.0, ""
    if ind is not None and ind.unit == "yuan":
        return yuan_scale(values, lang)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10 else f"{v:g}"))
    return 1.0, ""


# ---- inputs ----------------------------------------------------------------------------------------


def _as_long(data, scenarios=None):
    """(long frame: scenario, replicate, date, indicators; Results or None)."""
    if isinstance(data, (str, Path)):
        data = Results(data)
    if hasattr(data, "path") and not isinstance(data, (Results, pd.DataFrame)):  # a RunReport
        data = Results(data)
    if isinstance(data, Results):
        names = data._pick(scenarios)
        ts = data.timeseries
        return ts[ts["scenario"].isin(names)], data
    if isinstance(data, dict):  # {label: one run's frame}
        parts = [_single(frame, name) for name, frame in data.items()]
        return pd.concat(parts, ignore_index=True), None
    if isinstance(data, pd.DataFrame):
        if "scenario" in data.columns:
            frame = data if "replicate" in data.columns else data.assign(replicate=0)
            if "date" not in frame.columns:
                frame = frame.reset_index()
            if scenarios is not None:
                frame = frame[frame["scenario"].isin([scenarios] if isinstance(scenarios, str) else scenarios)]
            return frame, None
        return _single(data, "run"), None
    raise TypeError(f"expected a Results, a store path, a DataFrame or a dict of DataFrames; got {type(data).__name__}")


def _single(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    out = frame.reset_index() if "date" not in frame.columns else frame.copy()
    out["date"] = pd.to_datetime(out["date"])
    out.insert(0, "replicate", 0)
    out.insert(0, "scenario", name)
    return out


# ---- figures ---------------------------------------------------------------------------------------


def plot_indicator(data, indicator: str, scenarios=None, lang: str = "en", ax=None, q=LEVELS, targets=True,
                   changes=True, baseline: str | None = None, title: str | None = None, legend: bool = True,
                   observed=None):
    """An indicator over time: per scenario a median line and a 10–90% band over replicates.

    ``data`` is a ``Results``, a store path, one run's frame (``model.simulate(...)``),
    a long frame with ``scenario`` (and ``replicate``) columns, or ``{label: frame}``.
    One run draws a line without a band. ``targets``: True for the store's target sets
    (or a target set name for a plain frame), False for none: a black star marks each
    target on this indicator at its date. ``changes``: dotted vertical lines, in the
    scenario's colour, at the months a scenario's levers change (from the store).
    ``observed``: a region name (``"hubei"``) or a table from ``model.load_observations``:
    the region-wide observations of this indicator in the plotted window, drawn as black
    diamonds with the range their uncertainty allows (a "more than" figure as a triangle).
    """
    if indicator not in INDICATORS:
        raise KeyError(not_one_of(indicator, INDICATORS, "an indicator"))
    lang = use_fonts(lang)
    frame, res = _as_long(data, scenarios)
    names = list(dict.fromkeys(frame["scenario"]))
    base = baseline or (res.baseline if res is not None else None)
    colours = scenario_colours(res.scenarios if res is not None else names, base)
    fig, ax = _figure(ax, (9.5, 4.6))
    qs = band(frame, indicator, [q[0], 0.5, q[1]])
    div, unit = _axis_format(ax, indicator, qs[_q(0.5)], lang)
    for name in names:
        mine = qs[qs["scenario"] == name]
        label = res.label(name, lang) if res is not None else name
        colour = colours[name]
        ax.plot(mine["date"], mine[_q(0.5)] / div, color=colour, lw=2.2 if name == base else 1.6, label=label,
                zorder=3 if name == base else 2)
        if mine["n"].max() > 1:
            ax.fill_between(mine["date"], mine[_q(q[0])] / div, mine[_q(q[1])] / div, color=colour, alpha=0.13,
                            lw=0)
        if changes and res is not None:
            for month, _ in res.changes(name):
                ax.axvline(month, color=colour, ls=":", lw=1.4, zorder=1)
    # targets on this indicator
    marks = []
    if targets is True and res is not None:
        marks = [x for x in res.targets.values() if x.indicator == indicator]
    elif isinstance(targets, str):
        marks = [x for x in load_targets(targets) if x.indicator == indicator]
    for i, mark in enumerate(marks):
        ax.plot([mark.date], [mark.value / div], marker="*", ms=15, color="black", ls="none", zorder=5,
                label=t("target", lang) if i == 0 else None)
        op = {">=": "≥", "<=": "≤"}.get(mark.op, mark.op)
        ax.annotate(f"{t('target', lang)} {op} {format_value(mark.value, indicator, lang, scale=yuan_scale([mark.value], lang))}", (mark.date, mark.value / div),
                    xytext=(-8, -4), textcoords="offset points", fontsize=9, ha="right", va="top")
    if observed is not None:
        from ..observed import load_observations

        obs = load_observations(observed) if isinstance(observed, str) else observed
        lo_date, hi_date = frame["date"].min(), frame["date"].max()
        obs = obs[(obs["indicator"] == indicator) & (obs["area"] == "province") & (obs["measure"] == "value")
                  & (obs["date"] >= lo_date) & (obs["date"] <= hi_date)]
        for i, row in enumerate(obs.itertuples(index=False)):
            label = t("observed", lang) if i == 0 else None
            if row.bound == "lower":
                ax.plot([row.date], [row.low / div], marker="^", ms=9, color="black", ls="none", zorder=6, label=label)
            else:
                ax.errorbar([row.date], [row.value / div], yerr=[[(row.value - row.low) / div],
                                                                  [(row.high - row.value) / div]],
                            fmt="D", ms=6, color="black", capsize=3, zorder=6, label=label)
    ind = INDICATORS[indicator]
    ax.set_title(title or ind.label(lang), fontsize=13)
    ax.set_ylabel(f"{ind.label(lang)}" + (f" ({unit})" if unit else ""), fontsize=10)
    ax.grid(alpha=0.3)
    if changes and res is not None and any(res.changes(n) for n in names):
        ax.plot([], [], color="grey", ls=":", label=t("lever_change", lang))
    if legend:
        n_runs = int(qs["n"].max()) if len(qs) else 0
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False,
                  title=f"{t('median', lang)} + {t('band', lang)}" + (f", {n_runs} {t('runs', lang)}"
                                                                       if n_runs > 1 else ""),
                  title_fontsize=9)
    return fig


def plot_attainment(results, lang: str = "en", ax=None, scenarios=None, level: float = 0.9):
    """Heat map, scenario × target: the probability of meeting each target by its date, written in the cells."""
    lang = use_fonts(lang)
    res = results if isinstance(results, Results) else Results(results)
    names = res._pick(scenarios)
    table = res.attainment(level=level)
    targets = list(res.targets)
    grid = (table.pivot(index="scenario", columns="target", values="probability")
            .reindex(index=names, columns=targets))
    lo = table.pivot(index="scenario", columns="target", values="lo").reindex(index=names, columns=targets)
    hi = table.pivot(index="scenario", columns="target", values="hi").reindex(index=names, columns=targets)
    fig, ax = _figure(ax, (1.25 * len(targets) + 3.6, 0.55 * len(names) + 2.6))
    im = ax.imshow(grid.to_numpy(dtype=float), cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    for i in range(len(names)):
        for j in range(len(targets)):
            p = grid.iat[i, j]
            if p != p:
                continue
            colour = "white" if p < 0.2 or p > 0.85 else "black"
            ax.text(j, i - 0.12, f"{p:.0%}", ha="center", va="center", fontsize=10, color=colour, weight="bold")
            ax.text(j, i + 0.25, f"{lo.iat[i, j]:.0%}–{hi.iat[i, j]:.0%}", ha="center", va="center", fontsize=7,
                    color=colour)
    ax.set_xticks(range(len(targets)))
    ax.set_xticklabels([_wrap(res.targets[x].label(lang), lang, 18, 9) + f"\n({t('by', lang)} {res.targets[x].date:%Y-%m})"
                        for x in targets], fontsize=8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([res.label(n, lang) for n in names], fontsize=9)
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    ax.set_title(t("attainment_title", lang), fontsize=13)
    bar = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    from matplotlib.ticker import PercentFormatter

    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return fig


def plot_difference(results, indicator: str, baseline: str | None = None, scenarios=None, lang: str = "en", ax=None,
                    q=LEVELS, only_different: bool = True, legend: bool = True):
    """Paired difference ``scenario − baseline`` over time: median line and 10–90% band per scenario.

    With ``only_different``, scenarios whose difference is zero in every run and month
    are left out. Dotted lines mark the month each scenario first differs from the baseline.
    """
    lang = use_fonts(lang)
    res = results if isinstance(results, Results) else Results(results)
    base = baseline or res.baseline
    diff = res.compare(baseline=base, indicators=[indicator], dates="all", scenarios=scenarios, q=q)
    diff = diff[diff["kind"] == "indicator"]
    colours = scenario_colours(res.scenarios, base)
    fig, ax = _figure(ax, (9.5, 4.6))
    lo, hi = _q(q[0]), _q(q[1])
    div, unit = _axis_format(ax, indicator, diff[[lo, hi]].to_numpy() if len(diff) else [0], lang)
    ind = INDICATORS[indicator]
    if ind.share:  # differences of shares in percentage points
        from matplotlib.ticker import FuncFormatter

        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:+.0f} pp" if lang == "en"
                                                   else f"{v * 100:+.0f}个百分点"))
    ax.axhline(0, color=BASELINE_COLOUR, lw=1.2)
    for name in dict.fromkeys(diff["scenario"]):
        mine = diff[diff["scenario"] == name]
        if only_different and not (mine[[lo, hi, "median"]].abs().to_numpy() > 0).any():
            continue
        colour = colours[name]
        ax.plot(mine["date"], mine["median"] / div, color=colour, lw=1.7, label=res.label(name, lang))
        ax.fill_between(mine["date"], mine[lo] / div, mine[hi] / div, color=colour, alpha=0.15, lw=0)
        start = res.divergence(name, base)
        if start is not None and start > mine["date"].min():
            ax.axvline(start, color=colour, ls=":", lw=1.4)
    ax.set_title(_wrap(t("difference_of", lang, label=ind.label(lang), baseline=res.label(base, lang)), lang, 60, 30),
                 fontsize=12)
    ax.set_ylabel(t("difference", lang) + (f" ({unit})" if unit else ""), fontsize=10)
    ax.grid(alpha=0.3)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False,
                  title=f"{t('median', lang)} + {t('band', lang)}", title_fontsize=9)
    return fig


def plot_cost(results, lang: str = "en", ax=None, baseline: str | None = None, scenarios=None):
    """Cost against progress, one point per scenario: cumulative public spending (x) and the mean
    progress towards the targets (y: each target's median value at its date as a share of the
    goal, capped at 100%, averaged over targets). Progress, not the probability of meeting a
    target, so that strategies that all miss a target (0%) are still told apart."""
    lang = use_fonts(lang)
    res = results if isinstance(results, Results) else Results(results)
    base = baseline or res.baseline
    names = res._pick(scenarios)
    cost = res.cost(baseline=base).set_index("scenario").reindex(names)
    colours = scenario_colours(res.scenarios, base)
    fig, ax = _figure(ax, (9.5, 5.2))
    div, unit = yuan_scale(cost["total_yuan"], lang)
    for name, row in cost.iterrows():
        ax.scatter([row["total_yuan"] / div], [row["mean_goal_share"]], s=90 if name == base else 60,
                   color=colours[name], zorder=3, edgecolor="black" if name == base else "none")
    ax.margins(x=0.15, y=0.12)
    ax.autoscale_view()
    ax.set_xlabel(t("spend_axis", lang, unit=unit), fontsize=10)
    ax.set_ylabel(t("attain_axis", lang), fontsize=10)
    ax.set_title(t("cost_title", lang), fontsize=13)
    ax.grid(alpha=0.3)
    points = [(res.label(n, lang), r["total_yuan"] / div, r["mean_goal_share"], colours[n])
              for n, r in cost.iterrows()]
    _label_points(ax, points)
    return fig


def _label_points(ax, points, size: float = 9.0) -> None:
    """Label scatter points without overlaps: points within a few points of each other share one
    label (their names stacked), and each label goes above or below its point, wherever it is free."""
    fig = ax.figure
    fig.canvas.draw()  # settle the layout, so that data → display is final
    to_pt = 72.0 / fig.dpi
    line = size * 1.3
    box = ax.get_window_extent()
    right_edge, bottom, top = box.x1 * to_pt, box.y0 * to_pt, box.y1 * to_pt
    where = [(label, *(v * to_pt for v in ax.transData.transform((x, y))), colour, x, y)
             for label, x, y, colour in points]
    clusters: list[list] = []
    for item in sorted(where, key=lambda w: (w[1], w[2])):
        for c in clusters:
            if abs(c[0][1] - item[1]) < 12 and abs(c[0][2] - item[2]) < 12:
                c.append(item)
                break
        else:
            clusters.append([item])
    dots = [(w[1], w[2]) for w in where]
    placed: list[tuple[float, float, float, float]] = []

    def free(x0, x1, y0, y1):
        if y0 < bottom + 2 or y1 > top - 2:
            return False
        if any(not (x1 < a or x0 > b or y1 < c or y0 > d) for a, b, c, d in placed):
            return False
        return not any(x0 - 8 <= px <= x1 + 8 and y0 - 8 <= py <= y1 + 8 for px, py in dots)

    for c in sorted(clusters, key=lambda c: -c[0][2]):
        labels = [w[0] for w in c]
        width = max(sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in text) for text in labels)
        height = line * len(labels)
        px, py = c[0][1], c[0][2]
        dx = 6 if px + 6 + width <= right_edge else -6 - width
        for k in range(12):
            dy = (6 + k * line) if k % 2 == 0 else -(height + 6 + (k - 1) * line)
            if free(px + dx, px + dx + width, py + dy, py + dy + height):
                break
        placed.append((px + dx, px + dx + width, py + dy, py + dy + height))
        colour = c[0][3] if len(c) == 1 else "#333333"
        ax.annotate("\n".join(labels), (c[0][4], c[0][5]), xytext=(dx if dx > 0 else -6, dy),
                    textcoords="offset points", fontsize=size, color=colour, va="bottom",
                    ha="left" if dx > 0 else "right", linespacing=1.15,
                    arrowprops=dict(arrowstyle="-", color=colour, lw=0.6, alpha=0.6) if abs(dy) > line else None)

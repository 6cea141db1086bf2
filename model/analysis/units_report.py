"""The report's section on every level of the region: prefectures and counties ranked, in tables
and small multiples (``plot_units``), and the tables the workbook and CSV files take.

The numbers come from ``by_unit.py`` (the store's ``OUT/units/`` parts).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..text import t
from .fonts import use_fonts
from .plots import scenario_colours, yuan_scale
from .results import Results

__all__ = ["plot_units", "unit_tables", "units_section", "has_units"]


def _e(text) -> str:
    return html.escape(str(text))


def has_units(res: Results) -> bool:
    """Does the store hold prefecture and county tables (runs of the default run function)?"""
    return not res.store_units.empty


def _unit_name(row, lang: str) -> str:
    return row["name"] if lang == "zh" else row["name_en"]


def plot_units(res: Results, level: str = "prefecture", scenario: str | None = None, lang: str = "en"):
    """Small multiples, one panel per target: each unit's median value at the target's date as a share of
    its goal, with the 10–90% band across runs, ranked; the line marks the goal (100%). For
    prefectures, every scenario's median is drawn beside the baseline's bars; for counties, dots."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    use_fonts(lang)
    scenario = scenario or res.baseline
    att = res.unit_attainment(level)
    tids = [x for x in res.targets if x in set(att["target"])] if not att.empty else []
    n = max(1, len(tids))
    cols = 2 if n > 1 else 1
    rows = -(-n // cols)
    height = (0.17 * (att["unit"].nunique() if level == "prefecture" else 14) + 1.2) if not att.empty else 3
    fig, axes = plt.subplots(rows, cols, figsize=(11, max(2.6, height) * rows), layout="constrained", squeeze=False)
    colours = scenario_colours(res.scenarios, res.baseline)
    for k, ax in enumerate(axes.flat):
        if k >= len(tids):
            ax.axis("off")
            continue
        tid = tids[k]
        target = res.targets[tid]
        mine = att[(att["scenario"] == scenario) & (att["target"] == tid)].sort_values("goal_share")
        names = [_unit_name(r, lang) for _, r in mine.iterrows()]
        y = np.arange(len(mine))
        share = mine["goal_share"].to_numpy(float)
        lo, hi = mine["goal_share_q10"].to_numpy(float), mine["goal_share_q90"].to_numpy(float)
        if level == "prefecture":
            ax.barh(y, share, color="#9ecae1", edgecolor="#3182bd", height=0.7, label=res.label(scenario, lang))
            ax.errorbar(share, y, xerr=[share - lo, hi - share], fmt="none", ecolor="#333333", lw=0.8, capsize=2)
            for other in res.scenarios:
                if other == scenario:
                    continue
                o = att[(att["scenario"] == other) & (att["target"] == tid)].set_index("unit")
                if o.empty:
                    continue
                ax.plot(o.loc[mine["unit"], "goal_share"].to_numpy(float), y, "o", ms=3.2, color=colours[other],
                        label=res.label(other, lang))
            ax.set_yticks(y, names, fontsize=7)
        else:
            x = np.arange(len(mine))
            ax.vlines(x, lo, hi, color="#bbbbbb", lw=0.8)
            ax.plot(x, share, "o", ms=2.6, color="#3182bd")
            ax.set_xticks([])
            ax.set_xlabel(t("units_ranked", lang, n=len(mine)), fontsize=8)
        line = ax.axvline if level == "prefecture" else ax.axhline
        line(1.0, color="black", lw=1, ls="--")
        fmt = PercentFormatter(1.0)
        (ax.xaxis if level == "prefecture" else ax.yaxis).set_major_formatter(fmt)
        ax.set_title(f"{target.label(lang)} ({t('by', lang)} {target.date:%Y-%m})", fontsize=9)
        ax.tick_params(labelsize=7)
    if level == "prefecture" and len(res.scenarios) > 1 and tids:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)), fontsize=7, frameon=False)
    fig.suptitle(t("units_fig_title", lang, level=t(f"level_{level}", lang), scenario=res.label(scenario, lang)),
                 fontsize=11)
    return fig


def _colour(p: float) -> tuple[str, str]:
    from .report import _colour as colour

    return colour(p)


def _ranking_table(res: Results, level: str, lang: str) -> str:
    rank = res.unit_ranking(level)
    if rank.empty:
        return ""
    tids = [c[2:] for c in rank.columns if c.startswith("p:")]
    div, unit = yuan_scale(rank["spend_yuan"].to_numpy(float), lang) if "spend_yuan" in rank else (1.0, "")
    head = ["#", t(f"level_{level}", lang)]
    if level == "county":
        head.append(t("level_prefecture", lang))
    head += [t("progress", lang), t("targets_met_units", lang)]
    head += [f"{_e(res.targets[x].label(lang))}<br><span class='by'>{t('by', lang)} {res.targets[x].date:%Y-%m}"
             f"</span>" for x in tids]
    head += [f"{t('spend_window', lang)}<br><span class='by'>{_e(unit)}</span>", t("per_resident", lang)]
    names = res.store_units
    prefs = names[names["level"] == "prefecture"].drop_duplicates("unit").set_index("unit")
    rows = []
    for _, r in rank.iterrows():
        row = [f"<td class='n'>{int(r['rank'])}</td>", f"<th class='sc'>{_e(_unit_name(r, lang))}</th>"]
        if level == "county":
            p = prefs.loc[int(r["prefecture"])] if int(r["prefecture"]) in prefs.index else None
            row.append(_e(_unit_name(p, lang)) if p is not None else "")
        bg, fg = _colour(r["progress"])
        row.append(f"<td class='p' style='background:{bg};color:{fg}'><b>{r['progress']:.0%}</b></td>")
        row.append(f"<td class='n'>{int(r['targets_met'])} / {int(r['targets_judged'])}</td>")
        for x in tids:
            p = r[f"p:{x}"]
            if p != p:
                row.append("<td>—</td>")
            else:
                bg, fg = _colour(p)
                row.append(f"<td class='p' style='background:{bg};color:{fg}'>{p:.0%}</td>")
        spend = r.get("spend_yuan", float("nan"))
        row.append(f"<td class='n'>{spend / div:,.1f}</td>" if spend == spend else "<td>—</td>")
        per = r.get("spend_per_resident", float("nan"))
        row.append(f"<td class='n'>{per:,.1f} {t('yuan', lang)}</td>" if per == per else "<td>—</td>")
        rows.append(row)
    from .report import _table

    return _table(head, rows, f"units {level}")


def _scenario_matrix(res: Results, level: str, lang: str) -> str:
    """Units × scenarios: mean progress toward the goals (coloured), units in the baseline's ranking."""
    if len(res.scenarios) < 2:
        return ""
    order = res.unit_ranking(level)
    rows = []
    progress = {s: res.unit_ranking(level, s).set_index("unit")["progress"] for s in res.scenarios}
    for _, r in order.iterrows():
        row = [f"<th class='sc'>{_e(_unit_name(r, lang))}</th>"]
        for s in res.scenarios:
            v = progress[s].get(int(r["unit"]), float("nan"))
            bg, fg = _colour(v)
            row.append(f"<td class='p' style='background:{bg};color:{fg}'>{'—' if v != v else f'{v:.0%}'}</td>")
        rows.append(row)
    from .report import _table

    return _table([t(f"level_{level}", lang), *(_e(res.label(s, lang)) for s in res.scenarios)], rows,
                  f"units matrix {level}")


def units_section(res: Results, lang: str, png) -> str:
    """The section's HTML; ``png(fig, name)`` embeds a figure and writes it under ``figures/``."""
    if not has_units(res):
        return ""
    base = res.label(res.baseline, lang)
    parts = [f"<p class='note'>{_e(t('units_note', lang))}</p>"]
    for level in ("prefecture", "county"):
        if res.store_units[res.store_units["level"] == level]["unit"].nunique() == 0:
            continue
        parts.append(f"<h3>{t(f'units_rank_{level}', lang, scenario=_e(base))}</h3>")
        parts.append(f"<div class='wrap'>{_ranking_table(res, level, lang)}</div>")
        parts.append(png(plot_units(res, level, lang=lang), f"units_{level}"))
        if level == "prefecture":
            matrix = _scenario_matrix(res, level, lang)
            if matrix:
                parts.append(f"<h3>{t('units_matrix', lang)}</h3><div class='wrap'>{matrix}</div>")
    return "".join(parts)


def unit_tables(res: Results, lang: str = "en") -> dict[str, pd.DataFrame]:
    """The tables for ``tables/*.csv`` and the workbook: the baseline's rankings, attainment and cost
    by prefecture and county for every scenario (empty when the store holds no unit tables)."""
    if not has_units(res):
        return {}
    out = {}
    for level in ("prefecture", "county"):
        rank = res.unit_ranking(level)
        rank.insert(0, "scenario", res.baseline)
        out[f"{level}_ranking"] = rank
    att = pd.concat([res.unit_attainment(level) for level in ("prefecture", "county")], ignore_index=True)
    att.insert(1, "scenario_label", att["scenario"].map(lambda s: res.label(s, lang)))
    att.insert(att.columns.get_loc("target") + 1, "target_label",
               att["target"].map(lambda x: res.targets[x].label(lang)))
    out["unit_attainment"] = att
    cost = pd.concat([res.unit_cost(level) for level in ("prefecture", "county")], ignore_index=True)
    cost.insert(1, "scenario_label", cost["scenario"].map(lambda s: res.label(s, lang)))
    out["unit_cost"] = cost
    return out

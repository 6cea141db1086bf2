"""ECharts options for the dashboard's views, built from a Session (no widgets here).

ECharts ships inside ``solara-assets``, so the charts draw with no internet access.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..core.calendar import month_end, parse_month
from ..formatting import format_param, format_value
from ..indicators import FLOWS, INDICATORS
from ..indicators import label as indicator_label
from ..params import SCHEMA
from ..text import flow_label
from ..text import t as tr
from .session import Session

__all__ = ["indicator_option", "region_option", "flow_rows", "FLOW_EDGES", "MAP_COLOURS", "CHART_FONT",
           "font_sizes"]

LIVE = "#1f77b4"
BASE = "#7f7f7f"
TARGET = "#d62728"
MARK = "#ff7f0e"
BAND = "#c7c7c7"
# The smallest text in a chart, in pixels (legible on a projector).
CHART_FONT = 14


def _lever_text(changes: dict, lang: str) -> str:
    parts = []
    for name, value in changes.items():
        parts.append(f"{SCHEMA[name].label(lang)} = {format_param(value, name, lang)}")
    return "; ".join(parts)


def _points(series: pd.Series, scale: float = 1.0) -> list[list]:
    """``[[date, value], ...]``; shares are drawn in per cent (``scale`` 100), to one decimal."""
    if scale == 1.0:
        return [[d.strftime("%Y-%m-%d"), None if pd.isna(v) else float(v)] for d, v in series.items()]
    return [[d.strftime("%Y-%m-%d"), None if pd.isna(v) else round(float(v) * scale, 1)] for d, v in series.items()]


def indicator_option(session: Session, indicators: list[str], lang: str = "en", columns: int = 2,
                     panel_h: int = 170, titles: bool = True) -> dict[str, Any]:
    """Small multiples: one panel per indicator, the live run (solid), the baseline with the same
    seed (dashed) and the baseline's band over several seeds (grey, 10th-90th percentile) when
    comparing, the targets on it (red diamonds at their dates) and lever changes (orange lines).
    Shares are drawn in per cent (0–100%)."""
    frame = session.frame()
    base = session.baseline_frame()
    band = session.baseline_band()
    start = parse_month(session.start.start)
    end = month_end(session.start.end)
    n = max(1, len(indicators))
    rows = math.ceil(n / columns)
    top0, gap = (64, 70) if titles else (36, 70)
    show_titles = titles
    grids, xaxes, yaxes, series, titles = [], [], [], [], []
    marks = session.lever_marks()
    band_name = tr("band_" + ("posterior" if session.band_mode == "posterior" else "seed"), lang)
    for i, name in enumerate(indicators):
        r, c = divmod(i, columns)
        left = c * (100 / columns)
        top = top0 + r * (panel_h + gap)
        grids.append({"left": f"{left + 3}%", "width": f"{100 / columns - 6}%", "top": top, "height": panel_h,
                      "containLabel": True})
        if show_titles:
            titles.append({"text": indicator_label(name, lang), "left": f"{left + 3}%", "top": top - 30,
                           "textStyle": {"fontSize": CHART_FONT + 2, "fontWeight": "bold"},
                           "subtextStyle": {"fontSize": CHART_FONT}})
        share = INDICATORS[name].share if name in INDICATORS else False
        scale = 100.0 if share else 1.0
        axis_label = {"fontSize": CHART_FONT}
        xaxes.append({"type": "time", "gridIndex": i, "min": start.strftime("%Y-%m-%d"),
                      "max": end.strftime("%Y-%m-%d"), "axisLabel": dict(axis_label, hideOverlap=True),
                      "splitNumber": 5})
        y = {"type": "value", "gridIndex": i, "axisLabel": dict(axis_label), "scale": not share}
        if share:
            y.update(min=0, max=100)
            y["axisLabel"]["formatter"] = "{value}%"
        yaxes.append(y)
        if band is not None and name in band[0]:
            lo, hi = band[0][name], band[1][name]
            series.append({"name": band_name, "type": "line", "xAxisIndex": i, "yAxisIndex": i,
                           "stack": f"band{i}", "showSymbol": False, "silent": True,
                           "lineStyle": {"opacity": 0}, "itemStyle": {"color": BAND}, "data": _points(lo, scale)})
            series.append({"name": band_name, "type": "line", "xAxisIndex": i, "yAxisIndex": i,
                           "stack": f"band{i}", "showSymbol": False, "silent": True,
                           "lineStyle": {"opacity": 0}, "areaStyle": {"color": BAND, "opacity": 0.45},
                           "itemStyle": {"color": BAND}, "data": _points(hi - lo, scale)})
        live = {"name": tr("live", lang), "type": "line", "xAxisIndex": i, "yAxisIndex": i, "showSymbol": False,
                "lineStyle": {"color": LIVE, "width": 3}, "itemStyle": {"color": LIVE},
                "data": _points(frame[name], scale) if name in frame else []}
        if marks:
            live["markLine"] = {
                "symbol": "none", "silent": False, "lineStyle": {"color": MARK, "type": "solid", "width": 2},
                "label": {"show": i == 0, "formatter": tr("lever_moved", lang), "fontSize": CHART_FONT,
                          "color": MARK, "position": "insideStartTop"},
                "data": [{"xAxis": d.strftime("%Y-%m-%d"), "name": _lever_text(ch, lang)} for d, ch in marks],
            }
        series.append(live)
        if base is not None and name in base:
            series.append({"name": tr("baseline_scenario", lang), "type": "line", "xAxisIndex": i, "yAxisIndex": i,
                           "showSymbol": False, "lineStyle": {"color": BASE, "type": "dashed", "width": 2},
                           "itemStyle": {"color": BASE}, "data": _points(base[name], scale)})
        goals = [t for t in session.targets if t.indicator == name]
        if goals:
            series.append({"name": tr("target_marker", lang), "type": "scatter", "xAxisIndex": i, "yAxisIndex": i,
                           "symbol": "diamond", "symbolSize": 14, "itemStyle": {"color": TARGET},
                           "data": [{"value": [t.date.strftime("%Y-%m-%d"), t.value * scale], "name": t.label(lang)}
                                    for t in goals]})
    legend = [tr("live", lang)]
    if base is not None:
        legend += [tr("baseline_scenario", lang), band_name]
    legend.append(tr("target_marker", lang))
    return {
        "animation": False,
        "textStyle": {"fontSize": CHART_FONT},
        "title": titles,
        "legend": {"top": 0, "right": 10, "data": legend, "textStyle": {"fontSize": CHART_FONT},
                   "selectorLabel": {"fontSize": CHART_FONT}},
        "tooltip": {"trigger": "axis", "textStyle": {"fontSize": CHART_FONT}},
        "grid": grids, "xAxis": xaxes, "yAxis": yaxes, "series": series,
        "_height": top0 + rows * (panel_h + gap) - gap + 40,
    }


# ---- the region -------------------------------------------------------------------------------

MAP_COLOURS = {
    "orgs": [("0–2", 0, 2, "#d73027"), ("3–4", 3, 4, "#fc8d59"), ("5–9", 5, 9, "#91bfdb"), ("≥10", 10, None, "#4575b4")],
    "volunteers": [("<5", None, 5, "#fee8c8"), ("5–20", 5, 20, "#fdbb84"), ("20–50", 20, 50, "#ef6548"),
                   ("≥50", 50, None, "#990000")],
}


def _layout(township: np.ndarray, n_townships: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Townships on a grid; each township's communities on a sunflower spiral around it."""
    cols = max(1, math.ceil(math.sqrt(n_townships * 1.6)))
    tx = np.arange(n_townships) % cols * 10.0
    ty = -(np.arange(n_townships) // cols) * 10.0
    cx = np.zeros(len(township))
    cy = np.zeros(len(township))
    golden = math.pi * (3 - math.sqrt(5))
    for k in range(n_townships):
        idx = np.flatnonzero(township == k)
        m = len(idx)
        if m == 0:
            continue
        j = np.arange(m)
        radius = 1.6 + 2.8 * np.sqrt((j + 0.5) / max(m, 1))
        angle = j * golden
        cx[idx] = tx[k] + radius * np.cos(angle)
        cy[idx] = ty[k] + radius * np.sin(angle)
    return tx, ty, cx, cy


def _bucket(value: float, scheme: str) -> int:
    for i, (_, lo, hi, _) in enumerate(MAP_COLOURS[scheme]):
        if (lo is None or value >= lo) and (hi is None or value <= hi if scheme == "orgs" else value < hi):
            return i
    return len(MAP_COLOURS[scheme]) - 1


def region_option(session: Session, colour_by: str = "orgs", lang: str = "en") -> dict[str, Any]:
    """Townships (squares: filled with a station, hollow without) and their communities
    (dots urban, triangles rural), coloured by ``station``, ``orgs`` or ``volunteers``."""
    m = session.model
    c, t = m.communities, m.townships
    n = int(t.n)
    township = np.asarray(c.township, int)
    tx, ty, cx, cy = _layout(township, n)
    has_station = np.asarray(t.has_station, bool)
    names = list(t.name_en if lang == "en" and hasattr(t, "name_en") else t.name)
    orgs = np.asarray(c.orgs, float)
    pop = np.maximum(np.asarray(c.population, float), 1)
    vol = np.asarray(c.volunteers_active, float)
    vol_per_k = 1000 * vol / pop
    urban = np.asarray(c.urban, bool)
    staff = np.asarray(t.sw_staff, float) if hasattr(t, "sw_staff") else np.zeros(n)

    def tip(i: int) -> str:
        kind = tr("urban" if urban[i] else "rural", lang)
        return (f"{names[township[i]]} · {kind} #{i}<br/>{tr('orgs', lang)}: {orgs[i]:.0f}<br/>"
                f"{tr('volunteers', lang)}: {vol[i]:.0f}<br/>{tr('population', lang)}: {pop[i]:,.0f}")

    series = []
    if colour_by == "station":
        groups = [(tr("station_yes", lang), "#2ca02c", has_station[township]),
                  (tr("station_no", lang), "#d62728", ~has_station[township])]
    else:
        values = orgs if colour_by == "orgs" else vol_per_k
        buckets = np.array([_bucket(v, colour_by) for v in values], int)
        groups = [(label, colour, buckets == b) for b, (label, _, _, colour) in enumerate(MAP_COLOURS[colour_by])]
    for label, colour, mask in groups:
        for is_urban in (True, False):
            sel = np.flatnonzero(mask & (urban == is_urban))
            series.append({
                "name": label, "type": "scatter", "symbol": "circle" if is_urban else "triangle", "symbolSize": 9,
                "itemStyle": {"color": colour, "borderColor": "#333", "borderWidth": 0.4},
                "data": [{"value": [round(cx[i], 3), round(cy[i], 3)], "tooltip": {"formatter": tip(i)},
                          "place": ["c", int(i)]} for i in sel],
            })
    series.append({
        "name": tr("township", lang), "type": "scatter", "symbol": "rect", "symbolSize": 16, "z": 3,
        "label": {"show": True, "position": "bottom", "distance": 26, "fontSize": CHART_FONT, "formatter": "{b}"},
        "data": [{"name": names[k], "value": [tx[k], ty[k]], "place": ["t", int(k)],
                  "tooltip": {"formatter": f"{names[k]}<br/>{tr('station_yes' if has_station[k] else 'station_no', lang)}"
                         f"<br/>{tr('sw_staff', lang)}: {staff[k]:.0f}"},
                  "itemStyle": {"color": "#2ca02c" if has_station[k] else "#ffffff",
                                "borderColor": "#2ca02c" if has_station[k] else "#d62728", "borderWidth": 2}}
                 for k in range(n)],
    })
    legend = [g[0] for g in groups]
    cols = max(1, math.ceil(math.sqrt(n * 1.6)))
    rows = math.ceil(n / cols)
    return {
        "animation": False,
        "textStyle": {"fontSize": CHART_FONT},
        "legend": {"top": 0, "data": legend, "textStyle": {"fontSize": CHART_FONT},
                   "selectorLabel": {"fontSize": CHART_FONT}},
        "tooltip": {"trigger": "item", "textStyle": {"fontSize": CHART_FONT}},
        "xAxis": {"show": False, "min": -6, "max": (cols - 1) * 10 + 6, "axisLabel": {"fontSize": CHART_FONT}},
        "yAxis": {"show": False, "min": -(rows - 1) * 10 - 7, "max": 6, "axisLabel": {"fontSize": CHART_FONT}},
        "grid": {"left": 5, "right": 5, "top": 36, "bottom": 5},
        "series": series,
        "_height": 60 + rows * 120,
    }


# ---- flows between the five societies -------------------------------------------------------

# (flow key in model.flows, from, to, unit): the flows the model declares between societies
# (model/indicators.py FLOWS); the rest are listed as other flows.
FLOW_EDGES = [(f.name, f.source, f.target, f.unit) for f in FLOWS.values() if f.source and f.target]

_UNIT_COLOUR = {"yuan": "#d62728", "hours": "#1f77b4", "persons": "#2ca02c", "orgs": "#2ca02c", "services": "#9467bd",
                "projects": "#8c564b"}


def flow_rows(flows: dict | None, lang: str = "en") -> list[dict[str, Any]]:
    """This month's flows the model reports, largest first within each kind (money, hours,
    people, services): ``kind``, ``source``, ``target``, ``value``, ``text``, ``colour``,
    ``share`` (of the largest flow of the same kind, for a bar), ``names`` (the flows' own
    names, ``model.indicators.FLOWS``, in ``lang``) and ``keys``. Flows between the same two
    societies in the same unit are added together. Then the flows that run between no two
    societies (exam candidates, organisations closed, ...), one row each, with ``source``
    and ``target`` empty and no bar."""
    flows = dict(flows or {})
    merged: dict[tuple[str, str, str], float] = {}
    keys: dict[tuple[str, str, str], list[str]] = {}
    for key, src, dst, unit in FLOW_EDGES:
        value = flows.get(key)
        if value is None or not np.isfinite(value) or value <= 0:
            continue
        merged[(src, dst, unit)] = merged.get((src, dst, unit), 0.0) + float(value)
        keys.setdefault((src, dst, unit), []).append(key)
    rows = []
    order = list(_UNIT_COLOUR)
    for (src, dst, unit), value in sorted(merged.items(), key=lambda kv: (order.index(kv[0][2]), -kv[1])):
        top = max(v for (_, _, u), v in merged.items() if u == unit)
        names = keys[(src, dst, unit)]
        rows.append({"kind": tr("kind_" + unit, lang), "source": tr("node_" + src, lang),
                     "target": tr("node_" + dst, lang), "unit": unit, "value": value,
                     "text": format_value(value, unit=unit, lang=lang), "colour": _UNIT_COLOUR[unit], "share": value / top,
                     "names": "; ".join(flow_label(k, lang) for k in names), "keys": names})
    for f in FLOWS.values():
        value = flows.get(f.name)
        if f.source and f.target or value is None or not np.isfinite(value) or value <= 0:
            continue
        rows.append({"kind": tr("other_flows", lang), "source": "", "target": "", "unit": f.unit,
                     "value": float(value), "text": format_value(float(value), unit=f.unit, lang=lang), "colour": "#999",
                     "share": None, "names": flow_label(f.name, lang), "keys": [f.name]})
    return rows


def font_sizes(option: Any) -> list[float]:
    """Every ``fontSize`` set anywhere in an ECharts option (the tests hold them to ``CHART_FONT``)."""
    found: list[float] = []
    if isinstance(option, dict):
        for key, value in option.items():
            if key == "fontSize":
                found.append(float(value))
            else:
                found.extend(font_sizes(value))
    elif isinstance(option, list):
        for item in option:
            found.extend(font_sizes(item))
    return found

"""ECharts options for the dashboard's views, built from a Session (no widgets here).

ECharts ships inside ``solara-assets``, so the charts draw with no internet access.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..indicators import INDICATORS
from ..indicators import label as indicator_label
from ..params import SCHEMA
from .session import Session
from .text import choice_label, tr

__all__ = ["format_value", "indicator_option", "region_option", "flow_option", "FLOW_EDGES", "MAP_COLOURS"]

LIVE = "#1f77b4"
BASE = "#7f7f7f"
TARGET = "#d62728"
MARK = "#ff7f0e"


def format_value(value: float | None, indicator: str | None = None, lang: str = "en") -> str:
    """A value as a class reads it: shares in per cent, money in 万元 (zh) or yuan, counts whole."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    ind = INDICATORS.get(indicator) if indicator else None
    if ind is not None and ind.share:
        return f"{100 * value:.0f}%"
    if ind is not None and ind.unit == "yuan":
        if lang == "zh":
            return f"{value / 1e4:,.1f}万元"
        return f"{value:,.0f} yuan"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _lever_text(changes: dict, lang: str) -> str:
    parts = []
    for name, value in changes.items():
        p = SCHEMA[name]
        if p.type == "choice":
            shown = choice_label(name, value, lang)
        elif p.type == "bool":
            shown = tr("on" if value else "off", lang)
        else:
            shown = f"{value:g}"
        parts.append(f"{p.label(lang)} = {shown}")
    return "; ".join(parts)


def _points(series: pd.Series) -> list[list]:
    return [[d.strftime("%Y-%m-%d"), None if pd.isna(v) else float(v)] for d, v in series.items()]


def indicator_option(session: Session, indicators: list[str], lang: str = "en", columns: int = 2) -> dict[str, Any]:
    """Small multiples: one panel per indicator, the live run (solid), the baseline (dashed),
    the targets on it (red diamonds at their dates) and lever changes (orange vertical lines)."""
    frame = session.frame()
    base = session.baseline_frame()
    start = pd.Period(session.start.start, "M").to_timestamp(how="start")
    end = pd.Period(session.start.end, "M").to_timestamp(how="end").normalize()
    n = max(1, len(indicators))
    rows = math.ceil(n / columns)
    panel_h, top0, gap = 150, 30, 55
    grids, xaxes, yaxes, series, titles = [], [], [], [], []
    marks = session.lever_marks()
    for i, name in enumerate(indicators):
        r, c = divmod(i, columns)
        left = 4 + c * (100 / columns)
        top = top0 + r * (panel_h + gap)
        grids.append({"left": f"{left + 4}%", "width": f"{100 / columns - 10}%", "top": top, "height": panel_h,
                      "containLabel": False})
        titles.append({"text": indicator_label(name, lang), "left": f"{left + 4}%", "top": top - 22,
                       "textStyle": {"fontSize": 12, "fontWeight": "normal"}})
        share = INDICATORS[name].share if name in INDICATORS else False
        xaxes.append({"type": "time", "gridIndex": i, "min": start.strftime("%Y-%m-%d"),
                      "max": end.strftime("%Y-%m-%d"), "axisLabel": {"fontSize": 10}})
        y = {"type": "value", "gridIndex": i, "axisLabel": {"fontSize": 10}, "scale": not share}
        if share:
            y.update(min=0, max=1)
        yaxes.append(y)
        live = {"name": tr("live", lang), "type": "line", "xAxisIndex": i, "yAxisIndex": i, "showSymbol": False,
                "lineStyle": {"color": LIVE, "width": 2}, "itemStyle": {"color": LIVE},
                "data": _points(frame[name]) if name in frame else []}
        if marks:
            live["markLine"] = {
                "symbol": "none", "silent": False, "lineStyle": {"color": MARK, "type": "solid", "width": 1.5},
                "label": {"show": i == 0, "formatter": tr("lever_change", lang), "fontSize": 10, "color": MARK,
                          "position": "insideStartTop"},
                "data": [{"xAxis": d.strftime("%Y-%m-%d"), "name": _lever_text(ch, lang)} for d, ch in marks],
            }
        series.append(live)
        if base is not None and name in base:
            series.append({"name": tr("baseline", lang), "type": "line", "xAxisIndex": i, "yAxisIndex": i,
                           "showSymbol": False, "lineStyle": {"color": BASE, "type": "dashed", "width": 1.5},
                           "itemStyle": {"color": BASE}, "data": _points(base[name])})
        goals = [t for t in session.targets if t.indicator == name]
        if goals:
            series.append({"name": tr("target_marker", lang), "type": "scatter", "xAxisIndex": i, "yAxisIndex": i,
                           "symbol": "diamond", "symbolSize": 12, "itemStyle": {"color": TARGET},
                           "data": [{"value": [t.date.strftime("%Y-%m-%d"), t.value], "name": t.label(lang)}
                                    for t in goals]})
    return {
        "animation": False,
        "title": titles,
        "legend": {"top": 0, "right": 10, "data": [tr("live", lang), tr("baseline", lang), tr("target_marker", lang)]},
        "tooltip": {"trigger": "axis"},
        "grid": grids, "xAxis": xaxes, "yAxis": yaxes, "series": series,
        "_height": top0 + rows * (panel_h + gap),
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
                "data": [{"value": [round(cx[i], 3), round(cy[i], 3)], "tooltip": {"formatter": tip(i)}} for i in sel],
            })
    series.append({
        "name": tr("township", lang), "type": "scatter", "symbol": "rect", "symbolSize": 16, "z": 3,
        "label": {"show": True, "position": "bottom", "distance": 26, "fontSize": 11, "formatter": "{b}"},
        "data": [{"name": names[k], "value": [tx[k], ty[k]],
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
        "legend": {"top": 0, "data": legend},
        "tooltip": {"trigger": "item"},
        "xAxis": {"show": False, "min": -6, "max": (cols - 1) * 10 + 6},
        "yAxis": {"show": False, "min": -(rows - 1) * 10 - 7, "max": 6},
        "grid": {"left": 5, "right": 5, "top": 30, "bottom": 5},
        "series": series,
        "_height": 60 + rows * 120,
    }


# ---- flows between the five societies -------------------------------------------------------

# (flow key in model.flows, from, to, unit); keys the model does not report are left out.
FLOW_EDGES = [
    ("gov_to_stations_yuan", "government", "stations", "yuan"),
    ("gov_to_agencies_yuan", "government", "agencies", "yuan"),
    ("agencies_to_stations_hours", "agencies", "stations", "hours"),
    ("gov_to_orgs_yuan", "government", "organisations", "yuan"),
    ("grants_yuan", "government", "organisations", "yuan"),
    ("venture_grants_yuan", "government", "organisations", "yuan"),
    ("match_yuan", "government", "charity", "yuan"),
    ("charity_match_yuan", "government", "charity", "yuan"),
    ("donations_yuan", "residents", "charity", "yuan"),
    ("charity_to_orgs_yuan", "charity", "organisations", "yuan"),
    ("projects_yuan", "charity", "organisations", "yuan"),
    ("projects", "charity", "organisations", "projects"),
    ("gov_to_volunteers_yuan", "government", "volunteers", "yuan"),
    ("volunteer_incentives_yuan", "government", "volunteers", "yuan"),
    ("allowances_yuan", "government", "social_workers", "yuan"),
    ("wages_yuan", "agencies", "social_workers", "yuan"),
    ("sw_hired", "residents", "social_workers", "persons"),
    ("sw_left", "social_workers", "residents", "persons"),
    ("sw_station_hours", "social_workers", "stations", "hours"),
    ("sw_admin_hours", "social_workers", "government", "hours"),
    ("sw_linkage_hours", "social_workers", "volunteers", "hours"),
    ("sw_incubation_hours", "social_workers", "organisations", "hours"),
    ("sw_case_hours", "social_workers", "residents", "hours"),
    ("orgs_founded", "residents", "organisations", "orgs"),
    ("volunteers_new", "residents", "volunteers", "persons"),
    ("volunteer_hours", "volunteers", "residents", "hours"),
    ("services", "stations", "residents", "services"),
]

_NODES = {  # position on a 100 x 100 canvas
    "government": (50, 5), "charity": (88, 30), "agencies": (12, 30), "stations": (30, 52),
    "social_workers": (70, 52), "organisations": (88, 78), "volunteers": (50, 95), "residents": (12, 78),
}
_UNIT_COLOUR = {"yuan": "#d62728", "hours": "#1f77b4", "persons": "#2ca02c", "orgs": "#2ca02c", "services": "#9467bd",
                "projects": "#8c564b"}


def _fmt_flow(value: float, unit: str, lang: str) -> str:
    if unit == "yuan" and lang == "zh":
        return f"{value / 1e4:,.1f}万元"
    return f"{value:,.0f} {tr('unit_' + unit, lang)}"


def flow_option(flows: dict | None, lang: str = "en") -> dict[str, Any]:
    """A graph of this month's flows: money (red), hours (blue), people (green), services (purple);
    line width grows with the logarithm of the amount. Unknown keys are returned in ``_other``."""
    flows = dict(flows or {})
    known = {k for k, *_ in FLOW_EDGES}
    links = []
    merged: dict[tuple[str, str, str], float] = {}
    for key, src, dst, unit in FLOW_EDGES:
        value = flows.get(key)
        if value is None or not np.isfinite(value) or value <= 0:
            continue
        merged[(src, dst, unit)] = merged.get((src, dst, unit), 0.0) + float(value)
    for (src, dst, unit), value in merged.items():
        same = [v for (_, _, u), v in merged.items() if u == unit]
        top = max(same)
        width = 1.5 + 7 * math.log1p(value) / math.log1p(top)
        links.append({"source": tr("node_" + src, lang), "target": tr("node_" + dst, lang),
                      "value": value,
                      "lineStyle": {"width": round(width, 2), "color": _UNIT_COLOUR[unit], "curveness": 0.15,
                                    "opacity": 0.8},
                      "label": {"show": True, "formatter": _fmt_flow(value, unit, lang), "fontSize": 10}})
    nodes = [{"name": tr("node_" + k, lang), "x": x, "y": y, "symbolSize": 34,
              "itemStyle": {"color": "#fdd49e", "borderColor": "#b35806"}} for k, (x, y) in _NODES.items()]
    other = {k: v for k, v in flows.items() if k not in known and isinstance(v, (int, float))}
    return {
        "animation": False,
        "tooltip": {},
        "series": [{"type": "graph", "layout": "none", "roam": False, "data": nodes, "links": links,
                    "edgeSymbol": ["none", "arrow"], "edgeSymbolSize": 8,
                    "label": {"show": True, "fontSize": 11, "position": "inside"},
                    "edgeLabel": {"show": True, "fontSize": 10}, "left": 60, "right": 60, "top": 30, "bottom": 30}],
        "_other": other,
    }

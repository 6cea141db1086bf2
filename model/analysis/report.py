"""The report: one self-contained HTML file, CSV tables and a workbook, from a store.

``write_report(OUT, lang="zh")`` (or ``wushe report OUT --lang zh``) writes

- ``OUT/report.html``: the planner's question answered in order: the verdict (attainment
  with intervals), when each target is reached, what it costs, how each strategy differs
  from the baseline, and the assumptions (scenarios, levers, seeds, versions). Figures
  are embedded as PNG, so the file can be mailed or opened offline.
- ``OUT/tables/*.csv`` (UTF-8 with a byte-order mark, so that spreadsheet programs read
  Chinese) and ``OUT/report.xlsx``: the same tables, one sheet each.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path

import pandas as pd

from ..formatting import format_param, format_value
from ..indicators import BUDGET_LINES, INDICATORS
from ..params import SCHEMA, unit_label
from ..sources import citations, figure, figure_label, load_sources, section_title, sources_text
from ..text import region_title, t
from .plots import plot_cost, plot_difference, plot_indicator, yuan_scale
from .results import MATERIAL_COST, MATERIAL_GOAL, Results

__all__ = ["cited_figures", "report_tables", "write_report"]

# indicators summarised at the end of the window in the comparison section, besides the targets'
END_INDICATORS = ("sw_certified", "sw_talent", "community_orgs", "volunteers_active", "needs_met_share",
                  "charity_raised_yuan", "public_spend_yuan")


# ---- tables --------------------------------------------------------------------------------------


def report_tables(res: Results, lang: str = "en") -> dict[str, pd.DataFrame]:
    """The report's tables, labelled in ``lang``: attainment, compare, cost, summary, scenarios."""
    attain = res.attainment(lang=lang)
    compare = res.compare(indicators=sorted({*(x.indicator for x in res.targets.values()), *END_INDICATORS},
                                            key=list(INDICATORS).index), lang=lang)
    cost = res.cost(lang=lang)
    cost["verdict_detail"] = [verdict_detail(res, r, lang) for _, r in cost.iterrows()]
    cost["vs_baseline"] = cost["vs_baseline"].map(lambda v: t(v, lang) if v else "")
    scenarios = []
    for name, d in res.definitions.items():
        scenarios.append({
            "scenario": name, "scenario_label": res.label(name, lang),
            "description": d.description.get(lang, ""), "region": d.region,
            "start": d.start, "end": d.end, "targets": d.targets,
            "params": json.dumps(d.params, ensure_ascii=False),
            "changes": json.dumps(d.to_dict()["changes"], ensure_ascii=False),
        })
    from .units_report import unit_tables

    return {
        "attainment": attain,
        "compare": compare,
        "cost": cost,
        "summary": res.summary(lang=lang),
        "scenarios": pd.DataFrame(scenarios),
        **unit_tables(res, lang),  # by prefecture and county, when the store holds them
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d,]*\.?\d*|\.\d+)(e[+-]?\d+)?%?$", re.IGNORECASE)


def _is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value)


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula (a scenario title "=HYPERLINK(…)") get a leading '."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if _is_formula_like(v) else v)
    out.columns = ["'" + c if _is_formula_like(c) else c for c in out.columns]
    return out


def _write_tables(out: Path, tables: dict[str, pd.DataFrame], res: Results, lang: str) -> None:
    """``tables/*.csv`` for programs (codes, snake_case) and ``report.xlsx`` for people (``workbook.py``)."""
    from .workbook import write_workbook

    folder = out / "tables"
    folder.mkdir(exist_ok=True)
    for name, frame in tables.items():
        _csv_safe(frame).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
    write_workbook(out / "report.xlsx", tables, res, lang)


# ---- HTML pieces ---------------------------------------------------------------------------------


FIGURE_DPI = 200  # figures/*.png: sharp on a projector and in print


def _png(fig, dpi: int = 100, name: str | None = None, folder: Path | None = None) -> str:
    """The figure as an embedded <img>; with ``folder``, also written as ``name``.png and .svg there
    (for slides and documents)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    if folder is not None and name:
        fig.savefig(folder / f"{name}.png", dpi=FIGURE_DPI)
        fig.savefig(folder / f"{name}.svg")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f"<img alt='{_e(name or '')}' data-figure='{_e(name or '')}' src='data:image/png;base64,{data}'>"


def _e(text) -> str:
    return html.escape(str(text))


def _colour(p: float) -> tuple[str, str]:
    """Background and text colour of a probability cell (the heat map's colour scale)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if p != p:
        return "#eeeeee", "#333333"
    return to_hex(colormaps["RdYlGn"](float(p))), ("#ffffff" if p < 0.2 or p > 0.85 else "#111111")


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(c if c.startswith(("<td", "<th")) else f"<td>{c}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table class='{cls}'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _target_head(res: Results, tid: str, lang: str) -> str:
    x = res.targets[tid]
    return f"{_e(x.label(lang))}<br><span class='by'>{t('by', lang)} {x.date:%Y-%m}</span>"


def _grid(res: Results, attain: pd.DataFrame, lang: str, cell, cls: str) -> str:
    """A scenario × target table of attainment rows, each cell drawn by ``cell(row) -> '<td>…</td>'``."""
    tids = list(res.targets)
    rows = []
    for s in res.scenarios:
        row = [f"<th class='sc'>{_e(res.label(s, lang))}</th>"]
        for tid in tids:
            a = attain[(attain["scenario"] == s) & (attain["target"] == tid)]
            row.append("<td>—</td>" if a.empty else cell(a.iloc[0]))
        rows.append(row)
    return _table([t("scenario", lang), *(_target_head(res, x, lang) for x in tids)], rows, cls)


def _verdict(res: Results, attain: pd.DataFrame, lang: str) -> str:
    def cell(a) -> str:
        bg, fg = _colour(a["probability"])
        share = a.get("goal_share", float("nan"))
        of_goal = "" if share != share else f"<br><small class='g'>{t('of_goal', lang, share=f'{share:.0%}')}</small>"
        return (f"<td class='p' style='background:{bg};color:{fg}'><b>{a['probability']:.0%}</b>"
                f"<br><small>{a['lo']:.0%}–{a['hi']:.0%}</small>{of_goal}</td>")

    return _grid(res, attain, lang, cell, "verdict")


def _when(res: Results, attain: pd.DataFrame, lang: str) -> str:
    def cell(a) -> str:
        first = a["median_first_met"]
        late = pd.notna(first) and first > a["date"]
        when = t("never", lang) if pd.isna(first) else f"{first:%Y-%m}"
        cls = "late" if late or pd.isna(first) else "ontime"
        return (f"<td class='{cls}'><b>{when}</b><br><small>({format_value(a['median_value'], a['indicator'], lang, scale=yuan_scale([a['median_value']], lang))})"
                f"</small></td>")

    return _grid(res, attain, lang, cell, "when")


def _cost(res: Results, cost: pd.DataFrame, lang: str) -> str:
    """Two tables, so that each fits a screen and an A4 page: spending by budget line, then the
    comparison with the baseline (extra cost, attainment, progress, cost-effectiveness, verdict)."""
    lines = [line for line in BUDGET_LINES
             if f"spend_{line}_yuan" in cost and (cost[f"spend_{line}_yuan"].abs() > 0).any()]
    div, unit = yuan_scale(cost["total_yuan"], lang)
    head = [t("scenario", lang), *(_e(BUDGET_LINES[line][0 if lang == "zh" else 1]) for line in lines),
            f"<b>{t('total', lang)}</b>", t("budget", lang)]
    rows = []
    for _, r in cost.iterrows():
        rows.append([
            f"<th class='sc'>{_e(res.label(r['scenario'], lang))}</th>",
            *(f"<td class='n'>{r[f'spend_{line}_yuan'] / div:,.1f}</td>" for line in lines),
            f"<td class='n'><b>{r['total_yuan'] / div:,.1f}</b></td>",
            f"<td class='n'>{r['budget_yuan'] / div:,.1f}</td>",
        ])
    spending = f"<h3>{t('spending_by_line', lang)}</h3><p class='unit'>{_e(unit)}</p>" + _table(head, rows, "cost")
    head = [t("scenario", lang), f"{t('extra_cost', lang)}<br><span class='by'>{_e(unit)}</span>",
            t("attainment_pp", lang), t("extra_attainment_pp", lang), t("mean_goal_share", lang),
            t("per_certified", lang), t("per_station_year", lang), t("per_pp", lang), t("vs_baseline", lang)]
    rows = []
    yuan = t("yuan", lang)
    for _, r in cost.iterrows():
        rows.append([
            f"<th class='sc'>{_e(res.label(r['scenario'], lang))}</th>",
            f"<td class='n'>{_signed(r['extra_cost_yuan'] / div)}</td>",
            f"<td class='n'>{r['attainment_pp']:.1f}%</td>",
            f"<td class='n'>{_signed(r['extra_attainment_pp'])}</td>",
            f"<td class='n'>{r['mean_goal_share']:.1f}%</td>",
            *(f"<td class='n'>{_ratio(r[c], yuan)}</td>" for c in
              ("yuan_per_extra_certified", "yuan_per_extra_station_year", "yuan_per_attainment_pp")),
            f"<td class='v'><b>{_e(r['vs_baseline'])}</b>{_detail(res, r, lang)}</td>",
        ])
    return spending + f"<h3>{t('against_baseline', lang)}</h3>" + _table(head, rows, "cost vs")


def verdict_detail(res: Results, r, lang: str) -> str:
    """The reasons behind a cost row's verdict, in words: cost change, targets ahead/behind, the worst gap."""
    if not r.get("cost_change") or r["scenario"] == res.baseline:
        return ""
    parts = [t("same_cost" if r["cost_change"] == "same" else r["cost_change"], lang),
             t("ahead_behind", lang, ahead=int(r["targets_ahead"]), behind=int(r["targets_behind"]))]
    if r.get("worst_target"):
        gap = r["worst_goal_share_diff"] * 100
        unit = "个百分点" if lang == "zh" else " pp"
        parts.append(t("worst", lang, label=res.targets[r["worst_target"]].label(lang), gap=f"{gap:+.1f}{unit}"))
    return ("；" if lang == "zh" else "; ").join(parts)


def _detail(res: Results, r, lang: str) -> str:
    text = verdict_detail(res, r, lang)
    return f"<br><small class='why'>{_e(text)}</small>" if text else ""


def _interval(c, indicator: str, lang: str, div: float = 1.0) -> str:
    """'median [q10, q90] unit' of a paired difference, the unit written once."""
    ind = INDICATORS.get(indicator)
    if ind is not None and ind.share:
        m, lo, hi = (c[k] * 100 for k in ("median", "q10", "q90"))
        unit = " pp" if lang == "en" else "个百分点"
        return f"{m:+.1f}{unit}<br><small>[{lo:+.1f}, {hi:+.1f}]</small>"
    m, lo, hi = (c[k] / div for k in ("median", "q10", "q90"))
    digits = 0 if max(abs(m), abs(lo), abs(hi)) >= 100 or div == 1.0 and float(m).is_integer() else 2
    return f"{m:+,.{digits}f}<br><small>[{lo:+,.{digits}f}, {hi:+,.{digits}f}]</small>"


def _signed(v: float) -> str:
    return "—" if v != v else f"{v:+,.1f}"


def _ratio(v: float, yuan: str) -> str:
    return "—" if v != v else f"{v:,.0f} {yuan}"


def _differences(res: Results, compare: pd.DataFrame, lang: str) -> str:
    base = res.baseline
    paired = [s for s in res.scenarios if s != base and res.paired_with(s, base)]
    out = []
    # per target: Δ probability and the paired difference of the target's indicator at its date
    tgt = compare[compare["kind"] == "target"]
    tids = list(res.targets)
    rows = []
    for s in paired:
        row = [f"<th class='sc'>{_e(res.label(s, lang))}</th>"]
        for tid in tids:
            c = tgt[(tgt["scenario"] == s) & (tgt["name"] == tid)]
            if c.empty:
                row.append("<td>—</td>")
                continue
            c = c.iloc[0]
            dp = c["delta_probability"]
            cls = "up" if dp > 0 else ("down" if dp < 0 else "")
            row.append(f"<td class='{cls}'><b>{t('delta_p', lang)} {dp * 100:+.0f}%</b><br><small>"
                       f"{_interval(c, c['indicator'], lang)}</small></td>")
        rows.append(row)
    out.append(_table([t("scenario", lang), *(_target_head(res, x, lang) for x in tids)], rows, "diff"))
    # key indicators at the end of the window
    ind = compare[compare["kind"] == "indicator"]
    if len(ind):
        last = ind["date"].max()
        ind = ind[ind["date"] == last]
        names = [n for n in END_INDICATORS if n in set(ind["name"])]
        scales = {n: (yuan_scale(ind.loc[ind["name"] == n, ["q10", "q90"]].to_numpy(), lang)
                      if INDICATORS[n].unit == "yuan" else (1.0, "")) for n in names}
        rows = []
        for s in paired:
            row = [f"<th class='sc'>{_e(res.label(s, lang))}</th>"]
            for n in names:
                c = ind[(ind["scenario"] == s) & (ind["name"] == n)]
                if c.empty:
                    row.append("<td>—</td>")
                    continue
                c = c.iloc[0]
                row.append(f"<td class='n'>{_interval(c, n, lang, div=scales[n][0])}</td>")
            rows.append(row)
        head = [t("scenario", lang), *(_e(INDICATORS[n].label(lang)) + (f"<br><span class='by'>{scales[n][1]}</span>"
                                                                         if scales[n][1] else "") for n in names)]
        out.append(f"<h3>{t('paired_median', lang)}, {t('at_end', lang, date=f'{last:%Y-%m}')}</h3>"
                   + _table(head, rows, "diff"))
    return "".join(out)


def _assumptions(res: Results, lang: str) -> str:
    parts = []
    for name, d in res.definitions.items():
        params, sources = d.params, d.sources
        rows = []
        for key, value in params.items():
            p = SCHEMA.get(key)
            rows.append([f"<code>{_e(key)}</code>", _e(p.label(lang) if p else key), _e(format_param(value, key, lang)),
                         _e(unit_label(p, lang) if p else ""), f"<small>{_cite_html(sources.get(key, ''), lang)}</small>"])
        changes = d.changes
        change_text = "; ".join(
            f"{date}: " + ", ".join(f"{SCHEMA[k].label(lang) if k in SCHEMA else k} = {format_param(v, k, lang)}"
                                    for k, v in levers.items()) for date, levers in changes.items())
        levers = (_table(["", t("values_set", lang), "", "", t("source", lang)], rows, "levers") if rows
                  else f"<p>{t('values_set', lang)}: {t('none', lang)}</p>")
        change_sources = "".join(f"<small>{_cite_html(sources[k], lang)}</small>" for levers in changes.values()
                                 for k in levers if k in sources and k not in params)
        parts.append(
            f"<div class='card'><h3>{_e(res.label(name, lang))} <code>{_e(name)}</code></h3>"
            f"<p>{_e(d.description.get(lang, ''))}</p>"
            f"<p class='meta'>{t('region', lang)}: {_e(region_title(d.region, lang))} · {t('window', lang)}: {_e(d.start)} → "
            f"{_e(d.end)} · {t('target_set', lang)}: {_e(d.targets)}</p>{levers}"
            + (f"<p><b>{t('changes', lang)}</b>: {_e(change_text)}<br>{change_sources}</p>" if changes else "")
            + "</div>")
    m = res.manifest
    seeds = m.get("seeds", {})
    first = ", ".join(str(x) for x in (seeds.get("replicates") or [])[:3])
    executor = m.get("executor") or {}
    parts.append(f"<h3>{t('seeds', lang)}</h3><p>" + _e(t(
        "seeds_text", lang, root=seeds.get("root"), n=len(seeds.get("replicates") or []), method=seeds.get("method"),
        first=first + (", …" if len(seeds.get("replicates") or []) > 3 else ""))) + "</p>")
    parts.append(f"<h3>{t('versions', lang)}</h3><p>" + _e(t(
        "versions_text", lang, version=m.get("version"), commit=(m.get("git_commit") or "?")[:12],
        dirty=t("dirty", lang) if m.get("git_dirty") else "", python=m.get("python"), created=m.get("created"),
        executor=f"{executor.get('kind')} × {executor.get('workers')}")) + "</p>")
    return "".join(parts)


def cited_figures(res: Results) -> dict[tuple[str, str], list[str]]:
    """The figures of model/data/sources.toml behind this report, each with what cites it: the scenarios'
    sources, every parameter's source (defaults are in every run), the region files and the target sets.
    Ordered by section, then as the sources file lists them."""
    from ..regions import RegionError, load_region

    cited: dict[tuple[str, str], list[str]] = {}

    def add(text, who):
        for c in citations(text):
            cited.setdefault(c, [])
            if who not in cited[c]:
                cited[c].append(who)

    for name, d in res.definitions.items():
        for key, text in d.sources.items():
            add(text, f"{name}.{key}")
    for p in SCHEMA.values():
        add(p.source, p.name)
    for region in dict.fromkeys(d.region for d in res.definitions.values()):
        try:
            add(load_region(region).source, f"region {region}")
        except (RegionError, OSError):  # a store made from a region file no longer at hand
            pass
    for ts in res.target_sets.values():
        add(ts.source, f"targets {ts.name}")
    order = {}
    for sec, body in load_sources().items():
        for key in body["figures"]:
            order[(sec, key)] = len(order)
    return dict(sorted(cited.items(), key=lambda kv: order.get(kv[0], len(order))))


def _anchor(sec: str, key: str) -> str:
    return f"src-{sec}-{key}"


def _cite_html(text: str, lang: str) -> str:
    """A source text with each cited figure linked to its row in the sources section; in Chinese, the
    figure's Chinese name follows its key."""
    import re

    text = sources_text(text)
    out, last = [], 0
    for m in re.finditer(r"§\s*(\d[a-z]|\d)\.([A-Za-z0-9_]+)", str(text or "")):
        sec, key = m.group(1), m.group(2)
        if (sec, key) not in citations(m.group(0)):
            continue
        out.append(_e(text[last:m.start()]))
        label = f"〔{_e(figure_label(sec, key, 'zh'))}〕" if lang == "zh" else ""
        out.append(f"<a href='#{_anchor(sec, key)}'>§{_e(sec)}.{_e(key)}</a>{label}")
        last = m.end()
    out.append(_e(str(text or "")[last:]))
    return "".join(out)


def _sources(res: Results, lang: str) -> str:
    """Every figure of model/data/sources.toml this report's runs cite: one row per figure, grouped by section."""
    cited = cited_figures(res)
    if not cited:
        return ""
    head = [t("src_key", lang), t("src_figure", lang), t("src_value", lang), t("src_date", lang),
            t("src_where", lang), t("src_cited_by", lang)]
    parts, rows, current = [], [], None

    def flush():
        if rows:
            parts.append(f"<h3>§{_e(current)} · {_e(section_title(current, lang))}</h3>" + _table(head, rows, "sources"))

    for (sec, key), who in cited.items():
        if sec != current:
            flush()
            rows, current = [], sec
        f = figure(sec, key)
        value = str(f.get("value", ""))
        value = value if len(value) <= 240 else value[:239] + "…"
        where = " ".join(x for x in (f.get("publisher", ""), f.get("address", "")) if x)
        by = ", ".join(who[:4]) + (f" … (+{len(who) - 4})" if len(who) > 4 else "")
        rows.append([f"<code id='{_anchor(sec, key)}'>§{_e(sec)}.{_e(key)}</code>", _e(figure_label(sec, key, lang)),
                     _e(value), _e(f.get("date", "")),
                     f"<span class='addr'>{_e(where)}</span> <small>{_e(f.get('status', ''))}</small>",
                     f"<small>{_e(by)}</small>"])
    flush()
    return "".join(parts)


_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
"Helvetica Neue",Arial,sans-serif;margin:0 auto;max-width:1280px;padding:24px 32px;color:#1a1a1a;line-height:1.5}
h1{font-size:26px;margin-bottom:4px}h2{margin-top:40px;border-bottom:2px solid #333;padding-bottom:4px;font-size:21px}
h3{font-size:16px;margin:18px 0 6px}p.note{color:#444;font-size:14px;max-width:1000px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:4px 7px;
text-align:center;vertical-align:middle}thead th{background:#f2f2f2;font-weight:600;font-size:12px}
th.sc{text-align:left;background:#fafafa;font-weight:600;white-space:nowrap}td.n{text-align:right;white-space:nowrap}
td.p{min-width:64px}td.v{white-space:nowrap}.by{color:#666;font-weight:400}td.late{color:#8a1c1c}td.ontime{color:#1b5e20}
td.up{background:#e8f5e9}td.down{background:#fdecea}small{color:inherit;opacity:.85}
table.levers td{text-align:left}table.levers{font-size:12px}.card{border:1px solid #ddd;border-radius:6px;
padding:4px 14px;margin:10px 0}.meta{color:#555;font-size:13px}img{max-width:100%;height:auto;display:block;
margin:6px 0 18px}.figs{display:grid;grid-template-columns:1fr;gap:4px}p.unit{font-size:12px;color:#555;margin:0}
nav ul{columns:2;font-size:14px;list-style:none;padding-left:12px}code{font-size:12px;color:#555}.wrap{overflow-x:auto}footer{color:#777;
font-size:12px;margin-top:40px}small.why{display:block;white-space:normal;max-width:260px;text-align:left;opacity:.8}
td.v{white-space:normal;min-width:150px;text-align:left}small.g{font-weight:600}
table.sources{font-size:11px}table.sources td{text-align:left;vertical-align:top}span.addr{word-break:break-all}
table.units th.sc,table.units td.n{white-space:nowrap}table.units td.p{min-width:40px}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
@page{size:A4 portrait;margin:12mm 10mm 14mm 10mm}
@media print{
body{max-width:none;padding:0;font-size:10pt;line-height:1.35}
h1{font-size:17pt}h2{font-size:13pt;margin-top:14pt;break-after:avoid;page-break-after:avoid}
h3{font-size:11pt;break-after:avoid;page-break-after:avoid}p.note{font-size:8.5pt;max-width:none}
nav{display:none}.wrap{overflow:visible}
table{font-size:7.5pt;width:100%;margin:4pt 0 8pt;break-inside:auto}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
thead th{font-size:7pt}th,td{padding:2pt 3pt}th.sc,td.n,td.v{white-space:normal}
small.why{max-width:none}td.v{min-width:0}
img{max-width:100%;max-height:125mm;width:auto;margin:4pt auto;break-inside:avoid;page-break-inside:avoid}
.card{break-inside:avoid;page-break-inside:avoid}table.levers{font-size:7pt}
footer{font-size:7pt}
table.units th.sc,table.units td.n{white-space:nowrap}table.units td.p{min-width:0}table.units{font-size:7pt}
img[data-figure^='units_']{max-height:262mm}
}
"""


def uncertainty_text(manifest: dict, lang: str) -> str:
    """One sentence: whether the bands count chance only, or chance and the uncertain parameters."""
    u = manifest.get("uncertainty") or {"mode": "seed"}
    if u.get("mode") != "posterior":
        return t("bands_seed", lang)
    posts = u.get("posteriors", {})
    fitted = sorted({name for p in posts.values() for name in p.get("fitted", [])})
    draws = ", ".join(f"{region}: {p.get('draws')}" for region, p in posts.items())
    return t("bands_posterior", lang, draws=draws, fitted=", ".join(fitted) or "-")


def write_report(path, lang: str = "en", baseline: str | None = None, dpi: int = 100, pdf: bool = False,
                 progress=None) -> Path:
    """Write ``report.html``, ``figures/*.png|svg``, ``tables/*.csv`` and ``report.xlsx`` (and, with
    ``pdf``, ``report.pdf``: see ``model.analysis.pdf``) into the store at ``path``; return the HTML path.

    ``progress``, when given, is called with a short line before each step.
    """
    say = progress or (lambda _msg: None)
    if lang not in ("zh", "en"):
        raise ValueError(f'lang must be "zh" or "en"; got {lang!r}')
    res = Results(path, baseline=baseline)
    if res.ok_runs.empty:
        raise ValueError(f"{res.path} holds no finished run to report on")
    out = res.path
    say(f"reading {len(res.scenarios)} scenarios × {res.replicates} replicates")
    tables = report_tables(res, lang)
    say("writing tables/*.csv and report.xlsx")
    _write_tables(out, tables, res, lang)
    attain = res.attainment()
    compare = res.compare(indicators=sorted({*(x.indicator for x in res.targets.values()), *END_INDICATORS},
                                            key=list(INDICATORS).index))
    cost = res.cost()
    cost["vs_baseline"] = cost["vs_baseline"].map(lambda v: t(v, lang) if v else "")

    regions = ", ".join(dict.fromkeys(region_title(d.region, lang) for d in res.definitions.values()))
    windows = ", ".join(dict.fromkeys(f"{d.start} → {d.end}" for d in res.definitions.values()))
    target_indicators = list(dict.fromkeys(x.indicator for x in res.targets.values()))
    failed = int((res.runs["status"] != "ok").sum())
    base = res.baseline
    unpaired = [res.label(s, lang) for s in res.scenarios if s != base and not res.paired_with(s, base)]

    sections = []
    say("drawing figures (figures/*.png, *.svg)")
    sections.append(
        f"<h2 id='verdict'>{t('s_verdict', lang)}</h2><p class='note'>{t('verdict_note', lang, level=90)}</p>"
        f"<div class='wrap'>{_verdict(res, attain, lang)}</div>")
    figures = out / "figures"
    figures.mkdir(exist_ok=True)
    figs = "".join(_png(plot_indicator(res, name, lang=lang), dpi, f"indicator_{name}", figures)
                   for name in target_indicators)
    sections.append(
        f"<h2 id='when'>{t('s_when', lang)}</h2><p class='note'>{t('when_note', lang)}</p>"
        f"<div class='wrap'>{_when(res, attain, lang)}</div><p class='note'>{t('when_figs', lang)}</p>"
        f"<div class='figs'>{figs}</div>")
    sections.append(
        f"<h2 id='cost'>{t('s_cost', lang)}</h2><p class='note'>{t('cost_note', lang)}</p>"
        f"<p class='note'>{_e(t('materiality', lang, cost=f'{MATERIAL_COST:.0%}'.rstrip('%'), goal=f'{MATERIAL_GOAL:.0%}'.rstrip('%')))}</p>"
        f"<div class='wrap'>{_cost(res, cost, lang)}</div>{_png(plot_cost(res, lang=lang), dpi, "cost", figures)}")
    diff_figs = []
    for name in [*target_indicators, "sw_certified", "public_spend_yuan"]:
        sub = compare[(compare["kind"] == "indicator") & (compare["name"] == name)] if name in set(
            compare["name"]) else None
        if sub is not None and not (sub[["median", "q10", "q90"]].abs().to_numpy() > 0).any():
            continue
        diff_figs.append(_png(plot_difference(res, name, lang=lang), dpi, f"difference_{name}", figures))
    sections.append(
        f"<h2 id='diff'>{t('s_diff', lang)}</h2><p class='note'>{t('diff_note', lang)}</p>"
        + (f"<p class='note'>{_e(t('not_paired', lang, names=', '.join(unpaired)))}</p>" if unpaired else "")
        + f"<div class='wrap'>{_differences(res, compare, lang)}</div><div class='figs'>{''.join(diff_figs)}</div>")
    from .units_report import units_section

    by_unit = units_section(res, lang, lambda fig, name: _png(fig, dpi, name, figures))
    if by_unit:
        sections.append(f"<h2 id='units'>{t('s_units', lang)}</h2>{by_unit}")
    sections.append(f"<h2 id='assume'>{t('s_assume', lang)}</h2><p class='note'>{t('assume_note', lang)}</p>"
                    + _assumptions(res, lang)
                    + (f"<p>{_e(t('failed_runs', lang, n=failed))}</p>" if failed else ""))
    cited = _sources(res, lang)
    if cited:
        sections.append(f"<h2 id='sources'>{t('s_sources', lang)}</h2><p class='note'>{t('sources_note', lang)}</p>"
                        + cited)
    sections.append(f"<h2 id='tables'>{t('s_tables', lang)}</h2><p class='note'>{t('tables_note', lang)}</p>")

    toc = "".join(f"<li><a href='#{k}'>{t(s, lang)}</a></li>" for k, s in
                  (("verdict", "s_verdict"), ("when", "s_when"), ("cost", "s_cost"), ("diff", "s_diff"),
                   *((("units", "s_units"),) if by_unit else ()), ("assume", "s_assume"), ("sources", "s_sources")))
    target_sets = ", ".join(dict.fromkeys(
        (ts.title_zh if lang == "zh" else ts.title_en) for ts in res.target_sets.values()))
    page = (
        f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{t('report_title', lang)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{t('report_title', lang)}</h1>"
        f"<p class='meta'>{_e(target_sets)}</p>"
        f"<p class='note'>{_e(t('lede', lang, replicates=res.replicates, regions=regions, window=windows))} "
        f"{_e(uncertainty_text(res.manifest, lang))}</p>"
        f"<nav><b>{t('contents', lang)}</b><ul>{toc}</ul></nav>{''.join(sections)}"
        f"<footer>{t('generated', lang)} · {_e(res.manifest.get('created', ''))} · {_e(str(out))}</footer>"
        "</body></html>")
    target = out / "report.html"
    target.write_text(page, encoding="utf-8")
    if pdf:
        from .pdf import print_pdf

        say("printing report.pdf (A4)")
        print_pdf(target)
    return target


"""``report.xlsx``: the report's tables for people, in the report's language.

The CSV files (``tables/*.csv``) are for programs: snake_case columns, codes, raw numbers.
The workbook is for a planner's office: a verdict sheet first (scenario × target, coloured like
the HTML's matrix, with value as a share of the goal, cost and verdict beside it), then the
tables with headers and values in the report's language, number formats (percent, 万元/亿元 or
million yuan, thousands separators, dates), filters, frozen headers, and the scenarios'
parameters as columns.
"""

from __future__ import annotations

import pandas as pd

from ..formatting import format_param
from ..indicators import BUDGET_LINES, INDICATORS
from ..params import SCHEMA
from ..text import region_title, t
from .plots import yuan_scale
from .results import Results

__all__ = ["COLUMNS", "SHEETS", "write_workbook"]

# sheet names by table, (zh, en)
SHEETS = {
    "verdict": ("结论", "Verdict"),
    "attainment": ("目标达成", "Attainment"),
    "cost": ("成本", "Cost"),
    "compare": ("与基线的差异", "Differences"),
    "summary": ("汇总", "Summary"),
    "scenarios": ("情景与参数", "Scenarios"),
    "prefecture_ranking": ("市州排名", "Prefectures ranked"),
    "county_ranking": ("县(市、区)排名", "Counties ranked"),
    "unit_attainment": ("分地区目标达成", "Attainment by area"),
    "unit_cost": ("分地区支出", "Spending by area"),
    "sources": ("数据来源", "Sources"),
}

# column headers, (zh, en); a column not listed keeps its name
COLUMNS: dict[str, tuple[str, str]] = {
    "scenario_label": ("情景", "Scenario"),
    "target_label": ("目标", "Target"),
    "indicator_label": ("指标", "Indicator"),
    "op": ("条件", "Condition"),
    "goal": ("目标值", "Goal"),
    "date": ("期限", "By"),
    "n": ("模拟次数", "Runs"),
    "met": ("达成次数", "Runs meeting it"),
    "probability": ("达成概率", "Probability"),
    "lo": ("90%区间下限", "90% interval, low"),
    "hi": ("90%区间上限", "90% interval, high"),
    "median_value": ("期限时中位数", "Median at the date"),
    "value_q10": ("期限时10%分位", "10th percentile at the date"),
    "value_q90": ("期限时90%分位", "90th percentile at the date"),
    "goal_share": ("占目标值(中位数)", "Share of goal (median)"),
    "goal_share_q10": ("占目标值(10%分位)", "Share of goal (10th pct)"),
    "goal_share_q90": ("占目标值(90%分位)", "Share of goal (90th pct)"),
    "ever_met": ("窗口内曾达成的比例", "Share ever meeting it"),
    "median_first_met": ("一半模拟达成的月份", "Month half the runs met it"),
    "baseline_label": ("基线", "Baseline"),
    "kind": ("类别", "Kind"),
    "name_label": ("比较项", "Compared"),
    "n_pairs": ("配对数", "Pairs"),
    "median": ("配对差值中位数", "Paired difference, median"),
    "q10": ("配对差值10%分位", "Paired difference, 10th pct"),
    "q90": ("配对差值90%分位", "Paired difference, 90th pct"),
    "mean": ("配对差值均值", "Paired difference, mean"),
    "baseline_median": ("基线中位数", "Baseline median"),
    "scenario_median": ("情景中位数", "Scenario median"),
    "delta_probability": ("达成概率之差", "Difference in probability"),
    "goal_share_diff": ("差值占目标值", "Difference as share of goal"),
    "effect": ("相对基线", "Against the baseline"),
    "total_yuan": ("公共支出合计", "Public spending, total"),
    "public_spend_yuan": ("公共支出(指标)", "Public spending (indicator)"),
    "budget_yuan": ("预算", "Budget"),
    "attainment_pp": ("平均达成概率", "Mean attainment"),
    "mean_goal_share": ("平均完成度(占目标值,封顶100%)", "Mean progress (share of goal, capped)"),
    "extra_cost_yuan": ("比基线多支出", "Extra cost vs baseline"),
    "extra_certified": ("持证社工增量(期末)", "Extra certified social workers (end)"),
    "extra_talent": ("社工人才增量(期末)", "Extra social-work professionals (end)"),
    "extra_station_years": ("社工站·年增量", "Extra station-years"),
    "extra_attainment_pp": ("达成概率增量", "Extra attainment"),
    "yuan_per_extra_certified": ("每增加1名持证社工的成本", "Cost per extra certified social worker"),
    "yuan_per_extra_talent": ("每增加1名社工人才的成本", "Cost per extra social-work professional"),
    "yuan_per_extra_station_year": ("每增加1个站·年的成本", "Cost per extra station-year"),
    "yuan_per_attainment_pp": ("每提高1个百分点达成概率的成本", "Cost per point of attainment"),
    "cost_change": ("支出变化", "Cost change"),
    "targets_ahead": ("目标指标更高的项数", "Targets ahead"),
    "targets_behind": ("目标指标更低的项数", "Targets behind"),
    "targets_behind_material": ("实质落后的项数(≥目标值1%)", "Targets materially behind (≥1% of goal)"),
    "worst_target_label": ("差距最大的目标", "Target furthest behind"),
    "worst_goal_share_diff": ("最大差距(占目标值)", "Largest gap (share of goal)"),
    "vs_baseline": ("与基线相比", "Against the baseline"),
    "verdict_detail": ("依据", "Why"),
    "region_label": ("区域", "Region"),
    "start": ("起始", "Start"),
    "end": ("结束", "End"),
    "targets_set_label": ("目标体系", "Target set"),
    "runs": ("模拟次数", "Runs"),
    "ok": ("成功", "Finished"),
    "failed": ("失败", "Failed"),
    "wall_s_mean": ("平均耗时(秒)", "Mean wall time (s)"),
    "targets": ("目标数", "Targets"),
    "expected_targets_met": ("预期达成目标数", "Expected targets met"),
    "all_targets_probability": ("全部目标达成的概率", "Probability of meeting every target"),
    "changes": ("按日期调整次数", "Dated changes"),
    "description": ("说明", "Description"),
    "changes_text": ("按日期调整", "Dated changes"),
    "scenario": ("情景代码", "Scenario code"),
    # by prefecture and county
    "rank": ("排名", "Rank"),
    "level_label": ("层级", "Level"),
    "unit_label": ("地区", "Area"),
    "prefecture_label": ("所属市州", "Prefecture"),
    "progress": ("平均完成度(占目标值,封顶100%)", "Mean progress (share of goal, capped)"),
    "targets_met": ("按期达成的目标数(概率≥50%)", "Targets met (p ≥ 50%)"),
    "targets_judged": ("判断的目标数", "Targets judged"),
    "population": ("人口", "Population"),
    "spend_yuan": ("累计公共支出(均值)", "Public spending (mean)"),
    "spend_q10": ("累计公共支出(10%分位)", "Public spending (10th pct)"),
    "spend_q90": ("累计公共支出(90%分位)", "Public spending (90th pct)"),
    "spend_per_resident": ("人均公共支出", "Public spending per resident"),
}
for _line, (_zh, _en) in BUDGET_LINES.items():
    COLUMNS[f"spend_{_line}_yuan"] = (f"支出:{_zh}", f"Spending: {_en}")

PERCENT = {"progress", "probability", "lo", "hi", "goal_share", "goal_share_q10", "goal_share_q90", "ever_met",
           "delta_probability", "goal_share_diff", "worst_goal_share_diff", "all_targets_probability"}
POINTS = {"attainment_pp", "extra_attainment_pp", "mean_goal_share"}  # already in percentage points (0–100)
COUNTS = {"population", "targets_met", "targets_judged", "rank", "n", "met", "n_pairs", "runs", "ok", "failed", "targets", "changes", "targets_ahead", "targets_behind",
          "targets_behind_material"}
YUAN = {"total_yuan", "public_spend_yuan", "budget_yuan", "extra_cost_yuan", "spend_yuan", "spend_q10", "spend_q90",
        *(f"spend_{line}_yuan" for line in BUDGET_LINES)}
YUAN_EACH = {"spend_per_resident", "yuan_per_extra_certified", "yuan_per_extra_talent", "yuan_per_extra_station_year",
             "yuan_per_attainment_pp"}
VALUE_BY_INDICATOR = {"goal", "median_value", "value_q10", "value_q90", "median", "q10", "q90", "mean",
                      "baseline_median", "scenario_median"}
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
WORDS = {  # categorical values, (zh, en)
    "indicator": ("指标", "indicator"), "target": ("目标", "target"),
    "ahead": ("更高(更接近目标)", "ahead"), "behind": ("更低(离目标更远)", "behind"), "level": ("持平", "level"),
    "cheaper": ("更省", "cheaper"), "costlier": ("更贵", "costlier"), "same": ("花费相当", "same cost"),
}

HEAD_FILL = "F2F2F2"


def _h(col: str, lang: str, names: dict | None = None) -> str:
    pair = (names or {}).get(col) or COLUMNS.get(col)
    return pair[0 if lang == "zh" else 1] if pair else col


def _yuan_format(unit: str, signed: bool = False) -> str:
    body = '#,##0.0'
    return (f'+{body}" {unit}";-{body}" {unit}";0" {unit}"' if signed else f'{body}" {unit}"')


def _people(frame: pd.DataFrame, res: Results, lang: str, table: str) -> pd.DataFrame:
    """The table with codes replaced by labels, categorical values translated, people's columns first."""
    f = frame.copy()
    zh = lang == "zh"
    for code in ("target", "indicator"):
        if f"{code}_label" in f:
            f = f.drop(columns=code)
    if "scenario_label" in f and table != "scenarios":
        f = f.drop(columns="scenario")
    if "baseline" in f:
        f.insert(f.columns.get_loc("baseline"), "baseline_label", f["baseline"].map(lambda s: res.label(s, lang)))
        f = f.drop(columns="baseline")
    if "name" in f and table == "compare":
        def name_label(n):
            if n in res.targets:
                return res.targets[n].label(lang)
            return INDICATORS[n].label(lang) if n in INDICATORS else n
        f.insert(f.columns.get_loc("name"), "name_label", f["name"].map(name_label))
        f = f.drop(columns="name")
        if "indicator_label" in f:
            f = f.drop(columns="indicator_label")
    if "worst_target" in f:
        f.insert(f.columns.get_loc("worst_target"), "worst_target_label",
                 f["worst_target"].map(lambda x: res.targets[x].label(lang) if x in res.targets else ""))
        f = f.drop(columns="worst_target")
    if "region" in f:
        f.insert(f.columns.get_loc("region"), "region_label", f["region"].map(lambda r: region_title(r, lang)))
        f = f.drop(columns="region")
    for col in ("targets_set", "targets") if table in ("summary", "scenarios") else ():
        if col in f and not pd.api.types.is_numeric_dtype(f[col]):
            titles = {k: (ts.title_zh if zh else ts.title_en) for ts in res.target_sets.values() for k in [ts.name]}
            f.insert(f.columns.get_loc(col), "targets_set_label", f[col].map(lambda k, titles=titles: titles.get(k, k)))
            f = f.drop(columns=col)
    if "op" in f:
        f["op"] = f["op"].map(lambda o: OPS.get(o, o))
    for col in ("kind", "effect", "cost_change"):
        if col in f:
            f[col] = f[col].map(lambda v: WORDS[v][0 if zh else 1] if v in WORDS else v)
    return f


def _unit_people(frame: pd.DataFrame, res: Results, lang: str) -> tuple[pd.DataFrame, dict]:
    """A prefecture or county table for people: the area's name in ``lang``, its prefecture's name, the level
    translated, codes dropped; each target's probability column headed by the target's label."""
    zh = lang == "zh"
    f = frame.copy()
    units = res.store_units
    prefs = units[units["level"] == "prefecture"].drop_duplicates("unit").set_index("unit")
    pref_name = (prefs["name"] if zh else prefs["name_en"]).to_dict()
    f.insert(f.columns.get_loc("name"), "unit_label", f["name"] if zh else f["name_en"])
    if "level" in f:
        f.insert(f.columns.get_loc("level"), "level_label", f["level"].map(lambda v: t(f"level_{v}", lang)))
        f = f.drop(columns="level")
    if "prefecture" in f:
        labels = f["prefecture"].map(lambda i: pref_name.get(int(i), ""))
        if "level_label" in f:  # a prefecture's own row names no prefecture above it
            labels = labels.where(frame["level"] != "prefecture", "")
        f.insert(f.columns.get_loc("prefecture"), "prefecture_label", labels)
        f = f.drop(columns="prefecture")
    f = f.drop(columns=[c for c in ("name", "name_en", "unit", "target", "indicator") if c in f])
    if "scenario_label" in f:
        f = f.drop(columns="scenario")
    else:
        f.insert(0, "scenario_label", f.pop("scenario").map(lambda s: res.label(s, lang)))
    names = {c: (f"{res.targets[c[2:]].label('zh')}(达成概率)", f"{res.targets[c[2:]].label('en')} (probability)")
             for c in f.columns if c.startswith("p:") and c[2:] in res.targets}
    return f, names


def _formats(frame: pd.DataFrame, raw: pd.DataFrame, lang: str) -> dict[str, object]:
    """Per column: a number format, or a function row → format (for values whose unit is the row's indicator)."""
    out: dict[str, object] = {}
    yuan_cols = [c for c in frame.columns if c in YUAN]
    div, unit = yuan_scale(frame[yuan_cols].to_numpy(dtype=float), lang) if yuan_cols else (1.0, "")
    for col in frame.columns:
        if col in PERCENT:
            out[col] = '+0.0%;-0.0%;0.0%' if col in ("delta_probability", "goal_share_diff",
                                                      "worst_goal_share_diff") else "0.0%"
        elif col in POINTS:
            out[col] = '+0.0" pp";-0.0" pp";0.0" pp"' if col.startswith("extra") else '0.0"%"'
            if lang == "zh" and col.startswith("extra"):
                out[col] = '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"'
        elif col in COUNTS:
            out[col] = "#,##0"
        elif col in YUAN:
            out[col] = (div, _yuan_format(unit, signed=col == "extra_cost_yuan"))
        elif col in YUAN_EACH:
            out[col] = f'#,##0" {t("yuan", lang)}"'
        elif col in VALUE_BY_INDICATOR and "indicator" in raw:
            signed = col in ("median", "q10", "q90", "mean")
            out[col] = ("indicator", signed)
        elif pd.api.types.is_datetime64_any_dtype(frame[col]):
            out[col] = "yyyy-mm-dd"
        elif pd.api.types.is_float_dtype(frame[col]):
            out[col] = "#,##0.00"
        elif pd.api.types.is_integer_dtype(frame[col]):
            out[col] = "#,##0"
    return out


def _indicator_format(indicator: str, values, lang: str, signed: bool) -> tuple[float, str]:
    ind = INDICATORS.get(indicator)
    if ind is not None and ind.share:
        return 1.0, ('+0.0%;-0.0%;0.0%' if signed else "0.0%")
    if ind is not None and ind.unit == "yuan":
        div, unit = yuan_scale(values, lang)
        return div, _yuan_format(unit, signed)
    return 1.0, ('+#,##0;-#,##0;0' if signed else "#,##0")


def _write_sheet(ws, frame: pd.DataFrame, raw: pd.DataFrame, lang: str, first_row: int = 1,
                 names: dict | None = None, formats: dict | None = None) -> None:
    """A table at ``first_row``: bold shaded headers in ``lang``, typed cells with number formats, a filter."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    formats = {**_formats(frame, raw, lang), **(formats or {})}
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEAD_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, col in enumerate(frame.columns, start=1):
        c = ws.cell(row=first_row, column=j, value=_h(col, lang, names))
        c.font, c.fill, c.alignment = bold, fill, wrap
    indicators = raw["indicator"].tolist() if "indicator" in raw else None
    for i, (_, row) in enumerate(frame.iterrows()):
        r = first_row + 1 + i
        for j, col in enumerate(frame.columns, start=1):
            v = row[col]
            fmt = formats.get(col)
            if isinstance(v, float) and v != v or v is pd.NaT or v is None:
                ws.cell(row=r, column=j, value=None)
                continue
            if isinstance(v, pd.Timestamp):
                v = v.to_pydatetime().replace(tzinfo=None)
            if isinstance(fmt, tuple) and fmt[0] == "indicator":
                same = raw.loc[raw["indicator"] == indicators[i], col] if indicators else [v]
                div, fmt = _indicator_format(indicators[i], same.to_numpy(dtype=float), lang, fmt[1])
                v = float(v) / div
            elif isinstance(fmt, tuple):
                div, fmt = fmt
                v = float(v) / div
            elif hasattr(v, "item"):
                v = v.item()
            cell = ws.cell(row=r, column=j, value=v)
            if isinstance(fmt, str) and isinstance(v, (int, float)) or fmt == "yyyy-mm-dd":
                cell.number_format = fmt
    last_row = first_row + len(frame)
    ws.auto_filter.ref = f"A{first_row}:{get_column_letter(len(frame.columns))}{max(last_row, first_row + 1)}"
    ws.freeze_panes = ws.cell(row=first_row + 1, column=2)
    for j, col in enumerate(frame.columns, start=1):
        text = [_h(col, lang, names), *(str(x) for x in frame[col].head(60))]
        wide = max(_display_width(x) for x in text)
        ws.column_dimensions[get_column_letter(j)].width = max(9, min(42, wide + 2))
    ws.row_dimensions[first_row].height = 32


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


DETAIL_WIDTH = 60  # the verdict sheet's basis column (依据 / Why), in character widths
VS_WIDTH = 24  # its verdict column (与基线相比 / Against the baseline)
LINE_POINTS = 15.0  # one wrapped line of 11-point text, in points


def wrapped_height(text: str, width: float) -> float:
    """Row height (points) that shows ``text`` whole when wrapped in a column ``width`` characters wide
    (a CJK character is two widths; a word is not split across lines, so count generously)."""
    lines = 0
    for part in str(text or "").split("\n"):
        lines += max(1, -(-(_display_width(part) + 4) // max(1, int(width) - 4)))
    return max(LINE_POINTS, lines * LINE_POINTS + 3)


def _verdict_sheet(ws, res: Results, tables: dict[str, pd.DataFrame], lang: str) -> None:
    """Scenario × target: probability of meeting the target by its date (coloured), then the median value as a
    share of the goal (coloured), then cost and the verdict."""
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .report import verdict_detail

    zh = lang == "zh"
    attain = res.attainment()
    cost = res.cost().set_index("scenario")
    tids = list(res.targets)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEAD_FILL)
    wrap = Alignment(wrap_text=True, vertical="top", horizontal="center")
    ws.cell(row=1, column=1, value=t("report_title", lang)).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=t("verdict_note", lang, level=90))
    div, unit = yuan_scale(cost["total_yuan"].to_numpy(), lang)

    def block(top: int, title: str, column: str, fmt: str) -> int:
        ws.cell(row=top, column=1, value=title).font = Font(bold=True, size=12)
        head = top + 1
        heads = [t("scenario", lang), *(f"{res.targets[x].label(lang)}\n({t('by', lang)} {res.targets[x].date:%Y-%m})"
                                       for x in tids)]
        extra = [] if column != "probability" else [
            COLUMNS["mean_goal_share"][0 if zh else 1], f"{COLUMNS['total_yuan'][0 if zh else 1]}",
            COLUMNS["extra_cost_yuan"][0 if zh else 1], COLUMNS["vs_baseline"][0 if zh else 1],
            COLUMNS["verdict_detail"][0 if zh else 1]]
        for j, h in enumerate([*heads, *extra], start=1):
            c = ws.cell(row=head, column=j, value=h)
            c.font, c.fill, c.alignment = bold, fill, wrap
        for i, s in enumerate(res.scenarios):
            r = head + 1 + i
            ws.cell(row=r, column=1, value=res.label(s, lang)).font = bold
            for j, tid in enumerate(tids, start=2):
                a = attain[(attain["scenario"] == s) & (attain["target"] == tid)]
                v = None if a.empty or a.iloc[0][column] != a.iloc[0][column] else float(a.iloc[0][column])
                cell = ws.cell(row=r, column=j, value=v)
                cell.number_format = fmt
                cell.alignment = Alignment(horizontal="center")
            if extra and s in cost.index:
                row = cost.loc[s]
                k = len(tids) + 2
                ws.cell(row=r, column=k, value=float(row["mean_goal_share"]) / 100).number_format = "0.0%"
                ws.cell(row=r, column=k + 1, value=float(row["total_yuan"]) / div).number_format = _yuan_format(unit)
                e = row["extra_cost_yuan"]
                ws.cell(row=r, column=k + 2, value=None if e != e else float(e) / div).number_format = \
                    _yuan_format(unit, signed=True)
                vs = t(row["vs_baseline"], lang) if row["vs_baseline"] else ""
                ws.cell(row=r, column=k + 3, value=vs).alignment = Alignment(wrap_text=True)
                detail = verdict_detail(res, row.to_dict() | {"scenario": s}, lang)
                ws.cell(row=r, column=k + 4, value=detail).alignment = Alignment(wrap_text=True, vertical="top")
                # a row is as tall as its wrapped basis: spreadsheets do not grow rows a program wrote
                ws.row_dimensions[r].height = max(wrapped_height(detail, DETAIL_WIDTH), wrapped_height(vs, VS_WIDTH))
            for j in range(1, len(tids) + 2 + (5 if extra else 0)):  # a tall row reads level: centred vertically
                cell = ws.cell(row=r, column=j)
                cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="center",
                                           wrap_text=cell.alignment.wrap_text)
        last = head + len(res.scenarios)
        rng = f"B{head + 1}:{get_column_letter(len(tids) + 1)}{last}"
        ws.conditional_formatting.add(rng, ColorScaleRule(start_type="num", start_value=0, start_color="D73027",
                                                          mid_type="num", mid_value=0.5, mid_color="FFFFBF",
                                                          end_type="num", end_value=1, end_color="1A9850"))
        ws.row_dimensions[head].height = 78
        return last

    last = block(4, t("s_verdict", lang), "probability", "0%")
    ws.auto_filter.ref = f"A5:{get_column_letter(len(tids) + 6)}{last}"
    block(last + 3, t("goal_share", lang) + (" (中位数,截止日期)" if zh else " (median, at each target's date)"),
          "goal_share", "0%")
    ws.freeze_panes = "B6"
    ws.column_dimensions["A"].width = max(14, max(_display_width(res.label(s, lang)) for s in res.scenarios) + 2)
    for j in range(2, len(tids) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 16
    for j, w in zip(range(len(tids) + 2, len(tids) + 7), (14, 14, 14, VS_WIDTH, DETAIL_WIDTH), strict=True):
        ws.column_dimensions[get_column_letter(j)].width = w


def _scenario_rows(res: Results, lang: str) -> pd.DataFrame:
    """One row per scenario, every parameter it sets as a column (labelled with its unit); dated changes as text."""
    keys: list[str] = []
    for d in res.definitions.values():
        for k in d.params:
            if k not in keys:
                keys.append(k)
    rows = []
    for name, d in res.definitions.items():
        params = d.params
        row = {"scenario_label": res.label(name, lang), "scenario": name,
               "description": d.description.get(lang, ""), "region": d.region,
               "start": d.start, "end": d.end, "targets": d.targets}
        for k in keys:
            value = params.get(k, SCHEMA[k].default if k in SCHEMA else None)
            if isinstance(value, (bool, str)):  # numbers stay numbers in the workbook
                value = format_param(value, k, lang)
            row[f"param:{k}"] = value
        row["changes_text"] = "; ".join(
            f"{date}: " + ", ".join(f"{SCHEMA[k].label(lang) if k in SCHEMA else k} = {v}"
                                    for k, v in levers.items()) for date, levers in d.changes.items())
        rows.append(row)
    return pd.DataFrame(rows)


def _sources_sheet(ws, res: Results, lang: str) -> None:
    """The figures of model/data/sources.toml the report's runs cite: key, section, figure (in the report's
    language), value, date, publisher, address, status and what cites it; long texts wrap."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from ..sources import figure, figure_label, section_title
    from .report import cited_figures

    rows = []
    for (sec, key), who in cited_figures(res).items():
        f = figure(sec, key)
        rows.append({"src_key": f"§{sec}.{key}", "src_section": section_title(sec, lang),
                     "src_figure": figure_label(sec, key, lang), "src_value": str(f.get("value", "")),
                     "src_date": str(f.get("date", "")), "src_publisher": str(f.get("publisher", "")),
                     "src_address": str(f.get("address", "")), "src_status": str(f.get("status", "")),
                     "src_cited_by": ", ".join(who)})
    frame = pd.DataFrame(rows, columns=["src_key", "src_section", "src_figure", "src_value", "src_date",
                                        "src_publisher", "src_address", "src_status", "src_cited_by"])
    names = {c: (t(c, "zh"), t(c, "en")) for c in frame.columns}
    _write_sheet(ws, frame, frame, lang, names=names)
    widths = {"src_section": 24, "src_figure": 28, "src_value": 60, "src_publisher": 30, "src_address": 40,
              "src_cited_by": 36}
    for j, col in enumerate(frame.columns, start=1):
        if col in widths:
            ws.column_dimensions[get_column_letter(j)].width = widths[col]
    for i, row in enumerate(rows, start=2):
        for j, col in enumerate(frame.columns, start=1):
            ws.cell(row=i, column=j).alignment = Alignment(wrap_text=col in widths, vertical="top")
        ws.row_dimensions[i].height = min(400, max(wrapped_height(row[c], w) for c, w in widths.items()))


def write_workbook(path, tables: dict[str, pd.DataFrame], res: Results, lang: str) -> None:
    """Write the workbook at ``path`` from the report's tables (see the module's docstring)."""
    from openpyxl import Workbook

    from ..params import unit_label

    zh = lang == "zh"
    wb = Workbook()
    ws = wb.active
    ws.title = SHEETS["verdict"][0 if zh else 1]
    _verdict_sheet(ws, res, tables, lang)
    for name in ("attainment", "cost", "compare", "summary"):
        raw = tables[name]
        frame = _people(raw, res, lang, name)
        _write_sheet(wb.create_sheet(SHEETS[name][0 if zh else 1]), frame, raw, lang)
    for name in ("prefecture_ranking", "county_ranking", "unit_attainment", "unit_cost"):
        if name in tables:
            raw = tables[name]
            frame, names = _unit_people(raw, res, lang)
            if name == "prefecture_ranking":
                frame = frame.drop(columns="prefecture_label")
            formats = {c: "0%" for c in frame.columns if c.startswith("p:")}
            formats["spend_per_resident"] = f'#,##0.0" {t("yuan", lang)}"'
            sheet = wb.create_sheet(SHEETS[name][0 if zh else 1])
            _write_sheet(sheet, frame, raw, lang, names=names, formats=formats)
            from openpyxl.utils import get_column_letter

            for j, col in enumerate(frame.columns, start=1):  # long headers wrap: narrow columns print larger
                if col.startswith("p:") or col in ("progress", "targets_met", "targets_judged", "spend_per_resident"):
                    sheet.column_dimensions[get_column_letter(j)].width = 13
            sheet.row_dimensions[1].height = 64
    scen = _scenario_rows(res, lang)
    people = _people(scen, res, lang, "scenarios")
    names, formats = {}, {}
    for col in people.columns:
        if col.startswith("param:"):
            k = col.split(":", 1)[1]
            p = SCHEMA.get(k)
            shown = p is not None and p.unit not in ("-", "on/off")
            names[col] = ((f"{p.label_zh}" + (f"({unit_label(p, 'zh')})" if shown else ""),
                           f"{p.label_en}" + (f" ({p.unit})" if shown else "")) if p else (k, k))
            if p is not None and p.unit.startswith("share"):
                formats[col] = "0.0%"
            elif p is not None and p.type == "int":
                formats[col] = "#,##0"
    _write_sheet(wb.create_sheet(SHEETS["scenarios"][0 if zh else 1]), people, scen, lang, names=names,
                 formats=formats)
    _sources_sheet(wb.create_sheet(SHEETS["sources"][0 if zh else 1]), res, lang)
    from .report import _is_formula_like

    for sheet in wb.worksheets:  # printed: landscape A4, every column on the page's width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.print_title_rows = "1:1" if sheet.title != SHEETS["verdict"][0 if zh else 1] else None
    for sheet in wb.worksheets:  # user text is text: never a live formula
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or _is_formula_like(cell.value):
                    cell.data_type = "s"
    wb.save(path)

"""The report (HTML, CSV, xlsx), the report and demo commands, and notebook 02, checked for values."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from model.analysis import Results, write_report
from model.cli import main
from model.experiment import Experiment
from model.targets import load_targets

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "02_compare_funding_strategies.ipynb"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "store"
    Experiment(["baseline", "fiscal_squeeze_2024", "incubator_first"], replicates=4, seed=5, region="demo").run(
        out, executor="serial", progress=False)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_html_answers_in_order_with_embedded_figures(store, lang):
    path = write_report(store, lang=lang)
    assert path == store / "report.html"
    page = path.read_text(encoding="utf-8")
    # the planner's question, in order
    ids = [m.group(1) for m in re.finditer(r"<h2 id='(\w+)'", page)]
    assert ids == ["verdict", "when", "cost", "diff", "units", "assume", "sources", "tables"]
    assert "FACTS §" not in page  # sources point into the package, not to a file a clone lacks
    # sources by figure: one row per cited figure, each key a link to its row, headings and labels in the
    # report's language (Chinese names from model/data/sources.toml in zh)
    from model.analysis.report import cited_figures
    from model.sources import figure_label, section_title

    cited = cited_figures(Results(store))
    assert len(cited) > 60
    sources = page[page.index("<h2 id='sources'>"):page.index("<h2 id='tables'>")]
    assert sources.count("<tr><td><code id='src-") == len(cited)
    for (sec, key) in cited:
        assert f"id='src-{sec}-{key}'" in sources
        assert figure_label(sec, key, lang) in html.unescape(sources)
        assert f"<h3>§{sec} · {section_title(sec, lang)}</h3>" in sources
    links = set(re.findall(r"<a href='#(src-[\w-]+)'>", page))
    assert links and all(f"id='{a}'" in sources for a in links)
    if lang == "zh":
        assert "〔" in page and "§1c.civil_affairs_spending</a>〔湖北民政支出〕" in page
    # self-contained: figures as data URIs, nothing fetched
    assert page.count("data:image/png;base64,") >= 6
    # every figure of the page also as PNG and SVG under figures/, for slides
    names = re.findall(r"data-figure='([\w.-]+)'", page)
    assert len(names) == page.count("data:image/png;base64,")
    for name in names:
        assert (store / "figures" / f"{name}.png").stat().st_size > 1000
        assert "<svg" in (store / "figures" / f"{name}.svg").read_text(encoding="utf-8")[:2000]
    assert not re.search(r"(src|href)=['\"]https?:", page)
    # names from their homes: target labels and scenario titles in the report's language
    res = Results(store)
    for target in load_targets("demo"):
        assert target.label(lang).replace('"', "&quot;") in page or target.label(lang) in page
    for s in res.scenarios:
        assert res.label(s, lang) in page
    # the verdict's numbers are the attainment table's
    att = res.attainment()
    row = att[(att["scenario"] == "incubator_first") & (att["target"] == "incubator_county")].iloc[0]
    assert f"{row['probability']:.0%}</b><br><small>{row['lo']:.0%}–{row['hi']:.0%}" in page
    # assumptions: seeds and the commit from the manifest
    assert str(res.manifest["seeds"]["root"]) in page
    text = re.sub(r"data:image/png;base64,[^'\"]+", "", page).replace(sources, "")  # sources quote prose ("None was found")
    assert not re.search(r"\b(nan|NaT|None)\b", text)


def test_tables_and_workbook_hold_the_same_values(store):
    write_report(store, lang="en")
    res = Results(store)
    att = pd.read_csv(store / "tables" / "attainment.csv", encoding="utf-8-sig")
    assert att["probability"].tolist() == pytest.approx(res.attainment()["probability"].tolist())
    cost = pd.read_csv(store / "tables" / "cost.csv", encoding="utf-8-sig")
    lines = [c for c in cost.columns if c.startswith("spend_")]
    assert (cost[lines].sum(axis=1) - cost["total_yuan"]).abs().max() < 1e-3
    book = pd.read_excel(store / "report.xlsx", sheet_name=None)
    assert list(book) == ["Verdict", "Attainment", "Cost", "Differences", "Summary", "Prefectures ranked",
                          "Counties ranked", "Attainment by area", "Spending by area", "Scenarios", "Sources"]
    # the cited figures, one row each, with value, date, publisher and address
    from model.analysis.report import cited_figures

    src = book["Sources"]
    assert list(src.columns) == ["Key", "Section", "Figure", "Value", "Date", "Publisher", "Address", "Status",
                                 "Cited by"]
    assert src["Key"].tolist() == [f"§{sec}.{key}" for sec, key in cited_figures(res)]
    row = src.set_index("Key").loc["§1c.civil_affairs_spending"]
    assert row["Value"].startswith("179.7亿") and row["Date"] == "2021" and "fiscal_squeeze" in row["Cited by"]
    assert book["Attainment"]["Probability"].tolist() == pytest.approx(att["probability"].tolist())
    assert len(book["Differences"]) == len(pd.read_csv(store / "tables" / "compare.csv", encoding="utf-8-sig"))


def test_zh_workbook_is_for_people(store):
    """Chinese headers, shares as percentages, money in 万元/亿元, filters, a coloured verdict sheet,
    parameters as columns."""
    import openpyxl

    from model.params import SCHEMA

    write_report(store, lang="zh")
    wb = openpyxl.load_workbook(store / "report.xlsx")
    assert wb.sheetnames == ["结论", "目标达成", "成本", "与基线的差异", "汇总", "市州排名", "县(市、区)排名",
                             "分地区目标达成", "分地区支出", "情景与参数", "数据来源"]
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for ws in wb.worksheets[1:]:
        heads = [c.value for c in ws[1] if c.value is not None]
        assert heads and all(cjk.search(str(h)) for h in heads), (ws.title, [h for h in heads if not cjk.search(h)])
        assert ws.auto_filter.ref and ws.freeze_panes == "B2"
    att = wb["目标达成"]
    heads = {c.value: c.column for c in att[1]}
    res = Results(store)
    for col in ("达成概率", "90%区间下限", "占目标值(中位数)"):
        cells = [att.cell(row=r, column=heads[col]) for r in range(2, att.max_row + 1)]
        assert all(c.number_format.endswith("%") for c in cells if c.value is not None)
    probs = [att.cell(row=r, column=heads["达成概率"]).value for r in range(2, att.max_row + 1)]
    assert probs == pytest.approx(res.attainment()["probability"].tolist())
    assert {att.cell(row=r, column=heads["条件"]).value for r in range(2, att.max_row + 1)} == {"≥"}
    cost = wb["成本"]
    heads = {c.value: c.column for c in cost[1]}
    total = cost.cell(row=2, column=heads["公共支出合计"])
    assert "万元" in total.number_format or "亿元" in total.number_format
    assert "#,##0" in total.number_format
    scale = 1e8 if "亿元" in total.number_format else 1e4
    assert total.value * scale == pytest.approx(res.cost()["total_yuan"].iloc[0])
    # values in Chinese: verdicts, scenario titles, regions
    assert cost.cell(row=2, column=heads["与基线相比"]).value == "基线"
    assert cost.cell(row=2, column=heads["情景"]).value == res.label("baseline", "zh")
    # the verdict sheet: scenario × target, coloured by a colour scale like the HTML's
    src = wb["数据来源"]
    assert [c.value for c in src[1]] == ["编号", "类别", "数据项", "数值", "时间", "发布者", "网址", "性质", "引用处"]
    assert all(cjk.search(str(src.cell(row=r, column=3).value)) for r in range(2, src.max_row + 1))
    v = wb["结论"]
    assert v.conditional_formatting and any(r.colorScale for cf in v.conditional_formatting for r in cf.rules)
    assert v.cell(row=6, column=1).value == res.label(res.scenarios[0], "zh")
    assert v.cell(row=6, column=2).number_format == "0%"
    # the basis (依据) and verdict texts wrap, in rows tall enough to show them whole (LibreOffice and Excel
    # keep a written row height: a one-line row cut the basis off)
    from model.analysis.workbook import DETAIL_WIDTH, VS_WIDTH, wrapped_height

    assert wrapped_height("一行", DETAIL_WIDTH) < 2 * 15 <= 3 * 15 <= wrapped_height("字" * 60, DETAIL_WIDTH)
    vheads = {c.value: c.column for c in v[5]}
    details = 0
    for r in range(6, 6 + len(res.scenarios)):
        for col, width in ((vheads["依据"], DETAIL_WIDTH), (vheads["与基线相比"], VS_WIDTH)):
            c = v.cell(row=r, column=col)
            if c.value:
                details += col == vheads["依据"]
                assert c.alignment.wrap_text and v.row_dimensions[r].height >= wrapped_height(c.value, width)
    assert details == len(res.scenarios) - 1
    # parameters as columns, each named with its Chinese label and unit
    sc = wb["情景与参数"]
    heads = [c.value for c in sc[1]]
    for d in res.definitions.values():
        for key in d.params:
            assert any(h.startswith(SCHEMA[key].label_zh) for h in heads), key


def test_wushe_report_and_demo_commands(store, tmp_path, capsys):
    assert main(["report", str(store), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert f"report: {(store / 'report.html').resolve()}" in out
    assert 'lang="zh-CN"' in (store / "report.html").read_text(encoding="utf-8").replace("'", '"')
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "not an experiment store" in capsys.readouterr().err
    # the README's main command, at a toy size
    demo = tmp_path / "demo"
    assert main(["demo", "--region", "demo", "-r", "2", "-o", str(demo), "-q", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert f"report: {(demo / 'report.html').resolve()}" in out
    res = Results(demo)
    assert res.scenarios[0] == "baseline" and len(res.scenarios) >= 9
    assert "linhai_platform" not in res.scenarios  # written for Linhai, not forced onto another region
    assert len(res.ok_runs) == 2 * len(res.scenarios)


def test_notebook_02_walks_through_the_comparison():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent.parent)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4
    text = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    paired, unpaired = map(float, re.search(r"paired (\d+), unpaired (\d+)", text).groups())
    assert paired < unpaired
    assert "first month it differs: 2024-01-31" in text
    assert "largest |difference| before then: 0.0" in text
    assert "report.html" in text
    # counting the parameters as well as chance widens the band (the shipped posterior, borrowed by demo)
    chance, both = map(float, re.search(r"chance only (\d+), chance and parameters (\d+)", text).groups())
    assert both > chance


@pytest.mark.skipif(__import__("model.analysis.pdf", fromlist=["find_browser"]).find_browser() is None
                    or __import__("shutil").which("pdftotext") is None,
                    reason="needs Chromium and pdftotext (apt-get install chromium poppler-utils)")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_pdf_keeps_every_target_and_cost_column(store, lang, capsys):
    """Printed on A4, the report still holds every target's column and every cost column (the PDF's text)."""
    import subprocess

    from model.indicators import BUDGET_LINES
    from model.text import t

    assert main(["report", str(store), "--lang", lang, "--pdf", "-q"]) == 0
    pdf = store / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    # nothing is cut at the page's edge: every word lies inside the A4 page
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right and max(right) <= width
    words = {w for x in re.findall(r">([^<]+)</word>", bbox) for w in x.split("-") if w}
    chars = set("".join(words))
    res = Results(store)

    def holds(label: str) -> bool:  # a header wraps inside its cell, so check its words (characters in Chinese)
        return set(label) <= chars if lang == "zh" else set(re.findall(r"[^\s-]+", label)) <= words

    # every cell of the verdict matrix printed: one "x% of goal" per scenario × target
    per_cell = t("of_goal", lang, share="").strip()
    assert text.count(per_cell) >= int(res.attainment()["goal_share"].notna().sum())
    for target in res.targets.values():
        assert holds(target.label(lang)), target.id
    cost = res.cost()
    for line, (zh, en) in BUDGET_LINES.items():
        if f"spend_{line}_yuan" in cost and (cost[f"spend_{line}_yuan"].abs() > 0).any():
            assert holds(zh if lang == "zh" else en), line
    for key in ("total", "budget", "extra_cost", "attainment_pp", "extra_attainment_pp", "mean_goal_share",
                "per_certified", "per_station_year", "per_pp", "vs_baseline"):
        assert holds(t(key, lang)), key
    for s in res.scenarios:
        assert holds(res.label(s, lang))
    # the totals' values themselves, as printed in the spending table
    from model.analysis.plots import yuan_scale

    div, _ = yuan_scale(cost["total_yuan"], lang)
    for v in cost["total_yuan"]:
        assert f"{v / div:,.1f}" in text

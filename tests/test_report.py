"""The report (HTML, CSV, xlsx), the report and demo commands, and notebook 02, checked for values."""

from __future__ import annotations

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
    assert ids == ["verdict", "when", "cost", "diff", "assume", "tables"]
    # self-contained: figures as data URIs, nothing fetched
    assert page.count("data:image/png;base64,") >= 6
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
    text = re.sub(r"data:image/png;base64,[^'\"]+", "", page)
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
    assert set(book) == {"attainment", "compare", "cost", "summary", "scenarios"}
    assert book["attainment"]["probability"].tolist() == pytest.approx(att["probability"].tolist())
    assert len(book["compare"]) == len(pd.read_csv(store / "tables" / "compare.csv", encoding="utf-8-sig"))


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
    assert res.scenarios[0] == "baseline" and len(res.scenarios) >= 10
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

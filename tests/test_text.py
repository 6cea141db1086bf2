"""One translation table (``model/text.py``): the report, the command line and the dashboard read it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.indicators import FLOWS
from model.params import SCHEMA
from model.regions import available_regions
from model.scenarios import available_scenarios
from model.text import (
    TEXT,
    choice_label,
    flow_label,
    kind_label,
    month_label,
    region_title,
    scenario_title,
    t,
)

ROOT = Path(__file__).resolve().parents[1] / "model"
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_entry_has_both_languages():
    for key, (zh, en) in TEXT.items():
        assert zh and en, key
        assert HAN.search(zh) or zh in ("—",), f"{key}: no Chinese in {zh!r}"


def test_every_key_the_code_asks_for_is_in_the_table():
    """Literal keys passed to t(...) (tr(...) in the dashboard) anywhere in the package exist."""
    used = set()
    for path in ROOT.rglob("*.py"):
        for m in re.finditer(r"\b(?:t|tr)\(\s*[\"']([A-Za-z_=]+)[\"']\s*,", path.read_text(encoding="utf-8")):
            used.add((m.group(1), path.relative_to(ROOT)))
    assert used
    missing = {(k, str(p)) for k, p in used if k not in TEXT}
    assert not missing, missing


def test_there_is_one_table():
    """No second table of words beside it (the report's and the dashboard's were merged into this one)."""
    assert not (ROOT / "analysis" / "text.py").exists()
    assert not (ROOT / "dashboard" / "text.py").exists()


@pytest.mark.parametrize("name", [p.name for p in SCHEMA.values() if p.type == "choice"])
def test_every_choice_of_the_schema_is_translated(name):
    for value in SCHEMA[name].choices:
        zh, en = choice_label(name, value, "zh"), choice_label(name, value, "en")
        assert HAN.search(zh), (name, value, zh)
        assert en != value or " " not in en, (name, value)


def test_flows_scenarios_regions_and_kinds_have_chinese_names():
    for name in FLOWS:
        assert HAN.search(flow_label(name, "zh")), name
        assert flow_label(name, "en") != name, name
    assert flow_label("cw_hired", "zh") == "社区工作者入职"
    for name in available_scenarios():
        assert HAN.search(scenario_title(name, "zh")), name
        assert scenario_title(name, "en") != name, name
    for name in available_regions():
        assert HAN.search(region_title(name, "zh")), name
    assert region_title("hubei", "zh") == "湖北省"
    for kind in ("lever", "uncertainty", "structural"):
        assert HAN.search(kind_label(kind, "zh"))
    # unknown names come back as they are, not as an error
    assert scenario_title("no_such_scenario", "zh") == "no_such_scenario"
    assert region_title("no_such_region", "zh") == "no_such_region"
    assert flow_label("no_such_flow", "zh") == "no_such_flow"


def test_formatting_and_months():
    import pandas as pd

    assert t("of_goal", "zh", share="80%") == "达目标值的80%"
    assert month_label(pd.Timestamp("2023-04-30"), "zh") == "2023年4月"
    assert month_label(pd.Timestamp("2023-04-30"), "en") == "April 2023"

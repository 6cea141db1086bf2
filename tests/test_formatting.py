"""One value formatter (``model/formatting.py``) for the report, the workbook, the figures, the dashboard and
the command line: shares, money, counts, flows and parameter values read the same everywhere."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from model.formatting import format_param, format_value

MODEL_DIR = Path(__file__).resolve().parents[1] / "model"


@pytest.mark.parametrize(("value", "indicator", "lang", "kw", "text"), [
    (0.674, "station_coverage", "en", {}, "67%"),
    (0.015, "station_coverage", "en", {"signed": True}, "+1.5 pp"),
    (-0.015, "station_coverage", "zh", {"signed": True}, "-1.5个百分点"),
    (1_234_567.0, "public_spend_yuan", "zh", {}, "123.5万元"),
    (1_234_567.0, "public_spend_yuan", "en", {}, "1,234,567 yuan"),
    (1_234_567.0, "public_spend_yuan", "en", {"scale": (1e6, "million yuan")}, "1.23 million yuan"),
    (2648.4, "sw_stationed", "en", {}, "2,648"),
    (2.357, None, "en", {}, "2.36"),
    (12.0, None, "en", {"signed": True}, "+12"),
    (1_500.0, None, "zh", {"unit": "yuan"}, "0.1万元"),
    (12.5, None, "en", {"unit": "hours"}, "12 hours"),
    (None, "station_coverage", "en", {}, "—"),
    (float("nan"), "public_spend_yuan", "zh", {}, "—"),
    (np.float64("nan"), None, "en", {}, "—"),
])
def test_format_value(value, indicator, lang, kw, text):
    assert format_value(value, indicator, lang, **kw) == text


@pytest.mark.parametrize(("value", "key", "lang", "text"), [
    (True, "digital_platform", "zh", "开"),
    (False, "digital_platform", "en", "off"),
    (50_000, "brand_project_yuan", "en", "50,000"),
    (0.75, "sw_pay_ratio", "en", "0.75"),
    ("purchase", None, "en", "purchase"),
])
def test_format_param(value, key, lang, text):
    assert format_param(value, key, lang) == text


def test_a_choice_is_written_by_its_label():
    from model.text import choice_label

    assert format_param("purchase", "procurement_mode", "zh") == choice_label("procurement_mode", "purchase", "zh")


def test_no_other_value_formatter_in_model():
    """Pages, reports, figures and the command line call model.formatting; no module defines its own."""
    pattern = re.compile(r"^(_?fmt_\w+|_?format_value\w*|_?format_param\w*|_value|_fmt)$")
    allowed = {("cli.py", "_fmt"), ("explore/cli.py", "_fmt")}  # those two wrap --help text, not values
    found = []
    for path in sorted(MODEL_DIR.rglob("*.py")):
        rel = str(path.relative_to(MODEL_DIR))
        if rel == "formatting.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and pattern.match(node.name) and (rel, node.name) not in allowed:
                found.append(f"{rel}:{node.name}")
    assert not found, f"value formatters outside model/formatting.py: {found}"

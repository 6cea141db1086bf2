"""How a value is written for people: one formatter for indicators, goals, flows and parameter values.

Every page, report, workbook, figure and command line writes a number through these two
functions, so that a share, an amount of money or a count reads the same everywhere:

- shares in per cent (``67%``; a signed difference in percentage points, ``+1.5 pp`` /
  ``+1.5个百分点``);
- money in 万元 (zh) or whole yuan (en), or on a scale the caller chose for a whole column
  (the report's 万元/亿元, million/billion yuan);
- counts whole from 100 up (and when whole), else with two decimals;
- a parameter's value: switches as on/off (开/关), choices by their label, numbers with
  thousands separators.
"""

from __future__ import annotations

from typing import Any

from .indicators import INDICATORS
from .text import TEXT, choice_label, switch_label, t, unit_label

__all__ = ["format_param", "format_value"]

MISSING = "—"


def format_value(value: float | None, indicator: str | None = None, lang: str = "en", *, unit: str | None = None,
                 signed: bool = False, scale: tuple[float, str] | None = None) -> str:
    """A value as people read it (see the module's docstring); ``—`` when missing.

    ``indicator`` names what the value measures (its share flag and unit decide the form);
    without one, ``unit`` (a schema or flow unit) does, and a unit other than yuan is written
    after the number. ``signed`` writes a difference with its sign; ``scale`` is a
    ``(divisor, unit label)`` for money.
    """
    if value is None or value != value:
        return MISSING
    ind = INDICATORS.get(indicator) if indicator else None
    sign = "+" if signed else ""
    if ind is not None and ind.share:
        if signed:
            return f"{value * 100:+.1f} pp" if lang == "en" else f"{value * 100:+.1f}个百分点"
        return f"{value:.0%}"
    unit = ind.unit if ind is not None else unit
    if unit == "yuan":
        if scale is not None:
            div, label = scale
            return f"{value / div:{sign},.2f} {label}"
        if lang == "zh":
            return f"{value / 1e4:{sign},.1f}万元"
        return f"{value:{sign},.0f} yuan"
    if ind is None and unit is not None:
        label = t("unit_" + unit, lang) if "unit_" + unit in TEXT else unit_label(unit, lang)
        return f"{value:{sign},.0f} {label}"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:{sign},.0f}"
    return f"{value:{sign},.2f}"


def format_param(value: Any, key: str | None = None, lang: str = "en") -> str:
    """A parameter's value as people read it: switches and choices in ``lang``, numbers with separators."""
    if isinstance(value, bool):
        return switch_label(value, lang)
    if isinstance(value, str):
        return choice_label(key, value, lang) if key else value
    if not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"

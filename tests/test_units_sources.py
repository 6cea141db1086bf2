"""Chinese units beside every unit of the schema and the indicators."""

from __future__ import annotations

import re

from model.indicators import INDICATORS
from model.params import SCHEMA, UNITS_ZH, unit_label

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_unit_has_a_chinese_form():
    for p in SCHEMA.values():
        assert p.unit in UNITS_ZH, f"{p.name}: unit {p.unit!r} has no Chinese form in model.params.UNITS_ZH"
        assert p.unit_zh == UNITS_ZH[p.unit] == unit_label(p, "zh")
        assert unit_label(p, "en") == p.unit
        if any(ch.isalpha() for ch in p.unit) and p.unit not in ("-",):
            assert CJK.search(p.unit_zh), (p.name, p.unit_zh)
    for ind in INDICATORS.values():
        assert ind.unit in UNITS_ZH, f"{ind.name}: unit {ind.unit!r} has no Chinese form"
        assert CJK.search(ind.unit_zh), (ind.name, ind.unit_zh)

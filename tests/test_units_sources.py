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


# ---- sources in the repository ----------------------------------------------------------------------


def test_sources_file_has_every_figure_with_value_and_provenance():
    from model.sources import load_sources

    sources = load_sources()
    figures = [f for s in sources.values() for f in s["figures"].values()]
    assert len(figures) >= 100
    for key, body in sources.items():
        for name, f in body["figures"].items():
            assert f.get("figure") and f.get("value"), (key, name)
    # a figure read from a page names where it was read (an address, or why it is withheld)
    read = [f for f in figures if str(f.get("status", "")).startswith("READ")]
    assert read and all(f.get("address") or f.get("publisher") for f in read)


def test_every_citation_resolves():
    """Every 'FACTS §x' / 'sources §x' citation in parameters, scenarios, region files, target sets and the
    ODD names a section of model/data/sources.toml."""
    from pathlib import Path

    from model.scenarios import available_scenarios, load_scenario
    from model.sources import cited_sections, resolve

    root = Path(__file__).resolve().parent.parent
    citations = [(f"params.{p.name}", p.source) for p in SCHEMA.values()]
    for name in available_scenarios():
        sc = load_scenario(name)
        citations += [(f"scenarios/{name}.toml: {k}", v) for k, v in (sc.sources or {}).items()]
    for path in [*sorted((root / "model" / "data" / "regions").glob("*.toml")),
                 *sorted((root / "model" / "data" / "targets").glob("*.toml")), root / "model" / "ODD.md"]:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            citations.append((f"{path.name}:{i}", line))
    cited = [(where, text) for where, text in citations if cited_sections(text)]
    assert len(cited) > 100
    for where, text in cited:
        try:
            resolve(text)
        except KeyError as exc:
            raise AssertionError(f"{where}: {exc}") from None


def test_citations_are_read_as_people_write_them():
    from model.sources import cited_sections, sources_text

    assert cited_sections("FACTS §2g: 粤民函〔2017〕43号; §5") == ["2g", "5"]
    assert cited_sections("FACTS §1a–§1c; 7th census") == ["1a", "1c", "1b"]
    assert cited_sections("assumption: a planner's choice") == []
    assert sources_text("FACTS §2h, §5") == "sources §2h, §5"

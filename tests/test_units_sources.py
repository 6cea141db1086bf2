"""Chinese units beside every unit of the schema and the indicators; sources cited by figure key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


# the files that cite the sources file: their lines (region files, target sets, observations, the exam
# history) or their source texts (parameters, scenarios)
def _citing_texts():
    from model.scenarios import available_scenarios, load_scenario

    root = Path(__file__).resolve().parent.parent
    texts = [(f"params.{p.name}", p.source) for p in SCHEMA.values()]
    for name in available_scenarios():
        sc = load_scenario(name)
        texts += [(f"scenarios/{name}.toml: {k}", v) for k, v in (sc.sources or {}).items()]
        texts += [(f"scenarios/{name}.toml:{i}", line) for i, line in
                  enumerate(Path(sc.path).read_text(encoding="utf-8").splitlines(), start=1)] if sc.path else []
    data = root / "model" / "data"
    for path in [*sorted((data / "regions").glob("*.toml")), *sorted((data / "targets").glob("*.toml")),
                 *sorted((data / "observed").glob("*.toml")), data / "exam_history.toml"]:
        texts += [(f"{path.relative_to(root)}:{i}", line)
                  for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)]
    return texts


def test_every_citation_names_a_figure_that_resolves():
    """Parameters, scenarios, region files, target sets, observations and the exam history cite figures by
    key (§1c.wuhan_stations); each key is an entry of model/data/sources.toml, and no text cites a whole
    section ("FACTS §1c", "sources §2h", a bare "§5") without naming the figure it uses."""
    from model.sources import citations, resolve, uncited_sections

    texts = _citing_texts()
    cited = [(where, text) for where, text in texts if citations(text)]
    assert len(cited) > 150
    for where, text in texts:
        assert not uncited_sections(text), f"{where}: cites a whole section, name the figure: {text!r}"
        assert "FACTS" not in text, f"{where}: FACTS.md is not in the repository: {text!r}"
        try:
            resolve(text)
        except KeyError as exc:
            raise AssertionError(f"{where}: {exc}") from None
    # every parameter cites a figure or says it is an assumption (or a document: seed, MODEL.md)
    for p in SCHEMA.values():
        assert citations(p.source) or "assumption" in p.source or "seed" in p.source or ".md" in p.source \
            or "lever" in p.source or "choice" in p.source, p.name
    # observations name their figures in `facts`
    from model.observed import load_observations

    obs = load_observations("hubei")
    assert all(citations(f) for f in obs["facts"]), obs.loc[[not citations(f) for f in obs["facts"]]]


def test_the_odd_cites_figures_by_key():
    """The ODD cites the sources file's figures by key too; its bare "§7.1" and "§5" are its own sections."""
    from model.odd import ODD_PATH
    from model.sources import citations, resolve

    text = ODD_PATH.read_text(encoding="utf-8")
    assert "FACTS" not in text
    lines = text.splitlines()
    assert sum(len(citations(line)) for line in lines) > 150
    for i, line in enumerate(lines, start=1):
        try:
            resolve(line)
        except KeyError as exc:
            raise AssertionError(f"ODD.md:{i}: {exc}") from None


def test_the_model_code_cites_figures_by_key():
    """Comments and docstrings in the model's code cite figures by key as everything else does: no
    whole-section citation ("FACTS §2h", "(§5)") in any ``model/**/*.py`` but model/sources.py (whose
    docstrings describe the old form), and every key names an entry of model/data/sources.toml."""
    from model.sources import SOURCES_PATH, resolve, uncited_sections

    model_dir = SOURCES_PATH.parent.parent
    files = [f for f in sorted(model_dir.rglob("*.py")) if f.name != "sources.py" or f.parent != model_dir]
    assert len(files) > 50
    n_cited = 0
    for path in files:
        where = path.relative_to(model_dir.parent)
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not uncited_sections(line), f"{where}:{i}: cites a whole section, name the figure: {line.strip()!r}"
            try:
                n_cited += len(resolve(line))
            except KeyError as exc:
                raise AssertionError(f"{where}:{i}: {exc}") from None
    assert n_cited > 100  # the schema's sources alone cite well over a hundred


def test_citations_are_read_as_people_write_them_and_can_fail():
    from model.sources import citations, figure, figure_label, resolve, section_title, uncited_sections

    assert citations("EST: 1,830 (§1b.agency_sw_2018) × growth (§2c.agencies, §2b.2018)") == [
        ("1b", "agency_sw_2018"), ("2c", "agencies"), ("2b", "2018")]
    assert citations("ODD §7.17 and MODEL.md §1") == [] and uncited_sections("ODD §7.17; ODD §3; MODEL.md §1") == []
    assert citations("assumption: a planner's choice") == []
    assert figure("1c", "wuhan_stations")["value"].startswith("162")
    assert figure_label("1c", "wuhan_stations", "zh") == "武汉街道(乡镇)社工站"
    assert section_title("2h", "zh") == "薪酬与流失" and section_title("2h", "en") == "Salaries and turnover"
    # the checks fail where they should: an unknown key, an unknown section, whole-section forms
    with pytest.raises(KeyError, match="wuhan_stationz"):
        resolve("(§1c.wuhan_stationz)")
    with pytest.raises(KeyError, match='"9z" is not a section'):
        resolve("§9z.anything")
    assert uncited_sections("FACTS §1c") and uncited_sections("sources §2h") and uncited_sections("(§5)")
    assert uncited_sections("§1a–§1c") and uncited_sections("§2g: 粤民函; §5.pipeline") == ["§2g"]


def test_every_figure_has_a_chinese_label_and_every_section_a_chinese_title():
    from model.sources import load_sources

    for key, body in load_sources().items():
        assert CJK.search(body["title_zh"]), key
        for name, f in body["figures"].items():
            assert CJK.search(str(f.get("figure_zh", ""))), (key, name)

"""The sources of wushe's figures, kept in the repository: ``model/data/sources.toml``.

One entry per figure (what it is, in English and Chinese, its value, date, publisher, address, status,
confidence), grouped by section. Parameters, scenarios, region files, target sets and the report cite
figures **by key**, one key per figure used: ``§1c.wuhan_stations`` is the entry ``["1c".wuhan_stations]``.
A citation may name several (``§2h.turnover_cities, §6.turnover``). ``citations`` finds the figures a
text cites, ``resolve`` checks that each exists, ``uncited_sections`` finds the older whole-section
form ("FACTS §1c", "sources §1c", a bare "§1c") that names no figure, which the tests refuse in the
citing files. ``ODD §7.1`` (a section of model/ODD.md) is no citation of the sources file.

::

    from model.sources import citations, figure, figure_label
    citations("EST: 1,830 full-time SW (§1b.agency_sw_2018) × growth (§2c.agencies)")
    # [('1b', 'agency_sw_2018'), ('2c', 'agencies')]
    figure("1b", "agency_sw_2018")["value"], figure_label("1b", "agency_sw_2018", "zh")
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

__all__ = ["SOURCES_PATH", "citations", "figure", "figure_label", "load_sources", "resolve", "section",
           "section_title", "sources_text", "uncited_sections"]

SOURCES_PATH = Path(__file__).parent / "data" / "sources.toml"

# "§1c.wuhan_stations", "§2b.2018": a section (digit, optional letter), a dot, a figure key. A section
# without a letter ("§5", "§6") needs a key that opens with a letter, so "ODD §7.17" is no citation.
_CITE = re.compile(r"§\s*(\d[a-z]|\d)\.([A-Za-z0-9_]+)")
# the whole-section form: "FACTS §1c", "sources §2h", or a bare "§1c" / "§5" not followed by ".key"
# and not a section of a document ("ODD §3", "ODD §7.1", "MODEL.md §1")
_WHOLE = re.compile(r"(?<!ODD )(?<!ODD)(?<!MODEL\.md )§\s*(\d[a-z]?)(?![.\w–-])"
                    r"|(?:FACTS|sources)\s*§|§\s*\d[a-z]\s*[–-]")


@cache
def load_sources() -> dict[str, dict]:
    """Every section: {key: {"title": ..., "title_zh": ..., "figures": {figure_key: {...}}}}."""
    data = tomllib.loads(SOURCES_PATH.read_text(encoding="utf-8"))
    out = {}
    for key, body in data.items():
        figures = {str(k): v for k, v in body.items() if isinstance(v, dict)}
        out[key] = {"title": body.get("title", key), "title_zh": body.get("title_zh", body.get("title", key)),
                    "figures": figures}
    return out


def section(key: str) -> dict:
    """One section of the sources file; KeyError naming the valid ones if there is none."""
    sources = load_sources()
    if key not in sources:
        raise KeyError(f'"{key}" is not a section of {SOURCES_PATH.name}; valid ones are: {", ".join(sources)}')
    return sources[key]


def section_title(key: str, lang: str = "en") -> str:
    s = section(key)
    return s["title_zh"] if lang == "zh" else s["title"]


def figure(sec: str, key: str) -> dict:
    """One figure's entry; KeyError naming the section's keys if it has no such figure."""
    figures = section(sec)["figures"]
    if key not in figures:
        raise KeyError(f'"§{sec}.{key}" is not a figure of {SOURCES_PATH.name}; section {sec} has: '
                       f'{", ".join(figures)}')
    return figures[key]


def figure_label(sec: str, key: str, lang: str = "en") -> str:
    f = figure(sec, key)
    return str(f.get("figure_zh") or f["figure"]) if lang == "zh" else str(f["figure"])


def citations(text) -> list[tuple[str, str]]:
    """The figures a text cites, in order, each once: [(section, key), ...]; [] if it cites none."""
    found = []
    for sec, key in _CITE.findall(str(text or "")):
        if not sec[-1].isalpha() and not key[0].isalpha():
            continue  # "§7.17": a numbered section of a document, no figure key
        found.append((sec, key))
    return list(dict.fromkeys(found))


def resolve(text) -> list[tuple[str, str]]:
    """The figures a text cites; KeyError if any is not in the sources file."""
    cited = citations(text)
    for sec, key in cited:
        figure(sec, key)
    return cited


def uncited_sections(text) -> list[str]:
    """Whole-section citations that name no figure ("FACTS §1c", "sources §2h", "§1a–§1c", a bare "§5")."""
    return [m.group(0) for m in _WHOLE.finditer(str(text or ""))]


def sources_text(text) -> str:
    """A citation as shown to readers. Citations name figures by key; a store written before they did
    keeps "FACTS §1c" in its scenarios' sources, shown as "§1c" (a section of the sources file)."""
    return re.sub(r"FACTS\s*§", "§", str(text or ""))

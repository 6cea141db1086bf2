"""The sources of wushe's figures, kept in the repository: ``model/data/sources.toml``.

One entry per figure (what it is, value, date, publisher, address, status, confidence), grouped
by section. Parameters, scenarios, region files, target sets and the report cite a section as
``sources §1c`` (older text reads ``FACTS §1c``, the same section); ``cited_sections`` finds the
sections a citation names and ``resolve`` checks that each exists.

::

    from model.sources import SOURCES, cited_sections, section
    cited_sections("FACTS §2g: 粤民函〔2017〕43号; §5")   # ['2g', '5']
    section("2g")["title"], len(section("2g")["figures"])
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

__all__ = ["SOURCES_PATH", "cited_sections", "load_sources", "resolve", "section", "sources_text"]

SOURCES_PATH = Path(__file__).parent / "data" / "sources.toml"

# "FACTS §1c", "sources §2g", "§1a–§1c", "FACTS §1b, §2b": a citation opens with FACTS/sources/源 §,
# and further sections may follow, each with its own §
_OPEN = re.compile(r"(?:FACTS|sources|来源)\s*§")
_SECTION = re.compile(r"§\s*(\d[a-z]?)\b")
_RANGE = re.compile(r"§\s*(\d[a-z])\s*[–-]\s*§?\s*(\d[a-z])\b")


@cache
def load_sources() -> dict[str, dict]:
    """Every section: {key: {"title": ..., "figures": {figure_key: {...}}}}."""
    data = tomllib.loads(SOURCES_PATH.read_text(encoding="utf-8"))
    out = {}
    for key, body in data.items():
        figures = {k: v for k, v in body.items() if isinstance(v, dict)}
        out[key] = {"title": body.get("title", key), "figures": figures}
    return out


def section(key: str) -> dict:
    """One section of the sources file; KeyError naming the valid ones if there is none."""
    sources = load_sources()
    if key not in sources:
        raise KeyError(f'"{key}" is not a section of {SOURCES_PATH.name}; valid ones are: {", ".join(sources)}')
    return sources[key]


def cited_sections(text: str) -> list[str]:
    """The sections a citation names, in order ("FACTS §1c, §5" → ["1c", "5"]); [] if it cites none."""
    text = str(text or "")
    start = _OPEN.search(text)
    if not start:
        return []
    rest = text[start.start():]
    keys = _SECTION.findall(rest)
    for a, b in _RANGE.findall(rest):  # "§1a–§1c" names 1b too
        if a[0] == b[0] and len(a) == len(b) == 2:
            keys += [a[0] + chr(c) for c in range(ord(a[1]) + 1, ord(b[1]))]
    return list(dict.fromkeys(keys))


def resolve(text: str) -> list[str]:
    """The sections a citation names; KeyError if any is missing from the sources file."""
    keys = cited_sections(text)
    for key in keys:
        section(key)
    return keys


def sources_text(text: str) -> str:
    """A citation as shown to readers: "FACTS §" (a file outside the package) becomes "sources §"."""
    return re.sub(r"FACTS\s*§", "sources §", str(text or ""))

"""Scenario files (``scenarios/*.toml``): what a strategy sets, checked before anything runs.

A scenario names a region, a target set, a window, lever and uncertainty values and
dated lever changes::

    name = "purchase_3yr"                 # [a-z0-9_]+, unique
    title = { zh = "…", en = "…" }
    description = { zh = "…", en = "…" }
    region = "hubei"
    targets = "hubei-47"
    start = "2021-01"
    end = "2025-12"
    [params]                              # schema names (model/params.py)
    contract_years = 3
    [[changes]]                           # dated lever changes
    date = "2024-01"
    fiscal_squeeze = 0.2
    [sources]                             # where each value comes from
    contract_years = "§2g.contract_length: Guangzhou/Changsha 3-year contracts (READ)"

Every value is checked against the parameter schema on load. A bad file raises
``ScenarioError``, whose one-line message names the file, the line (where it can be
found), the key and what was expected; the command line prints it and exits with 2.

A scenario is found by name (``baseline`` → ``scenarios/baseline.toml`` in the working
directory or in the repository) or by path.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from datetime import date as _date
from pathlib import Path
from typing import Any

from .core.calendar import EARLIEST_START, LATEST_END, parse_month
from .files import read_toml
from .messages import one_line, shown
from .params import SCHEMA, ParameterError, validate
from .targets import TargetError, available_target_sets, check_fits, load_targets

__all__ = [
    "Scenario",
    "ScenarioError",
    "SCENARIOS_DIR",
    "WINDOW",
    "available_scenarios",
    "find_scenario",
    "load_scenario",
    "load_scenarios",
    "scenario_from_dict",
]

# The shipped scenarios: ``model/data/scenarios`` is a link to the repository's ``scenarios/`` in a
# checkout and a copy in an installed wheel. ``./scenarios`` in the working directory comes first.
SCENARIOS_DIR = (Path(__file__).parent / "data" / "scenarios").resolve()
# The calendar the model accepts (MODEL.md §2), as the model declares it.
WINDOW = (f"{EARLIEST_START:%Y-%m}", f"{LATEST_END:%Y-%m}")
_NAME = re.compile(r"^[a-z0-9_]{1,64}$")  # a name becomes part of file names in the store: 64 characters at most
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_KEYS = {
    "name": "a name of lower-case letters, digits and _ (at most 64)",
    "title": "a table { zh = \"…\", en = \"…\" }",
    "description": "a table { zh = \"…\", en = \"…\" }",
    "region": "a region name",
    "targets": "a target set name or path",
    "start": 'a month "YYYY-MM"',
    "end": 'a month "YYYY-MM"',
    "params": "a table of parameter = value",
    "changes": "an array of tables [[changes]] with date and levers",
    "sources": "a table of parameter = \"source\"",
    "tags": "a list of strings",
}
_REQUIRED = ("name", "title", "region", "targets", "start", "end")


class ScenarioError(ValueError):
    """A scenario file the loader refuses.

    ``str(error)`` is one line: ``FILE:LINE: KEY: what was expected``.
    """

    def __init__(self, file: str | Path | None, key: str | None, message: str, line: int | None = None):
        self.file = str(file) if file is not None else None
        self.key = key
        self.line = line
        self.message = message
        where = self.file or "<scenario>"
        if line:
            where += f":{line}"
        text = f"{where}: {key}: {message}" if key else f"{where}: {message}"
        super().__init__(one_line(" ".join(text.split("\n"))))


@dataclass(frozen=True)
class Scenario:
    """One strategy: a region, a target set, a window, values and dated changes.

    ``params`` and ``changes`` hold schema-checked values; ``changes`` maps a month
    ``"YYYY-MM"`` to the levers that change then.
    """

    name: str
    region: str
    targets: str
    start: str = "2021-01"
    end: str = "2025-12"
    params: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    path: str | None = None

    def label(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title.get("en") or self.name

    def with_region(self, region: str | None, targets: str | None = None) -> Scenario:
        """The same scenario on another region (a fast ``demo`` run of a province scenario).

        It is judged against ``targets`` when given (refused, ScenarioError, when they do not
        fit the region), else against its own target set when that fits the region, else
        against the region's own (a province's totals mean nothing for one county).
        """
        if (region is None or region == self.region) and targets is None:
            return self
        region = region or self.region
        _check_region(region, self.path, "region")
        if targets is None:
            try:
                check_fits(self.targets, region)
                targets = self.targets
            except TargetError:
                from .regions import load_region

                targets = load_region(region).targets
        if targets not in available_target_sets() and not Path(targets).is_file():
            raise ScenarioError(self.path, "targets", f'{targets!r} is not a target set; valid ones are: '
                                f'{", ".join(available_target_sets())} or a path to a .toml file')
        try:
            check_fits(targets, region)
        except TargetError as exc:
            raise ScenarioError(self.path, "targets", str(exc)) from None
        return replace(self, region=region, targets=targets)

    def simulate_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``model.simulation.simulate`` (without the seed)."""
        return {
            "region": self.region,
            "start": self.start,
            "end": self.end,
            "params": dict(self.params),
            "changes": {d: dict(v) for d, v in self.changes.items()},
        }

    @classmethod
    def from_manifest(cls, data: dict[str, Any]) -> Scenario:
        """A scenario as an experiment manifest holds it (``to_dict``'s form), read back.

        Its values are not checked again: they were checked once, when the scenario was
        loaded for the experiment that wrote the manifest.
        """
        changes = {str(c["date"]): {k: v for k, v in c.items() if k != "date"} for c in data.get("changes") or []}
        return cls(
            name=data["name"],
            region=data["region"],
            targets=data["targets"],
            start=data["start"],
            end=data["end"],
            params=dict(data.get("params") or {}),
            changes=dict(sorted(changes.items())),
            title=dict(data.get("title") or {}),
            description=dict(data.get("description") or {}),
            sources=dict(data.get("sources") or {}),
            tags=tuple(data.get("tags") or ()),
            path=data.get("path"),
        )

    def values_at(self, month) -> dict[str, Any]:
        """Every parameter's value in force in ``month`` (any form ``core.calendar`` reads): the
        schema defaults, this scenario's values, then its dated changes up to that month."""
        month = parse_month(month)
        values = {n: p.default for n, p in SCHEMA.items()}
        values.update(self.params)
        for date, levers in self.changes.items():
            if parse_month(date) <= month:
                values.update(levers)
        return values

    def to_dict(self) -> dict[str, Any]:
        """The definition as run, for the experiment manifest (round-trips through ``scenario_from_dict``)."""
        return {
            "name": self.name,
            "title": dict(self.title),
            "description": dict(self.description),
            "region": self.region,
            "targets": self.targets,
            "start": self.start,
            "end": self.end,
            "params": dict(self.params),
            "changes": [{"date": d, **v} for d, v in self.changes.items()],
            "sources": dict(self.sources),
            "tags": list(self.tags),
            "path": self.path,
        }


# --------------------------------------------------------------------------------------------
# lookup


def _dirs() -> list[Path]:
    here = Path.cwd() / "scenarios"
    dirs = [here] if here.is_dir() else []
    if SCENARIOS_DIR.is_dir() and SCENARIOS_DIR not in [d.resolve() for d in dirs]:
        dirs.append(SCENARIOS_DIR)
    return dirs


def available_scenarios() -> list[str]:
    """Names of the scenario files found (working directory first, then the repository)."""
    names = []
    for d in _dirs():
        for p in sorted(d.glob("*.toml")):
            if p.stem not in names:
                names.append(p.stem)
    return names


def find_scenario(name_or_path: str | Path) -> Path:
    """The file for a scenario name or path; ScenarioError naming the valid ones if none."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or "/" in text or "\\" in text:
        if path.is_dir():
            raise ScenarioError(path, None, "is a folder; expected a TOML scenario file")
        if not path.is_file():
            raise ScenarioError(path, None, "no such file")
        return path
    for d in _dirs():
        candidate = d / f"{text}.toml"
        if candidate.is_file():
            return candidate
    valid = available_scenarios()
    close = difflib.get_close_matches(text, valid, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    raise ScenarioError(None, None, f'"{text}" is not a scenario{hint}; valid ones are: {", ".join(valid)}')


# --------------------------------------------------------------------------------------------
# validation


def _regions() -> list[str]:
    from .regions import available_regions

    return list(available_regions())


def _check_region(region: Any, path, key: str, line: int | None = None) -> str:
    valid = _regions()
    if not isinstance(region, str) or region not in valid:
        raise ScenarioError(path, key, f'{shown(region)} is not a region; valid ones are: {", ".join(valid)}', line)
    return region


def _month(value: Any) -> str | None:
    """'2021-01' or a TOML date 2021-01-01 → '2021-01'; None when malformed."""
    if isinstance(value, _date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        m = _MONTH.match(value.strip())
        if m and 1 <= int(m.group(2)) <= 12:
            return value.strip()
    return None


class _Lines:
    """Find the line of a key in a TOML text, table by table (tomllib gives no positions)."""

    def __init__(self, text: str):
        self.rows: list[tuple[str, int, str]] = []  # (table, occurrence, key) -> line via index
        self.where: dict[tuple[str, int, str], int] = {}
        table, counts = "", {}
        for n, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            m = re.match(r"^\[\[\s*([^\]]+?)\s*\]\]", line)
            if m:
                table = m.group(1)
                counts[table] = counts.get(table, 0) + 1
                self.where.setdefault((table, counts[table], ""), n)
                continue
            m = re.match(r"^\[\s*([^\]]+?)\s*\]", line)
            if m:
                table = m.group(1)
                counts[table] = 1
                self.where.setdefault((table, 1, ""), n)
                continue
            m = re.match(r'^"?([A-Za-z0-9_\-]+)"?\s*=', line)
            if m:
                self.where.setdefault((table, counts.get(table, 1), m.group(1)), n)

    def __call__(self, key: str = "", table: str = "", index: int = 1) -> int | None:
        return self.where.get((table, index, key)) or self.where.get((table, index, ""))


def _bilingual(value: Any, path, key: str, line) -> dict[str, str]:
    if isinstance(value, str):
        return {"zh": value, "en": value}
    if not isinstance(value, dict) or not value or not all(isinstance(v, str) for v in value.values()):
        raise ScenarioError(path, key, f'expected {_KEYS[key]}; got {shown(value)}', line)
    unknown = set(value) - {"zh", "en"}
    if unknown:
        raise ScenarioError(path, key, f'unknown language {shown(sorted(unknown)[0])}; expected zh and en', line)
    return dict(value)


def scenario_from_dict(data: dict[str, Any], path: str | Path | None = None, text: str | None = None) -> Scenario:
    """Check a scenario definition (as parsed from TOML) and return a Scenario.

    ``text`` is the file's text, used only to say on which line a bad key is.
    """
    lines = _Lines(text or "")
    if not isinstance(data, dict):
        raise ScenarioError(path, None, "expected a table of scenario keys")
    for key in data:
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise ScenarioError(
                path, key, f"unknown key{hint}; valid keys are: {', '.join(_KEYS)}", lines(key)
            )
    for key in _REQUIRED:
        if key not in data:
            raise ScenarioError(path, key, f"missing; expected {_KEYS[key]}")

    name = data["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise ScenarioError(path, "name", f"expected {_KEYS['name']}; got {shown(name)}", lines("name"))
    title = _bilingual(data["title"], path, "title", lines("title"))
    description = _bilingual(data.get("description", {"zh": "", "en": ""}), path, "description",
                             lines("description"))
    region = _check_region(data["region"], path, "region", lines("region"))

    targets = data["targets"]
    if not isinstance(targets, str):
        raise ScenarioError(path, "targets", f"expected {_KEYS['targets']}; got {shown(targets)}", lines("targets"))
    if targets not in available_target_sets():
        target_path = Path(targets)
        if not target_path.is_absolute() and path is not None:
            target_path = Path(path).parent / target_path
        if target_path.suffix != ".toml" or not target_path.is_file():
            raise ScenarioError(
                path, "targets",
                f'{shown(targets)} is not a target set; valid ones are: {", ".join(available_target_sets())} '
                "or a path to a .toml file",
                lines("targets"),
            )
        try:
            load_targets(target_path)
        except TargetError as exc:
            raise ScenarioError(path, "targets", str(exc), lines("targets")) from None
        targets = str(target_path)
    try:
        check_fits(targets, region)
    except TargetError as exc:
        raise ScenarioError(path, "targets", str(exc), lines("targets")) from None

    months = {}
    for key in ("start", "end"):
        month = _month(data[key])
        if month is None:
            raise ScenarioError(path, key, f'expected {_KEYS[key]}; got {shown(data[key])}', lines(key))
        if not (WINDOW[0] <= month <= WINDOW[1]):
            raise ScenarioError(
                path, key, f"{month} is outside the model's calendar: expected {WINDOW[0]} to {WINDOW[1]}", lines(key)
            )
        months[key] = month
    if months["start"] >= months["end"]:
        raise ScenarioError(path, "end", f'{months["end"]} must come after start {months["start"]}', lines("end"))

    raw_params = data.get("params", {})
    if not isinstance(raw_params, dict):
        raise ScenarioError(path, "params", f"expected {_KEYS['params']}; got {shown(raw_params)}", lines("params"))
    try:
        params = validate(raw_params)
    except ParameterError as exc:
        raise ScenarioError(path, f"params.{exc.key}", str(exc), lines(exc.key, "params")) from None

    raw_changes = data.get("changes", [])
    if not isinstance(raw_changes, list) or not all(isinstance(c, dict) for c in raw_changes):
        raise ScenarioError(path, "changes", f"expected {_KEYS['changes']}; got {shown(raw_changes)}", lines("changes"))
    changes: dict[str, dict[str, Any]] = {}
    for i, change in enumerate(raw_changes, start=1):
        where = f"changes[{i}]"
        if "date" not in change:
            raise ScenarioError(path, f"{where}.date", 'missing; expected a month "YYYY-MM"',
                                lines("", "changes", i))
        month = _month(change["date"])
        if month is None:
            raise ScenarioError(path, f"{where}.date", f'expected a month "YYYY-MM"; got {shown(change["date"])}',
                                lines("date", "changes", i))
        if not (months["start"] <= month <= months["end"]):
            raise ScenarioError(
                path, f"{where}.date",
                f'{month} is outside the scenario window {months["start"]} to {months["end"]}',
                lines("date", "changes", i),
            )
        if month in changes:
            raise ScenarioError(path, f"{where}.date", f"a second change dated {month}; put both in one [[changes]]",
                                lines("date", "changes", i))
        levers = {k: v for k, v in change.items() if k != "date"}
        if not levers:
            raise ScenarioError(path, where, f"the change dated {month} sets no lever", lines("", "changes", i))
        try:
            checked = validate(levers)
        except ParameterError as exc:
            raise ScenarioError(path, f"{where}.{exc.key}", str(exc), lines(exc.key, "changes", i)) from None
        for k in checked:
            if SCHEMA[k].kind != "lever":
                raise ScenarioError(
                    path, f"{where}.{k}",
                    f'"{k}" is {"an" if SCHEMA[k].kind[0] in "aeiou" else "a"} {SCHEMA[k].kind}, not a lever; '
                    "only levers change on a date (set it in [params])",
                    lines(k, "changes", i),
                )
        changes[month] = checked
    changes = dict(sorted(changes.items()))

    raw_sources = data.get("sources", {})
    if not isinstance(raw_sources, dict):
        raise ScenarioError(path, "sources", f"expected {_KEYS['sources']}; got {shown(raw_sources)}", lines("sources"))
    for k, v in raw_sources.items():
        if k not in SCHEMA:
            close = difflib.get_close_matches(k, SCHEMA, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise ScenarioError(path, f"sources.{k}", f"not a parameter{hint}", lines(k, "sources"))
        if not isinstance(v, str) or not v.strip():
            raise ScenarioError(path, f"sources.{k}", f"expected a source text; got {shown(v)}", lines(k, "sources"))

    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ScenarioError(path, "tags", f"expected {_KEYS['tags']}; got {shown(tags)}", lines("tags"))

    return Scenario(
        name=name,
        region=region,
        targets=targets,
        start=months["start"],
        end=months["end"],
        params=params,
        changes=changes,
        title=title,
        description=description,
        sources=dict(raw_sources),
        tags=tuple(tags),
        path=str(path) if path is not None else None,
    )


def load_scenario(name_or_path: str | Path, region: str | None = None, targets: str | None = None) -> Scenario:
    """Load and check one scenario file; ``region`` and ``targets`` override the file's (see ``with_region``)."""
    path = find_scenario(name_or_path)
    text, data = read_toml(path, "a TOML scenario", lambda p, msg, line=None: ScenarioError(p, None, msg, line))
    return scenario_from_dict(data, path, text).with_region(region, targets)


def load_scenarios(names_or_paths, region: str | None = None, targets: str | None = None) -> list[Scenario]:
    """Load several scenarios; names must be unique. A single name or path is accepted too."""
    if isinstance(names_or_paths, (str, Path)):
        names_or_paths = [names_or_paths]
    scenarios: list[Scenario] = []
    seen: dict[str, str] = {}
    for item in names_or_paths:
        sc = item if isinstance(item, Scenario) else load_scenario(item)
        sc = sc.with_region(region, targets)
        if sc.name in seen:
            raise ScenarioError(
                sc.path, "name", f'duplicate scenario name "{sc.name}" (also in {seen[sc.name]}); names must be unique'
            )
        seen[sc.name] = sc.path or "<scenario>"
        scenarios.append(sc)
    if not scenarios:
        raise ScenarioError(None, None, "no scenario given")
    return scenarios

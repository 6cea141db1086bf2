"""Target sets: dated goals on indicators, kept as data files (``model/data/targets/*.toml``).

A target says: indicator ``op`` value, judged at the month ending on ``date``, counting the
units it names (``units``: 设区的市, 县(市), 乡镇(街道), ...; see ``model.regions.UNITS``). A set
with absolute totals (80,000 professionals) names the regions it fits (``regions =
["hubei"]``) and is refused on any other; :func:`check_fits` says so in one line. A planner
adds a target set by dropping a TOML file in that folder or passing a path.
"""

from __future__ import annotations

import datetime as _dt
import functools
import operator
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .core.calendar import month_end
from .files import read_toml
from .indicators import INDICATORS
from .messages import one_line, quoted, shown
from .regions import UNITS

__all__ = ["Target", "TargetSet", "TargetError", "available_target_sets", "load_targets", "evaluate", "judge", "check_fits",
           "fitting_target_sets", "TARGETS_DIR", "INDICATOR_UNITS"]

TARGETS_DIR = Path(__file__).parent / "data" / "targets"
_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}


# The units each coverage indicator counts (the model computes it over exactly these);
# every other indicator is a total over the whole region.
INDICATOR_UNITS = {
    "station_coverage": "township",
    "incubator_city_coverage": "city",
    "incubator_county_coverage": "county",
    "share_urban_communities_10plus_orgs": "urban_community",
    "share_rural_communities_5plus_orgs": "rural_community",
    "volunteer_point_coverage": "facility",
    "community_fund_coverage": "facility",
    "community_worker_certified_share": "community_worker",
}
_UNIT_BY_NAME = {**{k: k for k in UNITS}, **{zh: k for k, (zh, _) in UNITS.items()}}


class TargetError(ValueError):
    """A target set the loader refuses; ``str(error)`` is one bounded line naming the file and key."""

    def __init__(self, message: str):
        super().__init__(one_line(message))


@dataclass(frozen=True)
class Target:
    id: str
    indicator: str
    op: str
    value: float
    date: pd.Timestamp
    units: str  # a key of model.regions.UNITS
    label_zh: str
    label_en: str

    @property
    def total(self) -> bool:
        """An absolute total (a count over the region), not a share or coverage."""
        return not INDICATORS[self.indicator].share

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def met(self, value: float) -> bool:
        # a tolerance for shares computed in floating point
        tol = 1e-9 * max(1.0, abs(self.value))
        if self.op in (">=", ">"):
            return bool(_OPS[self.op](value + tol, self.value))
        if self.op in ("<=", "<"):
            return bool(_OPS[self.op](value - tol, self.value))
        return abs(value - self.value) <= tol

    def met_array(self, values) -> np.ndarray:
        """``met`` for every value of an array at once (the same tolerance)."""
        values = np.asarray(values, dtype=float)
        tol = 1e-9 * max(1.0, abs(self.value))
        if self.op in (">=", ">"):
            return _OPS[self.op](values + tol, self.value)
        if self.op in ("<=", "<"):
            return _OPS[self.op](values - tol, self.value)
        return np.abs(values - self.value) <= tol


@dataclass(frozen=True)
class TargetSet:
    name: str
    title_zh: str
    title_en: str
    source: str
    targets: tuple[Target, ...]
    regions: tuple[str, ...] = ()  # the regions its totals are set for; () = any region with its units

    def __iter__(self):
        return iter(self.targets)

    def __len__(self):
        return len(self.targets)


def available_target_sets() -> list[str]:
    return sorted(p.stem for p in TARGETS_DIR.glob("*.toml"))


_TARGET_KEYS = {
    "id": "a name of letters, digits and _",
    "indicator": "an indicator name",
    "op": "one of " + ", ".join(_OPS),
    "value": "a number",
    "date": 'a date "YYYY-MM-DD"',
    "units": "the units it counts: " + ", ".join(zh for zh, _ in UNITS.values()),
    "label": 'a table { zh = "…", en = "…" }',
}
_SET_KEYS = ("name", "title", "source", "regions", "target")
_ID = re.compile(r"^[A-Za-z0-9_]+$")


def _text_table(value, where: str, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()) or \
            not set(value) <= {"zh", "en"}:
        raise TargetError(f'{where}: {key}: expected a table {{ zh = "…", en = "…" }}; got {shown(value)}')
    return value


def load_targets(name_or_path: str | Path = "hubei-47") -> TargetSet:
    """Load a target set by name (a file in ``model/data/targets``) or by path.

    A bad file raises TargetError in one line naming the file, the target and key, and
    what was expected.
    """
    if not isinstance(name_or_path, (str, Path)):
        raise TypeError(f"a target set is a name or a path; got {type(name_or_path).__name__}")
    path = Path(name_or_path)
    if not path.suffix:
        path = TARGETS_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise TargetError(
                f'{quoted(name_or_path)} is not a target set; valid ones are: {", ".join(available_target_sets())}'
            )
    _, data = read_toml(path, "a TOML target set",
                        lambda p, msg, line=None: TargetError(f"{p}:{line}: {msg}" if line else f"{p}: {msg}"))
    for key in data:
        if key not in _SET_KEYS:
            raise TargetError(f"{path}: {shown(key)}: unknown key; valid keys are: {', '.join(_SET_KEYS)}")
    rows = data.get("target", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise TargetError(f"{path}: target: expected an array of tables [[target]]; got {shown(rows)}")
    if not rows:
        raise TargetError(f"{path}: no targets; expected one [[target]] table or more")
    from .core.calendar import EARLIEST_START, LATEST_END

    targets, seen = [], set()
    for i, row in enumerate(rows):
        where = f"{path}: target {i + 1}"
        for key in row:
            if key not in _TARGET_KEYS:
                raise TargetError(f"{where}: {shown(key)}: unknown key; valid keys are: {', '.join(_TARGET_KEYS)}")
        for key in ("id", "indicator", "op", "value", "date"):
            if key not in row:
                raise TargetError(f'{where}: missing key "{key}"; expected {_TARGET_KEYS[key]}')
        tid = row["id"]
        if not isinstance(tid, str) or not _ID.match(tid):
            raise TargetError(f"{where}: id: expected {_TARGET_KEYS['id']}; got {shown(tid)}")
        if tid in seen:
            raise TargetError(f'{where}: id: a second target "{tid}"; ids must be unique')
        seen.add(tid)
        where = f'{path}: target {i + 1} ("{tid}")'
        if not isinstance(row["indicator"], str) or row["indicator"] not in INDICATORS:
            raise TargetError(
                f'{where}: indicator: {shown(row["indicator"])} is not an indicator; valid ones are: '
                f'{", ".join(INDICATORS)}'
            )
        if not isinstance(row["op"], str) or row["op"] not in _OPS:
            raise TargetError(f'{where}: op: expected one of {", ".join(_OPS)}; got {shown(row["op"])}')
        value = row["value"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or \
                abs(value) == float("inf"):
            raise TargetError(f"{where}: value: expected a finite number; got {shown(value)}")
        raw_date = row["date"]
        date = None
        if isinstance(raw_date, _dt.date) and not isinstance(raw_date, _dt.datetime):
            date = pd.Timestamp(raw_date)
        elif isinstance(raw_date, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", raw_date.strip()):
            try:
                date = pd.Timestamp(_dt.date.fromisoformat(raw_date.strip()))
            except ValueError:
                date = None
        if date is None:
            raise TargetError(f"{where}: date: expected {_TARGET_KEYS['date']}; got {shown(raw_date)}")
        if not (EARLIEST_START <= date <= LATEST_END):
            raise TargetError(f"{where}: date: {date:%Y-%m-%d} is outside the model's calendar "
                              f"{EARLIEST_START:%Y-%m} to {LATEST_END:%Y-%m}")
        counted = INDICATOR_UNITS.get(row["indicator"], "region")
        units = row.get("units", counted)
        if not isinstance(units, str) or units not in _UNIT_BY_NAME:
            raise TargetError(f"{where}: units: expected {_TARGET_KEYS['units']}; got {shown(units)}")
        units = _UNIT_BY_NAME[units]
        if units != counted:
            raise TargetError(f'{where}: units: "{row["indicator"]}" counts {UNITS[counted][0]} '
                              f"({UNITS[counted][1]}), not {UNITS[units][0]}")
        label = _text_table(row.get("label", {}), where, "label")
        targets.append(
            Target(
                id=tid,
                indicator=row["indicator"],
                op=row["op"],
                value=float(value),
                date=date,
                units=units,
                label_zh=label.get("zh", label.get("en", tid)),
                label_en=label.get("en", label.get("zh", tid)),
            )
        )
    title = _text_table(data.get("title", {}), str(path), "title")
    name = data.get("name", path.stem)
    source = data.get("source", "")
    for key, value in (("name", name), ("source", source)):
        if not isinstance(value, str):
            raise TargetError(f"{path}: {key}: expected a text; got {shown(value)}")
    regions = data.get("regions", [])
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise TargetError(f'{path}: regions: expected a list of region names, e.g. ["hubei"]; got {shown(regions)}')
    totals = [t for t in targets if t.total]
    if totals and not regions:
        t = totals[0]
        raise TargetError(f'{path}: target "{t.id}" is an absolute total ({t.indicator} {t.op} {t.value:g}); '
                          'name the regions it is set for, e.g. regions = ["hubei"]')
    return TargetSet(name, title.get("zh", name), title.get("en", name), source, tuple(targets), tuple(regions))


def check_fits(targets: TargetSet | str | Path, region) -> None:
    """Refuse (TargetError, one line) a target set on a region it does not fit.

    It does not fit when it sets absolute totals for other regions, or when a target counts
    units the region has none of (a 设区的市 target on one county).
    """
    from .regions import Region, load_region

    ts = load_targets(targets) if isinstance(targets, str | Path) else targets
    reg = region if isinstance(region, Region) else load_region(region)
    fitting = fitting_target_sets(reg)
    own = f"; use {', '.join(fitting)}" if fitting else ""
    if ts.regions and reg.name not in ts.regions:
        t = next(t for t in ts if t.total)
        raise TargetError(f'target set "{ts.name}" sets totals for {", ".join(ts.regions)} '
                          f'({t.indicator} {t.op} {t.value:g}) and does not fit region "{reg.name}"{own}')
    counts = reg.unit_counts()
    for t in ts:
        if counts[t.units] == 0:
            zh, en = UNITS[t.units]
            raise TargetError(f'target set "{ts.name}": target "{t.id}" counts {zh} ({en}) and region '
                              f'"{reg.name}" has none{own}')


def fitting_target_sets(region) -> list[str]:
    """The shipped target sets that fit ``region``, its own first."""
    from .regions import Region, load_region

    reg = region if isinstance(region, Region) else load_region(region)
    counts = reg.unit_counts()
    fit = []
    for name in sorted(available_target_sets(), key=lambda n: n != reg.targets):
        try:
            ts = load_targets(name)
        except TargetError:
            continue
        if (not ts.regions or reg.name in ts.regions) and all(counts[t.units] for t in ts):
            fit.append(name)
    return fit


@functools.lru_cache(maxsize=1024)
def _window_end(date: pd.Timestamp) -> np.datetime64:
    """The end of the month holding ``date``: a run reaches a target's date once its months reach this."""
    return month_end(date).to_datetime64()


def judge(dates, column, targets) -> list[tuple[float, bool, pd.Timestamp]]:
    """Each target's ``(value, met, first_met)`` from a run's month ends and its indicator columns.

    ``dates`` are the run's months in order (datetime values); ``column(name)`` gives that
    indicator's values, one per month. The value is the one of the last month ending on
    or before the target's date (NaN when the run ends before that month ends); met
    says whether it meets the target; first_met is the first month whose value meets it
    (NaT if none). :func:`evaluate` is this rule as a table; the experiment runner calls
    it on every run without building one.
    """
    dates = np.asarray(dates)
    if dates.dtype.kind != "M":
        dates = dates.astype("datetime64[ns]")
    known = ~np.isnat(dates)
    last = dates[known].max() if known.any() else None
    out = []
    for t in targets:
        values = np.asarray(column(t.indicator), dtype=float)
        upto = np.flatnonzero(dates <= t.date.to_datetime64())
        in_window = len(upto) > 0 and last is not None and last >= _window_end(t.date)
        value = float(values[upto[-1]]) if in_window else float("nan")
        met_mask = t.met_array(values) & known
        first = pd.Timestamp(dates[met_mask].min()) if met_mask.any() else pd.NaT
        out.append((value, bool(in_window and t.met(value)), first))
    return out


def evaluate(frame: pd.DataFrame, targets: TargetSet | str = "hubei-47", region=None) -> pd.DataFrame:
    """Judge a run's frame (date index, indicator columns) against a target set.

    One row per target: the units it counts, the value at its date (the last month ending
    on or before the date; NaN when the run ends earlier), met or not, and the first month
    it was met. With ``region`` (or a frame whose ``attrs["region"]`` names one) a target
    set that does not fit the region is refused (TargetError).
    """
    if isinstance(targets, str | Path):
        targets = load_targets(targets)
    region = region if region is not None else frame.attrs.get("region")
    if region is not None:
        check_fits(targets, region)
    judged = judge(frame.index, lambda name: frame[name].to_numpy(), targets)
    rows = []
    for t, (value, met, first) in zip(targets, judged, strict=True):
        rows.append(
            {
                "target": t.id,
                "indicator": t.indicator,
                "units": t.units,
                "op": t.op,
                "goal": t.value,
                "date": t.date,
                "value": value,
                "met": met,
                "first_met": first,
                "label_zh": t.label_zh,
                "label_en": t.label_en,
            }
        )
    return pd.DataFrame(rows)

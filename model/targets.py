"""Target sets: dated goals on indicators, kept as data files (``model/data/targets/*.toml``).

A target says: indicator ``op`` value, judged at the month ending on ``date``. A planner
adds a target set by dropping a TOML file in that folder or passing a path.
"""

from __future__ import annotations

import datetime as _dt
import operator
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .files import read_toml
from .indicators import INDICATORS
from .messages import one_line, quoted, shown

__all__ = ["Target", "TargetSet", "available_target_sets", "load_targets", "evaluate", "TARGETS_DIR"]

TARGETS_DIR = Path(__file__).parent / "data" / "targets"
_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}


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
    scope: str
    label_zh: str
    label_en: str

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
    "scope": "a text such as region or province",
    "label": 'a table { zh = "…", en = "…" }',
}
_SET_KEYS = ("name", "title", "source", "target")
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
        scope = row.get("scope", "region")
        if not isinstance(scope, str):
            raise TargetError(f"{where}: scope: expected {_TARGET_KEYS['scope']}; got {shown(scope)}")
        label = _text_table(row.get("label", {}), where, "label")
        targets.append(
            Target(
                id=tid,
                indicator=row["indicator"],
                op=row["op"],
                value=float(value),
                date=date,
                scope=scope,
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
    return TargetSet(name, title.get("zh", name), title.get("en", name), source, tuple(targets))


def evaluate(frame: pd.DataFrame, targets: TargetSet | str = "hubei-47") -> pd.DataFrame:
    """Judge a run's frame (date index, indicator columns) against a target set.

    One row per target: the value at its date (the last month ending on or before the
    date; NaN when the run ends earlier), met or not, and the first month it was met.
    """
    if isinstance(targets, str):
        targets = load_targets(targets)
    rows = []
    for t in targets:
        series = frame[t.indicator]
        at = series[series.index <= t.date]
        in_window = len(at) > 0 and frame.index.max() >= t.date - pd.offsets.MonthEnd(0)
        value = float(at.iloc[-1]) if in_window else float("nan")
        met_mask = t.met_array(series.to_numpy())
        first = series.index[met_mask].min() if met_mask.any() else pd.NaT
        rows.append(
            {
                "target": t.id,
                "indicator": t.indicator,
                "op": t.op,
                "goal": t.value,
                "date": t.date,
                "value": value,
                "met": bool(in_window and t.met(value)),
                "first_met": first,
                "label_zh": t.label_zh,
                "label_en": t.label_en,
            }
        )
    return pd.DataFrame(rows)

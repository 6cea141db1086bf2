"""Target sets: dated goals on indicators, kept as data files (``model/data/targets/*.toml``).

A target says: indicator ``op`` value, judged at the month ending on ``date``. A planner
adds a target set by dropping a TOML file in that folder or passing a path.
"""

from __future__ import annotations

import operator
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .indicators import INDICATORS

__all__ = ["Target", "TargetSet", "available_target_sets", "load_targets", "evaluate", "TARGETS_DIR"]

TARGETS_DIR = Path(__file__).parent / "data" / "targets"
_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}


class TargetError(ValueError):
    pass


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


def load_targets(name_or_path: str | Path = "hubei-47") -> TargetSet:
    """Load a target set by name (a file in ``model/data/targets``) or by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = TARGETS_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise TargetError(
                f'"{name_or_path}" is not a target set; valid ones are: {", ".join(available_target_sets())}'
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{path}: not valid TOML: {exc}") from None
    targets = []
    for i, row in enumerate(data.get("target", [])):
        where = f"{path}: target {i + 1}"
        for key in ("id", "indicator", "op", "value", "date"):
            if key not in row:
                raise TargetError(f'{where}: missing key "{key}"')
        if row["indicator"] not in INDICATORS:
            raise TargetError(f'{where}: "{row["indicator"]}" is not an indicator; valid ones are: {", ".join(INDICATORS)}')
        if row["op"] not in _OPS:
            raise TargetError(f'{where}: op must be one of {", ".join(_OPS)}; got {row["op"]!r}')
        label = row.get("label", {})
        targets.append(
            Target(
                id=row["id"],
                indicator=row["indicator"],
                op=row["op"],
                value=float(row["value"]),
                date=pd.Timestamp(str(row["date"])),
                scope=row.get("scope", "region"),
                label_zh=label.get("zh", row["id"]),
                label_en=label.get("en", row["id"]),
            )
        )
    title = data.get("title", {})
    name = data.get("name", path.stem)
    return TargetSet(name, title.get("zh", name), title.get("en", name), data.get("source", ""), tuple(targets))


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

"""Observations: what was recorded up to 2022-12-31, to hold the model's history against.

An observations file (``model/data/observed/REGION.toml``) lists figures of model/data/sources.toml that an
indicator can be compared with: date, indicator, area, value, an uncertainty from the
source's confidence rating, and the source. The backcast tests, calibration and the plots'
data overlays read it through :func:`load_observations`::

    obs = model.load_observations("hubei")        # one row per observation
    obs[["date", "indicator", "value", "low", "high", "source"]]

``low`` and ``high`` are the range an observation allows: ``value × (1 ∓ uncertainty)``, an
explicit range, or, for a "more than" figure, ``value × (1 − uncertainty)`` and no ceiling.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd

from .core.calendar import month_end
from .indicators import INDICATORS

__all__ = ["ObservationError", "DERIVED", "OBSERVED_DIR", "available_observations", "load_observations",
           "derived_series"]

OBSERVED_DIR = Path(__file__).parent / "data" / "observed"

# Indicators an observation may name beyond the recorded ones: name -> (numerator, denominator)
DERIVED = {"talent_per_certified": ("sw_talent", "sw_certified")}
CONFIDENCE = ("H", "M", "L", "EST")
BOUNDS = ("point", "lower")
MEASURES = ("value", "count")
COLUMNS = ["date", "indicator", "area", "value", "low", "high", "bound", "measure", "conf", "uncertainty",
           "cumulative_from", "facts", "source", "note"]
_KEYS = {"date", "indicator", "area", "value", "low", "high", "bound", "measure", "conf", "uncertainty",
         "cumulative_from", "facts", "source", "note"}


class ObservationError(ValueError):
    """A bad observations file: the message names the file, the row and the key."""


def available_observations() -> list[str]:
    return sorted(p.stem for p in OBSERVED_DIR.glob("*.toml"))


def _number(where: str, key: str, x) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise ObservationError(f"{where}: {key} must be a number; got {x!r}")
    return float(x)


def load_observations(name_or_path: str | Path = "hubei") -> pd.DataFrame:
    """The observations of a region (a name in ``model/data/observed``) or a file, one row each.

    Columns: date (the month-end it refers to), indicator, area ("province" or a prefecture
    name), value, low, high (the range it allows), bound, measure ("value", or "count" of
    units whose share the indicator is), conf, uncertainty, cumulative_from, facts, source, note.
    """
    path = Path(name_or_path)
    if not path.suffix:
        path = OBSERVED_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise ObservationError(f'"{name_or_path}" has no observations file; valid ones are: '
                                   f'{", ".join(available_observations())}')
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ObservationError(f"{path}: cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ObservationError(f"{path}: not valid TOML: {exc}") from None
    widths = data.get("uncertainty", {})
    missing = [c for c in CONFIDENCE if c not in widths]
    if missing:
        raise ObservationError(f"{path}: [uncertainty] lacks {', '.join(missing)} (a relative half-width per rating)")
    for c in CONFIDENCE:
        _number(f"{path}: [uncertainty]", c, widths[c])
    rows = data.get("observation")
    if not isinstance(rows, list) or not rows:
        raise ObservationError(f"{path}: no [[observation]] entries")
    out = []
    for i, row in enumerate(rows):
        where = f"{path}: observation {i + 1}"
        unknown = sorted(set(row) - _KEYS)
        if unknown:
            raise ObservationError(f'{where}: unknown key "{unknown[0]}"; valid ones are: {", ".join(sorted(_KEYS))}')
        for key in ("date", "indicator", "conf", "source"):
            if key not in row:
                raise ObservationError(f'{where}: missing key "{key}"')
        ind = row["indicator"]
        if ind not in INDICATORS and ind not in DERIVED:
            raise ObservationError(f'{where}: indicator "{ind}" is not an indicator; valid ones are: '
                                   f'{", ".join([*INDICATORS, *DERIVED])}')
        try:
            date = month_end(str(row["date"]))
        except ValueError:
            raise ObservationError(f'{where}: date must be "YYYY-MM-DD" or "YYYY-MM"; got {row["date"]!r}') from None
        conf = row["conf"]
        if conf not in CONFIDENCE:
            raise ObservationError(f'{where}: conf must be one of {", ".join(CONFIDENCE)}; got {conf!r}')
        bound = row.get("bound", "point")
        if bound not in BOUNDS:
            raise ObservationError(f'{where}: bound must be one of {", ".join(BOUNDS)}; got {bound!r}')
        measure = row.get("measure", "value")
        if measure not in MEASURES:
            raise ObservationError(f'{where}: measure must be one of {", ".join(MEASURES)}; got {measure!r}')
        has_range = "low" in row or "high" in row
        if has_range == ("value" in row):
            raise ObservationError(f'{where}: give either "value" or "low" and "high"')
        unc = _number(where, "uncertainty", row.get("uncertainty", widths[conf]))
        if not 0 <= unc < 1:
            raise ObservationError(f"{where}: uncertainty must be in [0, 1); got {unc}")
        if has_range:
            if "low" not in row or "high" not in row:
                raise ObservationError(f'{where}: a range needs both "low" and "high"')
            low, high = _number(where, "low", row["low"]), _number(where, "high", row["high"])
            if low > high:
                raise ObservationError(f"{where}: low {low:g} is above high {high:g}")
            value = (low + high) / 2
        else:
            value = _number(where, "value", row["value"])
            low = value * (1 - unc)
            high = math.inf if bound == "lower" else value * (1 + unc)
        cum = row.get("cumulative_from")
        if cum is not None and not (ind in INDICATORS and INDICATORS[ind].cumulative):
            raise ObservationError(f'{where}: cumulative_from is only for cumulative indicators; "{ind}" is not one')
        out.append({
            "date": date, "indicator": ind, "area": row.get("area", "province"), "value": value,
            "low": low, "high": high, "bound": bound, "measure": measure, "conf": conf, "uncertainty": unc,
            "cumulative_from": pd.Timestamp(str(cum)) if cum is not None else pd.NaT,
            "facts": row.get("facts", ""), "source": row["source"], "note": row.get("note", ""),
        })
    frame = pd.DataFrame(out, columns=COLUMNS).sort_values(["indicator", "area", "date"], kind="stable")
    frame.attrs.update(region=data.get("region", path.stem), source=data.get("source", ""), path=str(path))
    return frame.reset_index(drop=True)


def derived_series(frame: pd.DataFrame, name: str) -> pd.Series:
    """A recorded indicator, or a derived one (``DERIVED``) computed from a run's frame."""
    if name in DERIVED:
        num, den = DERIVED[name]
        return frame[num] / frame[den].where(frame[den] > 0)
    return frame[name]

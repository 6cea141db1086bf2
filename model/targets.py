"""Target sets: dated goals on indicators, kept as data files (``model/data/targets/*.toml``).

A target says: indicator ``op`` value, judged at the month ending on ``date``, counting the
units it names (``units``: 设区的市, 县(市), 乡镇(街道), ...; see ``model.regions.UNITS``). A set
with absolute totals (80,000 professionals) names the regions it fits (``regions =
["hubei"]``) and is refused on any other; :func:`check_fits` says so in one line. A planner
adds a target set by dropping a TOML file in that folder or passing a path.
"""

from __future__ import annotations

import operator
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .indicators import INDICATORS
from .regions import UNITS

__all__ = ["Target", "TargetSet", "TargetError", "available_target_sets", "load_targets", "evaluate", "check_fits",
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
    pass


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
        units = str(row.get("units", INDICATOR_UNITS.get(row["indicator"], "region")))
        if units not in _UNIT_BY_NAME:
            raise TargetError(f'{where}: units must be one of {", ".join(zh for zh, _ in UNITS.values())}; '
                              f"got {units!r}")
        units = _UNIT_BY_NAME[units]
        counted = INDICATOR_UNITS.get(row["indicator"], "region")
        if units != counted:
            raise TargetError(f'{where}: "{row["indicator"]}" counts {UNITS[counted][0]} ({UNITS[counted][1]}), '
                              f"not {UNITS[units][0]}")
        label = row.get("label", {})
        targets.append(
            Target(
                id=row["id"],
                indicator=row["indicator"],
                op=row["op"],
                value=float(row["value"]),
                date=pd.Timestamp(str(row["date"])),
                units=units,
                label_zh=label.get("zh", row["id"]),
                label_en=label.get("en", row["id"]),
            )
        )
    regions = data.get("regions", [])
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise TargetError(f'{path}: regions must be a list of region names, e.g. ["hubei"]; got {regions!r}')
    totals = [t for t in targets if t.total]
    if totals and not regions:
        t = totals[0]
        raise TargetError(f'{path}: target "{t.id}" is an absolute total ({t.indicator} {t.op} {t.value:g}); '
                          'name the regions it is set for, e.g. regions = ["hubei"]')
    title = data.get("title", {})
    name = data.get("name", path.stem)
    return TargetSet(name, title.get("zh", name), title.get("en", name), data.get("source", ""), tuple(targets),
                     tuple(regions))


def check_fits(targets: TargetSet | str, region) -> None:
    """Refuse (TargetError, one line) a target set on a region it does not fit.

    It does not fit when it sets absolute totals for other regions, or when a target counts
    units the region has none of (a 设区的市 target on one county).
    """
    from .regions import Region, load_region

    ts = load_targets(targets) if isinstance(targets, str | Path) else targets
    reg = region if isinstance(region, Region) else load_region(region)
    own = f'; use {", ".join(fitting_target_sets(reg))}' if fitting_target_sets(reg) else ""
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
    names = sorted(available_target_sets(), key=lambda n: n != reg.targets)
    fit = []
    for name in names:
        try:
            ts = load_targets(name)
        except TargetError:
            continue
        counts = reg.unit_counts()
        if (not ts.regions or reg.name in ts.regions) and all(counts[t.units] for t in ts):
            fit.append(name)
    return fit


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
    rows = []
    for t in targets:
        series = frame[t.indicator]
        at = series[series.index <= t.date]
        in_window = len(at) > 0 and frame.index.max() >= t.date - pd.offsets.MonthEnd(0)
        value = float(at.iloc[-1]) if in_window else float("nan")
        met_mask = series.apply(t.met)
        first = series.index[met_mask.to_numpy()].min() if met_mask.any() else pd.NaT
        rows.append(
            {
                "target": t.id,
                "indicator": t.indicator,
                "units": t.units,
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

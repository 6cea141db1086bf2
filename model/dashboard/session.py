"""One classroom session: the live run, its baseline twin, the levers and the marks.

Plain Python, no widgets: the page (``app.py``) draws what this holds, the tests and the
benchmark drive it directly. Each browser session (and each notebook display) owns one
``Session``; nothing here is shared between sessions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..params import SCHEMA
from ..targets import TargetSet, load_targets

__all__ = ["Session", "LEVERS", "REGIONS", "scenario_names", "target_status", "DEFAULT_WINDOW"]

# The regions a class picks from (the province is too large to watch month by month).
REGIONS = ("demo", "linhai")
# Levers, in schema order: the controls are generated from these.
LEVERS = [p for p in SCHEMA.values() if p.kind == "lever"]
DEFAULT_WINDOW = ("2021-01", "2025-12")


def _model_class():
    from ..simulation import FiveSocietyModel

    return FiveSocietyModel


def scenario_names() -> list[str]:
    """Scenario files to start from; ``baseline`` (the schema defaults) always comes first."""
    try:
        from ..scenarios import available_scenarios

        names = list(available_scenarios())
    except Exception:  # noqa: BLE001 - no scenario files: the defaults are the only start
        names = []
    return ["baseline"] + [n for n in names if n != "baseline"]


@dataclass
class Start:
    """What a run starts from: a scenario's values and dated changes, on the chosen region."""

    name: str = "baseline"
    params: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    start: str = DEFAULT_WINDOW[0]
    end: str = DEFAULT_WINDOW[1]
    title: dict[str, str] = field(default_factory=dict)
    targets: str = "hubei-47"

    @classmethod
    def load(cls, name: str, region: str) -> Start:
        if name == "baseline":
            try:
                from ..scenarios import available_scenarios, load_scenario

                if "baseline" in available_scenarios():
                    return cls._from_scenario(load_scenario("baseline", region=region))
            except ImportError:
                pass
            return cls()
        from ..scenarios import load_scenario

        return cls._from_scenario(load_scenario(name, region=region))

    @classmethod
    def _from_scenario(cls, sc) -> Start:
        targets = sc.targets if isinstance(sc.targets, str) else "hubei-47"
        return cls(sc.name, dict(sc.params), {d: dict(v) for d, v in sc.changes.items()}, sc.start, sc.end,
                   dict(sc.title), targets)

    def label(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title.get("en") or self.name


class Session:
    """A live run with its levers, and (on request) the same seed under the baseline.

    Parameters
    ----------
    region, seed, scenario:
        What to run: a region of ``REGIONS`` (any region the model knows is accepted),
        the seed shared by the live run and its baseline twin, a scenario to start from.
    compare:
        Also run the baseline scenario with the same seed, month by month beside the
        live run (common random numbers: the difference is the levers' effect).
    """

    def __init__(self, region: str = "demo", seed: int = 0, scenario: str = "baseline", compare: bool = False):
        self.lock = threading.RLock()
        self.region = region
        self.seed = int(seed)
        self.scenario = scenario
        self.compare = bool(compare)
        self.start = Start.load(scenario, region)
        self.levers: dict[str, Any] = {}
        self.marks: dict[pd.Timestamp, dict[str, Any]] = {}
        self.model = None
        self.baseline = None
        self._frames: dict[int, tuple] = {}
        self.lever_version = 0  # counts lever moves made by the run itself (scenario dates)
        self.targets: TargetSet = load_targets(self.start.targets)
        self.reset()

    # ---- set-up -------------------------------------------------------------------------
    def _levers_of(self, start: Start) -> dict[str, Any]:
        values = {p.name: p.default for p in LEVERS}
        values.update({k: v for k, v in start.params.items() if k in values})
        return values

    def _new_model(self, params: dict, changes: dict):
        return _model_class()(region=self.region, seed=self.seed, start=self.start.start, end=self.start.end,
                              params=dict(params), changes={d: dict(v) for d, v in changes.items()})

    def reset(self, region: str | None = None, seed: int | None = None, scenario: str | None = None) -> None:
        """Start again from the first month.

        A new region or scenario loads that scenario's lever values; otherwise the run
        starts from the levers as they are now (as NetLogo's setup reads the sliders).
        """
        with self.lock:
            reload = (region is not None and region != self.region) or (
                scenario is not None and scenario != self.scenario) or not self.levers
            self.region = region or self.region
            self.seed = int(self.seed if seed is None else seed)
            self.scenario = scenario or self.scenario
            if reload:
                self.start = Start.load(self.scenario, self.region)
                self.targets = load_targets(self.start.targets)
                self.levers = self._levers_of(self.start)
            params = dict(self.start.params)
            params.update(self.levers)
            self._frames = {}
            self.model = self._new_model(params, self.start.changes)
            self.marks = {}
            self.baseline = None
            if self.compare:
                self._start_baseline()

    def _start_baseline(self) -> None:
        base = Start.load("baseline", self.region)
        self.baseline = _model_class()(region=self.region, seed=self.seed, start=self.start.start,
                                       end=self.start.end, params=dict(base.params),
                                       changes={d: dict(v) for d, v in base.changes.items()})
        self._frames.pop(id(self.baseline), None)
        self._catch_up()

    def _catch_up(self) -> None:
        if self.baseline is None:
            return
        while self.baseline.running and self.months_done(self.baseline) < self.months_done(self.model):
            self.baseline.step()

    def set_compare(self, on: bool) -> None:
        """Turn the baseline twin on (it catches up with the live run) or off."""
        with self.lock:
            self.compare = bool(on)
            if self.compare and self.baseline is None:
                self._start_baseline()
            elif not self.compare:
                self.baseline = None

    # ---- running ------------------------------------------------------------------------
    def months_done(self, model) -> int:
        return len(self._frame_of(model).index) if model is not None else 0

    def _frame_of(self, model) -> pd.DataFrame:
        """The model's frame, built once per month (the views read it many times a redraw)."""
        key = (id(model), int(getattr(model, "steps", 0)), len(getattr(model, "change_log", ())))
        cached = self._frames.get(id(model))
        if cached is None or cached[0] != key:
            cached = (key, model.frame())
            self._frames[id(model)] = cached
        return cached[1]

    @property
    def running(self) -> bool:
        return bool(self.model.running)

    @property
    def date(self) -> pd.Timestamp | None:
        """The month-end of the last completed month; None before the first step."""
        return self.model.date if self.months_done(self.model) else None

    @property
    def next_date(self) -> pd.Timestamp:
        """The month-end of the month the next Step runs."""
        if self.months_done(self.model):
            return (self.model.date + pd.offsets.MonthEnd(1)).normalize()
        return pd.Period(self.start.start, "M").to_timestamp(how="end").normalize()

    def step(self) -> bool:
        """Run one month (and the baseline's same month); False when the run has ended."""
        with self.lock:
            if not self.model.running:
                return False
            self.model.step()
            if self.baseline is not None and self.baseline.running:
                self.baseline.step()
            self._follow_model_levers()
            return True

    def _follow_model_levers(self) -> None:
        """A scenario's dated change moves a lever inside the model: show it on the controls."""
        params = getattr(self.model, "params", None)
        for name in self.levers:
            value = getattr(params, name, self.levers[name])
            if value != self.levers[name]:
                self.levers[name] = value
                self.lever_version += 1

    def set_lever(self, name: str, value: Any) -> bool:
        """Move a lever: it takes effect from the next month and is marked there.

        Returns False (and changes nothing) when the value is the lever's current one.
        """
        parameter = SCHEMA[name]
        if parameter.kind != "lever":
            raise ValueError(f'"{name}" is a {parameter.kind}, not a lever; levers are: '
                             f'{", ".join(p.name for p in LEVERS)}')
        value = parameter.coerce(value)
        with self.lock:
            if self.levers.get(name) == value:
                return False
            self.levers[name] = value
            self.model.set_params({name: value})
            self.marks.setdefault(self.next_date, {})[name] = value
            return True

    # ---- reading --------------------------------------------------------------------------
    def lever_marks(self) -> list[tuple[pd.Timestamp, dict[str, Any]]]:
        """Every lever change of this run, dated by the month it takes effect: the
        scenario's own dated changes and the ones made on the page."""
        marks: dict[pd.Timestamp, dict[str, Any]] = {}
        for month, levers in self.start.changes.items():
            marks.setdefault(pd.Period(month, "M").to_timestamp(how="end").normalize(), {}).update(levers)
        for date, levers in self.marks.items():
            marks.setdefault(date, {}).update(levers)
        return sorted(marks.items())

    def frame(self) -> pd.DataFrame:
        return self._frame_of(self.model)

    def baseline_frame(self) -> pd.DataFrame | None:
        return self._frame_of(self.baseline) if self.baseline is not None else None

    def checklist(self) -> list[dict[str, Any]]:
        """One row per target: its date, goal, value now (and the baseline's), status.

        Status: ``met`` or ``missed`` once the date has passed (judged on that month);
        before it ``met`` when the value already meets the goal, else ``on_track`` or
        ``off_track`` by the trend of the last twelve months carried to the date;
        ``pending`` before the first month.
        """
        frame = self.frame()
        base = self.baseline_frame()
        rows = []
        for t in self.targets:
            now = _latest(frame, t.indicator)
            row = {
                "id": t.id,
                "target": t,
                "indicator": t.indicator,
                "date": t.date,
                "goal": t.value,
                "op": t.op,
                "now": now,
                "status": target_status(frame, t),
                "baseline": _latest(base, t.indicator) if base is not None else None,
                "baseline_status": target_status(base, t) if base is not None else None,
            }
            rows.append(row)
        return rows

    def township_table(self) -> pd.DataFrame:
        """Townships with their station, staff and communities' totals (for the map's tooltips)."""
        c, t = self.model.communities, self.model.townships
        n = int(t.n)
        orgs = np.bincount(c.township, weights=c.orgs, minlength=n)
        return pd.DataFrame({"name": list(t.name)[:n], "station": np.asarray(t.has_station, bool)[:n],
                             "sw_staff": np.asarray(t.sw_staff)[:n], "orgs": orgs})


def _latest(frame: pd.DataFrame | None, column: str) -> float | None:
    if frame is None or frame.empty or column not in frame:
        return None
    value = frame[column].iloc[-1]
    return None if pd.isna(value) else float(value)


def target_status(frame: pd.DataFrame | None, target) -> str:
    """``met``, ``missed``, ``on_track``, ``off_track`` or ``pending`` (see Session.checklist)."""
    if frame is None or frame.empty or target.indicator not in frame:
        return "pending"
    series = frame[target.indicator].dropna()
    if series.empty:
        return "pending"
    last = series.index[-1]
    if last >= target.date:
        at = series[series.index <= target.date]
        return "met" if target.met(float(at.iloc[-1])) else "missed"
    now = float(series.iloc[-1])
    if target.met(now):
        return "met"
    recent = series.iloc[-13:]
    if len(recent) < 2:
        return "off_track"
    months = (target.date.year - last.year) * 12 + target.date.month - last.month
    slope = (float(recent.iloc[-1]) - float(recent.iloc[0])) / (len(recent) - 1)
    return "on_track" if target.met(now + slope * months) else "off_track"

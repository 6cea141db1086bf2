"""One classroom session: the live run, the baseline to compare with, the levers and the marks.

Plain Python, no widgets: the page (``app.py``) draws what this holds, the tests and the
benchmark drive it directly. Each browser session (and each notebook display) owns one
``Session``; nothing here is shared between sessions.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from ..core.calendar import month_end, month_index
from ..params import SCHEMA
from ..scenarios import Scenario, available_scenarios, load_scenario
from ..targets import TargetSet, load_targets
from ..text import choice_label, parameter_label, switch_label
from ..text import t as tr

__all__ = ["Session", "LEVERS", "LEVER_GROUPS", "lever_groups", "PARTNERS", "dependency_note", "REGIONS", "scenario_names",
           "target_status", "DEFAULT_WINDOW", "BAND_SEEDS", "BAND_MODES", "STEP_TURNS", "FairTurns", "baseline_runs",
           "region_posterior", "start_scenario"]

# The regions a class picks from (the province is too large to watch month by month).
REGIONS = ("demo", "linhai")
# Levers, in schema order: the controls are generated from these.
LEVERS = [p for p in SCHEMA.values() if p.kind == "lever"]
DEFAULT_WINDOW = ("2021-01", "2025-12")

# The levers on the page, grouped by the society they act through (labels: model/text.py "group_<key>").
# A lever the model gains later and no group names lands in "other", so no lever is ever hidden.
LEVER_GROUPS: dict[str, tuple[str, ...]] = {
    "community": ("station_build_share", "admin_share_cap", "brand_project_yuan", "digital_platform",
                  "needs_assessment_share", "party_building", "cw_posts_per_10k"),
    "social_workers": ("sw_pay_ratio", "cert_allowance_yuan", "exam_training_yuan"),
    "organisations": ("incubator_city_share", "incubator_county_share", "incubator_street_share",
                      "startup_grant_yuan", "venture_budget_yuan_per_10k", "venture_grant_yuan"),
    "volunteers": ("volunteer_point_share", "volunteer_incentive_yuan"),
    "charity": ("community_fund_share", "charity_match_ratio", "match_fund_public_yuan_per_10k",
                "charity_project_share"),
    "money": ("station_budget_yuan", "procurement_mode", "direct_share", "contract_years", "renewal_rule",
              "evaluation_basis", "evaluation_pass_mark", "fiscal_squeeze", "extra_budget_yuan_per_10k",
              "budget_priority", "funding_township_share", "funding_lottery_share", "funding_charity_share"),
}

# The baseline band: the baseline scenario over this many seeds (the session's own seed and the next ones).
BAND_SEEDS = 8
# What the band counts: chance only (seeds, the schema's values), or chance and parameters (seed ``s``
# with posterior draw ``s mod n``, the rule of ``Experiment(uncertainty="posterior")``).
BAND_MODES = ("seed", "posterior")


def lever_groups() -> list[tuple[str, list]]:
    """``[(group, [Parameter, ...]), ...]`` in the order of ``LEVER_GROUPS``; unknown levers under "other"."""
    by_name = {p.name: p for p in LEVERS}
    groups = [(key, [by_name[n] for n in names if n in by_name]) for key, names in LEVER_GROUPS.items()]
    placed = {n for names in LEVER_GROUPS.values() for n in names}
    other = [p for p in LEVERS if p.name not in placed]
    if other:
        groups.append(("other", other))
    return [(key, params) for key, params in groups if params]


# The levers another lever acts through (the schema's ``needs``): moving one redraws the notes.
PARTNERS = frozenset(p.needs[0] for p in LEVERS if p.needs)

_OPS = {"=": "=", "==": "=", "!=": "≠", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def _value_text(name: str, value: Any, lang: str) -> str:
    """A lever's value as its control shows it: a choice or switch in words, a number plainly."""
    p = SCHEMA[name]
    if p.type == "choice":
        return choice_label(name, value, lang)
    if p.type == "bool":
        return switch_label(bool(value), lang)
    return f"{value:,.0f}" if abs(float(value)) >= 1000 else f"{float(value):g}"


def dependency_note(parameter, levers: Mapping[str, Any], lang: str = "en") -> tuple[bool, str] | None:
    """For a lever that acts only with a partner lever (the schema's ``needs``): whether it acts
    with the levers at ``levers`` (``Parameter.acts_with``) and the note shown beside its control
    in ``lang``, naming the partner, the state it needs and the state it is in. None for a lever
    that acts alone."""
    if not parameter.needs:
        return None
    partner, when, _ = parameter.needs
    op, _, wanted = when.strip().partition(" ")
    p = SCHEMA[partner]
    if p.type in ("choice", "bool"):
        wanted = _value_text(partner, p.coerce(wanted), lang)
    value = levers[partner] if partner in levers else p.default
    acts = parameter.acts_with(levers)
    text = tr("lever_needs_acts" if acts else "lever_needs_inert", lang, partner=parameter_label(partner, lang),
              when=f"{_OPS.get(op, op)} {wanted}", value=_value_text(partner, value, lang))
    return acts, text


class FairTurns:
    """A first-come, first-served turnstile for the months of every session in this process.

    Each session holds at most one place in the queue (its Play loop or its Step click waits
    for its month to finish before asking again), so while any session waits no other
    session runs two months: 30 sessions playing at full speed advance round-robin and a
    fast Play cannot starve a slow Step. ``slots`` months may run at once (the model's
    numpy work releases the interpreter lock part of the time).
    """

    def __init__(self, slots: int = 1):
        self.slots = int(slots)
        self._cond = threading.Condition()
        self._queue: deque = deque()
        self._busy = 0

    @contextmanager
    def turn(self):
        me = object()
        with self._cond:
            self._queue.append(me)
            while self._queue[0] is not me or self._busy >= self.slots:
                self._cond.wait()
            self._queue.popleft()
            self._busy += 1
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    @property
    def waiting(self) -> int:
        return len(self._queue)


STEP_TURNS = FairTurns(slots=1)

# Whole baseline runs, shared by every session of the process: they depend only on the region,
# the window, the seed and (with parameter uncertainty) the posterior draw, never on a student's
# levers. Key: (region, start, end, seed, baseline values, dated changes, draw values).
_BASELINES: dict[tuple, pd.DataFrame] = {}
_BASELINES_LOCK = threading.Lock()
# The band of a set of baseline runs over the whole window, computed once (key: the runs' keys).
_BANDS: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}


def _baseline_keys(region: str, start: str, end: str, seeds: list[int],
                   draws: dict[int, dict[str, Any]] | None = None) -> list[tuple]:
    base = start_scenario("baseline", region)
    values = tuple(sorted((k, repr(v)) for k, v in base.params.items()))
    changes = tuple(sorted((d, tuple(sorted((k, repr(x)) for k, x in v.items()))) for d, v in base.changes.items()))
    keys = []
    for seed in seeds:
        draw = {k: v for k, v in (draws or {}).get(int(seed), {}).items() if k not in base.params}
        keys.append((region, start, end, int(seed), values, changes, tuple(sorted(draw.items()))))
    return keys


def baseline_runs(region: str, start: str, end: str, seeds: list[int],
                  draws: dict[int, dict[str, Any]] | None = None) -> dict[int, pd.DataFrame]:
    """The baseline scenario run to its end for each seed (computed once per process, then shared).

    ``draws`` maps a seed to uncertain parameter values it runs with (a posterior draw); the
    baseline scenario's own values win over a draw, as in ``Experiment(uncertainty="posterior")``.
    """
    base = start_scenario("baseline", region)
    out = {}
    for seed, key in zip(seeds, _baseline_keys(region, start, end, seeds, draws), strict=True):
        with _BASELINES_LOCK:  # one computation per key; later sessions read it
            frame = _BASELINES.get(key)
            if frame is None:
                params = {**dict(key[-1]), **base.params}
                model = _model_class()(region=region, seed=int(seed), start=start, end=end, params=params,
                                       changes={d: dict(v) for d, v in base.changes.items()})
                frame = model.run()
                _BASELINES[key] = frame
        out[int(seed)] = frame
    return out


def baseline_band_runs(region: str, start: str, end: str, seeds: list[int],
                       draws: dict[int, dict[str, Any]] | None = None, low: float = 0.1,
                       high: float = 0.9) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``low`` and ``high`` quantiles, month by month over the whole window, of the baseline
    runs of ``seeds`` (with ``draws``); computed once per process and shared, since a month's
    quantile does not depend on how far a session has run."""
    key = (tuple(_baseline_keys(region, start, end, seeds, draws)), float(low), float(high))
    with _BASELINES_LOCK:
        band = _BANDS.get(key)
    if band is None:
        frames = list(baseline_runs(region, start, end, seeds, draws).values())
        stacked = pd.concat(frames, keys=range(len(frames)))
        by_month = stacked.select_dtypes("number").groupby(level=1)
        band = (by_month.quantile(low), by_month.quantile(high))
        with _BASELINES_LOCK:
            _BANDS[key] = band
    return band


_POSTERIORS: dict[str, Any] = {}


def region_posterior(region: str):
    """The posterior of ``region``'s uncertain parameters (borrowed where the region has none,
    ``model.calibration.posterior.load_posterior``), or None when none is installed."""
    from ..calibration.posterior import POSTERIOR_DIR, PosteriorError, load_posterior

    key = (region, str(POSTERIOR_DIR))
    if key not in _POSTERIORS:
        try:
            _POSTERIORS[key] = load_posterior(region)
        except PosteriorError:
            return None  # not installed (yet): asked again next time, so a file installed later is found
    return _POSTERIORS[key]


def _model_class():
    from ..simulation import FiveSocietyModel

    return FiveSocietyModel


def scenario_names() -> list[str]:
    """Scenario files to start from; ``baseline`` (the schema defaults) always comes first."""
    names = list(available_scenarios())
    return ["baseline"] + [n for n in names if n != "baseline"]


def start_scenario(name: str, region: str) -> Scenario:
    """What a run starts from: the scenario ``name`` on ``region`` (its values and dated changes).

    ``baseline`` without a scenario file is the schema's defaults, judged by the region's own targets.
    """
    if name == "baseline" and "baseline" not in available_scenarios():
        from ..regions import load_region

        return Scenario(name="baseline", region=region, targets=load_region(region).targets,
                        start=DEFAULT_WINDOW[0], end=DEFAULT_WINDOW[1])
    return load_scenario(name, region=region)


class Session:
    """A live run with its levers, and (on request) the same seed under the baseline.

    Parameters
    ----------
    region, seed, scenario:
        What to run: a region of ``REGIONS`` (any region the model knows is accepted),
        the seed shared by the live run and the baseline it is compared with, a scenario to start from.
    compare:
        Show the baseline scenario beside the live run: with the same seed (common random
        numbers: less noise in the difference, not none) and as a band over ``BAND_SEEDS``
        seeds (how far chance alone moves it).
    band:
        What the band counts (``BAND_MODES``): ``"seed"``, chance only; ``"posterior"``, chance
        and parameters: seed ``s`` runs with posterior draw ``s mod n`` of the region's
        calibrated parameters (``region_posterior``). Without a posterior the band stays
        ``"seed"`` (``posterior_available`` says which).
    posterior:
        A ``Posterior`` to draw from instead of the one installed for the region (notebooks, tests).
    """

    def __init__(self, region: str = "demo", seed: int = 0, scenario: str = "baseline", compare: bool = False,
                 band: str = "seed", posterior=None):
        self.lock = threading.RLock()
        self.region = region
        self.seed = int(seed)
        self.scenario = scenario
        self.compare = bool(compare)
        self._posterior = posterior
        self.band_mode = "seed"
        self.start = start_scenario(scenario, region)
        self.levers: dict[str, Any] = {}
        self.marks: dict[pd.Timestamp, dict[str, Any]] = {}
        self.model = None
        self._baselines: dict[int, pd.DataFrame] = {}
        self._band: tuple[pd.DataFrame, pd.DataFrame] | None = None
        self._levers_at_start: dict[str, Any] = {}
        self._frames: dict[int, tuple] = {}
        self.lever_version = 0  # counts lever moves made by the run itself (scenario dates)
        self.playing = False  # Play is on (read by the page's Play loop; Pause clears it at once)
        self.targets: TargetSet = load_targets(self.start.targets)
        self.reset()
        self.set_band(band)

    # ---- set-up -------------------------------------------------------------------------
    def _levers_of(self, start: Scenario) -> dict[str, Any]:
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
                self.start = start_scenario(self.scenario, self.region)
                self.targets = load_targets(self.start.targets)
                self.levers = self._levers_of(self.start)
            params = dict(self.start.params)
            params.update(self.levers)
            self._frames = {}
            self.model = self._new_model(params, self.start.changes)
            self._levers_at_start = {p.name: getattr(self.model.params, p.name, self.levers.get(p.name))
                                     for p in LEVERS}
            self.marks = {}
            self._baselines = {}
            self._band = None
            if self.band_mode == "posterior" and self.posterior() is None:
                self.band_mode = "seed"  # a new region without a posterior
            if self.compare:
                self._start_baseline()

    # ---- the baseline and its band --------------------------------------------------------
    def posterior(self):
        """The posterior the band draws parameters from (None: none installed for this region)."""
        return self._posterior if self._posterior is not None else region_posterior(self.region)

    @property
    def posterior_available(self) -> bool:
        return self.posterior() is not None

    def band_draws(self) -> dict[int, dict[str, Any]] | None:
        """Each band seed's parameter values: posterior draw ``seed mod n`` (None: chance only)."""
        if self.band_mode != "posterior":
            return None
        post = self.posterior()
        return {seed: post.draw(seed) for seed in self.band_seeds()}

    def band_seeds(self) -> list[int]:
        return [self.seed + k for k in range(BAND_SEEDS)]

    def set_band(self, mode: str) -> bool:
        """Count chance only (``"seed"``) or chance and parameters (``"posterior"``) in the band.

        Returns False (and keeps chance only) when ``"posterior"`` is asked for and the region
        has no posterior installed.
        """
        if mode not in BAND_MODES:
            raise ValueError(f"band: expected one of {', '.join(BAND_MODES)}; got {mode!r}")
        with self.lock:
            if mode == "posterior" and self.posterior() is None:
                self.band_mode = "seed"
                return False
            if mode != self.band_mode:
                self.band_mode = mode
                self._band = None
                if self.compare:
                    self._start_baseline()
            return True

    def _start_baseline(self) -> None:
        start, end = self.start.start, self.start.end
        # the dashed line: the baseline with this seed and the schema's values, paired with the live run
        self._baselines = baseline_runs(self.region, start, end, [self.seed])
        self._band = baseline_band_runs(self.region, start, end, self.band_seeds(), self.band_draws())

    @property
    def baseline(self) -> pd.DataFrame | None:
        """The baseline run with this session's seed (the whole run), or None when Compare is off."""
        return self._baselines.get(self.seed) if self.compare and self._baselines else None

    def set_compare(self, on: bool) -> None:
        """Turn the baseline (same seed, and the band over ``BAND_SEEDS`` seeds) on or off."""
        with self.lock:
            self.compare = bool(on)
            if self.compare and not self._baselines:
                self._start_baseline()
            elif not self.compare:
                self._baselines = {}
                self._band = None

    # ---- running ------------------------------------------------------------------------
    def months_done(self, model) -> int:
        return len(self._frame_of(model).index) if model is not None else 0

    def _frame_of(self, model) -> pd.DataFrame:
        """The model's frame, built once per month (the views read it many times a redraw)."""
        with self.lock:  # never read a month while it is being written (Play runs in its own thread)
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
            return month_end(self.model.date, months_after=1)
        return month_end(self.start.start)

    def step(self) -> bool:
        """Run one month (and the baseline's same month); False when the run has ended."""
        with self.lock:
            if not self.model.running:
                return False
            self.model.step()
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
        with self.lock:
            value = self.model.check_levers({name: value})[name]  # the one check (ParameterError)
            if self.levers.get(name) == value:
                return False
            self.levers[name] = value
            self.model.set_params({name: value}, checked=True)
            self.marks.setdefault(self.next_date, {})[name] = value
            return True

    # ---- reading --------------------------------------------------------------------------
    def lever_marks(self) -> list[tuple[pd.Timestamp, dict[str, Any]]]:
        """Every lever change of this run, dated by the month it takes effect: the
        scenario's own dated changes and the ones made on the page."""
        marks: dict[pd.Timestamp, dict[str, Any]] = {}
        for month, levers in self.start.changes.items():
            marks.setdefault(month_end(month), {}).update(levers)
        for date, levers in self.marks.items():
            marks.setdefault(date, {}).update(levers)
        return sorted(marks.items())

    def frame(self) -> pd.DataFrame:
        return self._frame_of(self.model)

    def baseline_frame(self) -> pd.DataFrame | None:
        """The baseline run with the same seed, as far as the live run has gone (None: Compare off)."""
        base = self.baseline
        return None if base is None else base.iloc[: self.months_done(self.model)]

    def baseline_band(self, low: float = 0.1, high: float = 0.9) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """The baseline's spread over ``BAND_SEEDS`` seeds (and, with ``band_mode`` "posterior", as
        many posterior parameter sets), month by month as far as the live run has gone: the ``low``
        and ``high`` quantiles of each indicator (None when Compare is off).

        A gap between the live run and the baseline that stays inside this band could be
        chance (or, with parameters counted, what is not known about the parameters); the
        seed alone moves the baseline that much.
        """
        if not (self.compare and self._baselines):
            return None
        n = self.months_done(self.model)
        if (low, high) == (0.1, 0.9) and self._band is not None:
            lo, hi = self._band
        else:
            lo, hi = baseline_band_runs(self.region, self.start.start, self.start.end, self.band_seeds(),
                                        self.band_draws(), low, high)
        return lo.iloc[:n], hi.iloc[:n]

    def lever_table(self) -> pd.DataFrame:
        """The value of every lever in effect in each month of the run so far (one column per lever)."""
        frame = self.frame()
        values = dict(self._levers_at_start)
        changes = dict(self.lever_marks())
        rows = []
        for date in frame.index:
            values.update(changes.get(date, {}))
            rows.append(dict(values))
        return pd.DataFrame(rows, index=frame.index)

    def to_csv(self) -> str:
        """The run so far as CSV: one row per month, every indicator, then every lever in effect
        (``lever:<name>``), then the baseline with the same seed (``baseline:<indicator>``) when Compare is on."""
        frame = self.frame()
        parts = [frame, self.lever_table().add_prefix("lever:")]
        base = self.baseline_frame()
        if base is not None:
            parts.append(base.add_prefix("baseline:"))
        out = pd.concat(parts, axis=1)
        out.index = out.index.strftime("%Y-%m")
        out.index.name = "month"
        return out.to_csv()

    def checklist(self) -> list[dict[str, Any]]:
        """One row per target: its date, goal, the value it is judged on, status, and the baseline's.

        ``value`` is the value now until the target's date, then the value in that month (the
        one the target was judged on; ``judged`` says which month). Status: ``met`` or
        ``missed`` once the date has passed; before it ``met`` when the value already meets
        the goal, else ``on_track`` or ``off_track`` by the trend of the last twelve months
        carried to the date; ``pending`` before the first month. With Compare on:
        ``baseline`` and ``baseline_status`` (same seed) and ``band`` (the baseline's 10th
        and 90th percentiles over ``BAND_SEEDS`` seeds, in the same month).
        """
        frame = self.frame()
        base = self.baseline_frame()
        band = self.baseline_band()
        rows = []
        for t in self.targets:
            judged = _judged_month(frame, t)
            row = {
                "id": t.id,
                "target": t,
                "indicator": t.indicator,
                "date": t.date,
                "goal": t.value,
                "op": t.op,
                "now": _latest(frame, t.indicator),
                "value": _value_at(frame, t.indicator, judged),
                "judged": judged,
                "status": target_status(frame, t),
                "baseline": _value_at(base, t.indicator, judged) if base is not None else None,
                "baseline_status": target_status(base, t) if base is not None else None,
                "band": (None if band is None else
                         (_value_at(band[0], t.indicator, judged), _value_at(band[1], t.indicator, judged))),
            }
            rows.append(row)
        return rows

    def township_state(self, k: int, lang: str = "zh") -> dict[str, Any]:
        """One township now: its station, staff, and its communities' totals."""
        m = self.model
        c, t = m.communities, m.townships
        k = int(k)
        mine = np.flatnonzero(np.asarray(c.township, int) == k)
        population = np.asarray(c.population, float)[mine]
        return {
            "name": _township_name(t, k, lang),
            "station": bool(np.asarray(t.has_station, bool)[k]),
            "sw_staff": float(np.asarray(t.sw_staff)[k]) if hasattr(t, "sw_staff") else None,
            "communities": int(len(mine)),
            "urban": int(np.asarray(c.urban, bool)[mine].sum()),
            "population": float(population.sum()),
            "orgs": float(np.asarray(c.orgs, float)[mine].sum()),
            "volunteers": float(np.asarray(c.volunteers_active, float)[mine].sum()),
        }

    def community_state(self, i: int, lang: str = "zh") -> dict[str, Any]:
        """One community now: its township, kind, people, organisations, volunteers and charity fund."""
        m = self.model
        c, t = m.communities, m.townships
        i = int(i)
        k = int(np.asarray(c.township, int)[i])
        population = float(np.asarray(c.population, float)[i])
        volunteers = float(np.asarray(c.volunteers_active, float)[i])
        state = {
            "index": i,
            "township": _township_name(t, k, lang),
            "urban": bool(np.asarray(c.urban, bool)[i]),
            "station": bool(np.asarray(t.has_station, bool)[k]),
            "population": population,
            "orgs": float(np.asarray(c.orgs, float)[i]),
            "volunteers": volunteers,
            "volunteers_per_1000": 1000 * volunteers / max(population, 1.0),
        }
        for field_name in ("has_fund", "fund_balance", "has_volunteer_point", "needs_open"):
            if hasattr(c, field_name):
                value = np.asarray(getattr(c, field_name))[i]
                state[field_name] = bool(value) if value.dtype == bool else float(value)
        return state

def _latest(frame: pd.DataFrame | None, column: str) -> float | None:
    if frame is None or frame.empty or column not in frame:
        return None
    value = frame[column].iloc[-1]
    return None if pd.isna(value) else float(value)


def _township_name(townships, k: int, lang: str) -> str:
    names = townships.name_en if lang == "en" and hasattr(townships, "name_en") else townships.name
    return str(list(names)[k])


def _judged_month(frame: pd.DataFrame | None, target) -> pd.Timestamp | None:
    """The month a target is read in: its date once the run has passed it, else the last month run."""
    if frame is None or frame.empty:
        return None
    last = frame.index[-1]
    return target.date if last >= target.date else last


def _value_at(frame: pd.DataFrame | None, column: str, date) -> float | None:
    """The last value of ``column`` at or before ``date`` (None when there is none)."""
    if frame is None or frame.empty or column not in frame or date is None:
        return None
    values = frame[column].to_numpy(dtype=float)[: frame.index.searchsorted(date, side="right")]
    values = values[~np.isnan(values)]
    return float(values[-1]) if len(values) else None


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
    months = month_index(last, target.date)
    slope = (float(recent.iloc[-1]) - float(recent.iloc[0])) / (len(recent) - 1)
    return "on_track" if target.met(now + slope * months) else "off_track"

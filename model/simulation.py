"""The Five-Society Linkage model: the monthly schedule, and data collection.

``FiveSocietyModel`` is a ``mesa.Model`` stepping one calendar month per step. It holds
the schedule only: ``step`` reads as the ODD process overview (ODD §3, ``model/ODD.md``), and
each verb is one submodel of ODD §7 in ``model/core/`` (set-up: ``core/setup.py``).
``simulate`` is the one-line entry point.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import mesa
import numpy as np
import pandas as pd

from .core import committees
from .core.budget import EXAM_MONTH, pay, plan_budgets, plan_envelope, replan_budgets
from .core.calendar import EARLIEST_START, LATEST_END, month_end, month_ends, month_index, parse_month
from .core.heap import keep_heap
from .core.outputs import Flows, indicators
from .core.setup import set_up
from .core.state import ROLE_NAMES
from .core.streams import STREAMS, make_streams
from .core.units import UnitRecorder
from .indicators import indicator_names
from .messages import shown
from .params import Params, validate
from .regions import build_structure, load_region

__all__ = ["FiveSocietyModel", "simulate", "STREAMS", "parse_month", "EARLIEST_START", "LATEST_END"]


def _reporter(name: str):
    """The DataCollector reads this month's value of an indicator from ``model.indicators``."""
    return lambda model: model.indicators[name]


_NUMBERS = ({int}, {float}, {int, float}, {np.int64}, {np.float64}, {bool}, {np.bool_})


def _column(values: list):
    """A DataCollector list as the numpy array pandas makes of it (int64, float64, bool); else the list as it is."""
    if values and set(map(type, values)) in _NUMBERS:
        array = np.asarray(values)
        if array.ndim == 1 and array.dtype in (np.int64, np.float64, np.bool_):
            return array
    return values


class FiveSocietyModel(mesa.Model):
    """Agent-based model of the Five-Society Linkage in a region, one step per month.

    Parameters
    ----------
    region : str
        A region file name (``demo``, ``linhai``, ``hubei``) or a path.
    seed : int or sequence of ints
        Entropy for ``numpy.random.SeedSequence``; every random draw comes from streams
        spawned from it, one per process (``STREAMS``).
    start, end : month strings ("2021-01"), 2018-01 … 2030-12.
    params : dict, optional
        Overrides of the parameter schema (``model.parameters()``).
    changes : dict, optional
        ``{"2024-01": {"lever": value}}``: overrides that take effect from that month.

    The submodels (``model/core/``): ``stations`` (purchasers, procurement, station hours),
    ``agencies``, ``workforce`` (hiring, exam, turnover), ``organisations`` (and incubation
    bases), ``volunteers``, ``charity``, ``needs`` and the budget ``ledger``; the places they
    share are ``townships`` and ``communities``.
    """

    def __init__(
        self,
        region: str = "hubei",
        seed=0,
        start="2021-01",
        end="2025-12",
        params: dict | None = None,
        changes: dict | None = None,
        rng=None,
        **kwargs,
    ):
        keep_heap()  # month-long arrays reuse the heap (core/heap.py): fewer page faults, same numbers
        if seed is None:
            seed = rng if isinstance(rng, (int, np.integer)) else 0
        self.seed = seed
        self.streams = make_streams(seed)
        super().__init__(rng=self.streams["mesa"], **kwargs)

        self.start = parse_month(start, "start")
        end_month = parse_month(end, "end")
        if self.start < EARLIEST_START:
            raise ValueError(f"start {start} is before {EARLIEST_START:%Y-%m}, the earliest the model supports")
        if month_end(end_month) > LATEST_END:
            raise ValueError(f"end {end} is after {LATEST_END:%Y-%m}, the latest the model supports")
        if end_month < self.start:
            raise ValueError(f"end {end} is before start {start}")
        self.calendar = month_ends(self.start, end_month)
        self.n_months = len(self.calendar)

        self.params = Params.from_overrides(params)
        self.changes = self._check_changes(changes)
        self.change_log: list[tuple[pd.Timestamp, dict]] = []
        self._pending: dict[int, dict] = defaultdict(dict)
        self.flows = Flows()  # this month's flows (FLOWS)
        self.indicators: dict = {}

        self.region = load_region(region)
        self.structure = build_structure(self.region, self.streams["structure"])
        self.t = -1  # index of the last completed month
        set_up(self)
        self.units = UnitRecorder(self)  # prefectures and counties at year-ends (reads, never changes, the state)
        self.datacollector = mesa.DataCollector(model_reporters={name: _reporter(name) for name in indicator_names()})
        self.running = True

    def _check_changes(self, changes: dict | None) -> dict[int, dict]:
        """``{"2024-01": {lever: value}}`` → {month index: checked levers}; levers only, as in scenario files."""
        if changes is None:
            return {}
        if not isinstance(changes, Mapping):
            raise TypeError(f'changes must be a mapping of month to levers, such as {{"2024-01": {{"fiscal_squeeze": '
                            f"0.2}}}}; got {type(changes).__name__} {shown(changes, 40)}")
        out: dict[int, dict] = {}
        for date, overrides in changes.items():
            month = parse_month(date, "change date")
            if not (self.start <= month <= self.calendar[-1]):
                raise ValueError(
                    f"change dated {shown(date)} is outside the run {self.start:%Y-%m} to {self.calendar[-1]:%Y-%m}"
                )
            checked = self.check_levers(overrides, what=f"the change dated {shown(date)}")
            out.setdefault(month_index(self.start, month), {}).update(checked)
        return out

    # the individuals' tables
    @property
    def workers(self):
        """Social workers and community workers, one row each (``core.state.Workers``)."""
        return self.workforce.rows

    @property
    def orgs(self):
        """Community social organisations, one row each (``core.state.Organisations``)."""
        return self.organisations.rows

    # ------------------------------------------------------------------ the month
    def step(self):
        """One month, in the order of ODD §3 (process overview)."""
        if self.t + 1 >= self.n_months:
            self.running = False
            return
        self.t += 1
        self.workforce.month_station_leavers = 0
        self.flows = Flows()
        before = self.params.copy() if self.t in self.changes or self.t in self._pending else None
        changed = self.apply_changes()  # 1. dated changes
        self.needs.tick_platform()
        if self.calendar_month[self.t] == 1 or self.t == 0:
            self.plan_year()  # 2. the year's plan
        elif changed:
            replan_budgets(self, before)  # ... or what the change adds to it
        self.stations.procure()  # 3. renew, re-tender, close, award
        self.workforce.hire()  # 4. hire into vacancies
        self.stations.allocate_time()  # 5. station hours
        self.rooms.step()  # ... and the community social-work rooms' hours
        if self.calendar_month[self.t] == EXAM_MONTH:
            self.workforce.sit_exam()  # 6. the exam (results in three months)
        self.workforce.turnover()  # 7. leaving
        self.organisations.step()  # 8. organisations
        self.volunteers.step()  # 9. volunteers
        self.charity.step()  # 10. charity
        self.needs.step()  # 11. needs, services, station evaluation
        pay(self)  # 12. the month's bills
        self.agencies.step()  # ... and the agencies' books
        self.agencies.grow_market(self.streams["market"])  # ... and the market outside stations
        self.organisations.count()
        self.collect()  # 13. record
        if self.t + 1 >= self.n_months:
            self.running = False

    def plan_year(self):
        """January (or the first month): fiscal shock, close the year, purchasers plan, budget lines."""
        self.ledger.new_year(self.params, self.streams["fiscal"])
        self.charity.new_year()
        self.workforce.exam_passed_this_year = 0
        # workers who left and organisations that closed move to the archive (history kept)
        self.workers.compact()
        self.orgs.compact()
        self.stations.plan_funding(self.streams["channels"])
        c = self.communities  # community-worker posts per 10,000 urban residents (lever cw_posts_per_10k)
        c.worker_posts = committees.worker_posts(c.worker_posts, c.urban, c.population, self.params.cw_posts_per_10k)
        self.rooms.open(self.streams["rooms"])  # new rooms are in the year's request
        plan_envelope(self)  # the envelope, the squeeze applied once, the counties' stations
        self.stations.province.plan_region()
        plan_budgets(self)

    def run(self) -> pd.DataFrame:
        while self.running:
            self.step()
        return self.frame()

    # -- dated changes
    @staticmethod
    def check_levers(overrides: dict, what: str = "set_params") -> dict:
        """Lever values checked against the schema (ParameterError naming the lever otherwise)."""
        return validate(overrides, kinds=("lever",), what=what)

    def set_params(self, overrides: dict, checked: bool = False):
        """Change levers from the next month on (as the dashboard does); recorded in ``change_log``.

        ``checked``: the values already passed ``check_levers`` and are not checked again.
        """
        if not checked:
            overrides = self.check_levers(overrides)
        self._pending[self.t + 1].update(overrides)
        return overrides

    def apply_changes(self) -> bool:
        """This month's dated changes and set_params calls; True when a lever takes a new value.

        A change to a lever's current value changes nothing (and is not logged).
        """
        todo = {}
        todo.update(self.changes.get(self.t, {}))
        todo.update(self._pending.pop(self.t, {}))
        todo = {k: v for k, v in todo.items() if self.params[k] != v}
        if not todo:
            return False
        self.params.assign(todo)  # checked when they came in (_check_changes, set_params)
        self.change_log.append((self.calendar[self.t], dict(todo)))
        return True

    # ------------------------------------------------------------------ indicators
    def collect(self):
        """Compute this month's indicators (MODEL.md §5 names) and hand them to the DataCollector."""
        ind = indicators(self)
        self.indicators = ind
        self.datacollector.collect(self)
        self.units.record(self)

    # ------------------------------------------------------------------ outputs
    @property
    def date(self) -> pd.Timestamp:
        """Month end of the last completed month (the day before the start before any step)."""
        return self.calendar[self.t] if self.t >= 0 else self.start - pd.Timedelta(days=1)

    def frame(self) -> pd.DataFrame:
        """The run so far: one row per completed month (date index), one column per indicator.

        The DataCollector's ``get_model_vars_dataframe()`` with the months as its index,
        built from ``columns()`` (typed once, not inferred again from the lists).
        """
        columns = self.columns()
        n = len(next(iter(self.datacollector.model_vars.values()), []))
        return pd.DataFrame(columns, index=self.calendar[:n].rename("date"))

    def columns(self) -> dict:
        """The run so far as ``{indicator: values}``, the columns of ``frame()`` in its order.

        Each is the DataCollector's list as a numpy array, typed as pandas types it (int64
        for whole numbers, float64 when any value is a float, bool), or the list itself when
        pandas would give another type. The experiment runner stores these without a frame.
        """
        return {name: _column(values) for name, values in self.datacollector.model_vars.items()}

    def station_history(self, township: int) -> pd.DataFrame:
        """The event history of one township's station."""
        rows = [(self.calendar[t] if t >= 0 else self.start, ev, d)
                for t, town, ev, d in self.townships.history if town == township]
        return pd.DataFrame(rows, columns=["date", "event", "detail"])

    def worker_table(self) -> pd.DataFrame:
        """Every social worker and community worker with their history."""
        w = self.workers.table()
        df = pd.DataFrame(w)
        df["role"] = pd.Categorical.from_codes(w["role"], list(ROLE_NAMES.values()))
        return df

    def organisation_table(self) -> pd.DataFrame:
        """Every community social organisation that ever existed, with its history."""
        return pd.DataFrame(self.orgs.table())

    def unit_table(self) -> pd.DataFrame:
        """The target indicators' counts and public spending by prefecture and county, at every
        year-end and the last month (``core/units.py``): they add up to the province's."""
        return self.units.table()

    def county_table(self) -> pd.DataFrame:
        """Station coverage per county, month by month: date, prefecture, county, coverage,
        and the county's fiscal capacity and implementation speed (region file)."""
        s = self.structure
        cov = np.array(self.stations.county_coverage).reshape(-1, s.n_counties)
        n = len(cov)
        return pd.DataFrame({
            "date": np.repeat(self.calendar[:n], s.n_counties),
            "prefecture": np.tile([s.prefecture_names[i] for i in s.county_prefecture], n),
            "county": np.tile(s.county_names, n),
            "station_coverage": cov.ravel(),
            "fiscal_capacity": np.tile(s.county_fiscal_capacity, n),
            "speed": np.tile(s.county_speed, n),
        })


def simulate(region: str = "hubei", seed=0, start="2021-01", end="2025-12", params: dict | None = None,
             changes: dict | None = None) -> pd.DataFrame:
    """Run the model once and return one row per month (date index) and one column per indicator.

    >>> df = simulate(region="demo", seed=1)
    >>> df["station_coverage"].iloc[-1]  # doctest: +SKIP
    """
    return FiveSocietyModel(region=region, seed=seed, start=start, end=end, params=params, changes=changes).run()

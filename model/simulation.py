"""The Five-Society Linkage model: set-up, the monthly schedule, and data collection.

``FiveSocietyModel`` is a ``mesa.Model`` stepping one calendar month per step. The
schedule in ``step`` reads as the ODD process overview (``model/ODD.md`` §3); each verb
below is one submodel of ODD §7. ``simulate`` is the one-line entry point.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from .agents import (
    CERT_ASSISTANT,
    CERT_INTERMEDIATE,
    CERT_NONE,
    MODE_DIRECT,
    MODE_NONE,
    MODE_PURCHASE,
    ROLE_AGENCY,
    ROLE_COMMUNITY,
    ROLE_STATION_DIRECT,
    ROLE_STATION_PURCHASE,
    Agency,
    Communities,
    IncubationBase,
    Organisations,
    Purchaser,
    Townships,
    Workers,
)
from .indicators import BUDGET_LINES, indicator_names
from .params import Params, validate
from .regions import build_structure, load_region

__all__ = ["FiveSocietyModel", "simulate", "STREAMS", "parse_month", "EARLIEST_START", "LATEST_END"]

EARLIEST_START = pd.Timestamp("2018-01-01")
LATEST_END = pd.Timestamp("2030-12-31")

# One random stream per stochastic process, spawned in this order from the seed.
# Append new streams at the end: the order keeps old streams' numbers unchanged.
STREAMS = (
    "mesa",
    "structure",
    "initial",
    "fiscal",
    "build",
    "tender",
    "hiring",
    "turnover",
    "exam",
    "founding",
    "closure",
    "incubation",
    "grants",
    "volunteering",
    "donation",
    "needs",
    "registration",
    "bases",
    "points",
    "funds",
)

ADULT_SHARE = 0.85  # residents aged 15+ (census: 0–14 ≈ 16%; assumption for volunteering)
MONTHLY_VOL_HOURS = 4.0  # hours per active volunteer-month (assumption; FACTS §2d thin activity)
YUAN_PER_SERVICE = 500.0  # charity project money per service delivered (assumption)
# Services that meet residents' needs, per month (assumptions; ODD §7.9): a community worker
# has little time left after administration; a volunteer gives one need-service per 12 hours
# (most volunteer hours go to group activities); an organisation of full capacity one.
CW_SERVICES = 0.5
VOLUNTEER_HOURS_PER_SERVICE = 12.0
ORG_SERVICES = 1.0


def _exam_history() -> dict:
    data = tomllib.loads((Path(__file__).parent / "data" / "exam_history.toml").read_text(encoding="utf-8"))
    ref = data["registrants"][str(data["reference_year"])]
    last = max(int(y) for y in data["registrants"])
    return {
        "scale": {int(y): v / ref for y, v in data["registrants"].items()},
        "pass": {int(y): float(v) for y, v in data["pass_ratio"].items()},
        "last": last,
    }


EXAM_HISTORY = _exam_history()


def parse_month(value, what: str = "date") -> pd.Timestamp:
    """'2024-01', '2024-01-31', a Timestamp or a date → the first day of that month."""
    try:
        ts = pd.Timestamp(str(value)) if not isinstance(value, pd.Timestamp) else value
    except (ValueError, TypeError):
        raise ValueError(f'{what} must be a month like "2024-01"; got {value!r}') from None
    if ts is pd.NaT:
        raise ValueError(f'{what} must be a month like "2024-01"; got {value!r}')
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def _stochastic_round(x: float, rng: np.random.Generator) -> int:
    base = int(np.floor(x))
    return base + int(rng.random() < (x - base))


def bulk_flow(rng: np.random.Generator, n, p) -> np.ndarray:
    """A flow out of counts held in bulk: the expected number n·p, stochastically rounded.

    Residents, volunteers and needs are counts per community (ODD §2); their flows are
    expected values rounded up with probability equal to the fractional part, which keeps
    them unbiased and whole at a fraction of the cost of binomial draws (one uniform each).
    """
    n = np.asarray(n, dtype=np.int64)
    x = n * np.asarray(p, dtype=float)
    base = np.floor(x)
    return np.minimum(base.astype(np.int64) + (rng.random(n.shape) < (x - base)), n)


def _monthly(annual_hazard):
    return 1.0 - np.power(1.0 - np.minimum(annual_hazard, 0.95), 1.0 / 12.0)


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
        if seed is None:
            seed = rng if isinstance(rng, (int, np.integer)) else 0
        self.seed = seed
        seq = np.random.SeedSequence(seed)
        children = seq.spawn(len(STREAMS))
        self.streams = {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}
        super().__init__(rng=self.streams["mesa"], **kwargs)

        self.start = parse_month(start, "start")
        end_month = parse_month(end, "end")
        if self.start < EARLIEST_START:
            raise ValueError(f"start {start} is before {EARLIEST_START:%Y-%m}, the earliest the model supports")
        if end_month + pd.offsets.MonthEnd(0) > LATEST_END:
            raise ValueError(f"end {end} is after {LATEST_END:%Y-%m}, the latest the model supports")
        if end_month < self.start:
            raise ValueError(f"end {end} is before start {start}")
        self.calendar = pd.date_range(self.start, end_month, freq="MS") + pd.offsets.MonthEnd(0)
        self.calendar.name = "date"
        self.n_months = len(self.calendar)

        self.params = Params.from_overrides(params)
        self.changes = self._check_changes(changes)
        self.change_log: list[tuple[pd.Timestamp, dict]] = []
        self._pending: dict[int, dict] = defaultdict(dict)

        # the exam's year-to-year luck, one standard normal per calendar year, drawn up front so
        # that scenarios on the same seed share it whatever else differs (common random numbers)
        years = range(self.start.year, int(self.calendar[-1].year) + 1)
        self.exam_year_z = dict(zip(years, self.streams["exam"].standard_normal(len(years)), strict=True))

        self.region = load_region(region)
        self.structure = build_structure(self.region, self.streams["structure"])
        self.t = -1  # index of the last completed month
        self._setup()
        self.datacollector = mesa.DataCollector(model_reporters={name: name for name in indicator_names()})
        self.running = True

    # ------------------------------------------------------------------ set-up
    def _check_changes(self, changes: dict | None) -> dict[int, dict]:
        out: dict[int, dict] = {}
        for date, overrides in (changes or {}).items():
            month = parse_month(date, "change date")
            if not (self.start <= month <= self.calendar[-1]):
                raise ValueError(
                    f"change dated {date} is outside the run {self.start:%Y-%m} to {self.calendar[-1]:%Y-%m}"
                )
            idx = (month.year - self.start.year) * 12 + month.month - self.start.month
            out.setdefault(idx, {}).update(validate(overrides))
        return out

    def _setup(self):
        s = self.structure
        p = self.params
        rng = self.streams["initial"]
        init = self.region.initial_state(self.start)
        self.init_state = init
        self.townships = Townships(s)
        self.communities = Communities(s)
        self.workers = Workers(capacity=int(s.community_workers.sum() * 1.5 + 10_000))
        self.orgs = Organisations(capacity=int(s.n_communities * 12))
        self.population = int(s.community_population.sum())
        self.township_population = np.bincount(s.community_township, s.community_population, s.n_townships)
        self.communities_per_township = np.bincount(s.community_township, minlength=s.n_townships)
        self.township_prefecture = s.county_prefecture[s.township_county]
        self.community_county = s.township_county[s.community_township]
        self.community_prefecture = s.county_prefecture[self.community_county]
        self.calendar_month = self.calendar.month.to_numpy()

        # money
        self.budget_year = dict.fromkeys(BUDGET_LINES, 0.0)
        self.spent_year = dict.fromkeys(BUDGET_LINES, 0.0)
        self.budget_closed = dict.fromkeys(BUDGET_LINES, 0.0)  # earlier years' budgets
        self.spend_total = dict.fromkeys(BUDGET_LINES, 0.0)
        self.fiscal_factor = 1.0
        self.fiscal_shock = False
        self.allowance_paid_ratio = 1.0
        self.incentive_paid_ratio = 1.0
        self.donations_last_year = 0.0
        self.donations_this_year = 0.0
        self.charity_raised = 0.0
        self.charity_donated = 0.0
        self.exam_passed_this_year = 0
        self.certified_outside = 0
        self.flows: dict[str, float] = defaultdict(float)
        self.leavers_station: list[int] = []  # station leavers per month
        self.staff_station: list[int] = []

        # purchasers: one per county, and the province
        self.purchasers = [
            Purchaser(self, c, np.flatnonzero(s.township_county == c)) for c in range(s.n_counties)
        ]
        self.province = Purchaser(self, None, np.arange(s.n_townships))

        # incubation bases
        self.city_base = np.zeros(s.n_prefectures, bool)
        self.county_base = np.zeros(s.n_counties, bool)
        self._build_bases(init["incubator_city_coverage"], init["incubator_county_coverage"],
                          init["incubator_street_coverage"], rng, as_shares_of_all=True)

        # agencies, spread over prefectures by population
        self.agency_by_id: dict[int, Agency] = {}
        self.agency_staff = np.zeros(0, np.int64)  # staff per agency id, counted monthly
        pref_pop = np.bincount(self.community_prefecture, s.community_population, s.n_prefectures)
        n_ag = max(1, _stochastic_round(init["agencies"], rng))
        where = rng.choice(s.n_prefectures, size=n_ag, p=pref_pop / pref_pop.sum())
        posts = rng.multinomial(int(round(init["agency_sw"])), np.full(n_ag, 1 / n_ag))
        for pref, post in zip(where, posts, strict=True):
            a = Agency(self, int(pref), int(post))
            self.agency_by_id[a.unique_id] = a
        self.sw_month_cost = p.sw_cost_yuan * (p.sw_pay_ratio / 0.75) / 12
        for a in self.agency_by_id.values():
            a.reserves = 3 * a.posts * self.sw_month_cost
            self._add_workers(a.posts, ROLE_AGENCY, township=-1, agency=a.unique_id, rng=rng, initial=True,
                              cert_share=0.35)

        # stations operating at the start: streets first
        tw = self.townships
        n_st = _stochastic_round(init["station_coverage"] * tw.n, rng)
        order = rng.permutation(tw.n)
        order = order[np.argsort(~tw.street[order], kind="stable")]
        for town in order[:n_st]:
            self.open_station(int(town), initial=True)

        # community workers
        c = self.communities
        comm = np.repeat(np.arange(c.n), c.worker_posts)
        self._add_workers(len(comm), ROLE_COMMUNITY, township=s.community_township[comm], community=comm,
                          rng=rng, initial=True, cert_share=init["cw_certified_share"])
        in_posts = int((self.workers.view("cert") > 0).sum())
        self.certified_outside = max(0, int(round(init["sw_certified"])) - in_posts)

        # organisations
        mean = np.where(c.urban, init["orgs_per_urban_community"], init["orgs_per_rural_community"])
        n_orgs = rng.poisson(mean * (0.5 + c.committee))
        comm = np.repeat(np.arange(c.n), n_orgs)
        new = self.orgs.add(len(comm), alive=True, community=comm, capacity=rng.beta(2, 4, len(comm)),
                            founded=-rng.integers(0, 96, len(comm)))
        # about one in ten registered, the rest filed (FACTS §2e: >175万 community organisations
        # against 89万 registered social organisations of every kind; share: assumption)
        self.orgs.registered[new] = rng.random(len(new)) < 0.1

        # residents, volunteers, charity funds, needs
        adults = (c.population * ADULT_SHARE).astype(np.int64)
        c.volunteers_registered = rng.binomial(adults, init["volunteer_registered_share"])
        c.has_volunteer_point = c.facility & (rng.random(c.n) < init["volunteer_point_coverage"])
        c.has_fund = rng.random(c.n) < init["community_fund_coverage"]
        c.needs_open = rng.binomial(c.vulnerable, init["needs_open_share"])
        # this month's derived quantities, before the first month is stepped
        c.charity_services = np.zeros(c.n)
        c.charity_payout = np.zeros(c.n)
        self._org_capacity = np.zeros(c.n)
        self.needs_asked = self.needs_served = 0
        self._month_station_leavers = 0
        self._refresh_counts()
        self.allocate_time()  # sets the communities' linkage and casework hours

    def _build_bases(self, city, county, street, rng, as_shares_of_all=False):
        """Open incubation bases: given shares of all areas (set-up) or of those without one (yearly)."""
        s = self.structure
        for level, have, share in (("city", self.city_base, city), ("county", self.county_base, county),
                                   ("street", self.townships.street_base, street)):
            pool = np.flatnonzero(~have) if level != "street" else np.flatnonzero(~have & self.townships.street)
            n_all = len(have) if level != "street" else int(self.townships.street.sum())
            x = share * (n_all if as_shares_of_all else len(pool)) * (1 if as_shares_of_all else self.fiscal_factor)
            k = min(len(pool), _stochastic_round(x, rng))
            for area in rng.permutation(pool)[:k]:
                IncubationBase(self, level, int(area))
                have[area] = True
        del s

    def _add_workers(self, count, role, township, rng, community=-1, agency=-1, initial=False, cert_share=None):
        count = int(count)
        if count <= 0:
            return np.zeros(0, np.int64)
        if cert_share is None:  # hires: certified ones come out of the certified pool
            want = rng.binomial(count, self.params.certified_hire_share)
            n_cert = min(want, self.certified_outside)
            self.certified_outside -= n_cert
            cert = np.zeros(count, np.int8)
            cert[rng.permutation(count)[:n_cert]] = CERT_ASSISTANT
        else:
            cert = (rng.random(count) < cert_share).astype(np.int8)
        hired = -rng.integers(0, 72, count) if initial else self.t
        if not initial:
            self.flows["sw_hired" if role != ROLE_COMMUNITY else "cw_hired"] += count
        return self.workers.add(count, alive=True, role=role, township=township, community=community,
                                agency=agency, cert=cert, hired=hired)

    # ------------------------------------------------------------------ stations
    def _positions(self, mode: int) -> int:
        p = self.params
        money = p.station_budget_yuan - p.station_activity_yuan
        if mode == MODE_PURCHASE:
            money -= p.agency_overhead_share * p.station_budget_yuan
        return max(1, int(round(money / (p.sw_cost_yuan * p.sw_pay_ratio / 0.75))))

    def open_station(self, town: int, initial: bool = False):
        """Fund a station in a township: tender it (purchase) or recruit (direct)."""
        p, tw = self.params, self.townships
        rng = self.streams["build"] if not initial else self.streams["initial"]
        if p.procurement_mode == "direct":
            mode = MODE_DIRECT
        elif p.procurement_mode == "mixed":
            mode = MODE_DIRECT if rng.random() < p.direct_share else MODE_PURCHASE
        else:
            mode = MODE_PURCHASE
        tw.funded[town] = True
        tw.renew[town] = True
        tw.mode[town] = mode
        tw.positions[town] = self._positions(mode)
        tw.eval_sum[town] = tw.eval_n[town] = 0.0
        t = max(self.t, 0)
        if initial:
            length = 12 * (p.contract_years if mode == MODE_PURCHASE else 1)
            tw.contract_end[town] = int(rng.integers(0, length))  # staggered expiries
            if mode == MODE_PURCHASE:
                self._award(town, incumbent=None, initial=True)
            staff_role = ROLE_STATION_PURCHASE if mode == MODE_PURCHASE else ROLE_STATION_DIRECT
            self._add_workers(tw.positions[town], staff_role, township=town, agency=tw.agency[town],
                              rng=rng, initial=True, cert_share=0.35)
            tw.log(-1, town, "station open", "initial")
        elif mode == MODE_PURCHASE:
            tw.tender_ready[town] = self.t + 1 + p.tender_months - 1 if self.t >= 0 else p.tender_months - 1
            tw.contract_end[town] = -1
            tw.log(t, town, "station funded", "tender")
        else:
            # direct employment: posts open now, budgeted to the end of the year
            tw.contract_end[town] = self._year_end(self.t + 1)
            tw.log(t, town, "station funded", "direct")

    def _year_end(self, t: int) -> int:
        month = self.calendar_month[min(max(t, 0), self.n_months - 1)] if t < self.n_months else 12
        return t + (12 - int(month))

    def _award(self, town: int, incumbent: int | None, initial: bool = False):
        """Tender a station contract among the prefecture's agencies; a new agency enters when few bid."""
        p, tw = self.params, self.townships
        rng = self.streams["tender"]
        pref = int(self.township_prefecture[town])
        # up to five bidders from the prefecture; the incumbent always bids
        others = [a for a in self.agency_by_id.values() if a.prefecture == pref and a.unique_id != incumbent]
        if len(others) > 4:
            others = [others[i] for i in rng.choice(len(others), 4, replace=False)]
        bidders = others + ([self.agency_by_id[incumbent]] if incumbent in self.agency_by_id else [])
        if len(bidders) < 2 and rng.random() < 0.5:  # entry (assumption: thin markets attract new agencies)
            new = Agency(self, pref, 0)
            self.agency_by_id[new.unique_id] = new
            bidders.append(new)
        if not bidders:
            new = Agency(self, pref, 0)
            self.agency_by_id[new.unique_id] = new
            bidders = [new]
        # incumbents know the township and buyers avoid the risk of a new provider (assumption:
        # +0.3 on a 0–1 reputation; FACTS §4b Qu et al.: officials balance outcomes against risks)
        scores = np.array([a.reputation + (0.3 if a.unique_id == incumbent else 0.0) for a in bidders])
        scores = scores + rng.normal(0, 0.15, len(bidders))
        winner = bidders[int(np.argmax(scores))]
        old = int(tw.agency[town])
        if old >= 0 and old != winner.unique_id:
            self._change_employer(town, old, winner.unique_id)
        if old >= 0 and old in self.agency_by_id:
            self.agency_by_id[old].contracts.discard(town)
        winner.contracts.add(town)
        tw.agency[town] = winner.unique_id
        tw.mode[town] = MODE_PURCHASE
        tw.positions[town] = self._positions(MODE_PURCHASE)
        if not initial:
            tw.contract_end[town] = self.t + 12 * p.contract_years
            tw.log(self.t + 1, town, "contract awarded", winner.unique_id)
        tw.tender_ready[town] = -1
        tw.eval_sum[town] = tw.eval_n[town] = 0.0

    def _change_employer(self, town: int, old: int, new: int):
        """A station changes agency: some staff move to the new one, the rest leave."""
        w = self.workers
        staff = np.flatnonzero(w.view("alive") & (w.view("township") == town)
                               & (w.view("role") == ROLE_STATION_PURCHASE))
        stay = self.streams["tender"].random(len(staff)) < self.params.rebid_retention
        w.agency[staff[stay]] = new
        self._separate(staff[~stay], why=2)

    def _next_agency_id(self) -> int:
        return max(self.agency_by_id, default=0) + 1

    def _separate(self, idx: np.ndarray, why: int):
        if len(idx) == 0:
            return
        w = self.workers
        w.alive[idx] = False
        w.left[idx] = self.t
        w.why_left[idx] = why
        self.certified_outside += int((w.cert[idx] > CERT_NONE).sum())
        self.flows["sw_left"] += int((w.role[idx] != ROLE_COMMUNITY).sum())
        self._month_station_leavers += int(np.isin(w.role[idx], (ROLE_STATION_PURCHASE, ROLE_STATION_DIRECT)).sum())

    def _close_station(self, town: int):
        tw, w = self.townships, self.workers
        staff = np.flatnonzero(w.view("alive") & (w.view("township") == town)
                               & np.isin(w.view("role"), (ROLE_STATION_PURCHASE, ROLE_STATION_DIRECT)))
        self._separate(staff, why=3)
        old = int(tw.agency[town])
        if old in self.agency_by_id:
            self.agency_by_id[old].contracts.discard(town)
        tw.funded[town] = False
        tw.mode[town] = MODE_NONE
        tw.agency[town] = -1
        tw.contract_end[town] = -1
        tw.tender_ready[town] = -1
        tw.positions[town] = 0
        tw.log(self.t, town, "station closed", "not renewed")

    def fold_agency(self, agency: Agency):
        """An agency folds: its non-station staff leave; stations it held go to tender."""
        w = self.workers
        staff = np.flatnonzero(w.view("alive") & (w.view("agency") == agency.unique_id))
        self._separate(staff, why=2)
        for town in list(agency.contracts):
            self.townships.agency[town] = -1
            self.townships.tender_ready[town] = self.t + self.params.tender_months
            self.townships.log(self.t, town, "agency folded", agency.unique_id)
        agency.contracts.clear()
        del self.agency_by_id[agency.unique_id]
        agency.remove()

    # ------------------------------------------------------------------ the month
    def step(self):
        """One month, in the order of ODD §3 (process overview)."""
        if self.t + 1 >= self.n_months:
            self.running = False
            return
        self.t += 1
        self._month_station_leavers = 0
        self.flows = defaultdict(float)
        changed = self.apply_changes()
        january = self.calendar_month[self.t] == 1
        if january or self.t == 0:
            self.plan_year()
        elif changed:
            self.set_budgets()
        self.procure_stations()
        self.hire()
        self.allocate_time()
        if self.calendar_month[self.t] == 6:
            self.sit_exam()
        self.turnover()
        self.organisations()
        self.volunteer()
        self.raise_charity()
        self.serve_needs()
        self.pay()
        w = self.workers
        staff = np.bincount(w.view("agency")[w.view("alive") & (w.view("agency") >= 0)],
                            minlength=self._next_agency_id())
        self.agency_staff = staff
        self.flows["wages_yuan"] = float(staff.sum() * self.sw_month_cost)
        for agency in list(self.agency_by_id.values()):
            agency.step()
        self._refresh_counts()
        self.collect()
        if self.t + 1 >= self.n_months:
            self.running = False

    def run(self) -> pd.DataFrame:
        while self.running:
            self.step()
        return self.frame()

    # -- dated changes
    def set_params(self, overrides: dict):
        """Change parameters from the next month on (as the dashboard does); recorded in ``change_log``."""
        checked = validate(overrides)
        self._pending[self.t + 1].update(checked)
        return checked

    def apply_changes(self) -> bool:
        todo = {}
        todo.update(self.changes.get(self.t, {}))
        todo.update(self._pending.pop(self.t, {}))
        if not todo:
            return False
        self.params.update(todo)
        self.sw_month_cost = self.params.sw_cost_yuan * (self.params.sw_pay_ratio / 0.75) / 12
        self.change_log.append((self.calendar[self.t], dict(todo)))
        return True

    # -- the year's plan (January, or the first month)
    def plan_year(self):
        p = self.params
        rng = self.streams["fiscal"]
        self.fiscal_shock = bool(rng.random() < p.fiscal_shock_prob)
        self.fiscal_factor = (1 - p.fiscal_squeeze) * (1 - (p.fiscal_shock_depth if self.fiscal_shock else 0.0))
        for line in BUDGET_LINES:
            self.budget_closed[line] += self.budget_year[line]
            self.budget_year[line] = 0.0
            self.spent_year[line] = 0.0
        self.donations_last_year = self.donations_this_year
        self.donations_this_year = 0.0
        self.exam_passed_this_year = 0
        # workers who left and organisations that closed move to the archive (history kept)
        self.workers.compact()
        self.orgs.compact()
        for purchaser in self.purchasers:
            purchaser.plan_stations()
        self._build_bases(p.incubator_city_share, p.incubator_county_share, p.incubator_street_share,
                          self.streams["bases"])
        c = self.communities
        rng = self.streams["points"]
        pool = np.flatnonzero(c.facility & ~c.has_volunteer_point)
        k = min(len(pool), _stochastic_round(p.volunteer_point_share * len(pool) * self.fiscal_factor, rng))
        c.has_volunteer_point[rng.permutation(pool)[:k]] = True
        rng = self.streams["funds"]
        pool = np.flatnonzero(~c.has_fund)
        k = min(len(pool), _stochastic_round(p.community_fund_share * len(pool), rng))
        c.has_fund[rng.permutation(pool)[:k]] = True
        self.set_budgets()

    def set_budgets(self):
        """Budget lines for the rest of the year from the current levers; spending is capped by them."""
        p = self.params
        tw, c = self.townships, self.communities
        months_left = 13 - int(self.calendar_month[self.t])
        f = self.fiscal_factor
        month = int(self.calendar_month[self.t])
        n_funded = int(tw.funded.sum())
        pop10k = self.population / 10_000
        stations = n_funded * self._station_month_cost() * months_left
        w = self.workers
        alive, cert, role = w.view("alive"), w.view("cert"), w.view("role")
        allow_bill = (alive & (cert > 0)) * cert * p.cert_allowance_yuan
        allowances = float(allow_bill.sum()) * months_left * f
        in_post_candidates = ((alive & (cert == 0) & (role != ROLE_COMMUNITY)).sum() * p.in_post_exam_share
                              + (alive & (cert == 0) & (role == ROLE_COMMUNITY)).sum()
                              * min(0.9, p.cw_exam_sit_share * (1 + 0.5 * p.cert_allowance_yuan / 200)))
        training = float(in_post_candidates) * p.exam_training_yuan * f if month <= 6 else 0.0
        incubators = self._incubator_month_cost() * months_left
        venture = p.venture_budget_yuan_per_10k * pop10k * f if month <= 4 else 0.0
        expected_new_orgs = self.orgs.view("alive").sum() * 0.2 / 12
        grants = venture + expected_new_orgs * p.startup_grant_yuan * months_left * f
        points = int((c.has_volunteer_point & c.facility).sum())
        volunteers = (points * p.volunteer_point_cost_yuan / 12 * months_left
                      + p.volunteer_incentive_yuan * max(1, int(c.volunteers_active.sum())) * 1.5 * months_left * f)
        base_donations = max(self.donations_last_year, self.charity_donated / max(1, self.t) * 12, 1.0)
        match = p.charity_match_ratio * base_donations * 1.2 / 12 * months_left * f
        platform = p.platform_cost_yuan_per_10k * pop10k / 12 * months_left * f if p.digital_platform else 0.0
        brand = p.brand_project_yuan * n_funded / 12 * months_left * f
        plan = {"stations": stations, "brand": brand, "allowances": allowances, "training": training,
                "incubators": incubators, "grants": grants, "volunteers": volunteers, "charity_match": match,
                "platform": platform}
        for line, amount in plan.items():
            self.budget_year[line] = self.spent_year[line] + float(amount)

    def _station_month_cost(self) -> float:
        """A station's monthly cost to the purchaser: the contract (purchase) or the post budget (direct)."""
        return self.params.station_budget_yuan / 12

    def _incubator_month_cost(self) -> float:
        """What the open incubation bases cost a month, by level (ODD §7.12)."""
        p = self.params
        yearly = {"city": p.incubator_city_cost_yuan, "county": p.incubator_county_cost_yuan,
                  "street": p.incubator_street_cost_yuan}
        return sum(yearly[base.level] for base in self.agents_by_type.get(IncubationBase, [])) / 12

    def spend(self, line: str, amount: float) -> float:
        """Pay up to ``amount`` from a budget line; return what was paid."""
        room = max(0.0, self.budget_year[line] - self.spent_year[line])
        paid = min(float(amount), room)
        self.spent_year[line] += paid
        self.spend_total[line] += paid
        return paid

    # -- stations: tenders, expiries, renewals
    def procure_stations(self):
        p, tw = self.params, self.townships
        t = self.t
        for town in np.flatnonzero(tw.funded & (tw.contract_end == t - 1) & (tw.tender_ready < 0)):
            self._expire(int(town))
        for town in np.flatnonzero(tw.funded & (tw.tender_ready == t)):
            incumbent = int(tw.agency[town]) if tw.agency[town] >= 0 else None
            self._award(int(town), incumbent)
            tw.contract_end[town] = t + 12 * p.contract_years - 1

    def _expire(self, town: int):
        p, tw = self.params, self.townships
        if not tw.renew[town]:
            self._close_station(town)
            return
        if tw.mode[town] == MODE_DIRECT:
            tw.contract_end[town] = self.t + 11
            tw.positions[town] = self._positions(MODE_DIRECT)
            return
        score = tw.eval_sum[town] / max(tw.eval_n[town], 1)
        score += self.streams["tender"].normal(0, 0.1)
        agency = self.agency_by_id.get(int(tw.agency[town]))
        if agency is not None:
            agency.reputation = 0.7 * agency.reputation + 0.3 * min(1.0, max(0.0, float(score)))
        renew = (p.renewal_rule == "always") or (p.renewal_rule == "evaluate" and score >= 0.5)
        if renew and agency is not None:
            tw.contract_end[town] = self.t + 12 * p.contract_years - 1
            tw.positions[town] = self._positions(MODE_PURCHASE)
            tw.eval_sum[town] = tw.eval_n[town] = 0.0
            tw.log(self.t, town, "contract renewed", agency.unique_id)
        else:
            # the incumbent runs the station until the new contract starts
            tw.tender_ready[town] = self.t + p.tender_months
            tw.contract_end[town] = self.t + p.tender_months - 1
            tw.log(self.t, town, "re-tender", None if agency is None else agency.unique_id)

    # -- hiring into vacancies
    def hire(self):
        p, tw, w, c = self.params, self.townships, self.workers, self.communities
        rng = self.streams["hiring"]
        alive, role = w.view("alive"), w.view("role")
        station = alive & ((role == ROLE_STATION_PURCHASE) | (role == ROLE_STATION_DIRECT))
        staff = np.bincount(w.view("township")[station], minlength=tw.n)
        active = tw.funded & ((tw.mode == MODE_DIRECT) | (tw.agency >= 0))
        vac = np.where(active, np.maximum(tw.positions - staff, 0), 0)
        p_fill = np.minimum(0.95, p.hire_fill_prob * (p.sw_pay_ratio / 0.75) * np.where(tw.street, 1.0, 1.2))
        hires = rng.binomial(vac, p_fill)
        for mode, r in ((MODE_PURCHASE, ROLE_STATION_PURCHASE), (MODE_DIRECT, ROLE_STATION_DIRECT)):
            sel = hires * (tw.mode == mode)
            towns = np.repeat(np.arange(tw.n), sel)
            if len(towns):
                self._add_workers(len(towns), r, township=towns, agency=tw.agency[towns], rng=rng)
        # agency project posts
        alive, role = w.view("alive"), w.view("role")
        on_projects = np.bincount(w.view("agency")[alive & (role == ROLE_AGENCY)], minlength=self._next_agency_id())
        p_agency = min(0.95, p.hire_fill_prob * p.sw_pay_ratio / 0.75)
        for a in self.agency_by_id.values():
            if a.posts > on_projects[a.unique_id]:
                k = rng.binomial(a.posts - on_projects[a.unique_id], p_agency)
                self._add_workers(k, ROLE_AGENCY, township=-1, agency=a.unique_id, rng=rng)
        # community-worker posts: local, sought after (assumption: half filled each month)
        alive, role = w.view("alive"), w.view("role")
        cw = np.bincount(w.view("community")[alive & (role == ROLE_COMMUNITY)], minlength=c.n)
        vac = np.maximum(c.worker_posts - cw, 0)
        k = bulk_flow(rng, vac, 0.5)
        comm = np.repeat(np.arange(c.n), k)
        if len(comm):
            self._add_workers(len(comm), ROLE_COMMUNITY, township=c.township[comm], community=comm, rng=rng)

    # -- station social workers' hours
    def allocate_time(self):
        p, tw, w, c = self.params, self.townships, self.workers, self.communities
        alive, role = w.view("alive"), w.view("role")
        station = alive & ((role == ROLE_STATION_PURCHASE) | (role == ROLE_STATION_DIRECT))
        tw.sw_staff = np.bincount(w.view("township")[station], minlength=tw.n).astype(np.int32)
        operating = tw.funded & (tw.sw_staff > 0) & ((tw.mode == MODE_DIRECT) | (tw.agency >= 0))
        tw.has_station = operating
        demand = np.where(tw.mode == MODE_DIRECT, p.admin_demand_direct, p.admin_demand_purchase)
        tw.admin_share = np.where(operating, np.minimum(demand, p.admin_share_cap), 0.0)
        case_share = p.outputs_casework_share if p.evaluation_basis == "outputs" else p.outcomes_casework_share
        hours = tw.sw_staff * p.sw_hours_month * operating
        free = hours * (1 - tw.admin_share)
        brand = 1 + 0.5 * p.brand_project_yuan / 100_000 * operating  # assumption: brand money multiplies linkage
        tw.case_hours = free * case_share
        tw.linkage_hours = free * (1 - case_share) * brand
        per = np.maximum(self.communities_per_township, 1)
        c.linkage = (tw.linkage_hours / per)[c.township]
        c.case_hours = (tw.case_hours / per)[c.township]
        self.flows["sw_admin_hours"] = float((hours * tw.admin_share).sum())
        self.flows["sw_linkage_hours"] = float(tw.linkage_hours.sum())
        self.flows["sw_case_hours"] = float(tw.case_hours.sum())

    # -- the national exam: sit in June, results three months later
    def sit_exam(self):
        p, w = self.params, self.workers
        rng = self.streams["exam"]
        year = int(self.calendar[self.t].year)
        year_shift = p.exam_year_sd * self.exam_year_z[year]
        if year in EXAM_HISTORY["pass"]:  # a past exam: that year's national ratio (data/exam_history.toml)
            pass_prob = EXAM_HISTORY["pass"][year]
            year_shift = 0.0
        else:
            pass_prob = p.exam_pass_prob
        base_logit = np.log(pass_prob / (1 - pass_prob)) + year_shift
        trend = EXAM_HISTORY["scale"].get(min(year, EXAM_HISTORY["last"]), 1.0)
        alive, cert, role = w.view("alive"), w.view("cert"), w.view("role")
        tenure = self.t - w.view("hired")
        u = rng.random(w.n)
        allowance_pull = 1 + 0.5 * p.cert_allowance_yuan / 200  # assumption: allowances draw candidates
        sit_prob = np.where(role == ROLE_COMMUNITY, np.minimum(0.9, p.cw_exam_sit_share * allowance_pull * trend),
                            p.in_post_exam_share)
        sit_assistant = alive & (cert == CERT_NONE) & (u < sit_prob)
        sit_inter = alive & (cert == CERT_ASSISTANT) & (tenure >= 36) & (u < 0.2)
        sitters = np.flatnonzero(sit_assistant | sit_inter)
        in_post = w.alive[sitters]  # every candidate in a post (station, agency, community) may be trained
        bill = in_post.sum() * p.exam_training_yuan
        trained_share = self.spend("training", bill) / bill if bill > 0 else 0.0
        trained = in_post & (rng.random(len(sitters)) < trained_share)
        logit = base_logit + trained * np.log(p.training_odds_ratio) * p.exam_training_yuan / 1000
        logit = logit + np.where(cert[sitters] == CERT_ASSISTANT, np.log(0.7), 0.0)
        passed = rng.random(len(sitters)) < 1 / (1 + np.exp(-logit))
        external = rng.poisson(p.external_candidates_per_10k * trend * self.population / 10_000)
        ext_pass = rng.binomial(external, 1 / (1 + np.exp(-base_logit)))
        w.fails[sitters[~passed]] += 1
        self._exam_result = (sitters[passed], int(ext_pass))
        self.flows["exam_candidates"] = float(len(sitters) + external)
        self.schedule_event(self._award_certificates, after=3)

    def _award_certificates(self):
        idx, ext = self._exam_result
        w = self.workers
        w.cert[idx] = np.minimum(w.cert[idx] + 1, CERT_INTERMEDIATE)
        w.cert_month[idx] = self.t
        newly = int((w.cert[idx] == CERT_ASSISTANT).sum())
        gone = int((~w.alive[idx] & (w.cert[idx] == CERT_ASSISTANT)).sum())
        self.certified_outside += ext + gone  # certified after leaving the post
        self.exam_passed_this_year += newly + ext + int((w.cert[idx] == CERT_INTERMEDIATE).sum())

    # -- leaving
    def turnover(self):
        """Leaving: an annual hazard from pay, allowance, contract, administration, tenure and exam failures."""
        p, tw, w = self.params, self.townships, self.workers
        rng = self.streams["turnover"]
        n = w.n
        alive = w.alive[:n]
        role = w.role[:n]
        levels = np.arange(4)
        allowance = levels * p.cert_allowance_yuan * self.allowance_paid_ratio  # by certificate level
        pay_rel = (p.sw_pay_ratio * p.graduate_pay_yuan + allowance) / (0.75 * p.graduate_pay_yuan)
        sw = p.sw_turnover_base * np.power(pay_rel, -p.pay_turnover_elasticity)
        cw = p.cw_turnover * np.power(1 + allowance / (0.75 * p.graduate_pay_yuan), -p.pay_turnover_elasticity)
        table = np.vstack([
            sw * p.insecure_contract_mult ** (2 - p.contract_years),  # station, agency contract
            sw * p.direct_turnover_mult,  # station, direct
            sw,  # agency projects
            cw,  # community workers
        ])
        # community workers: a monthly hazard by certificate level, looked up
        monthly = _monthly(table[ROLE_COMMUNITY])[w.cert[:n]]
        # social workers: tenure, exam failures and (in stations) administrative burden
        sw_idx = np.flatnonzero(alive & (role != ROLE_COMMUNITY))
        r = role[sw_idx]
        h = table[r, w.cert[sw_idx]]
        tenure = self.t - w.hired[sw_idx]
        band = (tenure >= 12).astype(np.int8) + (tenure >= 36)
        h = h * np.array([1.4, 1.0, 0.7])[band] * np.where(w.fails[sw_idx] >= 2, 1.3, 1.0)
        admin = np.exp(p.admin_turnover_effect * (tw.admin_share - 0.35))
        station = r <= ROLE_STATION_DIRECT
        h[station] *= admin[w.township[sw_idx][station]]
        monthly[sw_idx] = _monthly(h)
        leave = alive & (rng.random(n) < monthly)
        self._separate(np.flatnonzero(leave), why=1)

    # -- community social organisations
    def organisations(self):
        p, c, o = self.params, self.communities, self.orgs
        t = self.t
        rng = self.streams["founding"]
        county_base = self.county_base[self.community_county] | self.city_base[self.community_prefecture]
        base = county_base | self.townships.street_base[c.township]
        lam = (p.org_founding_rate / 12 * np.sqrt(c.population / 10_000)
               * (1 + p.sw_founding_effect * c.linkage)
               * np.where(base, p.incubator_founding_mult, 1.0)
               * (0.5 + c.committee)
               * (1 + 0.3 * p.startup_grant_yuan / 10_000)
               # charity projects recruit people into new groups (assumption: up to +50% at 2,000 yuan a month)
               * (1 + 0.5 * np.minimum(1.0, c.charity_payout / 2_000)))
        born = rng.poisson(lam)
        comm = np.repeat(np.arange(c.n), born)
        new = o.add(len(comm), alive=True, community=comm, capacity=rng.beta(2, 6, len(comm)), founded=t)
        if len(new) and p.startup_grant_yuan > 0:
            paid = self.spend("grants", len(new) * p.startup_grant_yuan)
            o.funds[new] += paid / len(new)
            self.flows["grants_yuan"] = paid
        self.flows["orgs_founded"] = float(len(new))

        self.incubate()
        if self.calendar_month[t] == 4:
            self.venture_grants()

        # capacity grows with age, social-worker support and incubation; money is spent down.
        # Whole columns are updated (closed rows too, harmlessly): cheaper than gathering the living.
        n = o.n
        alive = o.alive[:n]
        comm = o.community[:n]
        incubated = o.incubated_until[:n] >= t
        cap = o.capacity[:n]
        funds = o.funds[:n]
        np.minimum(1.0, cap + (0.01 + 0.002 * c.linkage[comm] + 0.01 * incubated
                               + 0.01 * np.minimum(1.0, funds / 10_000)), out=cap)
        funds *= 0.9
        # closure
        hazard = (p.org_failure_rate * np.exp(-1.5 * cap)
                  * np.where(incubated, p.incubator_survival_mult, 1.0)
                  * (0.6 + 0.4 * np.exp(-funds / 3_000))
                  * (1.3 - 0.6 * c.committee[comm]))
        # registration: filed organisations of some capacity register (assumption: 1% a month above
        # capacity 0.6, doubled while incubated; FACTS §5: counts grow mostly through filing)
        cand = np.flatnonzero(alive & (cap > 0.6) & ~o.registered[:n])
        p_reg = np.where(incubated[cand], 0.02, 0.01)
        o.registered[cand[self.streams["registration"].random(len(cand)) < p_reg]] = True
        close = alive & (self.streams["closure"].random(n) < _monthly(hazard))
        gone = np.flatnonzero(close)
        o.alive[gone] = False
        o.closed[gone] = t
        self.flows["orgs_closed"] = float(len(gone))

    def incubate(self):
        """Fill free incubation slots with young organisations in each base's area (random order)."""
        o, t = self.orgs, self.t
        rng = self.streams["incubation"]
        slots = {lvl: defaultdict(int) for lvl in IncubationBase.SLOTS}
        for b in self.agents_by_type.get(IncubationBase, []):
            slots[b.level][b.area] += b.slots
        n = o.n
        until, founded = o.incubated_until[:n], o.founded[:n]
        inside = np.flatnonzero(until >= t)
        cand_all = np.flatnonzero(o.alive[:n] & (until < 0) & ((t - founded) < 24))
        area_fns = {
            "city": lambda comm: self.community_prefecture[comm],
            "county": lambda comm: self.community_county[comm],
            "street": lambda comm: self.communities.township[comm],
        }
        for code, (level, per_area) in enumerate(slots.items()):
            if not per_area or len(cand_all) == 0:
                continue
            size = {"city": self.structure.n_prefectures, "county": self.structure.n_counties,
                    "street": self.townships.n}[level]
            cap = np.zeros(size, np.int64)
            for area, k in per_area.items():
                cap[area] = k
            here = inside[o.base[inside] == code]
            used = np.bincount(area_fns[level](o.community[here]), minlength=size)
            free = np.maximum(cap - used, 0)
            areas = area_fns[level](o.community[cand_all])
            keep = free[areas] > 0
            cand, a = cand_all[keep], areas[keep]
            if len(cand) == 0:
                continue
            order = np.lexsort((rng.random(len(cand)), a))
            cand, a = cand[order], a[order]
            rank = np.arange(len(cand)) - np.searchsorted(a, a, side="left")
            take = cand[rank < free[a]]
            o.incubated_until[take] = t + 12
            o.base[take] = code
            cand_all = np.setdiff1d(cand_all, take, assume_unique=True)

    def venture_grants(self):
        """April: venture-philanthropy grants (公益创投), more likely for capable and incubated organisations."""
        p, o = self.params, self.orgs
        rng = self.streams["grants"]
        budget = p.venture_budget_yuan_per_10k * self.population / 10_000 * self.fiscal_factor
        idx = np.flatnonzero(o.view("alive"))
        n = min(len(idx), int(budget // p.venture_grant_yuan))
        if n <= 0:
            return
        paid = self.spend("grants", n * p.venture_grant_yuan)
        n = int(paid // p.venture_grant_yuan)
        if n <= 0:
            return
        weight = o.capacity[idx] * np.where(o.incubated_until[idx] >= 0, 2.0, 1.0) + 1e-6
        win = rng.choice(idx, size=n, replace=False, p=weight / weight.sum())
        o.funds[win] += p.venture_grant_yuan
        o.capacity[win] = np.minimum(1.0, o.capacity[win] + 0.1)
        o.grants[win] += 1
        self.flows["venture_grants_yuan"] = float(n * p.venture_grant_yuan)

    # -- volunteers (bulk per community)
    def volunteer(self):
        p, c = self.params, self.communities
        rng = self.streams["volunteering"]
        incentive = p.volunteer_incentive_yuan * self.incentive_paid_ratio
        adults = (c.population * ADULT_SHARE).astype(np.int64)
        reg_p = p.volunteer_registration_rate * (1 + 0.5 * c.has_volunteer_point) * (1 + incentive / 100)
        c.volunteers_registered += bulk_flow(rng, np.maximum(adults - c.volunteers_registered, 0),
                                                 np.minimum(reg_p, 1))
        c.volunteers_registered -= bulk_flow(rng, c.volunteers_registered, 0.002)  # lapse (assumption)
        org_cap = np.bincount(self.orgs.view("community")[self.orgs.view("alive")],
                              self.orgs.view("capacity")[self.orgs.view("alive")], minlength=c.n)
        organising = c.linkage / 10 + org_cap / 5 + 0.5 * c.has_volunteer_point
        p_act = p.volunteer_activation * (1 - np.exp(-organising)) * (1 + 0.5 * incentive / 50)
        c.volunteers_active = bulk_flow(rng, c.volunteers_registered, np.minimum(p_act, 0.9))
        self.flows["volunteer_hours"] = float(c.volunteers_active.sum() * MONTHLY_VOL_HOURS)
        self._org_capacity = org_cap

    # -- charity: community funds, projects, donations and matching
    def raise_charity(self):
        p, c = self.params, self.communities
        rng = self.streams["donation"]
        rate = p.project_rate * (1 + c.linkage / 10) * (1 + c.orgs / 10) * c.has_fund
        projects = rng.poisson(rate)
        total = int(projects.sum())
        donations = np.zeros(c.n)
        if total:
            mean = p.donation_per_project_yuan * (1 + p.donation_match_elasticity * p.charity_match_ratio)
            sigma = 0.8
            amounts = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, total)
            donations = np.bincount(np.repeat(np.arange(c.n), projects), amounts, minlength=c.n)
        donated = float(donations.sum())
        match = self.spend("charity_match", p.charity_match_ratio * donated) if donated else 0.0
        inflow = donations + (donations / donated * match if donated else 0.0)
        c.fund_balance += inflow
        self.charity_donated += donated
        self.charity_raised += donated + match
        self.donations_this_year += donated
        # funds pay out over about six months: half to the community's organisations, half to services
        out = c.fund_balance / 6
        c.fund_balance -= out
        o = self.orgs
        idx = np.flatnonzero(o.view("alive"))
        comm = o.community[idx]
        share = np.divide(out * 0.5, c.orgs, out=np.zeros(c.n), where=c.orgs > 0)
        o.funds[idx] += share[comm]
        c.charity_payout = out
        c.charity_services = np.where(c.orgs > 0, out * 0.5, out) / YUAN_PER_SERVICE
        self.flows["charity_to_orgs_yuan"] = float((out * 0.5 * (c.orgs > 0)).sum())
        self.flows["donations_yuan"] = donated
        self.flows["match_yuan"] = match
        self.flows["projects"] = float(total)

    # -- residents' needs and the services that meet them
    def serve_needs(self):
        p, c = self.params, self.communities
        rng = self.streams["needs"]
        c.needs_open += bulk_flow(rng, np.maximum(c.vulnerable - c.needs_open, 0), p.need_onset)
        station = self.townships.has_station[c.township]
        ask_p = np.minimum(0.9, 0.3 + 0.15 * station + 0.1 * p.digital_platform + 0.1 * c.committee)
        asked = bulk_flow(rng, c.needs_open, ask_p)
        cw = np.bincount(self.workers.view("community")[self.workers.view("alive")
                                                       & (self.workers.view("role") == ROLE_COMMUNITY)],
                         minlength=c.n)
        case = c.case_hours / p.case_hours
        capacity = (case + cw * CW_SERVICES + self._org_capacity * ORG_SERVICES
                    + c.volunteers_active * MONTHLY_VOL_HOURS / VOLUNTEER_HOURS_PER_SERVICE + c.charity_services)
        served = np.minimum(asked, np.floor(capacity)).astype(np.int64)
        resolved = bulk_flow(rng, served, 0.7) + bulk_flow(rng, c.needs_open - served, 0.03)
        c.needs_open = np.maximum(c.needs_open - resolved, 0)
        self.needs_asked = int(asked.sum())
        self.needs_served = int(served.sum())
        activities = self._org_capacity * 8 + c.volunteers_active * MONTHLY_VOL_HOURS / 2
        c.services = served + activities
        self.flows["services"] = float(c.services.sum())
        # station evaluation: outputs (cases per social worker) or outcomes (needs met, organisations)
        tw = self.townships
        op = tw.has_station
        if op.any():
            served_t = np.bincount(c.township, served, tw.n)
            asked_t = np.bincount(c.township, asked, tw.n)
            orgs_t = np.bincount(c.township, c.orgs, tw.n) / np.maximum(self.communities_per_township, 1)
            fill = np.minimum(1.0, tw.sw_staff / np.maximum(tw.positions, 1))
            if p.evaluation_basis == "outputs":
                perf = np.minimum(1.0, (tw.case_hours / p.case_hours) / np.maximum(tw.sw_staff * 20, 1))
            else:
                met = np.divide(served_t, asked_t, out=np.ones(tw.n), where=asked_t > 0)
                perf = 0.5 * met + 0.5 * np.minimum(1.0, orgs_t / 8)
            tw.eval_sum[op] += (0.5 * fill + 0.5 * perf)[op]
            tw.eval_n[op] += 1

    # -- monthly payments from the budget lines
    def pay(self):
        p, tw, c, w = self.params, self.townships, self.communities, self.workers
        paying = tw.funded & ((tw.mode == MODE_DIRECT) | (tw.agency >= 0))
        paid = self.spend("stations", int(paying.sum()) * self._station_month_cost())
        per_station = paid / max(int(paying.sum()), 1)
        purchased = paying & (tw.mode == MODE_PURCHASE)
        self.flows["gov_to_agencies_yuan"] = per_station * int(purchased.sum())
        self.flows["gov_to_stations_yuan"] = paid - self.flows["gov_to_agencies_yuan"]
        for town in np.flatnonzero(paying & (tw.mode == MODE_PURCHASE)):
            agency = self.agency_by_id.get(int(tw.agency[town]))
            if agency is not None:
                agency.revenue_month += per_station
        self.spend("brand", p.brand_project_yuan / 12 * int(tw.has_station.sum()))
        alive, cert = w.view("alive"), w.view("cert")
        bill = float(((alive & (cert > 0)) * cert).sum() * p.cert_allowance_yuan)
        self.allowance_paid_ratio = self.spend("allowances", bill) / bill if bill > 0 else 1.0
        self.flows["allowances_yuan"] = bill * self.allowance_paid_ratio
        self.spend("incubators", self._incubator_month_cost())
        self.spend("volunteers", int((c.has_volunteer_point & c.facility).sum()) * p.volunteer_point_cost_yuan / 12)
        bill = p.volunteer_incentive_yuan * float(c.volunteers_active.sum())
        self.incentive_paid_ratio = self.spend("volunteers", bill) / bill if bill > 0 else 1.0
        self.flows["volunteer_incentives_yuan"] = bill * self.incentive_paid_ratio
        if p.digital_platform:
            self.spend("platform", p.platform_cost_yuan_per_10k * self.population / 10_000 / 12)

    # ------------------------------------------------------------------ indicators
    def _refresh_counts(self):
        o, c = self.orgs, self.communities
        alive = o.view("alive")
        c.orgs = np.bincount(o.view("community")[alive], minlength=c.n)

    def collect(self):
        """Compute this month's indicators (MODEL.md §5 names) and hand them to the DataCollector."""
        tw, w, c, o = self.townships, self.workers, self.communities, self.orgs
        p = self.params
        alive, role, cert = w.view("alive"), w.view("role"), w.view("cert")
        station = alive & ((role == ROLE_STATION_PURCHASE) | (role == ROLE_STATION_DIRECT))
        sw_roles = alive & (role != ROLE_COMMUNITY)
        cws = alive & (role == ROLE_COMMUNITY)
        certified = int((alive & (cert > 0)).sum()) + self.certified_outside
        uncert_cw = int((cws & (cert == 0)).sum())
        n_cw = int(cws.sum())
        urban, rural = c.urban, ~c.urban
        facilities = int(c.facility.sum())
        self.leavers_station.append(self._month_station_leavers)
        self.staff_station.append(int(station.sum()))
        staff_12 = np.mean(self.staff_station[-12:]) if self.staff_station else 0
        ind = {
            "stations": int(tw.has_station.sum()),
            "station_coverage": float(tw.has_station.mean()),
            "sw_talent": int(certified + int((sw_roles & (cert == 0)).sum()) + round(p.talent_cw_share * uncert_cw)),
            "sw_certified": certified,
            "sw_stationed": int(station.sum()),
            "community_workers": n_cw,
            "community_worker_certified_share": float((cws & (cert > 0)).sum() / n_cw) if n_cw else 0.0,
            "community_orgs": int(c.orgs.sum()),
            "share_urban_communities_10plus_orgs": float((c.orgs[urban] >= 10).mean()) if urban.any() else 0.0,
            "share_rural_communities_5plus_orgs": float((c.orgs[rural] >= 5).mean()) if rural.any() else 0.0,
            "incubator_city_coverage": float(self.city_base.mean()),
            "incubator_county_coverage": float(self.county_base.mean()),
            "volunteers_registered": int(c.volunteers_registered.sum()),
            "volunteers_active": int(c.volunteers_active.sum()),
            "volunteer_point_coverage": float((c.has_volunteer_point & c.facility).sum() / facilities)
            if facilities else 0.0,
            "charity_raised_yuan": float(self.charity_raised),
            "needs_met_share": float(self.needs_served / self.needs_asked) if self.needs_asked else 1.0,
            "service_person_times": float(c.services.sum()),
            "public_spend_yuan": float(sum(self.spend_total.values())),
            "public_budget_yuan": float(sum(self.budget_closed.values()) + sum(self.budget_year.values())),
            "agencies": len(self.agency_by_id),
            "incubator_street_coverage": float(tw.street_base[tw.street].mean()) if tw.street.any() else 0.0,
            "orgs_registered": int((o.view("alive") & o.view("registered")).sum()),
            "orgs_incubated": int((o.view("alive") & (o.view("incubated_until") >= self.t)).sum()),
            "community_fund_coverage": float(c.has_fund.mean()),
            "charity_donated_yuan": float(self.charity_donated),
            "volunteer_hours": float(c.volunteers_active.sum() * MONTHLY_VOL_HOURS),
            "needs_open": int(c.needs_open.sum()),
            "sw_admin_share": float((tw.admin_share * tw.sw_staff).sum() / max(tw.sw_staff.sum(), 1)),
            "sw_turnover_12m": float(sum(self.leavers_station[-12:]) / staff_12) if staff_12 else 0.0,
            "station_vacancies": int(np.maximum(tw.positions - tw.sw_staff, 0)[tw.funded].sum()),
            "exam_passed_year": int(self.exam_passed_this_year),
        }
        for line in BUDGET_LINES:
            ind[f"spend_{line}_yuan"] = float(self.spend_total[line])
            ind[f"budget_{line}_yuan"] = float(self.budget_closed[line] + self.budget_year[line])
        self.indicators = ind
        self.__dict__.update(ind)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ outputs
    @property
    def date(self) -> pd.Timestamp:
        """Month end of the last completed month (the day before the start before any step)."""
        return self.calendar[self.t] if self.t >= 0 else self.start - pd.Timedelta(days=1)

    def frame(self) -> pd.DataFrame:
        """The run so far: one row per completed month (date index), one column per indicator."""
        df = self.datacollector.get_model_vars_dataframe()
        df.index = self.calendar[: len(df)]
        df.index.name = "date"
        return df

    def station_history(self, township: int) -> pd.DataFrame:
        """The event history of one township's station."""
        rows = [(self.calendar[t] if t >= 0 else self.start, ev, d)
                for t, town, ev, d in self.townships.history if town == township]
        return pd.DataFrame(rows, columns=["date", "event", "detail"])

    def worker_table(self) -> pd.DataFrame:
        """Every social worker and community worker with their history."""
        from .agents import ROLE_NAMES

        w = self.workers.table()
        df = pd.DataFrame(w)
        df["role"] = pd.Categorical.from_codes(w["role"], list(ROLE_NAMES.values()))
        return df

    def organisation_table(self) -> pd.DataFrame:
        """Every community social organisation that ever existed, with its history."""
        return pd.DataFrame(self.orgs.table())


def simulate(region: str = "hubei", seed=0, start="2021-01", end="2025-12", params: dict | None = None,
             changes: dict | None = None) -> pd.DataFrame:
    """Run the model once and return one row per month (date index) and one column per indicator.

    >>> df = simulate(region="demo", seed=1)
    >>> df["station_coverage"].iloc[-1]  # doctest: +SKIP
    """
    return FiveSocietyModel(region=region, seed=seed, start=start, end=end, params=params, changes=changes).run()


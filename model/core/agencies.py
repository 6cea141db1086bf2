"""Social-work agencies (社工机构): they bid for station contracts, hire, book money and fold.

``Agency`` is a Mesa agent with a hidden quality and a reputation that evaluations move
(``learn``); it hires onto its own project posts (``hire``) and folds (``fold``).
``Agencies`` is the market: the agencies alive, who bids in a prefecture's tender, new
entrants (thin markets), and the monthly round of books, where an agency whose reserves
run out folds, stations and all (``step``; rules in ``tender``).
"""

from __future__ import annotations

import mesa
import numpy as np

from . import tender
from .state import ROLE_AGENCY

__all__ = ["Agency", "Agencies"]

# Up to five bidders from the prefecture (assumption: a typical shortlist)
MAX_BIDDERS = 5
# A tender with fewer bidders than this is a thin market that may draw an entrant (assumption:
# competition needs at least two; §4b.he_lei_2015 何磊: weak competition)
THIN_MARKET_BIDDERS = 2

# Project posts outside stations are paid at cost plus this margin (assumption: small fees on
# other purchased projects, §2h.ngo_pay: most agencies lack funding)
PROJECT_MARGIN = 0.05
# An agency with no contract and no project post for this many months closes (assumption)
MAX_IDLE_MONTHS = 12
# Posts in one project bought outside stations, and so an entrant's size (EST: Hubei's agencies
# went 150 → 289 in 2018 while their full-time social workers went ≈1,500 → 1,830 (§1b.agencies_2018,
# §1b.agency_sw_2018; the 2017 ≈1,500: assumption):
# ≈330 new posts over 139 new agencies ≈ 2.4 posts each)
PROJECT_POSTS = 2
# An agency bids for a station only with a team: at least this many social workers on its books
# (assumption: tenders ask for the professional capacity to perform the contract, 政府采购法
# art. 22; a station needs ≈2.4, §2a.sw_per_station): a new two-post project agency bids once it has grown
STATION_BID_STAFF = 3
# Pseudo-evaluations at the mean quality behind a new agency's reputation (assumption: two
# contract-years of evaluations weigh as much as the prior)
REPUTATION_PRIOR_WEIGHT = 2.0


# What the market keeps of each agency, one array per field indexed by agency id (a folded
# agency keeps its row): field → (dtype, fill)
COLUMNS = {
    "prefecture": (np.int64, -1),
    "posts": (np.int64, 0),  # non-station project posts
    "reserves": (np.float64, 0.0),  # yuan
    "idle_months": (np.int64, 0),  # months with no contract and no project post
    "revenue_month": (np.float64, 0.0),  # station contracts paid this month, yuan
    "quality": (np.float64, 0.0),  # the share of a contract's plan it delivers (hidden)
    "reputation": (np.float64, 0.0),  # the buyers' estimate of quality
    "n_scores": (np.int64, 0),  # evaluations behind the reputation
    "founded": (np.int64, 0),  # month index
    "n_contracts": (np.int64, 0),  # stations held (``len(contracts)``)
}


def _column(name: str, kind: type) -> property:
    """An agency's field, kept in the market's array (``Agencies.<name>[unique_id]``)."""

    def get(self):
        return kind(getattr(self.model.agencies, name)[self.unique_id])

    def put(self, value):
        getattr(self.model.agencies, name)[self.unique_id] = value

    return property(get, put, doc=f"``Agencies.{name}[unique_id]``")


class Contracts(set):
    """The townships whose station an agency runs; the market's ``n_contracts`` follows it."""

    def __init__(self, agency: Agency, towns=()):
        super().__init__(towns)
        self._agency = agency

    def __reduce__(self):  # copies and pickles keep the towns and the agency
        return (Contracts, (self._agency, list(self)))

    def _count(self):
        self._agency.n_contracts = len(self)

    def add(self, town):
        super().add(town)
        self._count()

    def discard(self, town):
        super().discard(town)
        self._count()

    def clear(self):
        super().clear()
        self._count()


class Agency(mesa.Agent):
    """A social-work agency (社工机构): bids for station contracts, employs social workers.

    Its numbers live in the market's arrays (``Agencies``, one row per agency id), so that
    the market's monthly books, bidding and hiring are array operations; the attributes
    below read and write its row.
    """

    prefecture = _column("prefecture", int)
    posts = _column("posts", int)
    reserves = _column("reserves", float)
    idle_months = _column("idle_months", int)
    revenue_month = _column("revenue_month", float)
    quality = _column("quality", float)
    reputation = _column("reputation", float)
    n_scores = _column("n_scores", int)
    founded = _column("founded", int)
    n_contracts = _column("n_contracts", int)

    def __init__(self, model, prefecture: int, posts: int = 0):
        super().__init__(model)
        model.agencies.make_room(self.unique_id)
        self.prefecture = prefecture
        self.posts = posts
        self.contracts = Contracts(self)  # townships
        self.reserves = 0.0
        p = model.params
        # quality: the share of a contract's plan it delivers fully staffed by veterans; nobody
        # sees it; buyers see evaluations, and reputation is their estimate (starts at the mean)
        mu, sd = p.agency_quality_mean, max(p.agency_quality_sd, 1e-3)
        kappa = max(mu * (1 - mu) / sd**2 - 1, 1e-3)
        self.quality = float(model.streams["quality"].beta(mu * kappa, (1 - mu) * kappa))
        self.reputation = mu
        self.n_scores = 0
        self.idle_months = 0
        self.founded = model.t
        self.revenue_month = 0.0

    def learn(self, score: float):
        """An evaluation of one of its stations: the buyers' estimate of its quality moves (ODD §7.3)."""
        p = self.model.params
        rep, n = tender.update_reputation(self.reputation, self.n_scores, score, p.agency_quality_mean,
                                          REPUTATION_PRIOR_WEIGHT)
        self.reputation, self.n_scores = float(rep), int(n)

    def fold(self):
        """The agency folds: its staff leave; stations it held go to tender."""
        m = self.model
        m.workforce.leave_agency(self.unique_id)
        for town in list(self.contracts):
            m.stations.release(town, self.unique_id)
        self.contracts.clear()
        m.agencies.leave(self)
        self.remove()


class Agencies:
    """The agencies alive (``by_id``, in order of entry), their fields as arrays by agency id
    (``COLUMNS``), and the monthly count of their staff."""

    def __init__(self, model):
        self.model = model
        self.by_id: dict[int, Agency] = {}
        self.staff = np.zeros(0, np.int64)  # staff per agency id, counted monthly
        for name, (dtype, fill) in COLUMNS.items():
            setattr(self, name, np.full(64, fill, dtype=dtype))
        # the non-station market: project posts that governments buy outside stations, per prefecture
        # (ODD §7.12); set at the start from the agencies' posts, then growing (``grow_market``)
        self.market_posts = np.zeros(model.structure.n_prefectures)
        self._ids: np.ndarray | None = None  # ids alive in order of entry (kept until one enters or folds)
        self._in_prefecture: dict[int, np.ndarray] = {}  # the same, by prefecture

    def make_room(self, agency_id: int):
        """Grow the arrays to hold ``agency_id``."""
        size = len(self.posts)
        if agency_id < size:
            return
        new = max(2 * size, agency_id + 1)
        for name, (dtype, fill) in COLUMNS.items():
            grown = np.full(new, fill, dtype=dtype)
            grown[:size] = getattr(self, name)
            setattr(self, name, grown)

    def enter(self, prefecture: int, posts: int = 0) -> Agency:
        """A new agency in a prefecture, with reserves of some months of its wage bill (or of one
        station's staff for an entrant with no posts yet)."""
        m = self.model
        agency = Agency(m, prefecture, posts)
        agency.reserves = m.params.agency_reserve_months * max(posts, 2) * m.workforce.month_cost()
        self.by_id[agency.unique_id] = agency
        self._ids = None
        self._in_prefecture.pop(prefecture, None)
        if m.t >= 0:
            m.flows["agencies_entered"] += 1
        return agency

    def leave(self, agency: Agency):
        """An agency folded: it is no longer in the market (its row stays)."""
        self.by_id.pop(agency.unique_id)
        self._ids = None
        self._in_prefecture.pop(agency.prefecture, None)

    def ids(self) -> np.ndarray:
        """The ids alive, in order of entry."""
        if self._ids is None:
            self._ids = np.fromiter(self.by_id, np.int64, len(self.by_id))
        return self._ids

    def in_prefecture(self, prefecture: int) -> np.ndarray:
        """The ids alive in a prefecture, in order of entry."""
        ids = self._in_prefecture.get(prefecture)
        if ids is None:
            ids = self.ids()
            ids = self._in_prefecture[prefecture] = ids[self.prefecture[ids] == prefecture]
        return ids

    def grow_market(self, rng: np.random.Generator):
        """Month: the non-station market grows, and its new or vacated projects find providers (ODD §7.12).

        Governments buy projects outside stations (posts in agencies); the market of each
        prefecture grows by ``agency_project_growth`` a year. Posts the market pays for
        that no agency holds (growth, or an agency folded) are bought as projects of
        ``PROJECT_POSTS`` posts; each goes to a newly founded agency with chance
        ``project_entry_share``, otherwise to one of the prefecture's agencies at random.
        """
        p = self.model.params
        self.market_posts *= (1.0 + p.agency_project_growth) ** (1 / 12)
        ids, where, posts = self.columns()
        held = np.bincount(where, posts.astype(float), minlength=len(self.market_posts))
        projects = np.floor(np.maximum(self.market_posts - held, 0.0) / PROJECT_POSTS).astype(np.int64)
        for pref in np.flatnonzero(projects):
            mine = ids[where == pref].tolist()
            for _ in range(int(projects[pref])):
                if not mine or rng.random() < p.project_entry_share:
                    mine.append(self.enter(int(pref), PROJECT_POSTS).unique_id)
                else:
                    self.posts[mine[int(rng.integers(len(mine)))]] += PROJECT_POSTS

    def quality_of(self, ids: np.ndarray) -> np.ndarray:
        """The quality of the agencies with these ids."""
        return self.quality[ids]

    def next_id(self) -> int:
        """One more than the largest id alive (the length of per-agency count arrays)."""
        return max(self.by_id, default=0) + 1

    def staff_of(self, agency_id: int) -> int:
        return int(self.staff[agency_id]) if agency_id < len(self.staff) else 0

    def bidders(self, prefecture: int, incumbent: int | None, rng: np.random.Generator) -> list[Agency]:
        """Up to five bidders from the prefecture; the incumbent always bids; a thin market draws an entrant."""
        ids = self.in_prefecture(prefecture)
        # a team: STATION_BID_STAFF posts, or a station already
        able = (self.posts[ids] >= STATION_BID_STAFF) | (self.n_contracts[ids] > 0)
        if incumbent is not None:
            able &= ids != incumbent
        others = ids[able]
        if len(others) > MAX_BIDDERS - 1:
            others = others[rng.choice(len(others), MAX_BIDDERS - 1, replace=False)]
        bidders = [self.by_id[i] for i in others.tolist()]
        if incumbent in self.by_id:
            bidders.append(self.by_id[incumbent])
        if tender.entry(len(bidders), THIN_MARKET_BIDDERS, self.model.params.agency_entry_prob, rng):
            bidders.append(self.enter(prefecture))
        return bidders

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The agencies alive in order of entry: (ids, prefectures, project posts)."""
        ids = self.ids()
        return ids, self.prefecture[ids], self.posts[ids]

    def on_projects(self) -> np.ndarray:
        """Social workers on project posts per agency id."""
        w = self.model.workers
        alive, role = w.view("alive"), w.view("role")
        return np.bincount(w.view("agency")[alive & (role == ROLE_AGENCY)], minlength=self.next_id())

    def vacancies(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The agencies alive in order of entry: (ids, prefectures, vacant project posts)."""
        ids, pref, posts = self.columns()
        return ids, pref, np.maximum(posts - self.on_projects()[ids], 0)

    def hire(self, vacancies: tuple[np.ndarray, np.ndarray, np.ndarray], p_fill: np.ndarray,
             rng: np.random.Generator) -> np.ndarray:
        """Each agency fills each vacant project post with its prefecture's chance; hires per prefecture.

        ``vacancies`` as ``vacancies()`` gave them this month. One binomial draw per agency (its
        vacancies, the chance), then the hires join in one batch (``Workforce.add``), in the
        agencies' order of entry.
        """
        ids, pref, vac = vacancies
        k = rng.binomial(vac, p_fill[pref])
        self.model.workforce.add(int(k.sum()), ROLE_AGENCY, township=-1, agency=np.repeat(ids, k), rng=rng)
        return np.bincount(np.repeat(pref, k), minlength=len(p_fill))

    def step(self):
        """Month: count staff, pay wages, and book every agency's month (ODD §7.12).

        Revenue (station contracts as paid, project posts at cost plus a margin) less wages,
        the activities of the stations it runs and its fixed costs; an agency whose reserves
        run out folds, stations and all (they go to tender), and so does one with no work
        for a year.
        """
        m = self.model
        p = m.params
        w = m.workers
        self.staff = np.bincount(w.view("agency")[w.view("alive") & (w.view("agency") >= 0)],
                                 minlength=self.next_id())
        month_cost = m.workforce.month_cost()
        m.flows["wages_yuan"] = float(self.staff.sum() * month_cost)
        ids = self.ids()
        if not len(ids):
            return
        posts = self.posts[ids].astype(float)
        from_stations = self.revenue_month[ids]
        n_stations = self.n_contracts[ids].astype(float)
        revenue = from_stations + posts * month_cost * (1 + PROJECT_MARGIN)
        costs = p.agency_fixed_cost_yuan + n_stations * p.station_activity_yuan / 12 * (from_stations > 0)
        reserves = tender.reserves_next(self.reserves[ids], revenue, self.staff[ids] * month_cost, costs)
        idle = np.where((n_stations > 0) | (posts > 0), 0, self.idle_months[ids] + 1)
        fold = tender.folds(reserves, idle, MAX_IDLE_MONTHS)
        self.reserves[ids], self.idle_months[ids], self.revenue_month[ids] = reserves, idle, 0.0
        for k in np.flatnonzero(fold).tolist():
            agency = self.by_id[int(ids[k])]
            m.flows["agencies_folded"] += 1
            m.flows["stations_orphaned"] += len(agency.contracts)
            agency.fold()

"""Social-work agencies (社工机构): they bid for station contracts, hire, book money and fold.

``Agency`` is a Mesa agent: it bids in a tender (``bid``), hires onto its own project posts
(``hire``), books the month's revenue and wages and folds after a year with no work or
when its reserves run out (``step``). ``Agencies`` is the market: the agencies alive,
who bids in a prefecture's tender, new entrants, and the monthly round of books.
"""

from __future__ import annotations

import mesa
import numpy as np

from .state import ROLE_AGENCY

__all__ = ["Agency", "Agencies"]

# A new agency's reputation (0–1) is drawn from Beta(4, 4): centred, rarely extreme (assumption)
REPUTATION_PRIOR = (4, 4)
# The incumbent's advantage in a tender: +0.3 on a 0–1 reputation (assumption: incumbents know
# the township and buyers avoid the risk of a new provider; FACTS §4b Qu et al.: officials
# balance outcomes against risks)
INCUMBENT_BONUS = 0.3
# Up to five bidders from the prefecture; with fewer than two, a new agency enters half the
# time (assumption: thin markets attract new agencies)
MAX_BIDDERS = 5
THIN_MARKET_BIDDERS = 2
ENTRY_PROB = 0.5
# Project posts earn 5% above their wage cost (assumption: a thin margin); an agency folds
# after a year without contracts or posts, or 6 months' wages in debt (assumptions)
PROJECT_MARGIN = 1.05
FOLD_IDLE_MONTHS = 12
FOLD_DEBT_MONTHS = 6
# Agencies at the start hold 3 months of their project wages in reserve (assumption)
INITIAL_RESERVE_MONTHS = 3


class Agency(mesa.Agent):
    """A social-work agency (社工机构): bids for station contracts, employs social workers."""

    def __init__(self, model, prefecture: int, posts: int = 0):
        super().__init__(model)
        self.prefecture = prefecture
        self.posts = posts  # non-station project posts
        self.contracts: set[int] = set()  # townships
        self.reserves = 0.0
        self.reputation = float(model.streams["tender"].beta(*REPUTATION_PRIOR))
        self.idle_months = 0
        self.founded = model.t
        self.revenue_month = 0.0

    def bid(self, incumbent: int | None) -> float:
        """The bid's score before the purchaser's noise: reputation, plus the incumbent's advantage.

        Incumbents know the township and buyers avoid the risk of a new provider
        (``INCUMBENT_BONUS``).
        """
        return self.reputation + (INCUMBENT_BONUS if self.unique_id == incumbent else 0.0)

    def hire(self, on_projects: int, p_fill: float, rng: np.random.Generator):
        """Fill vacant project posts, each with probability ``p_fill`` this month."""
        if self.posts > on_projects:
            k = rng.binomial(self.posts - on_projects, p_fill)
            self.model.workforce.add(k, ROLE_AGENCY, township=-1, agency=self.unique_id, rng=rng)

    def step(self):
        """Month: book revenue and staff costs, fold after a year with no work and no reserves."""
        m = self.model
        staff = m.agencies.staff_of(self.unique_id)
        month_cost = m.workforce.month_cost()
        cost = staff * month_cost
        self.reserves += self.revenue_month + self.posts * month_cost * PROJECT_MARGIN - cost
        self.revenue_month = 0.0
        if not self.contracts and self.posts == 0:
            self.idle_months += 1
        else:
            self.idle_months = 0
        if self.idle_months >= FOLD_IDLE_MONTHS or self.reserves < -FOLD_DEBT_MONTHS * month_cost * max(staff, 1):
            self.fold()

    def fold(self):
        """The agency folds: its staff leave; stations it held go to tender."""
        m = self.model
        m.workforce.leave_agency(self.unique_id)
        for town in list(self.contracts):
            m.stations.release(town, self.unique_id)
        self.contracts.clear()
        m.agencies.by_id.pop(self.unique_id)
        self.remove()


class Agencies:
    """The agencies alive (``by_id``, in order of entry) and the monthly count of their staff."""

    def __init__(self, model):
        self.model = model
        self.by_id: dict[int, Agency] = {}
        self.staff = np.zeros(0, np.int64)  # staff per agency id, counted monthly

    def enter(self, prefecture: int, posts: int = 0) -> Agency:
        """A new agency in a prefecture."""
        agency = Agency(self.model, prefecture, posts)
        self.by_id[agency.unique_id] = agency
        return agency

    def next_id(self) -> int:
        """One more than the largest id alive (the length of per-agency count arrays)."""
        return max(self.by_id, default=0) + 1

    def staff_of(self, agency_id: int) -> int:
        return int(self.staff[agency_id]) if agency_id < len(self.staff) else 0

    def bidders(self, prefecture: int, incumbent: int | None, rng: np.random.Generator) -> list[Agency]:
        """Up to five bidders from the prefecture; the incumbent always bids; a thin market draws an entrant."""
        others = [a for a in self.by_id.values() if a.prefecture == prefecture and a.unique_id != incumbent]
        if len(others) > MAX_BIDDERS - 1:
            others = [others[i] for i in rng.choice(len(others), MAX_BIDDERS - 1, replace=False)]
        bidders = others + ([self.by_id[incumbent]] if incumbent in self.by_id else [])
        if len(bidders) < THIN_MARKET_BIDDERS and rng.random() < ENTRY_PROB:  # a new agency enters
            bidders.append(self.enter(prefecture))
        if not bidders:
            bidders = [self.enter(prefecture)]
        return bidders

    def hire(self, p_fill: float, rng: np.random.Generator):
        """Each agency fills its vacant project posts."""
        w = self.model.workers
        alive, role = w.view("alive"), w.view("role")
        on_projects = np.bincount(w.view("agency")[alive & (role == ROLE_AGENCY)], minlength=self.next_id())
        for a in self.by_id.values():
            a.hire(on_projects[a.unique_id], p_fill, rng)

    def step(self):
        """Month: count staff, pay wages, and let each agency book its month (and perhaps fold)."""
        m = self.model
        w = m.workers
        self.staff = np.bincount(w.view("agency")[w.view("alive") & (w.view("agency") >= 0)],
                                 minlength=self.next_id())
        m.flows["wages_yuan"] = float(self.staff.sum() * m.workforce.month_cost())
        for agency in list(self.by_id.values()):
            agency.step()

"""ODD §7.8: community social organisations and the incubation bases that nurture them.

``Organisation`` rows (``state.Organisations``) are founded, incubated, funded, grow in
capacity, register and close. ``IncubationBase`` is a Mesa agent at city, county or street
level with a number of places (slots) and a yearly cost; the province opens bases each
January (``build_bases``) and bases take young organisations of their area into free
places (``incubate``). Venture-philanthropy grants (公益创投) are awarded in April.
"""

from __future__ import annotations

from collections import defaultdict

import mesa
import numpy as np

from . import committees
from .state import Organisations
from .streams import monthly, stochastic_round

__all__ = ["IncubationBase", "OrganisationSector"]


class IncubationBase(mesa.Agent):
    """An incubation base (孵化基地) at city, county or street level."""

    SLOTS = {"city": 30, "county": 20, "street": 10}  # organisations in residence (FACTS §1c: 水果湖 30)

    def __init__(self, model, level: str, area: int):
        super().__init__(model)
        self.level = level
        self.area = area  # prefecture, county or township index
        self.slots = self.SLOTS[level]
        self.opened = model.t

    def year_cost(self, p) -> float:
        """What the base costs the budget a year, by level (ODD §7.12)."""
        return {"city": p.incubator_city_cost_yuan, "county": p.incubator_county_cost_yuan,
                "street": p.incubator_street_cost_yuan}[self.level]


class OrganisationSector:
    """Community social organisations (rows) and the incubation bases (agents) of a region."""

    def __init__(self, model, capacity: int):
        self.model = model
        s = model.structure
        self.rows = Organisations(capacity=capacity)
        self.city_base = np.zeros(s.n_prefectures, bool)  # a prefecture has a city-level base
        self.county_base = np.zeros(s.n_counties, bool)  # a county has a county-level base
        # street-level bases: ``Townships.street_base``
        self.capacity_by_community = np.zeros(s.n_communities)  # organisations' capacity summed, this month

    def bases(self) -> list[IncubationBase]:
        return list(self.model.agents_by_type.get(IncubationBase, []))

    def build_bases(self, city, county, street, rng, as_shares_of_all=False):
        """Open incubation bases: given shares of all areas (set-up) or of those without one (yearly)."""
        m = self.model
        tw = m.townships
        for level, have, share in (("city", self.city_base, city), ("county", self.county_base, county),
                                   ("street", tw.street_base, street)):
            pool = np.flatnonzero(~have) if level != "street" else np.flatnonzero(~have & tw.street)
            n_all = len(have) if level != "street" else int(tw.street.sum())
            x = share * (n_all if as_shares_of_all else len(pool)) * (1 if as_shares_of_all else m.ledger.fiscal_factor)
            k = min(len(pool), stochastic_round(x, rng))
            for area in rng.permutation(pool)[:k]:
                IncubationBase(m, level, int(area))
                have[area] = True

    def incubator_month_cost(self) -> float:
        """What the open incubation bases cost a month."""
        p = self.model.params
        return sum(base.year_cost(p) for base in self.model.agents_by_type.get(IncubationBase, [])) / 12

    def count_capacity(self) -> np.ndarray:
        """Organisations' capacity summed per community, kept for this month's services."""
        o, c = self.rows, self.model.communities
        self.capacity_by_community = np.bincount(o.view("community")[o.view("alive")],
                                                 o.view("capacity")[o.view("alive")], minlength=c.n)
        return self.capacity_by_community

    def count(self):
        """Organisations alive per community (``Communities.orgs``)."""
        o, c = self.rows, self.model.communities
        alive = o.view("alive")
        c.orgs = np.bincount(o.view("community")[alive], minlength=c.n)

    def step(self):
        """Founding, incubation, venture grants (April), capacity growth, registration, closure."""
        m = self.model
        p, c, o = m.params, m.communities, self.rows
        t = m.t
        rng = m.streams["founding"]
        county_base = self.county_base[m.community_county] | self.city_base[m.community_prefecture]
        base = county_base | m.townships.street_base[c.township]
        lam = (p.org_founding_rate / 12 * np.sqrt(c.population / 10_000)
               * (1 + p.sw_founding_effect * c.linkage)
               * np.where(base, p.incubator_founding_mult, 1.0)
               * committees.founding_factor(committees.effective_strength(c.committee, p.party_building))
               * (1 + 0.3 * p.startup_grant_yuan / 10_000)
               # charity projects recruit people into new groups (assumption: up to +50% at 2,000 yuan a month)
               * (1 + 0.5 * np.minimum(1.0, c.charity_payout / 2_000)))
        born = rng.poisson(lam)
        comm = np.repeat(np.arange(c.n), born)
        new = o.add(len(comm), alive=True, community=comm, capacity=rng.beta(2, 6, len(comm)), founded=t)
        if len(new) and p.startup_grant_yuan > 0:
            paid = m.ledger.spend("grants", len(new) * p.startup_grant_yuan)
            o.funds[new] += paid / len(new)
            m.flows["grants_yuan"] = paid
        m.flows["orgs_founded"] = float(len(new))

        self.incubate()
        if m.calendar_month[t] == 4:
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
                  * committees.closure_factor(committees.effective_strength(c.committee, p.party_building))[comm])
        # registration: filed organisations of some capacity register (assumption: 1% a month above
        # capacity 0.6, doubled while incubated; FACTS §5: counts grow mostly through filing)
        cand = np.flatnonzero(alive & (cap > 0.6) & ~o.registered[:n])
        p_reg = np.where(incubated[cand], 0.02, 0.01)
        o.registered[cand[m.streams["registration"].random(len(cand)) < p_reg]] = True
        close = alive & (m.streams["closure"].random(n) < monthly(hazard))
        gone = np.flatnonzero(close)
        o.alive[gone] = False
        o.closed[gone] = t
        m.flows["orgs_closed"] = float(len(gone))

    def incubate(self):
        """Fill free incubation slots with young organisations in each base's area (random order)."""
        m = self.model
        o, t = self.rows, m.t
        rng = m.streams["incubation"]
        slots = {lvl: defaultdict(int) for lvl in IncubationBase.SLOTS}
        for b in m.agents_by_type.get(IncubationBase, []):
            slots[b.level][b.area] += b.slots
        n = o.n
        until, founded = o.incubated_until[:n], o.founded[:n]
        inside = np.flatnonzero(until >= t)
        cand_all = np.flatnonzero(o.alive[:n] & (until < 0) & ((t - founded) < 24))
        area_fns = {
            "city": lambda comm: m.community_prefecture[comm],
            "county": lambda comm: m.community_county[comm],
            "street": lambda comm: m.communities.township[comm],
        }
        for code, (level, per_area) in enumerate(slots.items()):
            if not per_area or len(cand_all) == 0:
                continue
            size = {"city": m.structure.n_prefectures, "county": m.structure.n_counties,
                    "street": m.townships.n}[level]
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
        m = self.model
        p, o = m.params, self.rows
        rng = m.streams["grants"]
        budget = p.venture_budget_yuan_per_10k * m.population / 10_000 * m.ledger.fiscal_factor
        idx = np.flatnonzero(o.view("alive"))
        n = min(len(idx), int(budget // p.venture_grant_yuan))
        if n <= 0:
            return
        paid = m.ledger.spend("grants", n * p.venture_grant_yuan)
        n = int(paid // p.venture_grant_yuan)
        if n <= 0:
            return
        weight = o.capacity[idx] * np.where(o.incubated_until[idx] >= 0, 2.0, 1.0) + 1e-6
        win = rng.choice(idx, size=n, replace=False, p=weight / weight.sum())
        o.funds[win] += p.venture_grant_yuan
        o.capacity[win] = np.minimum(1.0, o.capacity[win] + 0.1)
        o.grants[win] += 1
        m.flows["venture_grants_yuan"] = float(n * p.venture_grant_yuan)

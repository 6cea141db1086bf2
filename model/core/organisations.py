"""ODD §7.8: community social organisations and the incubation bases that nurture them.

``Organisation`` rows (``state.Organisations``) are founded, incubated, funded, grow in
capacity, register and close. Incubation bases are places, not actors: at most one per
prefecture (city level), county or street, each with a number of places (``BASE_SLOTS``)
and a yearly cost by level; one flag per area and level says where a base is open
(``city_base``, ``county_base``, ``Townships.street_base``). The province opens bases each
January (``build_bases``); young organisations of a base's area take its free places
(``incubate``). Venture-philanthropy grants (公益创投) are awarded in April.
"""

from __future__ import annotations

import numpy as np

from . import committees
from .state import Organisations
from .streams import monthly_events, poisson_from_uniform, stochastic_round

__all__ = ["BASE_SLOTS", "OrganisationSector"]

# Founding (ODD §7.8; assumptions): the committee's factor (``committees.founding_factor``;
# at the start, 0.5 + strength, from 0.5× to 1.5×); start-up grants add 30% per 10,000 yuan;
# charity projects recruit
# people into new groups, up to +50% at 2,000 yuan a month of fund pay-outs. New
# organisations start small: capacity ~ Beta(2, 6) (mean 0.25).
COMMITTEE_FLOOR = 0.5
STARTUP_GRANT_PULL = 0.3
STARTUP_GRANT_PULL_YUAN = 10_000
CHARITY_RECRUIT = 0.5
CHARITY_RECRUIT_YUAN = 2_000
NEW_CAPACITY_BETA = (2, 6)
# Capacity (0–1) grows each month by 0.01, +0.002 per station linkage hour in the community,
# +0.01 in incubation, +0.01 with 10,000 yuan or more on hand; a tenth of the money on hand is
# spent each month (assumptions).
GROWTH_BASE = 0.01
GROWTH_PER_LINKAGE_HOUR = 0.002
GROWTH_INCUBATED = 0.01
GROWTH_FUNDED = 0.01
GROWTH_FUNDED_YUAN = 10_000
FUNDS_KEPT = 0.9
# Closure: ``org_failure_rate`` × exp(-1.5 × capacity) × (0.6 + 0.4 × exp(-funds / 3,000))
# × the committee's factor (``committees.closure_factor``) (assumptions: capable, funded
# organisations last longer; the money factor is 1 for an organisation with no funds).
CLOSURE_CAPACITY_SLOPE = 1.5
CLOSURE_FUNDED_FLOOR = 0.6
CLOSURE_UNFUNDED = 0.4
CLOSURE_FUNDS_YUAN = 3_000
# Registration: filed organisations above capacity 0.6 register at 1% a month, 2% while
# incubated (assumption; §5.incubation: counts grow mostly through filing, 备案)
REGISTER_CAPACITY = 0.6
REGISTER_PROB = 0.01
REGISTER_PROB_INCUBATED = 0.02
# Incubation takes organisations under ``incubation_max_age_months`` old, for ``incubation_months``
# (schema parameters)
# Venture philanthropy (公益创投) in April; incubated organisations are twice as likely to
# win; a grant adds 0.1 capacity (assumptions). A grant funds a service project that the
# organisation runs in its community over the next twelve months, at p.project_service_yuan
# a service (§1c.shuiguohu_incubator: 水果湖's organisations funded by 公益创投; §5.incubation:
# venture funds bridge organisations to service money)
VENTURE_MONTH = 4
VENTURE_INCUBATED_WEIGHT = 2.0
VENTURE_CAPACITY_GAIN = 0.1
_TINY_WEIGHT = 1e-6  # every living organisation keeps a chance
# Organisations at the start: capacity ~ Beta(2, 4), founded up to 8 years before (assumptions)
INITIAL_CAPACITY_BETA = (2, 4)
INITIAL_MAX_AGE_MONTHS = 96


# Incubation bases (孵化基地), by level in this order (the ``base`` code of an incubated organisation):
# organisations in residence (§1c.shuiguohu_incubator: 水果湖 30; county and street: assumptions, smaller bases)
BASE_SLOTS = {"city": 30, "county": 20, "street": 10}


# rng.random() returns whole multiples of 2**-53, so u·2**53 is an exact integer and an area
# below 2**11 packs with it into one uint64 key: one stable sort orders by area, then by u
_U53 = float(2**53)
_AREA_BITS = 11


def _by_area_at_random(area: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The order of ``np.lexsort((u, area))`` (area first, then the uniform ``u``), faster."""
    if len(area) == 0 or area.max() >= 2**_AREA_BITS:
        return np.lexsort((u, area))
    key = (area.astype(np.uint64) << np.uint64(64 - _AREA_BITS)) | (u * _U53).astype(np.uint64)
    return np.argsort(key, kind="stable")


def _rank_in_run(a: np.ndarray) -> np.ndarray:
    """Each element's place in its run of equal values of the sorted ``a`` (0, 1, …)."""
    idx = np.arange(len(a))
    start = np.zeros(len(a), np.int64)
    if len(a) > 1:
        start[1:] = np.where(a[1:] != a[:-1], idx[1:], 0)
    np.maximum.accumulate(start, out=start)
    return idx - start


class OrganisationSector:
    """Community social organisations (rows) and the incubation bases (one flag per area and level) of a region."""

    def __init__(self, model, capacity: int):
        self.model = model
        s = model.structure
        self.rows = Organisations(capacity=capacity)
        self.city_base = np.zeros(s.n_prefectures, bool)  # a prefecture has a city-level base
        self.county_base = np.zeros(s.n_counties, bool)  # a county has a county-level base
        # street-level bases: ``Townships.street_base``
        self.capacity_by_community = np.zeros(s.n_communities)  # organisations' capacity summed, this month
        self._living_at = (None, None, None)  # (month, rows, community of each living row) of the last count

    def bases(self) -> dict[str, np.ndarray]:
        """Where an incubation base is open, by level: a flag per prefecture, per county, per township."""
        return {"city": self.city_base, "county": self.county_base, "street": self.model.townships.street_base}

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
            have[rng.permutation(pool)[:k]] = True

    def incubator_month_cost(self) -> float:
        """What the open incubation bases cost a month: each level's yearly cost per base (ODD §7.12)."""
        p = self.model.params
        year_cost = {"city": p.incubator_city_cost_yuan, "county": p.incubator_county_cost_yuan,
                     "street": p.incubator_street_cost_yuan}
        return sum(year_cost[level] * int(have.sum()) for level, have in self.bases().items()) / 12

    def count_capacity(self) -> np.ndarray:
        """Organisations' capacity summed per community, kept for this month's services."""
        o, c = self.rows, self.model.communities
        alive = o.view("alive")
        where = o.view("community")[alive]
        self._living_at = (self.model.t, o.n, where)  # for ``count``: nobody is founded or closes in between
        self.capacity_by_community = np.bincount(where, o.view("capacity")[alive], minlength=c.n)
        return self.capacity_by_community

    def count(self):
        """Organisations alive per community (``Communities.orgs``)."""
        o, c = self.rows, self.model.communities
        t, n, where = self._living_at
        if t != self.model.t or n != o.n:
            where = o.view("community")[o.view("alive")]
        c.orgs = np.bincount(where, minlength=c.n)

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
               * committees.founding_factor(c.strength(p.party_building))
               * (1 + STARTUP_GRANT_PULL * p.startup_grant_yuan / STARTUP_GRANT_PULL_YUAN)
               * (1 + CHARITY_RECRUIT * np.minimum(1.0, c.charity_payout / CHARITY_RECRUIT_YUAN)))
        born = poisson_from_uniform(rng.random(c.n), lam)  # one uniform per community: common random numbers
        comm = np.repeat(np.arange(c.n), born)
        new = o.add(len(comm), alive=True, community=comm, capacity=rng.beta(*NEW_CAPACITY_BETA, len(comm)), founded=t)
        if len(new) and p.startup_grant_yuan > 0:
            paid = m.ledger.spend("grants", len(new) * p.startup_grant_yuan)
            o.funds[new] += paid / len(new)
            m.flows["grants_yuan"] = paid
        m.flows["orgs_founded"] = float(len(new))

        self.incubate()
        if m.calendar_month[t] == VENTURE_MONTH:
            self.venture_grants()

        # capacity grows with age, social-worker support and incubation; money is spent down.
        # Whole columns are updated (closed rows too, harmlessly): cheaper than gathering the living.
        n = o.n
        alive = o.alive[:n]
        comm = o.community[:n]
        incubated = o.incubated_until[:n] >= t
        cap = o.capacity[:n]
        funds = o.funds[:n]
        # growth = base + per linkage hour × linkage + incubated + funded × min(1, funds / yuan),
        # summed in that order (the same floating-point operations as the formula)
        growth = (c.linkage * GROWTH_PER_LINKAGE_HOUR + GROWTH_BASE)[comm]  # per community, then per row
        np.add(growth, GROWTH_INCUBATED, out=growth, where=incubated)  # in place where incubated (no gather)
        funded = funds / GROWTH_FUNDED_YUAN
        np.minimum(funded, 1.0, out=funded)
        funded *= GROWTH_FUNDED
        growth += funded
        growth += cap
        np.minimum(growth, 1.0, out=cap)
        funds *= FUNDS_KEPT
        # closure: rate × e^(−slope·capacity) × (survival multiplier if incubated)
        #   × (floor + unfunded × e^(−funds / yuan)) × the committee's factor, in place
        hazard = np.multiply(cap, -CLOSURE_CAPACITY_SLOPE)
        np.exp(hazard, out=hazard)
        hazard *= p.org_failure_rate
        np.multiply(hazard, p.incubator_survival_mult, out=hazard, where=incubated)
        unfunded = np.negative(funds)
        unfunded /= CLOSURE_FUNDS_YUAN
        np.exp(unfunded, out=unfunded)
        unfunded *= CLOSURE_UNFUNDED
        unfunded += CLOSURE_FUNDED_FLOOR
        hazard *= unfunded
        hazard *= committees.closure_factor(c.strength(p.party_building))[comm]
        # registration: filed organisations of some capacity register
        cand = np.flatnonzero(alive & (cap > REGISTER_CAPACITY) & ~o.registered[:n])
        p_reg = np.where(incubated[cand], REGISTER_PROB_INCUBATED, REGISTER_PROB)
        o.registered[cand[m.streams["registration"].random(len(cand)) < p_reg]] = True
        close = alive & monthly_events(m.streams["closure"], hazard)
        gone = np.flatnonzero(close)
        o.alive[gone] = False
        o.closed[gone] = t
        m.flows["orgs_closed"] = float(len(gone))

    def incubate(self):
        """Fill free incubation slots with young organisations in each base's area (random order)."""
        m = self.model
        o, t = self.rows, m.t
        rng = m.streams["incubation"]
        n = o.n
        until, founded = o.incubated_until[:n], o.founded[:n]
        inside = np.flatnonzero(until >= t)
        cand_all = np.flatnonzero(o.alive[:n] & (until < 0) & ((t - founded) < m.params.incubation_max_age_months))
        cand_comm = o.community[cand_all]
        area_fns = {
            "city": lambda comm: m.community_prefecture[comm],
            "county": lambda comm: m.community_county[comm],
            "street": lambda comm: m.communities.township[comm],
        }
        for code, (level, have) in enumerate(self.bases().items()):
            if not have.any() or len(cand_all) == 0:
                continue
            size = len(have)
            cap = np.where(have, BASE_SLOTS[level], 0).astype(np.int64)
            here = inside[o.base[inside] == code]
            used = np.bincount(area_fns[level](o.community[here]), minlength=size)
            free = np.maximum(cap - used, 0)
            if not free.any():  # every base of this level is full
                continue
            areas = area_fns[level](cand_comm)
            keep = free[areas] > 0
            cand, a = cand_all[keep], areas[keep]
            if len(cand) == 0:
                continue
            order = _by_area_at_random(a, rng.random(len(cand)))
            a = a[order]
            rank = _rank_in_run(a)
            chosen = order[rank < free[a]]  # positions in cand
            take = cand[chosen]
            o.incubated_until[take] = t + m.params.incubation_months
            o.base[take] = code
            left = np.ones(len(cand_all), bool)  # cand_all without take, in its order
            left[np.flatnonzero(keep)[chosen]] = False
            cand_all, cand_comm = cand_all[left], cand_comm[left]

    def venture_grants(self):
        """April: venture-philanthropy grants (公益创投), more likely for capable and incubated organisations."""
        m = self.model
        p, o = m.params, self.rows
        rng = m.streams["grants"]
        m.communities.venture_services[:] = 0.0  # last year's projects have ended
        budget = p.venture_budget_yuan_per_10k * m.population / 10_000 * m.ledger.fiscal_factor
        idx = np.flatnonzero(o.view("alive"))
        n = min(len(idx), int(budget // p.venture_grant_yuan))
        if n <= 0:
            return
        paid = m.ledger.spend("grants", n * p.venture_grant_yuan)
        n = int(paid // p.venture_grant_yuan)
        if n <= 0:
            return
        weight = o.capacity[idx] * np.where(o.incubated_until[idx] >= 0, VENTURE_INCUBATED_WEIGHT, 1.0) + _TINY_WEIGHT
        win = rng.choice(idx, size=n, replace=False, p=weight / weight.sum())
        o.funds[win] += p.venture_grant_yuan
        o.capacity[win] = np.minimum(1.0, o.capacity[win] + VENTURE_CAPACITY_GAIN)
        o.grants[win] += 1
        # each grant's project serves its community for a year: the grant in services, a twelfth a month
        m.communities.venture_services[:] = np.bincount(o.community[win], minlength=m.communities.n) \
            * p.venture_grant_yuan / p.project_service_yuan / 12
        m.flows["venture_grants_yuan"] = float(n * p.venture_grant_yuan)

"""ODD §7.2, §7.3 and §7.5: stations, who buys them, and how their hours are spent.

``Purchaser`` is the buyer of services, a Mesa agent: a county civil-affairs bureau
(民政局) decides each January which of its townships' stations the budget funds and
renews (``plan_stations``), opens them (``open_station``), tenders contracts among the
prefecture's agencies (``tender``), reviews contracts as they end (``review``: renew,
re-tender or close). The province (``Purchaser`` with ``county=None``) opens incubation
bases, volunteer points and community funds region-wide (``plan_region``).

``Stations`` is the submodel over the township arrays (``state.Townships``): the monthly
procurement round, the station hours (administration, casework, linkage) and the
evaluation score that renewal reads.
"""

from __future__ import annotations

import mesa
import numpy as np

from . import committees, funding, platform
from .state import MODE_DIRECT, MODE_NONE, MODE_PURCHASE, ROLE_STATION_DIRECT, ROLE_STATION_PURCHASE
from .workforce import INITIAL_CERT_SHARE, REFERENCE_PAY_RATIO

__all__ = ["Purchaser", "Stations"]

# Tender and renewal (ODD §7.3; assumptions). The purchaser's reading of a bid and of an
# evaluation is noisy (standard deviations on the 0–1 scale); an agency's reputation moves 30%
# of the way to each evaluation score; the evaluate rule renews at a score of 0.5 or more.
TENDER_NOISE_SD = 0.15
EVALUATION_NOISE_SD = 0.1
REPUTATION_MEMORY = 0.7
REPUTATION_NEW_WEIGHT = 0.3
RENEWAL_PASS_SCORE = 0.5
# The evaluation score: half staffing (posts filled), half performance. Outputs: casework
# against 20 cases per social worker a month (assumption); outcomes: half the needs met, half
# organisations per community against 8 (assumption: half the 47号 urban target of 10).
EVAL_FILL_WEIGHT = 0.5
EVAL_PERFORMANCE_WEIGHT = 0.5
FULL_CASES_PER_SW = 20
OUTCOME_MET_WEIGHT = 0.5
OUTCOME_ORGS_WEIGHT = 0.5
FULL_ORGS_PER_COMMUNITY = 8
# stations affordable = floor(planned × fiscal factor): a whole number stays whole despite rounding
_ROUNDING_SLACK = 1e-9


class Purchaser(mesa.Agent):
    """A buyer of services: a county civil-affairs bureau (民政局), or the province (``county=None``)."""

    def __init__(self, model, county: int | None, townships: np.ndarray):
        super().__init__(model)
        self.county = county  # None: the province
        self.townships = townships

    # -- January
    def plan_stations(self):
        """January: fund new stations and decide which expiring contracts this year's budget renews."""
        m = self.model
        tw = m.townships
        mine = self.townships
        if len(mine) == 0:
            return
        p = m.params
        f = m.ledger.fiscal_factor
        without = mine[~tw.funded[mine]]
        # the county's implementation speed and the money its channels put up (ODD §7.2; ``funding``)
        st = m.stations
        n_new = funding.build_count(p.station_build_share, len(mine), st.county_speed[self.county],
                                    f * st.county_money[self.county])
        # expiring this year need renewal money; running contracts are committed
        year_end = m.t + 11
        expiring = mine[tw.funded[mine] & (tw.contract_end[mine] <= year_end)]
        running = int(tw.funded[mine].sum()) - len(expiring)
        planned = running + len(expiring) + min(n_new, len(without))
        affordable = max(running, int(np.floor(planned * f + _ROUNDING_SLACK)))
        renewable = max(0, min(len(expiring), affordable - running))
        rng = m.streams["build"]
        keep = rng.permutation(expiring)[:renewable] if len(expiring) else expiring
        tw.renew[expiring] = False
        tw.renew[keep] = True
        n_build = max(0, min(len(without), affordable - running - renewable))
        if n_build:
            # streets first (urban demand), then towns, random within each (assumption)
            order = rng.permutation(without)
            order = order[np.argsort(~tw.street[order], kind="stable")]
            for town in order[:n_build]:
                self.open_station(int(town))

    def plan_region(self):
        """January, the province: new incubation bases, volunteer points and community funds."""
        m = self.model
        p = m.params
        m.organisations.build_bases(p.incubator_city_share, p.incubator_county_share, p.incubator_street_share,
                                    m.streams["bases"])
        m.volunteers.open_points(m.streams["points"])
        m.charity.open_funds(m.streams["funds"])

    # -- stations
    def open_station(self, town: int, initial: bool = False):
        """Fund a station in a township: tender it (purchase) or recruit (direct)."""
        m = self.model
        p, tw, st = m.params, m.townships, m.stations
        rng = m.streams["build"] if not initial else m.streams["initial"]
        if p.procurement_mode == "direct":
            mode = MODE_DIRECT
        elif p.procurement_mode == "mixed":
            mode = MODE_DIRECT if rng.random() < p.direct_share else MODE_PURCHASE
        else:
            mode = MODE_PURCHASE
        tw.funded[town] = True
        tw.renew[town] = True
        tw.mode[town] = mode
        tw.positions[town] = st.positions(mode)
        tw.eval_sum[town] = tw.eval_n[town] = 0.0
        t = max(m.t, 0)
        if initial:
            length = 12 * (p.contract_years if mode == MODE_PURCHASE else 1)
            tw.contract_end[town] = int(rng.integers(0, length))  # staggered expiries
            if mode == MODE_PURCHASE:
                self.tender(town, incumbent=None, initial=True)
            staff_role = ROLE_STATION_PURCHASE if mode == MODE_PURCHASE else ROLE_STATION_DIRECT
            m.workforce.add(tw.positions[town], staff_role, township=town, agency=tw.agency[town],
                            rng=rng, initial=True, cert_share=INITIAL_CERT_SHARE)
            tw.log(-1, town, "station open", "initial")
        elif mode == MODE_PURCHASE:
            tw.tender_ready[town] = m.t + 1 + p.tender_months - 1 if m.t >= 0 else p.tender_months - 1
            tw.contract_end[town] = -1
            tw.log(t, town, "station funded", "tender")
        else:
            # direct employment: posts open now, budgeted to the end of the year
            tw.contract_end[town] = st.year_end(m.t + 1)
            tw.log(t, town, "station funded", "direct")

    def tender(self, town: int, incumbent: int | None, initial: bool = False):
        """Tender a station contract among the prefecture's agencies; a new agency enters when few bid."""
        m = self.model
        p, tw = m.params, m.townships
        rng = m.streams["tender"]
        pref = int(m.township_prefecture[town])
        bidders = m.agencies.bidders(pref, incumbent, rng)
        scores = np.array([a.bid(incumbent) for a in bidders])
        scores = scores + rng.normal(0, TENDER_NOISE_SD, len(bidders))
        winner = bidders[int(np.argmax(scores))]
        old = int(tw.agency[town])
        if old >= 0 and old != winner.unique_id:
            m.workforce.change_employer(town, winner.unique_id)
        if old >= 0 and old in m.agencies.by_id:
            m.agencies.by_id[old].contracts.discard(town)
        winner.contracts.add(town)
        tw.agency[town] = winner.unique_id
        tw.mode[town] = MODE_PURCHASE
        tw.positions[town] = m.stations.positions(MODE_PURCHASE)
        if not initial:
            tw.contract_end[town] = m.t + 12 * p.contract_years
            tw.log(m.t + 1, town, "contract awarded", winner.unique_id)
        tw.tender_ready[town] = -1
        tw.eval_sum[town] = tw.eval_n[town] = 0.0

    def review(self, town: int):
        """A contract ended last month: close the station, extend direct posts, or renew or re-tender."""
        m = self.model
        p, tw = m.params, m.townships
        if not tw.renew[town]:
            self.close_station(town)
            return
        if tw.mode[town] == MODE_DIRECT:
            tw.contract_end[town] = m.t + 11
            tw.positions[town] = m.stations.positions(MODE_DIRECT)
            return
        score = tw.eval_sum[town] / max(tw.eval_n[town], 1)
        score += m.streams["tender"].normal(0, EVALUATION_NOISE_SD)
        agency = m.agencies.by_id.get(int(tw.agency[town]))
        if agency is not None:
            agency.reputation = (REPUTATION_MEMORY * agency.reputation
                                 + REPUTATION_NEW_WEIGHT * min(1.0, max(0.0, float(score))))
        renew = (p.renewal_rule == "always") or (p.renewal_rule == "evaluate" and score >= RENEWAL_PASS_SCORE)
        if renew and agency is not None:
            tw.contract_end[town] = m.t + 12 * p.contract_years - 1
            tw.positions[town] = m.stations.positions(MODE_PURCHASE)
            tw.eval_sum[town] = tw.eval_n[town] = 0.0
            tw.log(m.t, town, "contract renewed", agency.unique_id)
        else:
            # the incumbent runs the station until the new contract starts
            tw.tender_ready[town] = m.t + p.tender_months
            tw.contract_end[town] = m.t + p.tender_months - 1
            tw.log(m.t, town, "re-tender", None if agency is None else agency.unique_id)

    def close_station(self, town: int):
        """The budget does not renew the station: its staff leave, the township has none."""
        m = self.model
        tw = m.townships
        m.workforce.close_station(town)
        old = int(tw.agency[town])
        if old in m.agencies.by_id:
            m.agencies.by_id[old].contracts.discard(town)
        tw.funded[town] = False
        tw.mode[town] = MODE_NONE
        tw.agency[town] = -1
        tw.contract_end[town] = -1
        tw.tender_ready[town] = -1
        tw.positions[town] = 0
        tw.log(m.t, town, "station closed", "not renewed")


class Stations:
    """The stations submodel: purchasers, the monthly procurement round, hours and evaluation."""

    def __init__(self, model):
        self.model = model
        s = model.structure
        # one purchaser per county, and the province
        self.purchasers = [Purchaser(model, c, np.flatnonzero(s.township_county == c))
                           for c in range(s.n_counties)]
        self.province = Purchaser(model, None, np.arange(s.n_townships))
        # counties differ (region file [counties]); station money by channel (``funding``)
        self.county_capacity = s.county_fiscal_capacity
        self.county_speed = s.county_speed
        self.county_money = np.ones(s.n_counties)  # share of its station plan a county pays for this year
        self.county_coverage: list[np.ndarray] = []  # station coverage per county, month by month

    def plan_funding(self, rng):
        """January: what each channel pays this year in each county, and so each county's money."""
        p = self.model.params
        shares = funding.channel_shares(p.funding_township_share, p.funding_lottery_share, p.funding_charity_share)
        reliability = np.array([p.county_reliability, p.township_reliability, p.lottery_reliability,
                                p.charity_reliability])
        paid = funding.draw_paid(len(self.purchasers), reliability, p.channel_shortfall_paid, rng)
        self.county_money = funding.county_factor(shares, paid, self.county_capacity)

    def record_counties(self):
        """This month's station coverage per county (``Stations.county_table``)."""
        m = self.model
        county = m.structure.township_county
        n = m.structure.n_counties
        have = np.bincount(county, m.townships.has_station, n)
        self.county_coverage.append(have / np.maximum(np.bincount(county, minlength=n), 1))

    def purchaser_of(self, town: int) -> Purchaser:
        return self.purchasers[int(self.model.townships.county[town])]

    def positions(self, mode: int) -> int:
        """Social-work posts a station's money pays for, after activities (and the agency's overhead)."""
        p = self.model.params
        money = p.station_budget_yuan - p.station_activity_yuan
        if mode == MODE_PURCHASE:
            money -= p.agency_overhead_share * p.station_budget_yuan
        return max(1, int(round(money / (p.sw_cost_yuan * p.sw_pay_ratio / REFERENCE_PAY_RATIO))))

    def month_cost(self) -> float:
        """A station's monthly cost to the purchaser: the contract (purchase) or the post budget (direct)."""
        # the public cost: charity's share of station money is not public money (``funding``)
        p = self.model.params
        charity = funding.channel_shares(p.funding_township_share, p.funding_lottery_share, p.funding_charity_share)[3]
        return p.station_budget_yuan / 12 * (1 - charity)

    def year_end(self, t: int) -> int:
        """The month index of December of the year containing month ``t``."""
        m = self.model
        month = m.calendar_month[min(max(t, 0), m.n_months - 1)] if t < m.n_months else 12
        return t + (12 - int(month))

    def procure(self):
        """Contracts that ended last month are reviewed; tenders that conclude this month are awarded."""
        m = self.model
        p, tw = m.params, m.townships
        t = m.t
        for town in np.flatnonzero(tw.funded & (tw.contract_end == t - 1) & (tw.tender_ready < 0)):
            self.purchaser_of(town).review(int(town))
        for town in np.flatnonzero(tw.funded & (tw.tender_ready == t)):
            incumbent = int(tw.agency[town]) if tw.agency[town] >= 0 else None
            self.purchaser_of(town).tender(int(town), incumbent)
            tw.contract_end[town] = t + 12 * p.contract_years - 1

    def release(self, town: int, agency_id: int):
        """The agency holding the contract folded: the station goes to tender."""
        m = self.model
        tw = m.townships
        tw.agency[town] = -1
        tw.tender_ready[town] = m.t + m.params.tender_months
        tw.log(m.t, town, "agency folded", agency_id)

    def allocate_time(self):
        """Station social workers' hours: administration, then casework and linkage (ODD §7.5)."""
        m = self.model
        p, tw, w, c = m.params, m.townships, m.workers, m.communities
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
        per = np.maximum(m.communities_per_township, 1)
        # needs assessment: an assessing station visits households for some hours a year (ODD §7.11)
        assessing = operating & (m.needs.assess_u < p.needs_assessment_share)
        assess = np.minimum(assessing * p.assessment_hours_per_community * per / 12, free * case_share)
        # central dispatch on the platform saves coordination time (``platform``)
        running = m.needs.platform_months >= 0
        tw.case_hours = platform.hours_with_platform(free * case_share - assess, p.platform_time_saved, running)
        tw.linkage_hours = platform.hours_with_platform(free * (1 - case_share), p.platform_time_saved, running)
        # the community committee coordinates the linkage (党建引领; ``committees``)
        strength = committees.effective_strength(c.committee, p.party_building)
        c.linkage = (tw.linkage_hours / per)[c.township] * committees.centred_factor(strength,
                                                                                      p.committee_linkage_effect)
        c.case_hours = (tw.case_hours / per)[c.township]
        # household visits: part of the linkage hours, and the assessment's hours
        c.visits = (c.linkage * p.outreach_share + (assess / per)[c.township]) / p.visit_hours
        m.flows["sw_admin_hours"] = float((hours * tw.admin_share).sum())
        m.flows["sw_linkage_hours"] = float(tw.linkage_hours.sum())
        m.flows["sw_case_hours"] = float(tw.case_hours.sum())

    def evaluate(self, asked: np.ndarray, served: np.ndarray):
        """Score operating stations this month: outputs (cases per social worker) or outcomes (ODD §7.3)."""
        m = self.model
        p, tw, c = m.params, m.townships, m.communities
        op = tw.has_station
        if not op.any():
            return
        served_t = np.bincount(c.township, served, tw.n)
        asked_t = np.bincount(c.township, asked, tw.n)
        orgs_t = np.bincount(c.township, c.orgs, tw.n) / np.maximum(m.communities_per_township, 1)
        fill = np.minimum(1.0, tw.sw_staff / np.maximum(tw.positions, 1))
        if p.evaluation_basis == "outputs":
            perf = np.minimum(1.0, (tw.case_hours / p.case_hours) / np.maximum(tw.sw_staff * FULL_CASES_PER_SW, 1))
        else:
            met = np.divide(served_t, asked_t, out=np.ones(tw.n), where=asked_t > 0)
            perf = OUTCOME_MET_WEIGHT * met + OUTCOME_ORGS_WEIGHT * np.minimum(1.0, orgs_t / FULL_ORGS_PER_COMMUNITY)
        tw.eval_sum[op] += (EVAL_FILL_WEIGHT * fill + EVAL_PERFORMANCE_WEIGHT * perf)[op]
        tw.eval_n[op] += 1

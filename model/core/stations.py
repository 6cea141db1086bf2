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

from . import committees, funding, labour_market, platform, tender
from .envelope import stochastic_round
from .state import MODE_DIRECT, MODE_NONE, MODE_PURCHASE, ROLE_STATION_DIRECT, ROLE_STATION_PURCHASE
from .workforce import INITIAL_CERT_SHARE, REFERENCE_PAY_RATIO

__all__ = ["Purchaser", "Stations"]

class Purchaser(mesa.Agent):
    """A buyer of services: a county civil-affairs bureau (民政局), or the province (``county=None``)."""

    def __init__(self, model, county: int | None, townships: np.ndarray):
        super().__init__(model)
        self.county = county  # None: the province
        self.townships = townships

    # -- January
    def propose(self):
        """January: what this county would fund before money is counted (ODD §7.2).

        New stations: the build share of the county's townships, rounded stochastically (a
        county of one township builds in some years); contracts expiring this year ask for
        renewal money; running contracts are committed. Returns (running, expiring, new).
        """
        m = self.model
        tw = m.townships
        mine = self.townships
        if len(mine) == 0:
            self.plan = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
            return self.plan
        p = m.params
        rng = m.streams["build"]
        without = mine[~tw.funded[mine]]
        # the planned pace × the county's implementation speed (region file ``[counties]``), rounded
        # stochastically (a county of one township builds in some years)
        pace = p.station_build_share * len(mine) * m.stations.county_speed[self.county]
        n_new = min(len(without), int(stochastic_round(np.array(pace), rng)))
        year_end = m.t + 11
        funded = mine[tw.funded[mine]]
        expiring = funded[tw.contract_end[funded] <= year_end]
        running = funded[tw.contract_end[funded] > year_end]
        # streets first (urban demand), then towns, random within each (assumption)
        order = rng.permutation(without)
        order = order[np.argsort(~tw.street[order], kind="stable")]
        self.plan = (running, expiring, order[:n_new])
        return self.plan

    def plan_stations(self, keep_share: float, build_share: float, money: float, running_share: float = 1.0):
        """January: act on the county's allocation (ODD §7.1): renew, build, set each station's money.

        ``keep_share`` of the expiring stations are renewed and ``build_share`` of the proposed
        new ones opened (whole numbers by stochastic rounding; the cut falls on stations last);
        ``money`` is each station's yearly money after thinning. ``running_share`` < 1: the
        running commitments alone exceed the county's allocation, and each running station's
        money is cut to that share (its posts thinned to what the money buys).
        """
        m = self.model
        tw = m.townships
        running, expiring, new = self.plan
        if running_share < 1 and len(running):
            tw.station_money[running] *= running_share
            for town in running[tw.mode[running] == MODE_PURCHASE]:
                tw.positions[town] = m.stations.draw_posts(int(town), MODE_PURCHASE)
                m.workforce.trim(int(town), tw.positions[town])
            money *= running_share  # running direct stations below, alike
            for town in running:
                tw.log(m.t, int(town), "contract cut", round(running_share, 3))
        # a separate stream, drawn only when money is short, so that runs that differ in
        # something else (contract length, say) keep the same build order (common random numbers)
        rng = m.streams["renewal"]
        n_keep, n_build = len(expiring), len(new)
        if keep_share < 1 and len(expiring):
            n_keep = min(len(expiring), int(stochastic_round(np.array(keep_share * len(expiring)), rng)))
        keep = rng.permutation(expiring)[:n_keep] if n_keep < len(expiring) else expiring
        tw.renew[expiring] = False
        tw.renew[keep] = True
        if build_share < 1 and len(new):
            n_build = min(len(new), int(stochastic_round(np.array(build_share * len(new)), rng)))
        # a contract keeps its value until it ends (a commitment); renewals get this year's money
        # when they start; direct stations are re-set every year
        tw.station_money[running[tw.mode[running] == MODE_DIRECT]] = money
        tw.next_money[keep] = money
        tw.station_money[keep[tw.mode[keep] == MODE_DIRECT]] = money
        for town in new[:n_build]:
            tw.station_money[town] = tw.next_money[town] = money
            self.open_station(int(town))
        m.stations.set_direct_posts(self.townships)

    def plan_region(self):
        """January, the province: new incubation bases, volunteer points and community funds."""
        m = self.model
        p = m.params
        m.organisations.build_bases(p.incubator_city_share, p.incubator_county_share, p.incubator_street_share,
                                    m.streams["bases"])
        m.volunteers.open_points(m.streams["points"])
        m.charity.open_funds(m.streams["funds"])
        m.foundations.open(m.streams["foundations"])

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
        if initial:
            tw.station_money[town] = p.station_budget_yuan
        tw.positions[town] = st.draw_posts(town, mode)
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
        """Tender a station contract among the prefecture's agencies (ODD §7.3).

        Bids are rated on reputation (what past evaluations revealed of each agency's
        quality) plus noise; the incumbent has an edge unless its evaluation failed. A
        change of provider is a transition: some staff move, the rest leave with their
        tenure and ties. The purchaser pays for the tender.
        """
        m = self.model
        p, tw = m.params, m.townships
        rng = m.streams["tender"]
        pref = int(m.township_prefecture[town])
        bidders = m.agencies.bidders(pref, incumbent, rng)
        edge = 0.0 if tw.failed[town] else p.incumbent_edge
        is_incumbent = np.array([a.unique_id == incumbent for a in bidders])
        scores = tender.bid_scores([a.reputation for a in bidders], is_incumbent, edge, p.tender_noise, rng)
        winner = bidders[tender.award(scores)]
        old = int(tw.agency[town])
        if old >= 0 and old != winner.unique_id:
            m.workforce.change_employer(town, winner.unique_id)
            if not initial:
                m.flows["provider_changes"] += 1
        if old >= 0 and old in m.agencies.by_id:
            m.agencies.by_id[old].contracts.discard(town)
        winner.contracts.add(town)
        tw.agency[town] = winner.unique_id
        tw.mode[town] = MODE_PURCHASE
        if not initial and tw.next_money[town] > 0:
            tw.station_money[town] = tw.next_money[town]
        tw.positions[town] = m.stations.draw_posts(town, MODE_PURCHASE)
        if not initial:
            m.workforce.trim(town, tw.positions[town])
            tw.contract_end[town] = m.t + 12 * p.contract_years
            tw.log(m.t + 1, town, "contract awarded", winner.unique_id)
            m.stations.pay_procurement(p.tender_cost_yuan)
        tw.tender_ready[town] = -1
        tw.failed[town] = False
        tw.eval_sum[town] = tw.eval_n[town] = 0.0

    def review(self, town: int):
        """A contract ended last month: close the station, extend direct posts, or renew or re-tender.

        The evaluation is a noisy measure of what the station delivered against the plan
        (``evaluation_basis``: casework outputs or linkage outcomes); the agency's
        reputation learns from it; below the pass mark the contract goes to tender.
        """
        m = self.model
        p, tw = m.params, m.townships
        if not tw.renew[town]:
            self.close_station(town)
            return
        if tw.mode[town] == MODE_DIRECT:
            tw.contract_end[town] = m.t + 11
            return
        delivered = tw.eval_sum[town] / max(tw.eval_n[town], 1)
        noise = p.evaluation_noise_outputs if p.evaluation_basis == "outputs" else p.evaluation_noise_outcomes
        score = float(tender.evaluation_score(float(delivered), noise, m.streams["evaluation"]))
        m.stations.pay_procurement(p.evaluation_cost_yuan)
        m.flows["evaluations"] += 1
        agency = m.agencies.by_id.get(int(tw.agency[town]))
        if agency is not None:
            agency.learn(score)
        passed = bool(tender.passes(score, p.evaluation_pass_mark))
        if not passed:
            m.flows["evaluations_failed"] += 1
        renew = (p.renewal_rule == "always") or (p.renewal_rule == "evaluate" and passed)
        if renew and agency is not None:
            if tw.next_money[town] > 0:
                tw.station_money[town] = tw.next_money[town]
            tw.contract_end[town] = m.t + 12 * p.contract_years - 1
            tw.positions[town] = m.stations.draw_posts(town, MODE_PURCHASE)
            m.workforce.trim(town, tw.positions[town])
            tw.eval_sum[town] = tw.eval_n[town] = 0.0
            tw.log(m.t, town, "contract renewed", agency.unique_id)
        else:
            # the incumbent runs the station until the new contract starts
            tw.failed[town] = not passed
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
        tw.station_money[town] = tw.next_money[town] = 0.0
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

    def post_cost(self, mode: int) -> float:
        """Yearly cost of one post to its employer: the salary (agency), or with on-costs (direct)."""
        p = self.model.params
        salary = p.sw_cost_yuan * p.sw_pay_ratio / REFERENCE_PAY_RATIO
        if mode == MODE_DIRECT:
            return labour_market.direct_post_cost(salary, p.direct_oncost_share, p.recruitment_cost_yuan,
                                                  p.sw_turnover_base)
        return salary

    def posts_bought(self, money, mode: int):
        """Fractional posts a station's yearly money buys after activities (and the agency's fee)."""
        p = self.model.params
        if np.ndim(money) == 0:  # one station (a tender or a renewal): the same arithmetic on a float
            money = float(money)
            staff_money = money - p.station_activity_yuan
            if mode == MODE_PURCHASE:
                staff_money = staff_money - p.agency_overhead_share * money
            return max(staff_money, 0.0) / self.post_cost(mode)
        money = np.asarray(money, dtype=float)
        staff_money = money - p.station_activity_yuan
        if mode == MODE_PURCHASE:
            staff_money = staff_money - p.agency_overhead_share * money
        return labour_market.posts_affordable(staff_money, self.post_cost(mode))

    def draw_posts(self, town: int, mode: int) -> int:
        """Whole posts at a station: an agency rounds its contract's fractional posts at random
        (its reserves carry the difference); direct posts are set county by county
        (``set_direct_posts``), here the floor until then."""
        m = self.model
        x = self.posts_bought(m.townships.station_money[town], mode)
        if mode == MODE_DIRECT:
            return max(1, int(np.floor(x)))
        x = float(x)
        whole = max(1, int(x // 1) + int(m.streams["posts"].random() < x % 1))  # labour_market.round_posts
        # a renewal keeps its posts while the money still buys them in part (no lay-off for a coin's fall)
        held = int(m.townships.positions[town])
        if held >= 1 and np.floor(x) <= held <= np.ceil(x):
            return held
        agency = m.agencies.by_id.get(int(m.townships.agency[town]))
        if whole > x and agency is not None and agency.reserves < (whole - x) * self.post_cost(mode):
            whole = max(1, int(np.floor(x)))  # an agency whose reserves cannot carry the extra post's cost
        return whole

    def set_direct_posts(self, towns: np.ndarray):
        """A county's directly run stations: whole posts that its station money pays for in full."""
        m = self.model
        tw = m.townships
        direct = towns[tw.funded[towns] & (tw.mode[towns] == MODE_DIRECT)]
        if len(direct):
            x = self.posts_bought(tw.station_money[direct], MODE_DIRECT)
            tw.positions[direct] = np.maximum(labour_market.round_posts_within(x, m.streams["posts"]), 1)
            m.workforce.trim(direct, tw.positions[direct])

    def station_month_cost(self) -> np.ndarray:
        """Each township's station bill this month: the contract (purchase), or posts held plus activities (direct)."""
        m = self.model
        p, tw = m.params, m.townships
        direct_bill = (np.minimum(tw.sw_staff, tw.positions) * self.post_cost(MODE_DIRECT) + p.station_activity_yuan)
        bill = np.where(tw.mode == MODE_DIRECT, np.minimum(direct_bill, tw.station_money), tw.station_money)
        return bill / 12

    def public_share(self) -> float:
        """The share of station money that is public: charity's share is not (``funding``)."""
        p = self.model.params
        return 1.0 - float(funding.channel_shares(p.funding_township_share, p.funding_lottery_share,
                                                  p.funding_charity_share)[3])

    def pay_procurement(self, amount: float) -> float:
        """The purchaser pays for a tender or an evaluation from the stations line."""
        m = self.model
        paid = m.ledger.spend("stations", amount)
        m.flows["procurement_yuan"] += paid
        return paid

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
        tw.sw_staff = m.workforce.posts.staff_by_township.astype(np.int32)
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
        # experience: casework productivity and community ties grow with tenure (ODD §7.4); the
        # provider's quality against the plan of an average one (ODD §7.3)
        tenure = m.t - w.view("hired")[station]
        towns = w.view("township")[station]
        staff = np.maximum(tw.sw_staff, 1)
        tw.productivity = np.bincount(towns, labour_market.productivity(
            tenure, p.new_hire_productivity, p.productivity_ramp_months), tw.n) / staff
        tw.ties = np.bincount(towns, labour_market.linkage_ties(tenure, p.linkage_floor, p.linkage_ramp_months),
                              tw.n) / staff
        quality = self.quality() / p.agency_quality_mean
        tw.case_hours = platform.hours_with_platform(free * case_share - assess, p.platform_time_saved,
                                                     running) * tw.productivity * quality
        linkage_hours = platform.hours_with_platform(free * (1 - case_share), p.platform_time_saved, running)
        tw.linkage_hours = linkage_hours * tw.ties * quality  # what the hours achieve through ties
        # the community committee coordinates the linkage (党建引领; ``committees``)
        strength = c.strength(p.party_building)
        coordination = committees.centred_factor(strength, p.committee_linkage_effect)
        c.linkage = (tw.linkage_hours / per)[c.township] * coordination
        c.case_hours = (tw.case_hours / per)[c.township]
        # household visits: part of the linkage hours, and the assessment's hours
        # (a newcomer visits households as much as a veteran: the hours, not the ties, count here)
        c.visits = ((linkage_hours / per)[c.township] * coordination * p.outreach_share
                    + (assess / per)[c.township]) / p.visit_hours
        m.flows["sw_admin_hours"] = float((hours * tw.admin_share).sum())
        m.flows["sw_linkage_hours"] = float(tw.linkage_hours.sum())
        m.flows["sw_case_hours"] = float(tw.case_hours.sum())

    def quality(self) -> np.ndarray:
        """Each township's provider quality: its agency's (purchase) or the average agency's (direct)."""
        m = self.model
        tw = m.townships
        q = np.full(tw.n, m.params.agency_quality_mean)
        held = np.flatnonzero(tw.agency >= 0)
        if len(held):
            q[held] = m.agencies.quality_of(tw.agency[held])
        return q

    def evaluate(self, asked: np.ndarray, served: np.ndarray):
        """Record what operating stations delivered this month against the contract's plan (ODD §7.3).

        (``asked`` and ``served``, the month's needs, are what residents saw; the evaluation reads
        delivery: posts filled, the staff's productivity or ties, and the provider's quality.)
        """
        m = self.model
        p, tw = m.params, m.townships
        op = tw.has_station
        if not op.any():
            return
        # delivery against the contract's plan: posts filled × what the staff deliver per post
        # (casework productivity for outputs, community ties for outcomes) × the provider's quality
        staffed = np.minimum(1.0, tw.sw_staff / np.maximum(tw.positions, 1))
        per_post = tw.productivity if p.evaluation_basis == "outputs" else tw.ties
        # the plan: what an agency of average quality delivers fully staffed by veterans
        delivered = tender.delivery(self.quality(), staffed, per_post, plan=p.agency_quality_mean)
        tw.eval_sum[op] += delivered[op]
        tw.eval_n[op] += 1

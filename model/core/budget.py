"""ODD §7.1 and §7.12: the fiscal year, the budget lines and the month's payments.

``Ledger`` holds the money state: this year's budget and spending per line, earlier
years' budgets, totals, the year's fiscal factor and the shares of the allowance and
volunteer-incentive bills that the budget paid last. ``plan_budgets`` sets the lines
for the rest of the year from the levers; ``pay`` pays the month's bills. Spending is
capped by the line: ``Ledger.spend`` returns what was paid.
"""

from __future__ import annotations

import numpy as np

from ..indicators import BUDGET_LINES
from . import committees, envelope, tender
from .organisations import VENTURE_MONTH
from .state import MODE_DIRECT, MODE_PURCHASE, ROLE_COMMUNITY
from .workforce import MAX_CW_SIT_SHARE, allowance_pull

__all__ = ["Ledger", "budget_plan", "plan_envelope", "plan_budgets", "pay", "replan_budgets"]

# How planners size the lines (assumptions): new organisations at a fifth of those alive a
# year; the volunteer incentive for 1.5 times this month's active volunteers. Exam training is
# budgeted until the June exam and venture grants until the April round.
PLANNED_FOUNDING_RATE = 0.2
INCENTIVE_HEADROOM = 1.5
EXAM_MONTH = 6  # the national exam is sat in June, results about three months later (assumption: the usual calendar)
# Direct stations recruit about this many times a year per post's turnover (assumption: a
# station's ≈2.5 posts); the stations line budgets their recruitment
DIRECT_POSTS_BUDGETED = 3


class Ledger:
    """Budget lines (``BUDGET_LINES``), what was spent on each, and the year's fiscal factor."""

    def __init__(self):
        self.budget_year = dict.fromkeys(BUDGET_LINES, 0.0)  # this year's line, yuan
        self.spent_year = dict.fromkeys(BUDGET_LINES, 0.0)  # spent from it this year, yuan
        self.budget_closed = dict.fromkeys(BUDGET_LINES, 0.0)  # earlier years' budgets, yuan
        self.spend_total = dict.fromkeys(BUDGET_LINES, 0.0)  # spent since the start, yuan
        self.fiscal_factor = 1.0  # share of the year's planned activities the envelope funds
        self.facilities_share = 1.0  # share of the running bases and points the envelope funds
        self.allowances_share = 1.0  # share of the allowance bill the envelope funds
        self.fiscal_shock = False  # a fiscal shock this year
        self.envelope_year = 0.0  # this year's five-society envelope (counties and province), yuan
        self.requested_year = 0.0  # what the year's plan asked for, yuan
        self.granted_year = 0.0  # what the envelope granted, yuan
        self.allowance_paid_ratio = 1.0  # share of last month's allowance bill paid
        self.incentive_paid_ratio = 1.0  # share of last month's volunteer-incentive bill paid

    def new_year(self, p, rng) -> None:
        """January: draw the year's fiscal shock; close last year's lines."""
        self.fiscal_shock = bool(rng.random() < p.fiscal_shock_prob)
        for line in BUDGET_LINES:
            self.budget_closed[line] += self.budget_year[line]
            self.budget_year[line] = 0.0
            self.spent_year[line] = 0.0

    def spend(self, line: str, amount: float) -> float:
        """Pay up to ``amount`` from a budget line; return what was paid."""
        room = max(0.0, self.budget_year[line] - self.spent_year[line])
        paid = min(float(amount), room)
        self.spent_year[line] += paid
        self.spend_total[line] += paid
        return paid

    def set_lines(self, plan: dict[str, float]) -> None:
        """Each line becomes what was spent this year plus ``plan[line]`` for the rest of it."""
        for line, amount in plan.items():
            self.budget_year[line] = self.spent_year[line] + float(amount)

    def extend_lines(self, extra: dict[str, float]) -> None:
        """Add ``extra[line]`` to this year's lines where it is positive: a line never shrinks mid-year."""
        for line, amount in extra.items():
            if amount > 0:
                self.budget_year[line] += float(amount)

    def spent(self) -> float:
        return float(sum(self.spend_total.values()))

    def budgeted(self) -> float:
        return float(sum(self.budget_closed.values()) + sum(self.budget_year.values()))


def _tiers_by_county(m, plans) -> tuple[np.ndarray, dict]:
    """The year's requests, yuan, as (tiers × counties), and the unit costs behind them."""
    p = m.params
    st, c = m.stations, m.communities
    n_c = len(plans)
    county_pop = m.county_population
    share_pop = county_pop / county_pop.sum()
    direct = {"purchase": 0.0, "direct": 1.0, "mixed": p.direct_share}[p.procurement_mode]
    budget = p.station_budget_yuan
    floor_purchase = p.station_activity_yuan + p.agency_overhead_share * budget + st.post_cost(MODE_PURCHASE)
    floor_direct = p.station_activity_yuan + st.post_cost(MODE_DIRECT)
    floor = min(budget, (1 - direct) * floor_purchase + direct * floor_direct)
    procurement = (1 - direct) * float(tender.contract_overhead_per_year(p.contract_years, p.tender_cost_yuan,
                                                                         p.evaluation_cost_yuan))
    tw = m.townships
    # running contracts are commitments at their value; running direct stations re-set yearly
    committed = np.array([float(tw.station_money[r[tw.mode[r] == MODE_PURCHASE]].sum()) for r, _, _ in plans])
    n_run = np.array([int((tw.mode[r] == MODE_DIRECT).sum()) for r, _, _ in plans], float)
    n_exp = np.array([len(e) for _, e, _ in plans], float)
    n_new = np.array([len(n) for _, _, n in plans], float)
    n_all = n_run + n_exp + n_new
    w = m.workers
    alive, cert = w.view("alive"), w.view("cert")
    allowances = float(((alive & (cert > 0)) * cert).sum() * p.cert_allowance_yuan) * 12
    points = int((c.has_volunteer_point & c.facility).sum())
    facilities = m.organisations.incubator_month_cost() * 12 + points * p.volunteer_point_cost_yuan
    pop10k = m.population / 10_000
    activities = (p.venture_budget_yuan_per_10k * pop10k
                  + m.orgs.view("alive").sum() * PLANNED_FOUNDING_RATE * p.startup_grant_yuan
                  + p.volunteer_incentive_yuan * max(1, int(c.volunteers_active.sum())) * INCENTIVE_HEADROOM * 12
                  + committees.support_cost(c.n, p.party_building, p.party_building_yuan))
    req = np.zeros((len(envelope.TIERS), n_c))
    req[0] = committed + (n_run + n_exp) * (floor + procurement)  # stations_floor
    req[1] = allowances * share_pop
    req[2] = facilities * share_pop
    req[3] = n_new * (floor + procurement)  # new_stations_floor
    req[4] = n_all * (budget - floor)  # posts beyond the first
    req[5] = activities * share_pop + n_all * p.brand_project_yuan
    if m.rooms.has.any():  # community social-work rooms (``rooms``), requested with the activities
        req[5] += m.rooms.cost_by_county(n_c)
    return req, {"floor": floor, "procurement": procurement, "committed": committed, "n_run": n_run,
                 "n_exp": n_exp, "n_new": n_new,
                 "n_all": n_all}


def plan_envelope(m) -> None:
    """January: the five-society envelope, the squeeze applied once, and the counties' choices (ODD §7.1).

    Each county's requests (operating stations at one post, allowances, running bases and
    points, new stations at one post, the stations' further posts, activities) are met from
    its envelope in that order of protection (``budget_priority = stations_first``), or all
    cut alike (``proportional``); the squeeze and a fiscal shock cut what the plan asks once.
    The province funds exam training, the platform and public money for matching.
    """
    p = m.params
    ledger = m.ledger
    reg = m.region.budget
    plans = [purchaser.propose() for purchaser in m.stations.purchasers]
    req, unit = _tiers_by_county(m, plans)
    pop10k = m.population / 10_000
    total = envelope.region_envelope(m.population * reg["civil_affairs_yuan_per_head"], reg["five_society_share"],
                                     p.extra_budget_yuan_per_10k * pop10k)
    weights = envelope.county_weights(m.county_population, np.bincount(m.townships.county,
                                                                      minlength=len(m.county_population)))
    province_env, county_env = envelope.county_envelopes(total, weights, reg["province_share"])
    cut = (1 - p.fiscal_squeeze) * (1 - (p.fiscal_shock_depth if ledger.fiscal_shock else 0.0))
    available = envelope.squeezed(np.minimum(county_env, req.sum(axis=0)), p.fiscal_squeeze) \
        * (1 - (p.fiscal_shock_depth if ledger.fiscal_shock else 0.0))
    if p.budget_priority == "proportional":
        share = np.divide(available, req.sum(axis=0), out=np.ones_like(available), where=req.sum(axis=0) > 0)
        grant = req * np.minimum(share, 1.0)
    else:
        grant = envelope.allocate(req, available)
    # the province's own lines: training, platform, public money for matching
    prov_req = _province_request(m)
    prov_available = min(province_env, prov_req) * cut
    ledger.province_share = prov_available / prov_req if prov_req > 0 else 1.0
    ledger.envelope_year = float(total)
    ledger.requested_year = float(req.sum() + prov_req)
    ledger.granted_year = float(grant.sum() + prov_available)

    def ratio(k):
        return np.divide(grant[k], req[k], out=np.ones(req.shape[1]), where=req[k] > 0)

    committed = unit["committed"] + unit["n_run"] * (unit["floor"] + unit["procurement"])
    renewable = unit["n_exp"] * (unit["floor"] + unit["procurement"])
    keep = np.divide(grant[0] - committed, renewable, out=np.ones_like(renewable), where=renewable > 0)
    # a county whose running commitments alone exceed what it has renegotiates them down to it
    # (no renewal, no new station; the running contracts thinned alike): no county spends beyond
    # its envelope (assumption: contracts are varied rather than broken; §4b.third_party_evaluation: the buyer
    # keeps control of the contract)
    running_share = np.minimum(1.0, np.divide(grant[0], committed, out=np.ones_like(committed),
                                              where=committed > 0))
    m.stations.county_available = available.copy()
    posts = ratio(4)
    money = unit["floor"] + posts * (p.station_budget_yuan - unit["floor"])
    # new stations also need the county's own channels to put up their share (fiscal capacity and
    # funding channels, ``funding.county_factor``): a poor county expands more slowly
    build = np.minimum(ratio(3), m.stations.county_money)
    for i, purchaser in enumerate(m.stations.purchasers):
        purchaser.plan_stations(float(np.clip(keep[i], 0, 1)), float(build[i]), float(money[i]),
                                float(running_share[i]))
    granted = grant.sum(axis=1)
    asked = req.sum(axis=1)
    shares = np.divide(granted, asked, out=np.ones_like(granted), where=asked > 0)
    ledger.allowances_share = float(shares[1])
    ledger.facilities_share = float(shares[2])
    ledger.fiscal_factor = float(shares[5])
    m.flows["envelope_yuan"] = float(total)


def _province_request(m) -> float:
    """The province's year: exam training, the digital platform, public money into the matching fund."""
    p = m.params
    w = m.workers
    alive, cert, role = w.view("alive"), w.view("cert"), w.view("role")
    in_post_candidates = ((alive & (cert == 0) & (role != ROLE_COMMUNITY)).sum() * p.in_post_exam_share
                          + (alive & (cert == 0) & (role == ROLE_COMMUNITY)).sum()
                          * min(MAX_CW_SIT_SHARE, p.cw_exam_sit_share * allowance_pull(p)))
    pop10k = m.population / 10_000
    return float(float(in_post_candidates) * p.exam_training_yuan
                 + (p.platform_cost_yuan_per_10k * pop10k if p.digital_platform else 0.0)
                 + (p.match_fund_public_yuan_per_10k * pop10k if p.charity_match_ratio > 0 else 0.0))


def plan_budgets(m) -> None:
    """Budget lines for the rest of the year (ODD §7.1): the levers' bills at the shares the envelope granted."""
    m.ledger.set_lines(budget_plan(m))


def replan_budgets(m, before) -> None:
    """A mid-year lever change (ODD §7.1): each line grows by what the change adds to the rest of the year.

    The rest of the year is costed twice on today's counts and this year's envelope shares,
    with the levers before the change (``before``) and after it; a line gains the difference
    where it is positive. A line the change does not touch stays as it is, and a cut leaves
    its money unspent rather than shrinking a line already granted.
    """
    after = m.params
    m.params = before
    try:
        old = budget_plan(m)
    finally:
        m.params = after
    new = budget_plan(m)
    m.ledger.extend_lines({line: new[line] - old[line] for line in new})


def budget_plan(m) -> dict[str, float]:
    """Each line's cost for the rest of the year under ``m.params``, at the envelope's shares; pure."""
    p = m.params
    tw, c = m.townships, m.communities
    ledger = m.ledger
    month = int(m.calendar_month[m.t])
    months_left = 13 - month
    f = ledger.fiscal_factor
    fp = getattr(ledger, "province_share", 1.0)
    n_funded = int(tw.funded.sum())
    pop10k = m.population / 10_000
    purchase = int((tw.funded & (tw.mode == MODE_PURCHASE)).sum()) + int((tw.funded & (tw.mode < 0)).sum())
    procurement = float(tender.contract_overhead_per_year(p.contract_years, p.tender_cost_yuan, p.evaluation_cost_yuan))
    direct_hiring = (int((tw.funded & (tw.mode == MODE_DIRECT)).sum()) * DIRECT_POSTS_BUDGETED * p.sw_turnover_base
                     * p.recruitment_cost_yuan)
    money = np.maximum(tw.station_money, tw.next_money)[tw.funded]  # a renewal may start this year
    stations = (float(money.sum()) * m.stations.public_share() / 12 * months_left
                + (purchase * procurement + direct_hiring) * months_left / 12)
    w = m.workers
    alive, cert, role = w.view("alive"), w.view("cert"), w.view("role")
    allow_bill = (alive & (cert > 0)) * cert * p.cert_allowance_yuan
    allowances = float(allow_bill.sum()) * months_left * ledger.allowances_share
    in_post_candidates = ((alive & (cert == 0) & (role != ROLE_COMMUNITY)).sum() * p.in_post_exam_share
                          + (alive & (cert == 0) & (role == ROLE_COMMUNITY)).sum()
                          * min(MAX_CW_SIT_SHARE, p.cw_exam_sit_share * allowance_pull(p)))
    training = float(in_post_candidates) * p.exam_training_yuan * fp if month <= EXAM_MONTH else 0.0
    incubators = m.organisations.incubator_month_cost() * months_left * ledger.facilities_share
    venture = p.venture_budget_yuan_per_10k * pop10k * f if month <= VENTURE_MONTH else 0.0
    expected_new_orgs = m.orgs.view("alive").sum() * PLANNED_FOUNDING_RATE / 12
    grants = venture + expected_new_orgs * p.startup_grant_yuan * months_left * f
    points = int((c.has_volunteer_point & c.facility).sum())
    volunteers = (points * p.volunteer_point_cost_yuan / 12 * months_left * ledger.facilities_share
                  + p.volunteer_incentive_yuan * max(1, int(c.volunteers_active.sum())) * INCENTIVE_HEADROOM
                  * months_left * f)
    match = (p.match_fund_public_yuan_per_10k * pop10k * fp * months_left / 12
             if p.charity_match_ratio > 0 else 0.0)
    platform = p.platform_cost_yuan_per_10k * pop10k / 12 * months_left * fp if p.digital_platform else 0.0
    brand = p.brand_project_yuan * n_funded / 12 * months_left * f
    support = committees.support_cost(c.n, p.party_building, p.party_building_yuan) / 12 * months_left * f
    rooms = int(m.rooms.has.sum()) * p.sw_room_cost_yuan / 12 * months_left * f
    return {"stations": stations, "brand": brand, "allowances": allowances, "training": training,
            "incubators": incubators, "grants": grants, "volunteers": volunteers,
            "charity_match": match, "platform": platform, "committees": support,
            "sw_rooms": rooms}


def pay(m) -> None:
    """The month's bills (ODD §7.12): stations, brand projects, allowances, bases, volunteers, platform, matching."""
    p, tw, c, w, ledger = m.params, m.townships, m.communities, m.workers, m.ledger
    paying = tw.funded & ((tw.mode == MODE_DIRECT) | (tw.agency >= 0))
    bills = m.stations.station_month_cost() * paying
    public = m.stations.public_share()  # charity's share of station money is not public money (``funding``)
    due = float(bills.sum()) * public
    paid = ledger.spend("stations", due)
    ratio = (paid / due if due > 0 else 1.0) * public + (1 - public)
    purchased = paying & (tw.mode == MODE_PURCHASE)
    m.flows["gov_to_agencies_yuan"] = float(bills[purchased].sum()) * (ratio - (1 - public))
    m.flows["gov_to_stations_yuan"] = paid - m.flows["gov_to_agencies_yuan"]
    towns = np.flatnonzero(purchased)
    if len(towns):
        # each agency's revenue this month, summed town by town in township order (as bincount adds)
        held = tw.agency[towns]
        revenue = np.bincount(held, bills[towns] * ratio)
        paid_to = np.unique(held)
        paid_to = paid_to[np.isin(paid_to, m.agencies.ids())]  # agencies alive
        m.agencies.revenue_month[paid_to] += revenue[paid_to]
    # brand projects are paid as they run (``needs.Needs._projects``)
    ledger.spend("committees", committees.support_cost(c.n, p.party_building, p.party_building_yuan) / 12)
    alive, cert = w.view("alive"), w.view("cert")
    bill = float(((alive & (cert > 0)) * cert).sum() * p.cert_allowance_yuan)
    ledger.allowance_paid_ratio = ledger.spend("allowances", bill) / bill if bill > 0 else 1.0
    m.flows["allowances_yuan"] = bill * ledger.allowance_paid_ratio
    ledger.spend("incubators", m.organisations.incubator_month_cost())
    ledger.spend("volunteers", int((c.has_volunteer_point & c.facility).sum()) * p.volunteer_point_cost_yuan / 12)
    bill = p.volunteer_incentive_yuan * float(c.volunteers_active.sum())
    ledger.incentive_paid_ratio = ledger.spend("volunteers", bill) / bill if bill > 0 else 1.0
    m.flows["volunteer_incentives_yuan"] = bill * ledger.incentive_paid_ratio
    if p.digital_platform:
        ledger.spend("platform", p.platform_cost_yuan_per_10k * m.population / 10_000 / 12)
    if p.charity_match_ratio > 0 and p.match_fund_public_yuan_per_10k > 0:
        m.charity.match_fund += ledger.spend("charity_match", p.match_fund_public_yuan_per_10k
                                             * m.population / 10_000 / 12)

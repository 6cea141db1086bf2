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
from . import committees
from .organisations import VENTURE_MONTH
from .state import MODE_DIRECT, MODE_PURCHASE, ROLE_COMMUNITY
from .workforce import MAX_CW_SIT_SHARE, allowance_pull

__all__ = ["Ledger", "budget_plan", "plan_budgets", "pay", "replan_budgets"]

# How planners size the lines (assumptions): new organisations at a fifth of those alive a
# year; the volunteer incentive for 1.5 times this month's active volunteers; matching for
# 1.2 times last year's donations. Exam training is budgeted until the June exam and venture
# grants until the April round.
PLANNED_FOUNDING_RATE = 0.2
INCENTIVE_HEADROOM = 1.5
MATCH_HEADROOM = 1.2
EXAM_MONTH = 6  # the national exam is sat in June, results about three months later (assumption: the usual calendar)


class Ledger:
    """Budget lines (``BUDGET_LINES``), what was spent on each, and the year's fiscal factor."""

    def __init__(self):
        self.budget_year = dict.fromkeys(BUDGET_LINES, 0.0)  # this year's line, yuan
        self.spent_year = dict.fromkeys(BUDGET_LINES, 0.0)  # spent from it this year, yuan
        self.budget_closed = dict.fromkeys(BUDGET_LINES, 0.0)  # earlier years' budgets, yuan
        self.spend_total = dict.fromkeys(BUDGET_LINES, 0.0)  # spent since the start, yuan
        self.fiscal_factor = 1.0  # this year's money relative to plan
        self.fiscal_shock = False  # a fiscal shock this year
        self.allowance_paid_ratio = 1.0  # share of last month's allowance bill paid
        self.incentive_paid_ratio = 1.0  # share of last month's volunteer-incentive bill paid

    def new_year(self, p, rng) -> None:
        """January: draw the year's fiscal shock; close last year's lines."""
        self.fiscal_shock = bool(rng.random() < p.fiscal_shock_prob)
        self.fiscal_factor = (1 - p.fiscal_squeeze) * (1 - (p.fiscal_shock_depth if self.fiscal_shock else 0.0))
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


def plan_budgets(m) -> None:
    """Budget lines for the rest of the year from the current levers (ODD §7.1)."""
    m.ledger.set_lines(budget_plan(m))


def replan_budgets(m, before) -> None:
    """A mid-year lever change (ODD §7.1): each line grows by what the change adds to the rest of the year.

    The rest of the year is costed twice on today's counts, with the levers before the
    change (``before``) and after it; a line gains the difference where it is positive.
    A line the change does not touch stays as it is, so an allowance line that ran out
    is not refilled by an unrelated change, and a cut leaves its money unspent rather
    than shrinking a line already granted (budget lines are cumulative and never fall).
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
    """Each budget line's cost for the rest of the year (this month to December) under ``m.params``; pure."""
    p = m.params
    tw, c = m.townships, m.communities
    month = int(m.calendar_month[m.t])
    months_left = 13 - month
    f = m.ledger.fiscal_factor
    n_funded = int(tw.funded.sum())
    pop10k = m.population / 10_000
    stations = n_funded * m.stations.month_cost() * months_left
    w = m.workers
    alive, cert, role = w.view("alive"), w.view("cert"), w.view("role")
    allow_bill = (alive & (cert > 0)) * cert * p.cert_allowance_yuan
    allowances = float(allow_bill.sum()) * months_left * f
    in_post_candidates = ((alive & (cert == 0) & (role != ROLE_COMMUNITY)).sum() * p.in_post_exam_share
                          + (alive & (cert == 0) & (role == ROLE_COMMUNITY)).sum()
                          * min(MAX_CW_SIT_SHARE, p.cw_exam_sit_share * allowance_pull(p)))
    training = float(in_post_candidates) * p.exam_training_yuan * f if month <= EXAM_MONTH else 0.0
    incubators = m.organisations.incubator_month_cost() * months_left
    venture = p.venture_budget_yuan_per_10k * pop10k * f if month <= VENTURE_MONTH else 0.0
    expected_new_orgs = m.orgs.view("alive").sum() * PLANNED_FOUNDING_RATE / 12
    grants = venture + expected_new_orgs * p.startup_grant_yuan * months_left * f
    points = int((c.has_volunteer_point & c.facility).sum())
    volunteers = (points * p.volunteer_point_cost_yuan / 12 * months_left
                  + p.volunteer_incentive_yuan * max(1, int(c.volunteers_active.sum())) * INCENTIVE_HEADROOM
                  * months_left * f)
    ch = m.charity
    base_donations = max(ch.donations_last_year, ch.donated / max(1, m.t) * 12, 1.0)
    match = p.charity_match_ratio * base_donations * MATCH_HEADROOM / 12 * months_left * f
    platform = p.platform_cost_yuan_per_10k * pop10k / 12 * months_left * f if p.digital_platform else 0.0
    brand = p.brand_project_yuan * n_funded / 12 * months_left * f
    support = committees.support_cost(c.n, p.party_building, p.party_building_yuan) / 12 * months_left * f
    return {"stations": stations, "brand": brand, "allowances": allowances, "training": training,
            "incubators": incubators, "grants": grants, "volunteers": volunteers,
            "charity_match": match, "platform": platform, "committees": support}


def pay(m) -> None:
    """The month's bills (ODD §7.12): stations, allowances, bases, volunteers, platform, committee support."""
    p, tw, c, w, ledger = m.params, m.townships, m.communities, m.workers, m.ledger
    paying = tw.funded & ((tw.mode == MODE_DIRECT) | (tw.agency >= 0))
    paid = ledger.spend("stations", int(paying.sum()) * m.stations.month_cost())
    per_station = paid / max(int(paying.sum()), 1)
    purchased = paying & (tw.mode == MODE_PURCHASE)
    m.flows["gov_to_agencies_yuan"] = per_station * int(purchased.sum())
    m.flows["gov_to_stations_yuan"] = paid - m.flows["gov_to_agencies_yuan"]
    for town in np.flatnonzero(paying & (tw.mode == MODE_PURCHASE)):
        agency = m.agencies.by_id.get(int(tw.agency[town]))
        if agency is not None:
            agency.revenue_month += per_station
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

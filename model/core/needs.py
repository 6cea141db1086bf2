"""ODD §7.11: residents' needs by group and the services that meet them.

State: the columns ``needs_open_g`` (open needs per group, ``regions.NEED_GROUPS``),
``needs_open`` and ``services`` of ``state.Communities``; this month's needs reached and
served per group, platform orders, household visits and project services; which stations
assess needs (one uniform per township, so that pairing holds across lever values); how
long the platform has run.

Each month (rules in ``needs_groups``, ``platform`` and ``projects``): needs arise among the
residents of each group who have none; they reach a provider when residents ask (at the
community or the station; more where the committee is strong), when station social workers
find them on household visits, or, where the platform runs, as orders; projects (一站一品
and charity-funded social-work projects) serve their target group first, then community
workers, organisations, volunteers, charity services and station casework serve the groups
they fit, within capacity; platform orders still waiting are dispatched to providers with
time elsewhere in the township; served needs mostly end. Stations are scored on the month.
"""

from __future__ import annotations

import numpy as np

from ..regions import NEED_GROUPS
from . import committees, needs_groups, platform, projects
from .streams import bulk_flow, round_expected

__all__ = ["Needs", "CW_SERVICES", "VOLUNTEER_HOURS_PER_SERVICE", "ORG_SERVICES", "ASK_BASE", "ASK_STATION"]

# Services that meet residents' needs, per month (assumptions; ODD §7.9): a community worker
# has little time left after administration; a volunteer gives one need-service per 12 hours
# (most volunteer hours go to group activities); an organisation of full capacity one.
CW_SERVICES = 0.5
VOLUNTEER_HOURS_PER_SERVICE = 12.0
ORG_SERVICES = 1.0
# The chance an open need is asked for this month: 0.3, +0.15 where the township has a station,
# + the committee's part (committees.ask_bonus), at most 0.9 (assumptions, ODD §7.11)
ASK_BASE, ASK_STATION, ASK_MAX = 0.3, 0.15, 0.9
# Activities that are not need-services, counted in service_person_times (assumption): an
# organisation of full capacity runs 8 person-times a month; a volunteer hour is half a person-time
ORG_ACTIVITIES, ACTIVITIES_PER_VOLUNTEER_HOUR = 8.0, 0.5


class Needs:
    """Open needs per community and group, and this month's reach, services and orders."""

    def __init__(self, model):
        self.model = model
        s = model.structure
        self.asked = 0  # needs reached this month (asked, found or ordered)
        self.served = 0  # needs served this month
        self.asked_g = np.zeros(len(NEED_GROUPS))
        self.served_g = np.zeros(len(NEED_GROUPS))
        totals = s.community_groups.sum(axis=1)
        self.prior = needs_groups.group_shares(totals[:, None])[:, 0]  # the region's average mix
        self.assess_u = model.streams["assessment"].random(s.n_townships)  # u < share: the station assesses
        self.platform_months = -1  # months the platform has run (−1: not running)
        self.project_running = np.zeros(s.n_townships, bool)
        self.orders = 0
        self.orders_served = 0
        self.found = 0
        self.project_services = 0.0

    def assessing(self) -> np.ndarray:
        """Operating stations that assess their communities' needs (lever ``needs_assessment_share``)."""
        m = self.model
        return m.townships.has_station & (self.assess_u < m.params.needs_assessment_share)

    def tick_platform(self):
        """Start of the month: count the months the platform has run (reset when switched off)."""
        self.platform_months = self.platform_months + 1 if self.model.params.digital_platform else -1

    def step(self):
        """Needs arise, reach providers, are served or wait; the stations are scored on the month."""
        m = self.model
        p, c, tw = m.params, m.communities, m.townships
        rng = m.streams["needs"]

        def flow(n, q):
            return bulk_flow(rng, n, q)

        c.needs_open_g += needs_groups.arise(c.needs_open_g, c.groups, p.need_onset, flow)
        strength = c.strength(p.party_building)
        ask_p = np.minimum(ASK_MAX, ASK_BASE + ASK_STATION * tw.has_station[c.township]
                           + committees.ask_bonus(strength))
        reached, on_visits = needs_groups.find(c.needs_open_g, ask_p, c.visits, c.groups, flow)
        running = self.platform_months >= 0
        demand = reached
        if running:
            up = platform.uptake(self.platform_months, p.platform_uptake, p.platform_ramp_months)
            orders = platform.take_orders(c.needs_open_g - reached, up,
                                          lambda n, q: bulk_flow(m.streams["platform"], n, q))
            demand = reached + orders
        reached_c = reached.sum(axis=0)
        cw = m.workforce.posts.cw_by_community
        org_capacity = m.organisations.capacity_by_community
        capacity = np.vstack([cw * CW_SERVICES, org_capacity * ORG_SERVICES,
                              c.volunteer_hours / VOLUNTEER_HOURS_PER_SERVICE,
                              c.charity_services + c.venture_services,  # money-funded projects of organisations
                              c.case_hours / p.case_hours])
        assessed_t = self.assessing()
        targeted, services_t = self._projects(demand, assessed_t)
        served, spare = needs_groups.serve(demand, capacity, assessed_t[c.township], self.prior,
                                           gain=p.assessment_gain, targeted=targeted, overflow=p.project_overflow)
        orders_served = 0.0
        if running:
            local = platform.local_share(orders, demand, served)
            sent, spare = platform.dispatch(orders - local, spare, c.township, tw.n)
            served = np.minimum(served + sent, demand)
            orders_served = float(local.sum() + sent.sum())
        c.needs_open_g -= round_expected(rng, needs_groups.resolve(c.needs_open_g, served), cap=c.needs_open_g)
        c.needs_open = c.needs_open_g.sum(axis=0)

        self.asked_g = demand.sum(axis=1)
        self.served_g = served.sum(axis=1)
        self.asked = int(self.asked_g.sum())
        self.served = float(self.served_g.sum())
        self.orders = int(orders.sum()) if running else 0
        self.orders_served = int(round(orders_served))
        self.found = float((reached_c * on_visits).sum())  # not @: a BLAS call starts spinning threads
        self.project_services = float(min(services_t.sum(), self.served)) if targeted is not None else 0.0
        served_c = served.sum(axis=0)
        activities = org_capacity * ORG_ACTIVITIES + c.volunteer_hours * ACTIVITIES_PER_VOLUNTEER_HOUR
        c.services = served_c + activities
        m.flows["services"] = float(c.services.sum())
        m.stations.evaluate(demand.sum(axis=0) if running else reached_c, served_c)

    def _projects(self, demand: np.ndarray, assessed_t: np.ndarray):
        """This month's project services per township and their target group (``projects``).

        Money: the brand line (一站一品, paid as the project runs) and the community funds' pay-out
        to social-work projects (``charity``). Returns ``(targeted capacity or None, services per township)``.
        """
        m = self.model
        p, c, tw = m.params, m.communities, m.townships
        brand = np.where(tw.has_station, p.brand_project_yuan / 12, 0.0)
        bill = float(brand.sum())
        paid = m.ledger.spend("brand", bill) if bill > 0 else 0.0
        money_t = brand * (paid / bill) if bill > 0 else np.zeros(tw.n)
        if c.sw_project_money.any():
            money_t = money_t + np.bincount(c.township, c.sw_project_money, tw.n)
        self.project_running = money_t > 0
        if not self.project_running.any():
            return None, np.zeros(tw.n)
        services_t = projects.project_services(money_t, p.project_service_yuan)
        demand_t = np.vstack([np.bincount(c.township, d, tw.n) for d in demand])
        target_t = projects.choose_target(demand_t, assessed_t, self.prior)
        return projects.targeted_capacity(services_t, target_t, demand, c.township), services_t

"""ODD §7.10: charity: community funds, projects, donations, public matching, pay-outs.

State: the columns ``has_fund``, ``fund_balance``, ``charity_payout`` and
``charity_services`` of ``state.Communities``; the region's running totals (``raised``,
``donated``) and this and last year's donations (the match budget reads last year's).
"""

from __future__ import annotations

import numpy as np

from . import envelope
from .streams import poisson_from_uniform, stochastic_round

__all__ = ["Charity", "YUAN_PER_SERVICE"]

YUAN_PER_SERVICE = 500.0  # charity project money per service delivered (assumption)
# Projects per funded community grow 10% per station linkage hour and per organisation
# (assumption: social workers and organisations design and run the projects)
PROJECT_LINKAGE_HOURS = 10
PROJECT_ORGS = 10
# A project's donations are log-normal with this log-sd (assumption: a few large gifts)
DONATION_SIGMA = 0.8


def asked_total(projects: np.ndarray, mean: float, z: np.ndarray, sigma: float = DONATION_SIGMA) -> np.ndarray:
    """What a community's ``projects`` ask this month, from one standard normal ``z`` each.

    The sum of k log-normal asks (log-sd ``sigma``, mean ``mean``) as one log-normal of the
    same mean and variance (Fenton–Wilkinson): mean k·mean, log-variance ln(1 + (e^σ² − 1)/k).
    One draw per community, whatever the number of projects, keeps paired runs on common
    random numbers.
    """
    k = np.asarray(projects, dtype=float)
    out = np.zeros(k.shape)
    has = k > 0
    var = np.log1p(np.expm1(sigma**2) / k[has])
    out[has] = k[has] * mean * np.exp(np.sqrt(var) * z[has] - var / 2)
    return out
# Funds pay out a sixth of the balance a month; half of it to the community's organisations
# (where it has any), half to services (assumptions; 47号 asks funds to support organisations
# and services alike)
PAYOUT_MONTHS = 6
TO_ORGS_SHARE = 0.5


class Charity:
    """Community charity funds and the money that flows through them."""

    def __init__(self, model):
        self.model = model
        self.raised = 0.0  # donations and matching since the start, yuan
        self.donated = 0.0  # donations since the start, yuan
        self.donations_this_year = 0.0
        self.donations_last_year = 0.0
        self.match_fund = 0.0  # the matching fund's balance (配捐), yuan
        c = model.communities
        self.asked_year = np.zeros(c.n)  # what projects asked of donors this year, per community
        self.given_year = np.zeros(c.n)  # what donors gave against it (``envelope.given_of``)
        # the donor base: what a community's donors can give in a year at most (region file)
        self.donor_base = model.region.budget["donor_base_yuan_per_head"] * c.population

    def new_year(self):
        """January: close the year's donations; the matching fund receives its charity money."""
        m = self.model
        self.donations_last_year = self.donations_this_year
        self.donations_this_year = 0.0
        self.asked_year[:] = 0.0
        self.given_year[:] = 0.0
        self.match_fund += m.region.budget["match_fund_yuan_per_head"] * m.population

    def open_funds(self, rng):
        """January: community funds open in a share of the communities still without one."""
        m = self.model
        c = m.communities
        pool = np.flatnonzero(~c.has_fund)
        k = min(len(pool), stochastic_round(m.params.community_fund_share * len(pool), rng))
        c.has_fund[rng.permutation(pool)[:k]] = True

    def _gifts(self, ask: np.ndarray) -> np.ndarray:
        """Gifts for this month's ``ask`` per community from the donor base, which it then uses up.

        ``envelope.saturate`` with the year's gifts so far kept rather than worked out again.
        """
        self.asked_year += ask
        given = envelope.given_of(self.asked_year, self.donor_base)
        gifts = given - self.given_year
        self.given_year = given
        return gifts

    def step(self):
        m = self.model
        p, c = m.params, m.communities
        rng = m.streams["donation"]
        rate = (p.project_rate * (1 + c.linkage / PROJECT_LINKAGE_HOURS) * (1 + c.orgs / PROJECT_ORGS) * c.has_fund
                * (1 + p.brand_visibility * m.needs.project_running[c.township]))  # a visible project draws giving
        # one uniform and one normal per community every month, whatever the rates: a community's
        # projects and asks depend on its own rate only (common random numbers across paired runs)
        u, z = rng.random(c.n), rng.standard_normal(c.n)
        projects = poisson_from_uniform(u, rate)
        total = int(projects.sum())
        donations = np.zeros(c.n)
        if total:
            mean = p.donation_per_project_yuan * (1 + p.donation_match_elasticity * p.charity_match_ratio)
            asked = asked_total(projects, mean, z)
            # donors give what projects ask while the community's donor base is far from used up
            donations = self._gifts(asked)
        # community foundations ask the same donors, then grant to the communities' projects (``foundations``)
        founded = m.foundations.step(self._gifts)
        donated = float(donations.sum())
        # matching gifts from the matching fund, while it lasts (public money only if it was put in)
        matched, self.match_fund = envelope.match_from_fund(donations, p.charity_match_ratio, self.match_fund)
        match = float(matched.sum())
        inflow = donations + matched
        c.fund_balance += inflow
        self.donated += donated
        self.raised += donated + match
        self.donations_this_year += donated
        # funds pay out over about six months: a share to social-work projects at the township's
        # station (47号; lever charity_project_share), of the rest half to the community's
        # organisations and half to services
        out = c.fund_balance / PAYOUT_MONTHS
        c.fund_balance -= out
        if founded is not None:  # a foundation's grant is paid out as the community fund's is
            gifts, grant = founded
            out = out + grant
            self.donated += gifts
            self.raised += gifts
            self.donations_this_year += gifts
            m.flows["donations_yuan"] = gifts  # the community funds' gifts are added below
        c.sw_project_money = out * p.charity_project_share * m.townships.has_station[c.township]
        out = out - c.sw_project_money
        m.flows["charity_to_sw_projects_yuan"] = float(c.sw_project_money.sum())
        o = m.orgs
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 where a community has no organisation
            share = np.where(c.orgs > 0, out * TO_ORGS_SHARE / c.orgs, 0.0)
        # every living organisation gets its community's share; closed ones add 0.0, which leaves
        # their (never negative) funds as they are: one pass over the rows instead of gathering the living
        got = share[o.view("community")]
        got[~o.view("alive")] = 0.0
        o.funds[: o.n] += got
        c.charity_payout = out
        c.charity_services = np.where(c.orgs > 0, out * TO_ORGS_SHARE, out) / YUAN_PER_SERVICE
        m.flows["charity_to_orgs_yuan"] = float((out * TO_ORGS_SHARE * (c.orgs > 0)).sum())
        m.flows["donations_yuan"] += donated
        m.flows["match_yuan"] = match
        m.flows["projects"] = float(total)

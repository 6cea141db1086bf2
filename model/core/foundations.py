"""ODD §7.17: community foundations (社区基金会).

A community foundation is a street (or township) fund with its own fundraising: each month
it asks its township's donors for a share of its yearly ask (``foundation_raise_yuan_per_10k``),
drawing on the same donor base as the community funds (``charity``: what one asks, the other
cannot get), and raises in full in a year with its own reliability (else a part); it grants
about a sixth of its balance a month, less its running costs, to the community projects of
its township's communities, which the money then funds as a community fund's pay-out does
(social-work projects at the station, organisations, services). Sources: §5.community_foundations (street
funds hosted by a charity federation; resource shortage and trust deficits, 魏雪儿 2025),
§2e.community_foundations (community foundations since 2008). Where they may be set up is the region file's
``[mechanisms] community_foundations``; how many each year is the lever
``community_foundation_share``.

State: ``has`` and ``balance`` per township, this year's paid fraction of the ask, the
running totals. With no foundation the submodel draws nothing and changes nothing.
"""

from __future__ import annotations

import numpy as np

from .streams import stochastic_round

__all__ = ["Foundations", "allowed_townships", "monthly_ask"]

PAYOUT_MONTHS = 6  # a foundation grants a sixth of its balance a month, as a community fund (charity)


def allowed_townships(where: str, street: np.ndarray) -> np.ndarray:
    """Townships where a foundation may be set up: ``"none"``, ``"streets"`` (街道) or ``"all"``."""
    street = np.asarray(street, bool)
    if where == "streets":
        return street.copy()
    return np.full(len(street), where == "all")


def monthly_ask(has_t: np.ndarray, paid_t: np.ndarray, township: np.ndarray, population: np.ndarray,
                yuan_per_10k: float) -> np.ndarray:
    """What foundations ask each community's donors this month, yuan (a twelfth of the year's ask)."""
    per_head = float(yuan_per_10k) / 10_000 / 12
    return (np.asarray(has_t, bool) * np.asarray(paid_t, float))[township] * np.asarray(population, float) * per_head


class Foundations:
    """Community foundations per township, their balances and their grants."""

    def __init__(self, model):
        self.model = model
        tw, c = model.townships, model.communities
        self.allowed = allowed_townships(model.region.mechanisms["community_foundations"], tw.street)
        self.has = np.zeros(tw.n, bool)
        self.balance = np.zeros(tw.n)  # yuan
        self.paid = np.ones(tw.n)  # this year's fraction of the ask raised (reliability)
        pop_t = np.bincount(c.township, c.population, tw.n)
        self.weight = np.divide(c.population, pop_t[c.township], out=np.zeros(c.n), where=pop_t[c.township] > 0)
        self.raised = 0.0  # donations to foundations since the start, yuan
        self.granted = 0.0  # grants to community projects since the start, yuan

    def open(self, rng):
        """January: a share of the allowed townships without a foundation set one up; the year's reliability."""
        p = self.model.params
        if p.community_foundation_share <= 0 and not self.has.any():
            return  # nothing to do, nothing drawn
        pool = np.flatnonzero(self.allowed & ~self.has)
        k = min(len(pool), stochastic_round(p.community_foundation_share * len(pool), rng))
        self.has[rng.permutation(pool)[:k]] = True
        u = rng.random(len(self.has))
        self.paid = np.where(u < p.foundation_reliability, 1.0, p.channel_shortfall_paid)

    def step(self, saturate_gifts) -> tuple[float, np.ndarray] | None:
        """The month: raise from the donors, grant to projects; (gifts, grant per community), None without a foundation.

        ``saturate_gifts(ask)`` turns an ask per community into gifts from the donor base the
        community funds share (``charity.Charity``).
        """
        m = self.model
        if not self.has.any():
            m.flows["foundation_grants_yuan"] = 0.0
            return None
        p, c = m.params, m.communities
        ask = monthly_ask(self.has, self.paid, c.township, c.population, p.foundation_raise_yuan_per_10k)
        gifts = saturate_gifts(ask)
        self.balance += np.bincount(c.township, gifts, len(self.has))
        donated = float(gifts.sum())
        self.raised += donated
        out = self.balance / PAYOUT_MONTHS
        self.balance -= out
        to_projects = out * (1 - p.foundation_overhead_share)
        grant = to_projects[c.township] * self.weight
        self.granted += float(grant.sum())
        m.flows["foundation_grants_yuan"] = float(grant.sum())
        return donated, grant

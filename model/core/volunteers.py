"""ODD §7.9: volunteers, held in bulk per community: registration and activation.

State (columns of ``state.Communities``): ``volunteers_registered``, ``volunteers_active``,
``has_volunteer_point``. The registered share is of all residents, as the statistics count
it (FACTS §2d: 15.4% of the population), with prefectures that report their own (Wuhan)
apart. Registration grows at ``volunteer_registration_rate`` of the unregistered a month
(an uncertainty whose range is the 2016–22 national series), times the prefecture's own
multiplier, a volunteer point and the incentive; no source reports registrations lapsing,
so none do. Activation grows with organising (station linkage hours, organisations'
capacity, a point).
"""

from __future__ import annotations

import numpy as np

from ..regions import dated_value
from .streams import bulk_flow, stochastic_round

__all__ = ["Volunteers", "MONTHLY_VOL_HOURS"]

MONTHLY_VOL_HOURS = 4.0  # hours per active volunteer-month (assumption; FACTS §2d thin activity)


class Volunteers:
    """Registered and active volunteers per community, and the volunteer points."""

    def __init__(self, model):
        self.model = model
        prefs = model.region.prefectures
        self._own = [p.get("volunteer_registration_mult") for p in prefs]
        self._mult_month = None
        self._mult = np.ones(len(prefs))

    def initial_share(self, init: dict) -> np.ndarray:
        """Registered share of residents by community at the start: the prefecture's own where it has one."""
        m = self.model
        share = np.array([dated_value(p["volunteer_registered_share"], m.start, interpolate=True)
                          if "volunteer_registered_share" in p else init["volunteer_registered_share"]
                          for p in m.region.prefectures])
        return share[m.community_prefecture]

    def registration_mult(self) -> np.ndarray:
        """This month's registration multiplier by community (a prefecture's own from each date on)."""
        m = self.model
        when = m.calendar[m.t]
        if self._mult_month != when:
            self._mult = np.array([dated_value(t, when, interpolate=False) if t else 1.0 for t in self._own])
            self._mult_month = when
        return self._mult[m.community_prefecture]

    def open_points(self, rng):
        """January: volunteer points open in a share of the facilities still without one."""
        m = self.model
        c = m.communities
        pool = np.flatnonzero(c.facility & ~c.has_volunteer_point)
        k = min(len(pool), stochastic_round(m.params.volunteer_point_share * len(pool) * m.ledger.fiscal_factor, rng))
        c.has_volunteer_point[rng.permutation(pool)[:k]] = True

    def step(self):
        m = self.model
        p, c = m.params, m.communities
        rng = m.streams["volunteering"]
        incentive = p.volunteer_incentive_yuan * m.ledger.incentive_paid_ratio
        reg_p = (p.volunteer_registration_rate * self.registration_mult() * (1 + 0.5 * c.has_volunteer_point)
                 * (1 + incentive / 100))
        c.volunteers_registered += bulk_flow(rng, np.maximum(c.population - c.volunteers_registered, 0),
                                             np.minimum(reg_p, 1))
        org_cap = m.organisations.count_capacity()
        organising = c.linkage / 10 + org_cap / 5 + 0.5 * c.has_volunteer_point
        p_act = p.volunteer_activation * (1 - np.exp(-organising)) * (1 + 0.5 * incentive / 50)
        c.volunteers_active = bulk_flow(rng, c.volunteers_registered, np.minimum(p_act, 0.9))
        m.flows["volunteer_hours"] = float(c.volunteers_active.sum() * MONTHLY_VOL_HOURS)

"""ODD §7.9: volunteers, held in bulk per community: registration, lapse, activation.

State (columns of ``state.Communities``): ``volunteers_registered``, ``volunteers_active``,
``has_volunteer_point``. Registration grows with a volunteer point and the incentive;
activation with organising (station linkage hours, organisations' capacity, a point).
"""

from __future__ import annotations

import numpy as np

from .streams import bulk_flow, stochastic_round

__all__ = ["Volunteers", "ADULT_SHARE", "MONTHLY_VOL_HOURS"]

ADULT_SHARE = 0.85  # residents aged 15+ (census: 0–14 ≈ 16%; assumption for volunteering)
MONTHLY_VOL_HOURS = 4.0  # hours per active volunteer-month (assumption; FACTS §2d thin activity)


class Volunteers:
    """Registered and active volunteers per community, and the volunteer points."""

    def __init__(self, model):
        self.model = model

    def adults(self) -> np.ndarray:
        c = self.model.communities
        return (c.population * ADULT_SHARE).astype(np.int64)

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
        adults = self.adults()
        reg_p = p.volunteer_registration_rate * (1 + 0.5 * c.has_volunteer_point) * (1 + incentive / 100)
        c.volunteers_registered += bulk_flow(rng, np.maximum(adults - c.volunteers_registered, 0),
                                             np.minimum(reg_p, 1))
        c.volunteers_registered -= bulk_flow(rng, c.volunteers_registered, 0.002)  # lapse (assumption)
        org_cap = m.organisations.count_capacity()
        organising = c.linkage / 10 + org_cap / 5 + 0.5 * c.has_volunteer_point
        p_act = p.volunteer_activation * (1 - np.exp(-organising)) * (1 + 0.5 * incentive / 50)
        c.volunteers_active = bulk_flow(rng, c.volunteers_registered, np.minimum(p_act, 0.9))
        m.flows["volunteer_hours"] = float(c.volunteers_active.sum() * MONTHLY_VOL_HOURS)

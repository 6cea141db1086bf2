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
# Registration (assumptions): a volunteer point in the community adds 50%; the monthly
# incentive adds 100% per 100 yuan; registrations lapse at 0.2% a month.
POINT_REGISTRATION_GAIN = 0.5
INCENTIVE_REGISTRATION_YUAN = 100.0
LAPSE_PROB = 0.002
# Activation: ``volunteer_activation`` × (1 - exp(-organising)), where organising counts station
# linkage hours per 10, organisations' capacity per 5 and 0.5 for a volunteer point; the incentive
# adds 50% per 50 yuan; at most 90% of the registered are active in a month (assumptions).
ORGANISING_LINKAGE_HOURS = 10
ORGANISING_ORG_CAPACITY = 5
ORGANISING_POINT = 0.5
INCENTIVE_ACTIVATION_GAIN = 0.5
INCENTIVE_ACTIVATION_YUAN = 50
MAX_ACTIVE_SHARE = 0.9


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
        reg_p = (p.volunteer_registration_rate * (1 + POINT_REGISTRATION_GAIN * c.has_volunteer_point)
                 * (1 + incentive / INCENTIVE_REGISTRATION_YUAN))
        c.volunteers_registered += bulk_flow(rng, np.maximum(adults - c.volunteers_registered, 0),
                                             np.minimum(reg_p, 1))
        c.volunteers_registered -= bulk_flow(rng, c.volunteers_registered, LAPSE_PROB)
        org_cap = m.organisations.count_capacity()
        organising = (c.linkage / ORGANISING_LINKAGE_HOURS + org_cap / ORGANISING_ORG_CAPACITY
                      + ORGANISING_POINT * c.has_volunteer_point)
        p_act = (p.volunteer_activation * (1 - np.exp(-organising))
                 * (1 + INCENTIVE_ACTIVATION_GAIN * incentive / INCENTIVE_ACTIVATION_YUAN))
        c.volunteers_active = bulk_flow(rng, c.volunteers_registered, np.minimum(p_act, MAX_ACTIVE_SHARE))
        m.flows["volunteer_hours"] = float(c.volunteers_active.sum() * MONTHLY_VOL_HOURS)

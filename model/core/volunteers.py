"""ODD §7.9: volunteers, held in bulk per community: registration, then spells of activity.

State (columns of ``state.Communities``): ``volunteers_registered``, split into
``volunteers_active``, ``volunteers_ready`` and ``volunteers_lapsed``; ``volunteer_hours``;
``has_volunteer_point``. The registered share is of all residents, as the statistics count
it (§2d.registered_volunteers: 15.4% of the population), with prefectures that report their own (Wuhan)
apart. Registration grows at ``volunteer_registration_rate`` of the unregistered a month
(an uncertainty whose range is the 2016–22 national series), times the prefecture's own
multiplier, a volunteer point and the incentive; no source reports registrations lapsing
(every series in §1c.wuhan_volunteers, §2d.registered_volunteers grows), so registrations do
not lapse — a registered volunteer may be inactive (``volunteers_lapsed``) but stays registered.
Registered volunteers move between active, ready and lapsed (``volunteer_activity``): the
long-run active share rises with organising (station linkage hours, organisations' capacity,
a point), the incentive, the committee, the platform's recruitment and a visible project;
incentives lengthen the active spell; hours per active volunteer rise with organising.
"""

from __future__ import annotations

import numpy as np

from ..regions import dated_value
from . import committees, volunteer_activity
from .streams import bulk_flow, stochastic_round

__all__ = ["Volunteers", "MAX_ACTIVE_SHARE"]

MAX_ACTIVE_SHARE = 0.9  # the long-run active share is capped here (assumption)
# Registration (assumptions): a volunteer point in the community adds 50%; the monthly
# incentive adds 100% per 100 yuan.
POINT_REGISTRATION_GAIN = 0.5
INCENTIVE_REGISTRATION_YUAN = 100.0


class Volunteers:
    """Registered and active volunteers per community, and the volunteer points."""

    def __init__(self, model):
        self.model = model
        prefs = model.region.prefectures
        self._own = [p.get("volunteer_registration_mult") for p in prefs]
        self._mult_month = None
        self._mult = np.ones(len(prefs))
        self._by_community = None  # self._mult by community, kept while the multipliers stay

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
            mult = np.array([dated_value(t, when, interpolate=False) if t else 1.0 for t in self._own])
            if self._by_community is None or not np.array_equal(mult, self._mult):
                self._by_community = mult[m.community_prefecture]
            self._mult, self._mult_month = mult, when
        return self._by_community

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
        reg_p = (p.volunteer_registration_rate * self.registration_mult()
                 * (1 + POINT_REGISTRATION_GAIN * c.has_volunteer_point)
                 * (1 + incentive / INCENTIVE_REGISTRATION_YUAN))
        c.volunteers_registered += bulk_flow(rng, np.maximum(c.population - c.volunteers_registered, 0),
                                             np.minimum(reg_p, 1))
        org_cap = m.organisations.count_capacity()
        organising = c.linkage / 10 + org_cap / 5 + 0.5 * c.has_volunteer_point
        strength = c.strength(p.party_building)
        organised = 1 - np.exp(-organising)  # 0 to 1: what organising makes of the volunteers (target, hours)
        target = (p.volunteer_activation * organised * (1 + 0.5 * incentive / 50)
                  * committees.centred_factor(strength, p.committee_volunteer_effect)
                  * (1 + p.platform_recruit * (m.needs.platform_months >= 0))
                  * (1 + p.brand_visibility * m.needs.project_running[c.township]))
        target = np.minimum(target, MAX_ACTIVE_SHARE)
        spell = p.volunteer_spell_months * (1 + incentive / 100)  # incentives keep volunteers (§5.volunteers)
        lapse = p.volunteer_lapse_months
        if m.t == 0:  # the first month: the stocks at their long-run shares
            c.volunteers_active, c.volunteers_ready, c.volunteers_lapsed = volunteer_activity.equilibrium(
                c.volunteers_registered, target, spell, lapse)
        stocks = volunteer_activity.reconcile(c.volunteers_active, c.volunteers_ready, c.volunteers_lapsed,
                                              c.volunteers_registered)
        start = volunteer_activity.start_probability(target, spell, lapse)
        c.volunteers_active, c.volunteers_ready, c.volunteers_lapsed = volunteer_activity.step(
            *stocks, start, spell, lapse, lambda n, q: bulk_flow(rng, n, q))
        c.volunteer_hours = volunteer_activity.hours(c.volunteers_active, p.volunteer_hours_month, organising)
        m.flows["volunteer_hours"] = float(c.volunteer_hours.sum())

"""ODD §7.11: residents' needs and the services that meet them.

State: the columns ``needs_open`` and ``services`` of ``state.Communities``; this month's
needs asked and served. Vulnerable residents develop needs; some ask (more where there is a
station, a digital platform, an active committee); the month's capacity (station casework,
community workers, organisations, volunteers, charity) serves them; served needs mostly
resolve.
"""

from __future__ import annotations

import numpy as np

from .state import ROLE_COMMUNITY
from .streams import bulk_flow
from .volunteers import MONTHLY_VOL_HOURS

__all__ = ["Needs", "CW_SERVICES", "VOLUNTEER_HOURS_PER_SERVICE", "ORG_SERVICES"]

# Services that meet residents' needs, per month (assumptions; ODD §7.9): a community worker
# has little time left after administration; a volunteer gives one need-service per 12 hours
# (most volunteer hours go to group activities); an organisation of full capacity one.
CW_SERVICES = 0.5
VOLUNTEER_HOURS_PER_SERVICE = 12.0
ORG_SERVICES = 1.0


class Needs:
    """Open needs per community, and this month's needs asked and served."""

    def __init__(self, model):
        self.model = model
        self.asked = 0  # needs asked this month
        self.served = 0  # needs served this month

    def step(self):
        """Needs arise, residents ask, services meet them; the stations are scored on the month."""
        m = self.model
        p, c = m.params, m.communities
        rng = m.streams["needs"]
        c.needs_open += bulk_flow(rng, np.maximum(c.vulnerable - c.needs_open, 0), p.need_onset)
        station = m.townships.has_station[c.township]
        ask_p = np.minimum(0.9, 0.3 + 0.15 * station + 0.1 * p.digital_platform + 0.1 * c.committee)
        asked = bulk_flow(rng, c.needs_open, ask_p)
        w = m.workers
        cw = np.bincount(w.view("community")[w.view("alive") & (w.view("role") == ROLE_COMMUNITY)], minlength=c.n)
        org_capacity = m.organisations.capacity_by_community
        case = c.case_hours / p.case_hours
        capacity = (case + cw * CW_SERVICES + org_capacity * ORG_SERVICES
                    + c.volunteers_active * MONTHLY_VOL_HOURS / VOLUNTEER_HOURS_PER_SERVICE + c.charity_services)
        served = np.minimum(asked, np.floor(capacity)).astype(np.int64)
        resolved = bulk_flow(rng, served, 0.7) + bulk_flow(rng, c.needs_open - served, 0.03)
        c.needs_open = np.maximum(c.needs_open - resolved, 0)
        self.asked = int(asked.sum())
        self.served = int(served.sum())
        activities = org_capacity * 8 + c.volunteers_active * MONTHLY_VOL_HOURS / 2
        c.services = served + activities
        m.flows["services"] = float(c.services.sum())
        m.stations.evaluate(asked, served)

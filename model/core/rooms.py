"""ODD §7.17: community social-work rooms (社区社会工作服务站(室)).

47号: 有条件的地方, 在城乡社区建立社会工作服务站(室) (seed). A room places social-work hours in
its community, below the township station: ``sw_room_hours_month`` hours a month, bought at
``sw_room_cost_yuan`` a room-year from the county envelope's ``sw_rooms`` line (requested with
the activities, so a tight envelope cuts it first with them); a room runs at the share of its
cost the envelope granted (the activities' share, ``Ledger.fiscal_factor``), as far as the line
pays. A room's hours serve its own community: household visits at the station's outreach
share (``outreach_share``, finding needs), the rest casework (serving them). Where rooms may
open is the region file's ``[mechanisms] community_sw_rooms``; how many each year is the lever
``community_sw_room_share``.

State: ``has`` per community, the share of last month's bill paid, this month's hours. With
no room the submodel draws nothing and changes nothing.
"""

from __future__ import annotations

import numpy as np

from .streams import stochastic_round

__all__ = ["Rooms", "allowed_communities"]


def allowed_communities(where: str, urban: np.ndarray) -> np.ndarray:
    """Communities where a room may open: ``"none"``, ``"urban"`` or ``"all"``."""
    urban = np.asarray(urban, bool)
    if where == "urban":
        return urban.copy()
    return np.full(len(urban), where == "all")


class Rooms:
    """Community social-work rooms, their bill and their hours."""

    def __init__(self, model):
        self.model = model
        c = model.communities
        self.allowed = allowed_communities(model.region.mechanisms["community_sw_rooms"], c.urban)
        self.has = np.zeros(c.n, bool)
        self.paid_ratio = 1.0  # share of the month's bill the sw_rooms line paid
        self.hours = 0.0  # social-work hours in rooms this month

    def open(self, rng):
        """January: a share of the allowed communities without a room open one."""
        share = self.model.params.community_sw_room_share
        if share <= 0:
            return  # nothing drawn
        pool = np.flatnonzero(self.allowed & ~self.has)
        k = min(len(pool), stochastic_round(share * len(pool), rng))
        self.has[rng.permutation(pool)[:k]] = True

    def cost_by_county(self, n_counties: int) -> np.ndarray:
        """Each county's yearly bill for its rooms, yuan."""
        m = self.model
        return np.bincount(m.community_county[self.has], minlength=n_counties) * float(m.params.sw_room_cost_yuan)

    def step(self):
        """The month, after the stations' hours: pay the rooms, add their visits and casework to their communities."""
        m = self.model
        self.hours = 0.0
        m.flows["sw_room_hours"] = 0.0
        if not self.has.any():
            return
        p, c = m.params, m.communities
        # a room runs at the share of its cost the envelope granted this year, as far as the line pays
        granted = m.ledger.fiscal_factor
        bill = int(self.has.sum()) * p.sw_room_cost_yuan / 12 * granted
        self.paid_ratio = granted * (m.ledger.spend("sw_rooms", bill) / bill if bill > 0 else 1.0)
        hours = self.has * (p.sw_room_hours_month * self.paid_ratio)
        c.visits = c.visits + hours * p.outreach_share / p.visit_hours
        c.case_hours = c.case_hours + hours * (1 - p.outreach_share)
        self.hours = float(hours.sum())
        m.flows["sw_room_hours"] = self.hours

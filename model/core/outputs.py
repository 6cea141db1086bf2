"""The month's indicators (names, units and labels: ``model/indicators.py``; MODEL.md §5)."""

from __future__ import annotations

import numpy as np

from ..indicators import FLOWS, INDICATORS
from ..regions import NEED_GROUPS
from .state import CERT_NONE, ROLE_COMMUNITY, ROLE_STATION_DIRECT, ROLE_STATION_PURCHASE

__all__ = ["indicators", "Flows", "Reading"]


class Flows(dict):
    """This month's flows (``model/indicators.py: FLOWS``): declared names only, 0 until written."""

    def __missing__(self, name: str) -> float:
        if name not in FLOWS:
            raise KeyError(f"{name!r} is not a declared flow (model/indicators.py FLOWS)")
        return 0.0

    def __setitem__(self, name: str, value) -> None:
        if name not in FLOWS:
            raise KeyError(f"{name!r} is not a declared flow (model/indicators.py FLOWS)")
        super().__setitem__(name, value)


class Reading:
    """What the indicators read this month (``model/indicators.py``: each declaration's ``compute``):
    the model's parts, and the masks and counts several indicators share, computed once."""

    def __init__(self, m):
        self.m = m
        self.tw, self.w, self.c, self.o = m.townships, m.workers, m.communities, m.orgs
        self.wf, self.ledger, self.org = m.workforce, m.ledger, m.organisations
        # workers in post: station staff, community workers, the certified (counts of masks:
        # cheaper than a bincount of role × level over every row)
        alive, role, cert = self.w.view("alive"), self.w.view("role"), self.w.view("cert")
        cw = role == ROLE_COMMUNITY
        cw &= alive
        station = (role == ROLE_STATION_PURCHASE) | (role == ROLE_STATION_DIRECT)
        station &= alive
        certified = cert > CERT_NONE
        certified &= alive
        self.n_station = int(np.count_nonzero(station))
        self.n_cw = int(np.count_nonzero(cw))
        n_certified = int(np.count_nonzero(certified))
        self.cw_certified = int(np.count_nonzero(cw & certified))
        # social workers in post without a certificate: those in post, less community workers,
        # less the certified social workers
        self.sw_uncertified = int(np.count_nonzero(alive)) - self.n_cw - (n_certified - self.cw_certified)
        self.certified = n_certified + self.wf.certified_outside
        self.urban, self.rural = self.c.urban, ~self.c.urban
        self.facilities = int(self.c.facility.sum())
        self.city, self.county = m.structure.prefecture_city, ~m.structure.county_district
        self.staff_12 = 0

    def need_met_share(self, group: str) -> float:
        """Needs of one group (``regions.NEED_GROUPS``) met this month; 1 when none was asked."""
        needs, k = self.m.needs, NEED_GROUPS.index(group)
        return float(needs.served_g[k] / needs.asked_g[k]) if needs.asked_g[k] else 1.0


def indicators(m) -> dict:
    """This month's value of every indicator, each by its declaration's computation (``model/indicators.py``)."""
    v = Reading(m)
    wf = v.wf
    wf.leavers_station.append(wf.month_station_leavers)
    wf.staff_station.append(v.n_station)
    v.staff_12 = np.mean(wf.staff_station[-12:]) if wf.staff_station else 0
    ind = {name: indicator.compute(v) for name, indicator in INDICATORS.items()}
    m.stations.record_counties()
    return ind

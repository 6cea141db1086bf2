"""The month's indicators (names, units and labels: ``model/indicators.py``; MODEL.md §5)."""

from __future__ import annotations

import numpy as np

from ..indicators import FLOWS, INDICATORS
from ..regions import NEED_GROUPS
from .state import N_CERT_LEVELS, N_ROLES, ROLE_COMMUNITY, ROLE_STATION_DIRECT, ROLE_STATION_PURCHASE

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
        # workers in post by role and certificate level, in one pass: heads[role, level]
        alive = self.w.view("alive")
        key = self.w.view("role") * np.int8(N_CERT_LEVELS) + self.w.view("cert")  # < 16: int8 is enough
        heads = np.bincount(key[alive], minlength=N_ROLES * N_CERT_LEVELS).reshape(N_ROLES, N_CERT_LEVELS)
        self.heads = heads
        sw = [r for r in range(N_ROLES) if r != ROLE_COMMUNITY]
        self.n_station = int(heads[[ROLE_STATION_PURCHASE, ROLE_STATION_DIRECT]].sum())
        self.sw_uncertified = int(heads[sw, 0].sum())  # social workers in post without a certificate
        self.n_cw = int(heads[ROLE_COMMUNITY].sum())
        self.cw_certified = int(heads[ROLE_COMMUNITY, 1:].sum())
        self.certified = int(heads[:, 1:].sum()) + self.wf.certified_outside
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

"""The month's indicators (names, units and labels: ``model/indicators.py``; MODEL.md §5)."""

from __future__ import annotations

import numpy as np

from ..indicators import BUDGET_LINES, FLOWS
from ..regions import NEED_GROUPS
from .state import ROLE_COMMUNITY, ROLE_STATION_DIRECT, ROLE_STATION_PURCHASE

__all__ = ["indicators", "Flows"]


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


def indicators(m) -> dict:
    """This month's value of every indicator."""
    tw, w, c, o = m.townships, m.workers, m.communities, m.orgs
    wf, ledger, org = m.workforce, m.ledger, m.organisations
    alive, role, cert = w.view("alive"), w.view("role"), w.view("cert")
    station = alive & ((role == ROLE_STATION_PURCHASE) | (role == ROLE_STATION_DIRECT))
    sw_roles = alive & (role != ROLE_COMMUNITY)
    cws = alive & (role == ROLE_COMMUNITY)
    certified = int((alive & (cert > 0)).sum()) + wf.certified_outside
    n_cw = int(cws.sum())
    urban, rural = c.urban, ~c.urban
    facilities = int(c.facility.sum())
    city, county = m.structure.prefecture_city, ~m.structure.county_district
    wf.leavers_station.append(wf.month_station_leavers)
    wf.staff_station.append(int(station.sum()))
    staff_12 = np.mean(wf.staff_station[-12:]) if wf.staff_station else 0
    ind = {
        "stations": int(tw.has_station.sum()),
        "station_coverage": float(tw.has_station.mean()),
        "sw_talent": int(certified + int((sw_roles & (cert == 0)).sum()) + wf.practitioners),
        "sw_certified": certified,
        "sw_stationed": int(station.sum()),
        "community_workers": n_cw,
        "community_worker_certified_share": float((cws & (cert > 0)).sum() / n_cw) if n_cw else 0.0,
        "community_orgs": int(c.orgs.sum()),
        "share_urban_communities_10plus_orgs": float((c.orgs[urban] >= 10).mean()) if urban.any() else 0.0,
        "share_rural_communities_5plus_orgs": float((c.orgs[rural] >= 5).mean()) if rural.any() else 0.0,
        # the 47号's units (model/targets.py INDICATOR_UNITS): 设区的市, and 县(市) without districts;
        # NaN where the region holds none (one county has no 设区的市)
        "incubator_city_coverage": float(org.city_base[city].mean()) if city.any() else float("nan"),
        "incubator_county_coverage": float(org.county_base[county].mean()) if county.any() else float("nan"),
        "volunteers_registered": int(c.volunteers_registered.sum()),
        "volunteers_active": int(c.volunteers_active.sum()),
        "volunteer_point_coverage": float((c.has_volunteer_point & c.facility).sum() / facilities)
        if facilities else 0.0,
        "charity_raised_yuan": float(m.charity.raised),
        "needs_met_share": float(m.needs.served / m.needs.asked) if m.needs.asked else 1.0,
        **{f"needs_met_share_{g}": float(m.needs.served_g[k] / m.needs.asked_g[k]) if m.needs.asked_g[k] else 1.0
           for k, g in enumerate(NEED_GROUPS)},
        "service_person_times": float(c.services.sum()),
        "public_spend_yuan": float(sum(ledger.spend_total.values())),
        "public_budget_yuan": float(sum(ledger.budget_closed.values()) + sum(ledger.budget_year.values())),
        "agencies": len(m.agencies.by_id),
        "incubator_street_coverage": float(tw.street_base[tw.street].mean()) if tw.street.any() else 0.0,
        "orgs_registered": int((o.view("alive") & o.view("registered")).sum()),
        "orgs_incubated": int((o.view("alive") & (o.view("incubated_until") >= m.t)).sum()),
        "community_fund_coverage": float(c.has_fund.mean()),
        "charity_donated_yuan": float(m.charity.donated),
        "volunteer_hours": float(c.volunteer_hours.sum()),
        "needs_open": int(c.needs_open.sum()),
        "platform_orders": m.needs.orders,
        "platform_orders_served": m.needs.orders_served,
        "platform_orders_unmet": m.needs.orders - m.needs.orders_served,
        "households_visited": float(c.visits.sum()),
        "needs_found_on_visits": m.needs.found,
        "project_services": m.needs.project_services,
        "stations_assessing": int(m.needs.assessing().sum()),
        "volunteers_lapsed": int(c.volunteers_lapsed.sum()),
        "sw_admin_share": float((tw.admin_share * tw.sw_staff).sum() / max(tw.sw_staff.sum(), 1)),
        "sw_turnover_12m": float(sum(wf.leavers_station[-12:]) / staff_12) if staff_12 else 0.0,
        "station_vacancies": int(np.maximum(tw.positions - tw.sw_staff, 0)[tw.funded].sum()),
        "exam_passed_year": int(wf.exam_passed_this_year),
        "community_foundations": int(m.foundations.has.sum()),
        "foundation_grants_yuan": float(m.foundations.granted),
        "community_sw_rooms": int(m.rooms.has.sum()),
        "sw_room_hours": float(m.rooms.hours),
    }
    m.stations.record_counties()
    for line in BUDGET_LINES:
        ind[f"spend_{line}_yuan"] = float(ledger.spend_total[line])
        ind[f"budget_{line}_yuan"] = float(ledger.budget_closed[line] + ledger.budget_year[line])
    return ind

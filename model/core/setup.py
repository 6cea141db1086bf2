"""ODD §5: initialisation: the region's state at the start month, drawn from its data.

``set_up`` creates the submodels in a fixed order (the order of the random draws and of
the Mesa agents' ids) and fills them from ``Region.initial_state(start)``: purchasers,
incubation bases, agencies and their staff, the stations operating at the start with
theirs, community workers, organisations, volunteers, charity funds and open needs.
"""

from __future__ import annotations

import numpy as np

from .agencies import Agencies
from .budget import Ledger
from .charity import Charity
from .foundations import Foundations
from .needs import Needs
from .organisations import COMMITTEE_FLOOR, INITIAL_CAPACITY_BETA, INITIAL_MAX_AGE_MONTHS, OrganisationSector
from .rooms import Rooms
from .state import ROLE_AGENCY, ROLE_COMMUNITY, Communities, Townships
from .stations import Stations
from .streams import bulk_flow, stochastic_round
from .volunteers import Volunteers
from .workforce import INITIAL_CERT_SHARE, Workforce

__all__ = ["set_up", "INITIAL_REGISTERED_SHARE"]

# Registered share of the community organisations at the start (§2e.community_social_orgs: >175万
# community organisations against §2e.registered_social_orgs: 89万 registered social organisations of
# every kind; share: assumption)
INITIAL_REGISTERED_SHARE = 0.1


def set_up(m) -> None:
    """Build the submodels on ``m`` and draw the region's initial state."""
    s = m.structure
    rng = m.streams["initial"]
    init = m.region.initial_state(m.start)
    m.init_state = init
    m.townships = Townships(s)
    m.communities = Communities(s)
    m.population = int(s.community_population.sum())
    m.township_population = np.bincount(s.community_township, s.community_population, s.n_townships)
    m.communities_per_township = np.bincount(s.community_township, minlength=s.n_townships)
    m.township_prefecture = s.county_prefecture[s.township_county]
    m.community_county = s.township_county[s.community_township]
    m.community_prefecture = s.county_prefecture[m.community_county]
    m.calendar_month = m.calendar.month.to_numpy()
    m.county_population = np.bincount(m.community_county, s.community_population, s.n_counties).astype(float)

    m.ledger = Ledger()
    m.workforce = Workforce(m, capacity=int(s.community_workers.sum() * 1.5 + 10_000))
    m.organisations = OrganisationSector(m, capacity=int(s.n_communities * 12))
    m.volunteers = Volunteers(m)
    m.charity = Charity(m)
    m.foundations = Foundations(m)  # community foundations and rooms draw only from their own streams
    m.rooms = Rooms(m)
    m.needs = Needs(m)
    m.stations = Stations(m)  # the purchasers: one per county, and the province
    m.agencies = Agencies(m)

    # incubation bases
    m.organisations.build_bases(init["incubator_city_coverage"], init["incubator_county_coverage"],
                                init["incubator_street_coverage"], rng, as_shares_of_all=True)

    # agencies, spread over prefectures by population
    pref_pop = np.bincount(m.community_prefecture, s.community_population, s.n_prefectures)
    n_ag = max(1, stochastic_round(init["agencies"], rng))
    where = rng.choice(s.n_prefectures, size=n_ag, p=pref_pop / pref_pop.sum())
    posts = rng.multinomial(int(round(init["agency_sw"])), np.full(n_ag, 1 / n_ag))
    for pref, post in zip(where, posts, strict=True):
        m.agencies.enter(int(pref), int(post))
    m.agencies.market_posts = np.bincount(where, posts, s.n_prefectures).astype(float)
    ids, _, staff = m.agencies.columns()
    m.workforce.add(int(staff.sum()), ROLE_AGENCY, township=-1, agency=np.repeat(ids, staff), rng=rng, initial=True,
                    cert_share=INITIAL_CERT_SHARE)

    # stations operating at the start: streets first
    tw = m.townships
    n_st = stochastic_round(init["station_coverage"] * tw.n, rng)
    order = rng.permutation(tw.n)
    order = order[np.argsort(~tw.street[order], kind="stable")]
    for town in order[:n_st]:
        m.stations.purchaser_of(int(town)).open_station(int(town), initial=True)

    # community workers
    c = m.communities
    comm = np.repeat(np.arange(c.n), c.worker_posts)
    m.workforce.add(len(comm), ROLE_COMMUNITY, township=s.community_township[comm], community=comm,
                    rng=rng, initial=True, cert_share=init["cw_certified_share"])
    in_posts = int((m.workers.view("cert") > 0).sum())
    m.workforce.certified_outside = max(0, int(round(init["sw_certified"])) - in_posts)
    m.workforce.practitioners = int(round(init["sw_uncertified_practitioners"]))

    # organisations
    mean = np.where(c.urban, init["orgs_per_urban_community"], init["orgs_per_rural_community"])
    n_orgs = rng.poisson(mean * (COMMITTEE_FLOOR + c.committee))
    comm = np.repeat(np.arange(c.n), n_orgs)
    new = m.orgs.add(len(comm), alive=True, community=comm, capacity=rng.beta(*INITIAL_CAPACITY_BETA, len(comm)),
                     founded=-rng.integers(0, INITIAL_MAX_AGE_MONTHS, len(comm)))
    m.orgs.registered[new] = rng.random(len(new)) < INITIAL_REGISTERED_SHARE

    # residents, volunteers, charity funds, needs
    c.volunteers_registered = bulk_flow(rng, c.population, m.volunteers.initial_share(init))
    c.has_volunteer_point = c.facility & (rng.random(c.n) < init["volunteer_point_coverage"])
    c.has_fund = rng.random(c.n) < init["community_fund_coverage"]
    c.needs_open_g = bulk_flow(rng, c.groups, init["needs_open_share"])
    c.needs_open = c.needs_open_g.sum(axis=0)
    m.organisations.count()
    m.stations.allocate_time()  # sets the communities' linkage and casework hours

"""The ways counts are drawn (``model/core/streams.py``) and the counts kept as workers come and go.

Each draw has a distribution it must have and a property that makes it worth having (fewer
passes, one draw per place); these tests hold both.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from model.core.charity import DONATION_SIGMA, asked_total
from model.core.state import ROLE_COMMUNITY, ROLE_STATION_DIRECT, ROLE_STATION_PURCHASE
from model.core.streams import STREAMS, bulk_flow, monthly, monthly_events, poisson_from_uniform, round_expected
from model.odd import ODD_PATH
from model.simulation import FiveSocietyModel


def test_stochastic_rounding_is_unbiased_and_stays_within_one():
    rng = np.random.default_rng(1)
    x = np.array([0.0, 0.25, 2.5, 7.999, 1e6 + 0.5])
    draws = np.array([round_expected(rng, x.copy()) for _ in range(40_000)])
    assert np.allclose(draws.mean(axis=0), x, atol=0.01)
    assert (draws >= np.floor(x)).all() and (draws <= np.floor(x) + 1).all()
    assert (draws[:, 0] == 0).all()  # a whole number stays whole


def test_a_bulk_flow_never_takes_more_than_there_is():
    rng = np.random.default_rng(2)
    n = rng.integers(0, 1_000_000, 50_000)
    assert (bulk_flow(rng, n, 1.0) == n).all()  # floating-point rounding of n + u cannot add one
    assert (bulk_flow(rng, n, 2.0) == n).all()
    out = bulk_flow(rng, n, 0.3)
    assert (out <= n).all() and abs(out.sum() / (0.3 * n.sum()) - 1) < 1e-4


@pytest.mark.parametrize("lam", [0.0, 0.02, 0.4, 3.0, 12.0])
def test_poisson_from_one_uniform_has_the_poisson_mean_and_variance(lam):
    rng = np.random.default_rng(3)
    k = poisson_from_uniform(rng.random(200_000), np.full(200_000, lam))
    assert k.mean() == pytest.approx(lam, abs=0.02 + 0.01 * lam)
    assert k.var() == pytest.approx(lam, abs=0.02 + 0.02 * lam)


def test_poisson_from_one_uniform_keeps_each_place_on_its_own_draw():
    """Common random numbers: a place's count moves only when its own mean moves, and never down when it rises."""
    rng = np.random.default_rng(4)
    u, lam = rng.random(10_000), rng.random(10_000) * 0.5
    before = poisson_from_uniform(u, lam)
    more = lam.copy()
    more[:100] *= 3  # a lever raises the mean in a hundred places
    after = poisson_from_uniform(u, more)
    assert (after[100:] == before[100:]).all()
    assert (after[:100] >= before[:100]).all() and (after[:100] > before[:100]).any()


def test_monthly_events_are_the_events_of_the_monthly_probability():
    h = np.random.default_rng(5).random(500_000) * 1.3  # hazards above the cap too
    same = np.random.default_rng(6).random(h.shape) < monthly(h.copy())
    assert (monthly_events(np.random.default_rng(6), h) == same).all()


def test_a_communitys_asks_have_the_mean_and_variance_of_its_projects_asks():
    rng = np.random.default_rng(7)
    k = np.full(400_000, 4)
    got = asked_total(k, 1_000.0, rng.standard_normal(len(k)))
    sigma = DONATION_SIGMA
    single = rng.lognormal(np.log(1_000.0) - sigma**2 / 2, sigma, (len(k), 4)).sum(axis=1)
    assert got.mean() == pytest.approx(single.mean(), rel=0.01)
    assert got.std() == pytest.approx(single.std(), rel=0.03)
    assert (asked_total(np.zeros(5), 1_000.0, np.ones(5)) == 0).all()


def test_the_counts_kept_as_workers_join_and_leave_match_a_recount():
    m = FiveSocietyModel(region="demo", seed=3, end="2023-06")
    while m.running:
        m.step()
        w, posts = m.workers, m.workforce.posts
        alive, role = w.view("alive"), w.view("role")
        cw = np.bincount(w.view("community")[alive & (role == ROLE_COMMUNITY)], minlength=m.communities.n)
        station = alive & ((role == ROLE_STATION_PURCHASE) | (role == ROLE_STATION_DIRECT))
        staff = np.bincount(w.view("township")[station], minlength=m.townships.n)
        assert (posts.cw_by_community == cw).all() and (posts.staff_by_township == staff).all()
        for town in range(0, m.townships.n, 7):
            scanned = np.flatnonzero((w.view("township") == town) & ((role == ROLE_STATION_PURCHASE)
                                                                     | (role == ROLE_STATION_DIRECT)))
            assert (posts.station_rows(town) == scanned).all()


def test_the_odd_names_every_random_stream():
    text = ODD_PATH.read_text(encoding="utf-8")
    block = text.split("**Stochasticity.**", 1)[1].split("Because each process", 1)[0]
    named = re.findall(r"[a-z]+", block.split(":", 1)[1])
    assert named == list(STREAMS)


def test_a_copied_model_keeps_each_agencys_stations():
    """Agencies keep their numbers in the market's arrays and their stations in a set that counts itself."""
    import copy

    m = FiveSocietyModel(region="demo", seed=1, end="2021-06")
    m.run()
    copied = copy.deepcopy(m)
    for agency in m.agencies.by_id.values():
        twin = copied.agencies.by_id[agency.unique_id]
        assert sorted(twin.contracts) == sorted(agency.contracts) and twin.contracts._agency is twin
        assert twin.n_contracts == len(twin.contracts) and twin.reserves == agency.reserves
    assert any(a.contracts for a in m.agencies.by_id.values())

"""Unit tests of the needs, platform, committee, funding, project and volunteer rules (no region loaded)."""

from __future__ import annotations

import numpy as np
import pytest

from model.core import committees, funding, needs_groups, platform, projects, volunteer_activity
from model.core.needs_groups import FIT, NEED_GROUPS, PROVIDERS


def expected(n, p):
    """A deterministic flow (the expected value, floored) for rules that take the model's bulk flow."""
    return np.floor(np.asarray(n) * np.asarray(p) + 1e-9).astype(np.int64)


def caps(**kw):
    """Provider capacities (providers, n) from keyword rows, zeros elsewhere."""
    n = len(next(iter(kw.values())))
    out = np.zeros((len(PROVIDERS), n))
    for name, row in kw.items():
        out[PROVIDERS.index(name)] = row
    return out


# ---- needs by group ------------------------------------------------------------------------------

def test_needs_arise_only_among_residents_without_one():
    residents = np.array([[100, 10], [0, 50], [20, 20], [40, 0]])
    open_ = np.array([[100, 0], [0, 10], [10, 0], [0, 0]])
    new = needs_groups.arise(open_, residents, 0.1, expected)
    assert new.tolist() == [[0, 1], [0, 4], [1, 2], [4, 0]]


def test_household_visits_find_needs_in_proportion_to_open_needs():
    open_ = np.array([[40], [0], [0], [0]])
    residents = np.array([[200], [0], [0], [0]])
    reached, share = needs_groups.find(open_, np.array([0.25]), np.array([100.0]), residents, expected)
    found = reached * share
    # a quarter asked for (10); 100 visits among 200 residents find half of the other 30 (15)
    assert reached[0, 0] == 25 and found[0, 0] == pytest.approx(15)
    reached, share = needs_groups.find(open_, np.array([0.25]), np.array([0.0]), residents, expected)
    assert share.sum() == 0 and reached[0, 0] == 10


def test_allocate_never_exceeds_demand_or_capacity():
    demand = np.array([[10.0, 0.0], [30.0, 5.0]])
    out = needs_groups.allocate(demand, np.array([20.0, 100.0]))
    assert np.allclose(out[:, 0], [5.0, 15.0])  # water-filling: the same share of each group's demand
    assert np.allclose(out[:, 1], [0.0, 5.0])
    planned = needs_groups.allocate(demand, np.array([20.0, 100.0]), np.array([[0.5, 0.5], [0.5, 0.5]]))
    assert np.allclose(planned[:, 0], [10.0, 10.0])  # planned half and half: group 1 queues while 0 is full


def test_assessment_targets_casework_at_the_largest_needs_and_serves_more():
    asked = np.array([[2], [0], [0], [30]])  # mostly low-income needs, unlike the region's mix
    prior = np.array([0.4, 0.2, 0.2, 0.2])
    cap = caps(casework=[20.0])
    without, _ = needs_groups.serve(asked, cap, np.array([False]), prior, gain=1.2)
    with_, _ = needs_groups.serve(asked, cap, np.array([True]), prior, gain=1.2)
    assert without[:, 0].tolist() == [2, 0, 0, 4]  # planned on the average mix: 8 hours wait for elderly needs
    assert with_.sum() == pytest.approx(24)  # 20 cases × 1.2, all on the needs that are there
    assert with_[3, 0] > without[3, 0]


def test_providers_serve_only_the_groups_they_fit():
    asked = np.array([[0], [0], [0], [10]])  # low income: organisations fit 0.3 of them
    served, spare = needs_groups.serve(asked, caps(organisations=[100.0]), np.array([True]), np.full(4, 0.25))
    assert served[3, 0] == 3
    assert spare[PROVIDERS.index("organisations"), 0] == pytest.approx(97.0)
    assert FIT.shape == (len(NEED_GROUPS), len(PROVIDERS)) and (FIT[:, PROVIDERS.index("casework")] == 1).all()


def test_services_never_exceed_what_is_asked_or_the_capacity():
    rng = np.random.default_rng(0)
    asked = rng.integers(0, 20, (4, 50))
    cap = rng.random((len(PROVIDERS), 50)) * 15
    assessed = rng.random(50) < 0.5
    served, spare = needs_groups.serve(asked, cap, assessed, np.full(4, 0.25), gain=1.3)
    assert (served <= asked + 1e-9).all() and (served >= 0).all() and (spare >= -1e-9).all()
    # what was used, casework at the assessed gain, is what was served
    used = cap - spare
    used[PROVIDERS.index("casework")] *= np.where(assessed, 1.3, 1.0)
    assert np.allclose(used.sum(axis=0), served.sum(axis=0))


def test_targeted_project_serves_its_group_first_then_others_at_the_overflow_rate():
    asked = np.array([[5], [0], [0], [10]])
    targeted = np.array([[0.0], [0.0], [0.0], [14.0]])
    served, _ = needs_groups.serve(asked, caps(casework=[0.0]), np.array([True]), np.full(4, 0.25),
                                   targeted=targeted, overflow=0.5)
    assert served[3, 0] == 10 and served[0, 0] == 2  # 4 spare × 0.5 = 2 elderly needs


def test_whole_needs_keep_the_column_total():
    x = np.array([[0.6, 1.0], [0.6, 0.0], [0.6, 2.5], [0.2, 0.0]])
    out = needs_groups.whole_needs(x, np.full((4, 2), 10))
    assert out.sum(axis=0).tolist() == [2, 3]


def test_resolve_ends_most_served_needs():
    out = needs_groups.resolve(np.array([100, 0, 3]), np.array([50.0, 0.0, 5.0]))
    assert out.tolist() == pytest.approx([36.5, 0.0, 2.1])  # 0.7 × 50 + 0.03 × 50; served capped at open


# ---- the platform ---------------------------------------------------------------------------------

def test_uptake_ramps_up_after_launch():
    assert platform.uptake(-1, 0.02, 10) == 0.0
    assert platform.uptake(0, 0.02, 10) == pytest.approx(0.002)
    assert platform.uptake(40, 0.02, 10) == pytest.approx(0.02)


def test_dispatch_uses_spare_capacity_elsewhere_in_the_township_only():
    waiting = np.zeros((4, 3), np.int64)
    waiting[0, 0] = 5  # five elderly orders waiting in community 0 (township 0)
    spare = caps(casework=[0.0, 3.0, 10.0])  # community 1 is in township 0; community 2 in township 1
    served, left = platform.dispatch(waiting, spare, np.array([0, 0, 1]), 2)
    assert served[0, 0] == pytest.approx(3)
    assert left[PROVIDERS.index("casework")].tolist() == pytest.approx([0.0, 0.0, 10.0])


def test_dispatch_never_serves_more_than_waits():
    rng = np.random.default_rng(1)
    waiting = rng.integers(0, 5, (4, 30))
    spare = rng.random((len(PROVIDERS), 30)) * 50
    served, left = platform.dispatch(waiting, spare, rng.integers(0, 4, 30), 4)
    assert (served <= waiting).all() and (left >= 0).all()


def test_orders_served_locally_follow_the_groups_served_share():
    assert platform.local_share(np.array([10, 4]), np.array([20, 0]), np.array([10, 0])).tolist() == [5, 0]
    assert platform.local_share(np.array([3]), np.array([4]), np.array([1])).tolist() == [0.75]


def test_platform_hours_grow_by_the_coordination_saved():
    assert platform.hours_with_platform(np.array([95.0]), 0.05, True)[0] == pytest.approx(100.0)
    assert platform.hours_with_platform(np.array([95.0]), 0.05, False)[0] == 95.0


# ---- committees and posts -------------------------------------------------------------------------

def test_support_closes_part_of_the_gap_to_a_full_committee():
    s = np.array([0.0, 0.5, 1.0])
    assert committees.effective_strength(s, 0.0).tolist() == s.tolist()
    assert committees.effective_strength(s, 0.5).tolist() == [0.5, 0.75, 1.0]


def test_a_stronger_committee_lowers_the_closure_hazard_and_raises_founding():
    weak, strong = np.array([0.2]), np.array([0.8])
    assert committees.closure_factor(strong)[0] < committees.closure_factor(weak)[0]
    assert committees.founding_factor(strong)[0] > committees.founding_factor(weak)[0]
    assert committees.centred_factor(np.array([0.5]), 0.7)[0] == 1.0


def test_worker_posts_rise_to_the_ratio_in_urban_communities_only():
    posts = np.array([8, 8, 4])
    out = committees.worker_posts(posts, np.array([True, True, False]), np.array([10_000, 2_000, 10_000]), 18)
    assert out.tolist() == [18, 8, 4]
    assert committees.worker_posts(posts, np.ones(3, bool), np.full(3, 10_000), 0).tolist() == [8, 8, 4]


# ---- funding channels and counties ----------------------------------------------------------------

def test_channel_shares_leave_the_rest_to_the_county_and_never_exceed_the_whole():
    assert funding.channel_shares(0.2, 0.1, 0.1).tolist() == pytest.approx([0.6, 0.2, 0.1, 0.1])
    assert funding.channel_shares(0.6, 0.2, 0.2).tolist() == pytest.approx([0.0, 0.6, 0.2, 0.2])
    assert funding.channel_shares(1.0, 0.5, 0.5).tolist() == pytest.approx([0.0, 0.5, 0.25, 0.25])


def test_a_poor_county_pays_for_less_of_its_plan_and_other_channels_relieve_it():
    paid = np.ones((4, 2))
    only_county = funding.county_factor(funding.channel_shares(0, 0, 0), paid, np.array([1.0, 0.5]))
    assert only_county.tolist() == [1.0, 0.5]
    shared = funding.county_factor(funding.channel_shares(0.5, 0, 0), paid, np.array([1.0, 0.5]))
    assert shared.tolist() == [1.0, 0.75]


def test_unreliable_channels_sometimes_pay_only_part():
    rng = np.random.default_rng(2)
    paid = funding.draw_paid(10_000, np.array([1.0, 0.85, 0.9, 0.7]), 0.5, rng)
    assert (paid[0] == 1).all()
    assert abs((paid[3] < 1).mean() - 0.3) < 0.02


def test_a_slow_county_plans_fewer_stations():
    assert funding.build_count(0.2, 10, 1.0, 1.0) == 2
    assert funding.build_count(0.2, 10, 0.5, 1.0) == 1
    assert funding.build_count(0.2, 19, 5.0, 1.0) == 19


# ---- projects --------------------------------------------------------------------------------------

def test_assessed_stations_aim_projects_at_their_largest_group():
    asked_t = np.array([[5, 5], [1, 1], [0, 0], [9, 9]])
    prior = np.array([0.5, 0.1, 0.1, 0.3])
    assert projects.choose_target(asked_t, np.array([True, False]), prior).tolist() == [3, 0]


def test_project_services_spread_by_the_target_groups_needs():
    asked = np.array([[0, 0, 1], [0, 0, 0], [0, 0, 0], [3, 1, 0]])
    cap = projects.targeted_capacity(np.array([8.0, 4.0]), np.array([3, 3]), asked, np.array([0, 0, 1]))
    assert cap[3].tolist() == [6.0, 2.0, 4.0]  # township 1 has no low-income asks: spread evenly
    assert projects.project_services(np.array([1500.0]), 150.0)[0] == 10.0


# ---- volunteers ------------------------------------------------------------------------------------

def test_the_start_chance_gives_the_target_active_share_at_equilibrium():
    target = np.array([0.02, 0.05, 0.1])
    a, r, lp = volunteer_activity.equilibrium(np.full(3, 1_000_000), target, spell=4, lapse=24)
    assert np.allclose(a / 1_000_000, target, atol=1e-3)
    s = volunteer_activity.start_probability(target, 4, 24)
    # expected flows balance at equilibrium
    q, l_ = 1 / 4, 1 / 24
    assert np.allclose(s * r + 0.1 * s * lp, q * a, rtol=1e-3)
    assert np.allclose(l_ * r * (1 - s), 0.1 * s * lp, rtol=1e-3)


def test_volunteers_stay_active_for_a_while():
    a, r, lp = np.array([100]), np.array([900]), np.array([0])
    for _ in range(3):
        a, r, lp = volunteer_activity.step(a, r, lp, np.array([0.0]), spell=4, lapse=24, flow=expected)
    assert a[0] == 43  # 100 → 75 → 57 → 43 (a quarter rest each month): still active, fewer
    assert a[0] + r[0] + lp[0] == 1000


def test_reconcile_adds_newcomers_as_ready_and_takes_leavers_from_the_lapsed_first():
    a, r, lp = volunteer_activity.reconcile(np.array([5, 5]), np.array([5, 5]), np.array([5, 5]), np.array([20, 8]))
    assert (a.tolist(), r.tolist(), lp.tolist()) == ([5, 5], [10, 3], [5, 0])


def test_hours_rise_with_organising_up_to_one_and_a_half_times():
    h = volunteer_activity.hours(np.array([10, 10]), 4.0, np.array([0.0, 50.0]))
    assert h.tolist() == pytest.approx([20.0, 60.0])


# ---- region files: counties ------------------------------------------------------------------------

def test_a_bad_county_key_or_value_is_refused_with_the_file_and_key(tmp_path):
    from model.regions import REGIONS_DIR, RegionError, load_region

    text = (REGIONS_DIR / "demo.toml").read_text(encoding="utf-8")
    for bad, fragment in (("speed_mean = 1.0", 'speed_mean = "fast"'), ("speed_cv = 0.0", "speed_pace = 1.0")):
        path = tmp_path / "bad.toml"
        path.write_text(text.replace(bad, fragment, 1), encoding="utf-8")
        with pytest.raises(RegionError, match=r"bad\.toml.*\[counties\]"):
            load_region(path)


def test_counties_differ_in_hubei_and_linhai_runs_at_five_times_the_pace():
    import model.regions as regions

    hubei = regions.load_region("hubei")
    s = regions.build_structure(hubei, np.random.default_rng(0))
    assert len(s.county_speed) == 103 and s.county_speed.std() > 0.1 and s.county_fiscal_capacity.std() > 0.1
    linhai = regions.build_structure(regions.load_region("linhai"), np.random.default_rng(0))
    assert linhai.county_speed.tolist() == [5.0]
    assert (linhai.community_groups.sum(axis=0) == linhai.community_vulnerable).all()

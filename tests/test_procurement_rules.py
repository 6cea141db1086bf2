"""Unit tests of the labour-market, procurement and budget rules on a few rows, against hand-computed values."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from model.core import envelope, labour_market, tender


def rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- hiring
def test_acceptance_is_half_at_the_median_and_rises_with_pay():
    acc = labour_market.accept_share([0.5, 0.7, 1.0, 1.5], reservation_median=0.7, reservation_sigma=0.3)
    assert acc[1] == pytest.approx(0.5)
    # Φ(ln(0.5/0.7)/0.3) = Φ(-1.1216) = 0.1310; Φ(ln(1.5/0.7)/0.3) = Φ(2.540) = 0.9945
    assert acc[0] == pytest.approx(0.1310, abs=1e-3)
    assert acc[3] == pytest.approx(0.9945, abs=1e-3)
    assert np.all(np.diff(acc) > 0)


def test_fill_chance_and_delay_by_pay_and_candidates():
    rows = labour_market.fill_probability(
        offer_ratio=np.array([0.7, 0.7, 0.7, 2.0]),
        candidates=np.array([0.0, 1.0, 1e9, 1e9]),
        vacancies=np.array([1.0, 1.0, 1.0, 1.0]),
        fill_prob_full=0.5, reservation_median=0.7, reservation_sigma=0.3,
    )
    # no candidates: nothing fills; one candidate per vacancy at the median: 1 - 0.5^(0.5 × 0.5)
    assert rows[0] == 0.0
    assert rows[1] == pytest.approx(1 - 0.5 ** 0.25)
    assert rows[2] == pytest.approx(1 - 0.5 ** 0.5, rel=1e-6)
    assert rows[3] == pytest.approx(0.5, abs=2e-3)  # everyone accepts, plenty of candidates
    delay = labour_market.expected_delay_months(rows)
    assert math.isinf(delay[0])
    assert delay[2] == pytest.approx(1 / (1 - 0.5 ** 0.5), rel=1e-6)  # 3.41 months


def test_pool_loses_hires_and_drifters_and_gains_entrants():
    nxt = labour_market.pool_step(pool=[100.0, 5.0], inflow=[10.0, 10.0], hires=[20.0, 8.0], drift=0.1)
    np.testing.assert_allclose(nxt, [80 * 0.9 + 10, 0 + 10])


def test_posts_are_bought_fractionally_and_rounded_without_bias():
    posts = labour_market.posts_affordable([140_000, 150_000, -1], post_cost=55_000)
    np.testing.assert_allclose(posts, [140 / 55, 150 / 55, 0])
    assert posts[0] < posts[1]  # 140k and 150k no longer buy the same staff
    draws = labour_market.round_posts(np.full(20_000, 2.6), rng(1))
    assert set(np.unique(draws)) == {2, 3}
    assert draws.mean() == pytest.approx(2.6, abs=0.02)
    assert labour_market.round_posts(np.array([0.2]), rng(), minimum=1)[0] == 1


def test_direct_post_carries_oncosts_and_recruitment():
    # 55,000 × 1.12 + 3,000 × 0.2 = 62,200
    assert labour_market.direct_post_cost(55_000, 0.12, 3_000, 0.2) == pytest.approx(62_200)


def test_productivity_and_ties_grow_with_tenure_and_restart_for_a_successor():
    prod = labour_market.productivity([0, 12, 1000], new_hire=0.5, ramp_months=12)
    np.testing.assert_allclose(prod, [0.5, 1 - 0.5 * math.exp(-1), 1.0])
    ties = labour_market.linkage_ties([0, 24, -5], floor=0.3, ramp_months=24)
    np.testing.assert_allclose(ties, [0.3, 0.3 + 0.7 * (1 - math.exp(-1)), 0.3])


# ---------------------------------------------------------------- evaluation and tender
def test_delivery_is_quality_times_staffing_times_productivity():
    d = tender.delivery(quality=[0.9, 0.9, 0.6], staffed_share=[1.0, 0.5, 1.0], productivity_mean=[1.0, 1.0, 0.75])
    np.testing.assert_allclose(d, [0.9, 0.45, 0.45])
    # against a plan set at an average agency (0.8): a better one meets it in full, capped at 1
    d = tender.delivery([0.9, 0.6], [1.0, 1.0], [1.0, 1.0], plan=0.8)
    np.testing.assert_allclose(d, [1.0, 0.75])


def test_evaluation_is_noisy_around_delivery_and_the_pass_mark_bites():
    score = tender.evaluation_score(np.full(50_000, 0.7), noise_sd=0.1, rng=rng(2))
    assert score.mean() == pytest.approx(0.7, abs=0.003)
    assert score.std() == pytest.approx(0.1, abs=0.003)
    # at a pass mark of 0.7, about half of the deliveries at 0.7 fail
    assert tender.passes(score, 0.7).mean() == pytest.approx(0.5, abs=0.01)
    assert tender.passes(np.array([0.69, 0.7, 0.95]), 0.7).tolist() == [False, True, True]
    exact = tender.evaluation_score(np.array([1.2, -0.1]), noise_sd=0.0, rng=rng())
    assert exact.tolist() == [1.0, 0.0]


def test_reputation_is_the_shrunk_mean_of_scores():
    rep, n = tender.update_reputation(0.6, 0, 0.9, prior=0.6, prior_weight=2)
    assert rep == pytest.approx((0.6 * 2 + 0.9) / 3) and n == 1
    rep, n = tender.update_reputation(rep, n, 0.9, prior=0.6, prior_weight=2)
    assert rep == pytest.approx((0.6 * 2 + 0.9 + 0.9) / 4) and n == 2


def test_tender_award_goes_to_the_best_rated_bid_incumbent_edge_included():
    scores = tender.bid_scores([0.6, 0.7, 0.65], [True, False, False], incumbent_edge=0.15, noise_sd=0.0, rng=rng())
    np.testing.assert_allclose(scores, [0.75, 0.7, 0.65])
    assert tender.award(scores) == 0
    assert tender.award(tender.bid_scores([0.6, 0.8], [True, False], 0.15, 0.0, rng())) == 1


def test_staff_moving_on_a_change_of_provider():
    moving = tender.staff_moving(10_000, retention=0.5, rng=rng(3))
    assert moving.mean() == pytest.approx(0.5, abs=0.02)
    assert tender.staff_moving(3, 0.0, rng()).sum() == 0


def test_entry_into_thin_markets_only():
    assert tender.entry(0, 2, 0.0, rng()) is True  # nobody bids: an entrant takes it
    assert tender.entry(3, 2, 1.0, rng()) is False  # thick market: no entry
    draws = [tender.entry(1, 2, 0.4, np.random.default_rng(s)) for s in range(2_000)]
    assert np.mean(draws) == pytest.approx(0.4, abs=0.03)


def test_agencies_fold_when_reserves_run_out_even_with_stations():
    reserves = tender.reserves_next([10_000, 10_000, 10_000], revenue=[30_000, 0, 20_000],
                                    wage_bill=[25_000, 0, 28_000], overheads=[1_000, 500, 3_000])
    np.testing.assert_allclose(reserves, [14_000, 9_500, -1_000])
    # the third holds a contract (revenue) yet folds: its reserves ran out
    assert tender.folds(reserves, idle_months=[0, 3, 0], max_idle=12).tolist() == [False, False, True]
    assert tender.folds([5.0], [12], 12).tolist() == [True]


def test_contract_length_trades_tender_costs():
    # 1 year: one tender and one evaluation a year; 3 years: a third of a tender, a final
    # evaluation a third of the time and two yearly reviews in three
    one, three = tender.contract_overhead_per_year([1, 3], tender_cost=20_000, evaluation_cost=6_000)
    assert one == pytest.approx(26_000)
    assert three == pytest.approx(26_000 / 3 + 6_000 * 2 / 3)
    assert three < one


# ---------------------------------------------------------------- envelope
def test_envelopes_split_province_and_counties_by_population():
    total = envelope.region_envelope(179.7e8, 0.02, extra_yuan=1e6)
    assert total == pytest.approx(3.594e8 + 1e6)
    prov, counties = envelope.county_envelopes(100.0, [1, 3], province_share=0.2)
    assert prov == pytest.approx(20.0)
    np.testing.assert_allclose(counties, [20.0, 60.0])
    # half by residents, half by townships: a large county of few townships against a small one of many
    np.testing.assert_allclose(envelope.county_weights([900, 100], [1, 3]), [0.5 * 0.9 + 0.5 * 0.25,
                                                                            0.5 * 0.1 + 0.5 * 0.75])


def test_allocation_cuts_the_last_tiers_first_and_never_overspends():
    # tiers × counties
    req = np.array([[50.0, 10.0],   # stations at one post
                    [20.0, 10.0],   # allowances
                    [30.0, 30.0]])  # posts beyond the first
    grants = envelope.allocate(req, available=[85.0, 100.0])
    np.testing.assert_allclose(grants[:, 0], [50, 20, 15])  # the posts tier is thinned to half
    np.testing.assert_allclose(grants[:, 1], [10, 10, 30])  # enough for everything
    assert (grants.sum(axis=0) <= np.array([85.0, 100.0]) + 1e-9).all()
    assert (grants <= req).all()
    # a squeeze of 13% on what was planned falls on the last tier first
    plan = req[:, 0].sum()
    cut = envelope.allocate(req[:, 0], envelope.squeezed(plan, 0.13))
    np.testing.assert_allclose(cut, [50, 20, 30 - 0.13 * 100])


def test_stochastic_rounding_lets_a_one_township_county_build():
    draws = envelope.stochastic_round(np.full(10_000, 0.2), rng(4))
    assert draws.mean() == pytest.approx(0.2, abs=0.01)
    assert set(np.unique(draws)) == {0, 1}
    assert envelope.stochastic_round(np.array([3.0]), rng())[0] == 3


def test_donor_base_saturates():
    cap = 1_000.0
    small = envelope.saturate(0.0, 10.0, cap)
    assert small == pytest.approx(10.0, rel=0.01)  # a small ask is met almost in full
    months = [envelope.saturate(k * 5_000.0, 5_000.0, cap) for k in range(12)]
    assert sum(months) <= cap + 1e-9  # a year of large asks never exceeds the base
    assert months[0] > months[1] > months[2]
    assert envelope.saturate(100.0, 50.0, 0.0) == 0.0


def test_matching_comes_from_its_fund_and_stops_when_it_is_empty():
    match, left = envelope.match_from_fund([100.0, 300.0], ratio=1.0, fund_balance=1_000.0)
    np.testing.assert_allclose(match, [100, 300])
    assert left == pytest.approx(600)
    match, left = envelope.match_from_fund([100.0, 300.0], ratio=1.0, fund_balance=200.0)
    np.testing.assert_allclose(match, [50, 150])
    assert left == 0.0
    match, left = envelope.match_from_fund([100.0], ratio=0.0, fund_balance=50.0)
    assert match.sum() == 0 and left == 50.0


# ---------------------------------------------------------------- region budget data
def test_every_region_declares_its_envelope(tmp_path):
    from model.regions import BUDGET_KEYS, REGIONS_DIR, RegionError, available_regions, load_region

    for name in available_regions():
        budget = load_region(name).budget
        assert set(budget) == set(BUDGET_KEYS)
        assert 0 < budget["five_society_share"] < 0.1
    text = (REGIONS_DIR / "demo.toml").read_text(encoding="utf-8")
    broken = tmp_path / "nobudget.toml"
    broken.write_text(re.sub(r"five_society_share = [0-9.]+", "", text), encoding="utf-8")
    with pytest.raises(RegionError, match=r"\[budget\] lacks five_society_share"):
        load_region(broken)
    broken.write_text(re.sub(r"province_share = [0-9.]+", "province_share = 1.5", text), encoding="utf-8")
    with pytest.raises(RegionError, match="province_share must be a share"):
        load_region(broken)


def test_posts_paid_from_one_pot_never_exceed_what_it_buys():
    x = np.array([2.36, 2.36, 2.36, 0.5])
    draws = np.array([labour_market.round_posts_within(x, np.random.default_rng(s)) for s in range(2_000)])
    assert (draws.sum(axis=1) == 7).all()  # floor(7.58)
    assert ((draws >= np.floor(x)) & (draws <= np.ceil(x))).all()
    # the one post left after flooring goes to a station with chance in proportion to its fraction
    np.testing.assert_allclose(draws.mean(axis=0), [2 + 0.36 / 1.58] * 3 + [0.5 / 1.58], atol=0.03)
    assert labour_market.round_posts_within(np.array([0.4]), rng()).tolist() == [0]  # one station, 0.4 post

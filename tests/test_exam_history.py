"""The exam as a trend: the 2015–22 record, growth after 2022 with a prior from the record."""

import pytest

from model.exam_history import NATIONAL_POPULATION, exam_history, growth_prior
from model.params import SCHEMA


def test_growth_prior_is_the_records_own_growth():
    # FACTS §2b: 19.69万 (2015) → 89万 (2022) is +24% a year; 42.45万 (2018) → 89万 is +20%
    assert growth_prior()["mean"] == pytest.approx((890_000 / 196_900) ** (1 / 7) - 1)
    assert growth_prior(2018)["mean"] == pytest.approx((890_000 / 424_500) ** (1 / 4) - 1)
    assert growth_prior()["mean"] == pytest.approx(0.24, abs=0.005)
    p = SCHEMA["exam_registrant_growth"]
    assert p.kind == "uncertainty"
    prior = growth_prior()
    assert p.min <= prior["low"] and p.max >= prior["high"] - 0.005  # the range holds the ±2 s.e. band
    assert growth_prior(2018)["low"] <= p.default <= prior["high"]


def test_registrants_follow_the_record_then_grow():
    h = exam_history()
    assert h.national_registrants(2021, 0.5) == 829_000  # the record is not touched by the growth rate
    assert h.national_registrants(2024, 0.2) == pytest.approx(890_000 * 1.2**2)
    assert h.national_registrants(2024, 0.0) == 890_000
    assert h.national_registrants(2010, 0.2) == 196_900


def test_hubeis_propensity_comes_from_its_share_of_new_certificates():
    h = exam_history()
    new_2018 = h.certified[2018] - h.certified[2017]
    assert h.hubei_share_of_new[2018] == pytest.approx(h.hubei_passed[2018] / new_2018, abs=5e-4)
    assert h.hubei_passed[2017] == pytest.approx(3538 / 2.47, abs=1)
    share = sum(h.hubei_share_of_new.values()) / 2
    assert SCHEMA["exam_relative_propensity"].default == pytest.approx(share / (57_752_557 / NATIONAL_POPULATION),
                                                                      abs=0.01)

"""The direction table of ODD §7.16 on paired seeds: each lever moves its indicators the way the table says.

Every comparison runs the same seeds (common random numbers) with one lever changed and
compares means over the seeds. The figures behind the table are printed by
``python -m model.bench.levers``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from model.indicators import BUDGET_LINES
from model.simulation import FiveSocietyModel

SEEDS = (0, 1, 2, 3)


@cache
def _runs(region: str, params: tuple = (), seeds: tuple = SEEDS, end: str = "2025-12"):
    out = []
    for seed in seeds:
        m = FiveSocietyModel(region=region, seed=seed, end=end, params=dict(params))
        df = m.run()
        events = pd.Series([ev for _, _, ev, _ in m.townships.history], dtype=object)
        last = df.iloc[-12:]
        dec = df[(df.index.month == 12)].iloc[1:]
        posts = np.maximum(m.townships.positions[m.townships.funded], 0)
        out.append({
            "stations": float(df["stations"].iloc[-1]),
            "max_coverage": float(df["station_coverage"].max()),
            "sw_stationed": float(last["sw_stationed"].mean()),
            "sw_per_station": float(last["sw_stationed"].mean() / max(last["stations"].mean(), 1)),
            "posts_per_station": float(posts.mean()) if len(posts) else 0.0,
            "turnover": float(dec["sw_turnover_12m"].mean()),
            "vacancies": float(last["station_vacancies"].mean()),
            "vacancy_share": float(last["station_vacancies"].mean()
                                   / max(last["station_vacancies"].mean() + last["sw_stationed"].mean(), 1)),
            "needs_met": float(last["needs_met_share"].mean()),
            "public_spend": float(df["public_spend_yuan"].iloc[-1]),
            "charity_raised": float(df["charity_raised_yuan"].iloc[-1]),
            "spend_charity_match": float(df["spend_charity_match_yuan"].iloc[-1]),
            "retenders": int((events == "re-tender").sum()),
            "agencies": float(df["agencies"].iloc[-1]),
            "orgs": float(df["community_orgs"].iloc[-1]),
            "sw_talent": float(df["sw_talent"].iloc[-1]),
            "frame": df,
        })
    return out


def mean(region, figure, seeds=SEEDS, **params):
    return float(np.mean([r[figure] for r in _runs(region, tuple(sorted(params.items())), seeds)]))


def test_higher_pay_lowers_turnover_and_vacancies():
    low, high = {"sw_pay_ratio": 0.6}, {"sw_pay_ratio": 1.0}
    assert mean("linhai", "turnover", **high) < mean("linhai", "turnover", **low)
    assert mean("linhai", "vacancy_share", **high) < mean("linhai", "vacancy_share", **low)
    # and each post costs more, so the same station money buys fewer of them
    assert mean("linhai", "posts_per_station", **high) < mean("linhai", "posts_per_station", **low)


def test_evaluate_differs_from_always_and_the_pass_mark_bites():
    always = _runs("linhai", (("renewal_rule", "always"),))
    evaluate = _runs("linhai", ())
    assert sum(r["retenders"] for r in always) == 0
    assert sum(r["retenders"] for r in evaluate) > 0  # failed evaluations send contracts to tender
    assert any(not a["frame"].equals(e["frame"]) for a, e in zip(always, evaluate, strict=True))
    strict = mean("linhai", "retenders", evaluation_pass_mark=0.8)
    assert strict > mean("linhai", "retenders")


def test_three_year_contracts_lower_turnover_without_lowering_needs_met():
    one, three = {"contract_years": 1}, {"contract_years": 3}
    seeds = tuple(range(8))
    assert mean("linhai", "turnover", seeds, **three) < mean("linhai", "turnover", seeds, **one) - 0.05
    # needs met are not materially lower: more experienced staff and ties against weak providers
    # kept longer (ODD §7.16: the trade-off is the finding, under a point either way)
    assert mean("linhai", "needs_met", seeds, **three) >= mean("linhai", "needs_met", seeds, **one) - 0.01
    # fewer tenders and evaluations to pay for
    assert mean("linhai", "public_spend", **three) < mean("linhai", "public_spend", **one)


def test_the_squeeze_thins_stations_before_it_closes_them():
    base = {}
    squeezed = {"fiscal_squeeze": 0.13}
    assert mean("linhai", "stations", **squeezed) >= 0.9 * mean("linhai", "stations", **base)
    assert mean("linhai", "posts_per_station", **squeezed) < mean("linhai", "posts_per_station", **base)
    assert mean("linhai", "public_spend", **squeezed) < mean("linhai", "public_spend", **base)
    # cutting every line alike closes or forgoes more stations than protecting them
    deep = {"fiscal_squeeze": 0.4}
    assert (mean("linhai", "stations", budget_priority="proportional", **deep)
            < mean("linhai", "stations", **deep))


def test_money_buys_posts_continuously_and_direct_employment_pays_its_costs():
    assert mean("demo", "posts_per_station", station_budget_yuan=140_000) < mean("demo", "posts_per_station")
    purchase = mean("linhai", "posts_per_station")
    direct = mean("linhai", "posts_per_station", procurement_mode="direct")
    assert 0.85 < direct / purchase < 1.05  # no more posts for the same money (on-costs, whole posts)


def test_added_money_buys_more_when_the_envelope_binds():
    # 40万 a station asks more than Linhai's envelope holds: the posts are thinned, until money is added
    binding = {"station_budget_yuan": 400_000}
    more = {"station_budget_yuan": 400_000, "extra_budget_yuan_per_10k": 30_000}
    assert mean("linhai", "posts_per_station", **more) > mean("linhai", "posts_per_station", **binding)
    assert mean("linhai", "public_spend", **more) > mean("linhai", "public_spend", **binding)
    # where it does not bind (the defaults), added money changes nothing
    assert mean("linhai", "public_spend", extra_budget_yuan_per_10k=30_000) == mean("linhai", "public_spend")


def test_matching_comes_from_its_own_fund_and_public_money_only_when_put_in():
    base = mean("linhai", "charity_raised")
    matched = mean("linhai", "charity_raised", charity_match_ratio=1.0)
    assert matched > base
    assert mean("linhai", "spend_charity_match", charity_match_ratio=1.0) == 0.0  # not public money
    topped = {"charity_match_ratio": 1.0, "match_fund_public_yuan_per_10k": 20_000}
    assert mean("linhai", "spend_charity_match", **topped) > 0
    assert mean("linhai", "charity_raised", **topped) > matched


def test_agencies_enter_thin_tenders_and_the_growing_market_outside_stations():
    """agency_entry_prob → agencies (+): thin station tenders draw entrants; project_entry_share →
    agencies (+): new non-station projects go to new agencies; agency_project_growth → agencies and
    talent (+): the market outside stations buys more posts (ODD §7.16)."""
    def entered(prob):  # demo from 2018, one agency: station tenders are thin markets
        return np.mean([FiveSocietyModel(region="demo", seed=seed, start="2018-01", end="2022-12",
                                         params={"agency_entry_prob": prob, "agency_project_growth": 0.0})
                        .run()["agencies"].iloc[-1] for seed in SEEDS])

    assert entered(1.0) > entered(0.0)
    assert mean("demo", "agencies", project_entry_share=1.0) > mean("demo", "agencies", project_entry_share=0.2)
    assert mean("demo", "agencies", agency_project_growth=0.35) > mean("demo", "agencies", agency_project_growth=0.0)
    assert mean("demo", "sw_talent", agency_project_growth=0.35) > mean("demo", "sw_talent", agency_project_growth=0.0)


def test_venture_grants_buy_services_and_street_bases_incubate_organisations():
    """venture_budget_yuan_per_10k → needs_met_share (+): each grant funds a year of an organisation's
    service project (§7.8); incubator_street_share → community_orgs (+): street bases add incubation
    places and raise founding where no county base reaches (§7.8)."""
    assert mean("demo", "needs_met", venture_budget_yuan_per_10k=50_000) > \
        mean("demo", "needs_met", venture_budget_yuan_per_10k=0) + 0.01
    assert mean("demo", "orgs", incubator_street_share=1.0) > mean("demo", "orgs", incubator_street_share=0.0)


def test_hubei_can_reach_full_coverage_when_the_build_lever_allows_it():
    """Every county builds, even a county of one township (Shennongjia), by stochastic rounding.

    Coverage counts stations operating: at any month a few are between providers (an agency
    folded, a re-tender) or still hiring, and counties short of fiscal capacity build more
    slowly (``funding``), so the share hovers just under 1 once everything is built.
    """
    m = FiveSocietyModel(region="hubei", seed=0, end="2027-12", params={"station_build_share": 1.0})
    df = m.run()
    tw = m.townships
    built = {town for _, town, ev, _ in tw.history if ev in ("station funded", "station open")}
    one_township = [c for c in range(m.structure.n_counties) if (tw.county == c).sum() == 1]
    assert one_township and all(int(np.flatnonzero(tw.county == c)[0]) in built for c in one_township)
    assert len(built) >= tw.n - 2
    assert df["station_coverage"].max() >= 0.995


def test_hubei_turnover_and_staff_per_station_at_defaults_inside_the_facts_ranges():
    """FACTS §2h, §6: annual turnover 17.6–25%; FACTS §2a: 2.35–2.5 social workers per station (EST)."""
    runs = _runs("hubei", (), seeds=(0, 1))
    turnover = np.mean([r["frame"]["sw_turnover_12m"].iloc[-1] for r in runs])
    per_station = np.mean([r["sw_per_station"] for r in runs])
    assert 0.176 <= turnover <= 0.25
    assert 2.3 <= per_station <= 2.55


def test_no_county_commits_beyond_its_envelope_under_a_deep_squeeze():
    """A 60% squeeze from 2023 on three-year contracts: running contracts alone would cost a county
    more than it has (42% more, Linhai seed 1); they are cut to what it has, thinned, not closed."""
    m = FiveSocietyModel(region="linhai", seed=1, end="2025-12", params={"contract_years": 3},
                         changes={"2023-01": {"fiscal_squeeze": 0.6}})
    checked = 0
    while m.running:
        m.step()
        if m.calendar_month[m.t] == 1:
            tw = m.townships
            money = np.bincount(tw.county[tw.funded], tw.station_money[tw.funded], len(m.stations.purchasers))
            assert (money <= m.stations.county_available * (1 + 1e-9) + 1e-6).all(), m.calendar[m.t]
            checked += 1
    events = [ev for _, _, ev, _ in m.townships.history]
    assert checked == 5 and events.count("contract cut") > 0


def test_no_budget_line_is_overspent_with_every_lever_at_its_maximum():
    from model.params import SCHEMA

    top = {n: (p.max if p.type in ("float", "int") else p.default) for n, p in SCHEMA.items() if p.kind == "lever"}
    top.update(procurement_mode="mixed", digital_platform=True, fiscal_squeeze=0.0)
    m = FiveSocietyModel(region="demo", seed=4, params=top)
    df = m.run()
    for line in BUDGET_LINES:
        assert (df[f"spend_{line}_yuan"] <= df[f"budget_{line}_yuan"] + 1e-6).all(), line
    # the envelope holds: five years cost about five envelopes, not the unbounded bill of before
    envelope = m.region.budget
    yearly = (m.population * envelope["civil_affairs_yuan_per_head"] * envelope["five_society_share"]
              + top["extra_budget_yuan_per_10k"] * m.population / 10_000)
    assert df["public_spend_yuan"].iloc[-1] <= 5 * yearly * 1.05


@pytest.mark.parametrize("lever", ["evaluation_pass_mark", "extra_budget_yuan_per_10k", "budget_priority",
                                   "match_fund_public_yuan_per_10k"])
def test_new_levers_say_which_partner_they_need_or_act_alone(lever):
    from model.params import SCHEMA

    p = SCHEMA[lever]
    assert p.kind == "lever"
    if p.needs:
        assert p.needs[0] in SCHEMA and SCHEMA[p.needs[0]].kind == "lever"

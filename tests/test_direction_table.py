"""ODD §7.16 covers every lever: each lever of the schema has a row of the direction table, a lever
that acts only through a partner says so there, and the rows added for the levers the table lacked
are held on paired seeds (same seeds, one lever changed, means over the seeds)."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest

from model.odd import ODD_PATH
from model.params import SCHEMA
from model.simulation import FiveSocietyModel

SEEDS = (0, 1, 2, 3)
# indicators read at the end of the run; the rest are means over its last twelve months
STOCKS = ("stations", "sw_certified", "community_orgs", "volunteers_registered", "public_spend_yuan",
          "charity_raised_yuan")


def direction_rows() -> list[list[str]]:
    """The cells of every row of the ODD's direction tables (tables whose first column is a lever)."""
    rows, inside = [], False
    for line in ODD_PATH.read_text(encoding="utf-8").splitlines():
        if line.startswith("| lever"):
            inside = True
        elif inside and line.startswith("|---"):
            continue
        elif inside and line.startswith("|"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
        else:
            inside = False
    return rows


def test_every_lever_of_the_schema_has_a_row_in_the_direction_table():
    rows = direction_rows()
    assert len(rows) > 30
    named = {name for cells in rows for name in re.findall(r"`([a-z_0-9]+)", cells[0])}
    unknown = {n for n in named if n not in SCHEMA} - {"hubei", "speed"}  # a region and a region-file field
    assert not unknown, f"the direction table names parameters the schema lacks: {sorted(unknown)}"
    missing = [n for n, p in SCHEMA.items() if p.kind == "lever" and n not in named]
    assert not missing, f"levers without a row in ODD §7.16: {missing}"


def test_a_row_for_a_dependent_parameter_says_which_partner_it_needs():
    rows = direction_rows()
    dependent = {n: p.needs for n, p in SCHEMA.items() if p.needs}
    seen = set()
    for cells in rows:
        lever = cells[0]
        first = re.findall(r"`([a-z_0-9]+)", lever)
        if not first or first[0] not in dependent:
            continue
        partner, when, _ = dependent[first[0]]
        assert f"needs {partner} {when}" in lever.replace("`", ""), \
            f"the row of {first[0]} does not say it needs {partner} {when}: {lever}"
        seen.add(first[0])
    # every dependent lever has such a row (uncertainties too: the table lists those it tests)
    assert seen == set(dependent)


@cache
def _figures(region: str, params: tuple, seeds: tuple = SEEDS) -> tuple[dict, ...]:
    out = []
    for seed in seeds:
        df = FiveSocietyModel(region=region, seed=seed, params=dict(params)).run()
        last = df.iloc[-12:]
        figures = {name: float(last[name].mean()) for name in df.columns}
        figures.update({name: float(df[name].iloc[-1]) for name in STOCKS})
        figures["exam_passed"] = float(df["exam_passed_year"].sum())
        out.append(figures)
    return tuple(out)


def mean(figure: str, region: str = "demo", seeds: tuple = SEEDS, **params) -> float:
    return float(np.mean([r[figure] for r in _figures(region, tuple(sorted(params.items())), seeds)]))


def test_direct_employment_share_in_a_mixed_system():
    """direct_share 0 → 1 (needs procurement_mode = mixed): townships draw their own staff into
    administration, so fewer visits and less casework."""
    low = {"procurement_mode": "mixed", "direct_share": 0.0}
    high = {"procurement_mode": "mixed", "direct_share": 1.0}
    for region in ("demo", "linhai"):
        assert mean("sw_admin_share", region, **high) > mean("sw_admin_share", region, **low)
        assert mean("households_visited", region, **high) < mean("households_visited", region, **low)
        assert mean("needs_met_share", region, **high) < mean("needs_met_share", region, **low)
    # and outside a mixed system the share does nothing
    assert _figures("demo", (("direct_share", 1.0),)) == _figures("demo", (("direct_share", 0.0),))


def test_outcome_evaluation_moves_hours_to_linkage_and_fails_more_contracts():
    outcomes = {"evaluation_basis": "outcomes"}
    assert mean("households_visited", **outcomes) > mean("households_visited")
    assert mean("community_orgs", **outcomes) > mean("community_orgs")
    assert mean("sw_turnover_12m", "linhai", **outcomes) > mean("sw_turnover_12m", "linhai") + 0.05


def test_allowances_draw_candidates_and_crowd_out_stations_where_the_envelope_binds():
    none, high = {"cert_allowance_yuan": 0}, {"cert_allowance_yuan": 600}
    assert mean("community_worker_certified_share", **high) > mean("community_worker_certified_share", **none)
    assert mean("public_spend_yuan", **high) > mean("public_spend_yuan", **none)
    assert mean("stations", **high) < mean("stations", **none)
    assert mean("sw_stationed", **high) < mean("sw_stationed", **none)
    assert mean("volunteer_point_coverage", **high) < mean("volunteer_point_coverage", **none)


def test_the_certification_plan_and_exam_training_certify_more():
    assert (mean("community_worker_certified_share", cw_plan_cert_share=1.0)
            > mean("community_worker_certified_share", cw_plan_cert_share=0.0))
    assert mean("exam_passed", cw_plan_cert_share=1.0) > mean("exam_passed", cw_plan_cert_share=0.0)
    trained = {"exam_training_yuan": 3000}
    for figure in ("sw_certified", "exam_passed", "public_spend_yuan"):
        assert mean(figure, **trained) > mean(figure), figure
    # training_odds_ratio (needs exam_training_yuan > 0): a stronger effect passes more candidates
    assert (mean("exam_passed", exam_training_yuan=3000, training_odds_ratio=3.0)
            > mean("exam_passed", exam_training_yuan=3000, training_odds_ratio=1.0))


def test_a_cap_on_administration_frees_hours_for_residents():
    capped = {"admin_share_cap": 0.1}
    assert mean("sw_admin_share", **capped) < mean("sw_admin_share")
    # turnover on hubei: demo's ≈22 station social workers make a 12-month turnover rate too noisy
    # to carry the effect (paired s.d. 0.06–0.11 over 28 seeds, mean −0.02); hubei: −0.03 to −0.06
    hubei = {"region": "hubei", "seeds": (0, 1)}
    assert mean("sw_turnover_12m", **hubei, **capped) < mean("sw_turnover_12m", **hubei)
    assert mean("households_visited", **capped) > mean("households_visited")
    assert mean("needs_met_share", **capped) > mean("needs_met_share")


def test_city_and_county_incubation_bases_incubate_organisations():
    for lever in ("incubator_city_share", "incubator_county_share"):
        on, off = {lever: 1.0}, {lever: 0.0}
        assert mean("orgs_incubated", **on) > mean("orgs_incubated", **off), lever
        assert mean("community_orgs", **on) > mean("community_orgs", **off), lever
        assert mean("public_spend_yuan", **on) > mean("public_spend_yuan", **off), lever
    assert mean("incubator_county_coverage", incubator_county_share=1.0) == 1.0
    assert mean("incubator_county_coverage", incubator_county_share=0.0) == 0.0


def test_startup_grants_found_organisations_and_activities_compete_for_new_points():
    grants = {"startup_grant_yuan": 20_000}
    assert mean("community_orgs", **grants) > mean("community_orgs")
    assert mean("public_spend_yuan", **grants) > mean("public_spend_yuan")
    # new volunteer points open at the activities' share of the envelope (fiscal_factor): a larger
    # activity bill (start-up grants, incentives) opens fewer of them where the envelope binds
    assert mean("volunteer_point_coverage", **grants) < mean("volunteer_point_coverage")
    assert (mean("volunteer_point_coverage", volunteer_incentive_yuan=40)
            < mean("volunteer_point_coverage", volunteer_incentive_yuan=0))


def test_larger_venture_grants_are_fewer_and_none_above_the_budget():
    assert mean("spend_grants_yuan", venture_grant_yuan=50_000) < mean("spend_grants_yuan", venture_grant_yuan=20_000)
    # demo's venture budget (3,000 yuan per 10,000 residents) is under 100,000 yuan: no grant that size
    assert mean("spend_grants_yuan", venture_grant_yuan=100_000) == 0.0


def test_volunteer_points_and_incentives_raise_volunteering():
    on, off = {"volunteer_point_share": 1.0}, {"volunteer_point_share": 0.0}
    for figure in ("volunteer_point_coverage", "volunteers_registered", "volunteers_active", "needs_met_share"):
        assert mean(figure, **on) > mean(figure, **off), figure
    paid = {"volunteer_incentive_yuan": 40}
    for figure in ("volunteers_active", "volunteers_registered", "public_spend_yuan"):
        assert mean(figure, **paid) > mean(figure, volunteer_incentive_yuan=0), figure


def test_community_funds_raise_charity_and_serve_needs():
    on, off = {"community_fund_share": 1.0}, {"community_fund_share": 0.0}
    for figure in ("community_fund_coverage", "charity_raised_yuan", "needs_met_share"):
        assert mean(figure, **on) > mean(figure, **off), figure
    # donation_match_elasticity (needs charity_match_ratio > 0): donors respond more to matching
    assert (mean("charity_raised_yuan", charity_match_ratio=1.0, donation_match_elasticity=1.5)
            > mean("charity_raised_yuan", charity_match_ratio=1.0, donation_match_elasticity=0.0))


@pytest.mark.parametrize("channel", ["funding_township_share", "funding_lottery_share", "funding_charity_share"])
def test_less_reliable_funding_channels_fund_no_more_stations(channel):
    seeds = tuple(range(8))
    on, off = {channel: 1.0}, {channel: 0.0}
    assert mean("stations", seeds=seeds, **on) <= mean("stations", seeds=seeds, **off)
    assert mean("sw_stationed", seeds=seeds, **on) < mean("sw_stationed", seeds=seeds, **off)
    assert mean("public_spend_yuan", seeds=seeds, **on) < mean("public_spend_yuan", seeds=seeds, **off)

"""Community foundations and community social-work rooms (ODD §7.17): where the region allows, paired seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.core.foundations import allowed_townships, monthly_ask
from model.core.rooms import allowed_communities
from model.indicators import BUDGET_LINES
from model.regions import REGIONS_DIR, RegionError, load_region
from model.simulation import FiveSocietyModel, simulate

SEEDS = range(5)
RUN = {"region": "demo", "start": "2021-01", "end": "2023-12"}
FOUNDATIONS = {"community_foundation_share": 0.5}
# at the default ask a foundation's grants (≈0.1m yuan a year in the demo) are smaller than the
# run-to-run noise of the community funds' gifts; the directions are held at the upper ask
FOUNDATIONS_STRONG = {"community_foundation_share": 1.0, "foundation_raise_yuan_per_10k": 200_000}
ROOMS = {"community_sw_room_share": 0.3}


def _region_with(tmp_path, mechanisms: str):
    """The demo region file with its [mechanisms] table replaced by ``mechanisms``."""
    text = (REGIONS_DIR / "demo.toml").read_text(encoding="utf-8")
    head, rest = text.split("[mechanisms]\n", 1)
    tail = rest.split("\n\n", 1)[1]
    path = tmp_path / "demo_mech.toml"
    path.write_text(f"{head}[mechanisms]\n{mechanisms}\n\n{tail}", encoding="utf-8")
    return path


def _run(seed: int, params: dict | None, **kw) -> FiveSocietyModel:
    m = FiveSocietyModel(seed=seed, params=params, **{**RUN, **kw})
    m.run()
    return m


def _last_year(m: FiveSocietyModel, indicator: str) -> float:
    return float(m.frame()[indicator].iloc[-12:].mean())


# ---------------------------------------------------------------- rules
def test_where_the_region_allows_them():
    street = np.array([True, False, True])
    assert allowed_townships("streets", street).tolist() == [True, False, True]
    assert allowed_townships("all", street).all() and not allowed_townships("none", street).any()
    urban = np.array([False, True])
    assert allowed_communities("urban", urban).tolist() == [False, True]
    assert allowed_communities("all", urban).all() and not allowed_communities("none", urban).any()
    for name in ("hubei", "linhai", "demo"):
        mech = load_region(name).mechanisms
        assert mech == {"community_foundations": "streets", "community_sw_rooms": "all"}, name


def test_a_foundation_asks_a_twelfth_of_its_year_from_its_own_township():
    ask = monthly_ask(np.array([True, False]), np.array([0.5, 1.0]), np.array([0, 0, 1]),
                      np.array([10_000, 20_000, 10_000]), 12_000)
    assert ask.tolist() == pytest.approx([500.0, 1_000.0, 0.0])


def test_a_foundation_uses_up_the_donors_the_community_funds_ask():
    """The cost of a foundation to the community funds: the same ask after the foundation's gets less."""
    from model.core.envelope import saturate

    base = np.array([100_000.0])
    alone = saturate(np.array([0.0]), np.array([40_000.0]), base)
    after_foundation = saturate(np.array([20_000.0]), np.array([40_000.0]), base)
    assert after_foundation[0] < alone[0]


def test_a_bad_mechanisms_value_is_one_line_naming_file_and_key(tmp_path):
    path = _region_with(tmp_path, 'community_sw_rooms = "everywhere"')
    with pytest.raises(RegionError, match=r"demo_mech.toml: \[mechanisms\] \"community_sw_rooms\" must be one of"):
        load_region(path)
    path = _region_with(tmp_path, "community_halls = true")
    with pytest.raises(RegionError, match="is not a key"):
        load_region(path)


def test_nothing_happens_where_the_region_does_not_allow_them(tmp_path):
    path = _region_with(tmp_path, 'community_foundations = "none"\ncommunity_sw_rooms = "none"')
    kw = {**RUN, "region": str(path)}
    off = simulate(seed=1, **kw)
    on = simulate(seed=1, params={**FOUNDATIONS, **ROOMS}, **kw)
    pd.testing.assert_frame_equal(on, off, check_exact=True)


def test_only_streets_get_foundations_and_only_urban_communities_rooms(tmp_path):
    path = _region_with(tmp_path, 'community_foundations = "streets"\ncommunity_sw_rooms = "urban"')
    m = _run(0, {"community_foundation_share": 1.0, "community_sw_room_share": 1.0}, region=str(path))
    assert m.foundations.has.sum() == m.townships.street.sum() > 0
    assert m.rooms.has.sum() == m.communities.urban.sum() > 0
    assert not (m.rooms.has & ~m.communities.urban).any()


# ---------------------------------------------------------------- directions (ODD §7.16)
def test_foundations_raise_grants_services_and_draw_on_the_same_donors():
    services, orgs = [], []
    for s in SEEDS:
        off, on = _run(s, None), _run(s, FOUNDATIONS_STRONG)
        assert _last_year(on, "community_foundations") > 0
        assert _last_year(on, "foundation_grants_yuan") > 0 and _last_year(off, "foundation_grants_yuan") == 0
        assert on.charity.donated > off.charity.donated, s
        # no public money
        assert _last_year(on, "public_spend_yuan") == _last_year(off, "public_spend_yuan")
        services.append(_last_year(on, "service_person_times") / _last_year(off, "service_person_times") - 1)
        orgs.append(_last_year(on, "community_orgs") - _last_year(off, "community_orgs"))
    # services and organisations rise on average over the paired seeds, not in every one: services
    # are needs served, so where needs are already met more money adds little; and the grants'
    # money is partly taken from the community funds' donors (ODD §7.16: −0.2% to +3.6% by seed)
    assert np.mean(services) > 0.005 and sum(x > 0 for x in services) >= len(services) - 1, services
    assert np.mean(orgs) > 0 and sum(x > 0 for x in orgs) >= len(orgs) - 1, orgs
    # the community funds' own gifts are not held: the shared donor base takes part of them
    # (``test_a_foundation_uses_up_the_donors_the_community_funds_ask``, asks fixed), while the
    # grants grow organisations that post more community-fund projects (ODD §7.16: ±)


def test_foundation_grants_fund_social_work_projects_where_charity_does():
    base = {"charity_project_share": 0.5}
    diff = []
    for s in SEEDS:
        off, on = _run(s, base), _run(s, {**base, **FOUNDATIONS_STRONG})
        diff.append(_last_year(on, "project_services") - _last_year(off, "project_services"))
    assert (np.array(diff) > 0).all(), diff


def test_rooms_raise_needs_met_and_visits_and_cost_public_money():
    for s in SEEDS:
        off, on = _run(s, None), _run(s, ROOMS)
        assert _last_year(on, "community_sw_rooms") > 0 and _last_year(on, "sw_room_hours") > 0
        assert _last_year(on, "needs_met_share") > _last_year(off, "needs_met_share"), s
        assert _last_year(on, "households_visited") > _last_year(off, "households_visited"), s
        assert _last_year(on, "spend_sw_rooms_yuan") > 0 and _last_year(off, "spend_sw_rooms_yuan") == 0
        assert _last_year(on, "public_spend_yuan") > _last_year(off, "public_spend_yuan"), s


def test_no_budget_line_is_overspent_with_both_on():
    m = FiveSocietyModel(seed=2, params={**FOUNDATIONS, **ROOMS, "community_sw_room_share": 1.0}, **RUN)
    while m.running:
        m.step()
        for line in BUDGET_LINES:
            assert m.ledger.spent_year[line] <= m.ledger.budget_year[line] * (1 + 1e-12) + 1e-6, (m.t, line)
    df = m.frame()
    # a room runs at what the envelope grants: never more hours than its rooms hold
    assert (df["sw_room_hours"] <= df["community_sw_rooms"] * m.params.sw_room_hours_month + 1e-9).all()

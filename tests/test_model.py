"""The model: determinism, common random numbers, invariants, errors, a golden run, data checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import model
from model.indicators import BUDGET_LINES, CORE_NAMES, INDICATORS
from model.params import SCHEMA, ParameterError, validate
from model.simulation import FiveSocietyModel, simulate
from model.targets import INDICATOR_UNITS

SHORT = {"region": "demo", "start": "2021-01", "end": "2022-12"}


def test_records_every_indicator_of_the_brief_by_name():
    df = simulate(**SHORT, seed=3)
    brief = [
        "stations", "station_coverage", "sw_talent", "sw_certified", "sw_stationed", "community_workers",
        "community_worker_certified_share", "community_orgs", "share_urban_communities_10plus_orgs",
        "share_rural_communities_5plus_orgs", "incubator_city_coverage", "incubator_county_coverage",
        "volunteers_registered", "volunteers_active", "volunteer_point_coverage", "charity_raised_yuan",
        "needs_met_share", "service_person_times", "public_spend_yuan",
        # MODEL.md §5: residents' needs by group
        "needs_met_share_elderly_alone", "needs_met_share_left_behind_children", "needs_met_share_disability",
        "needs_met_share_low_income",
    ]
    assert brief == CORE_NAMES
    assert list(df.columns) == list(INDICATORS)
    assert len(df) == 24
    assert df.index.name == "date"
    assert df.index[0] == pd.Timestamp("2021-01-31") and df.index[-1] == pd.Timestamp("2022-12-31")


def test_same_seed_same_frame_other_seed_other_frame():
    a = simulate(region="demo", seed=11)
    b = simulate(region="demo", seed=11)
    c = simulate(region="demo", seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert (a["community_orgs"] != c["community_orgs"]).any()


@pytest.mark.parametrize(
    "lever",
    [
        {"charity_match_ratio": 1.0},
        {"station_budget_yuan": 250_000, "contract_years": 3},
        {"procurement_mode": "direct", "admin_share_cap": 0.3},
        {"fiscal_squeeze": 0.4},
        {"exam_training_yuan": 2000, "cert_allowance_yuan": 300},
    ],
)
def test_a_lever_changed_from_2024_leaves_everything_before_identical(lever):
    base = simulate(region="demo", seed=5)
    changed = simulate(region="demo", seed=5, changes={"2024-01": lever})
    before = base.index < pd.Timestamp("2024-01-01")
    pd.testing.assert_frame_equal(base[before], changed[before])
    assert not base[~before].equals(changed[~before]), "the change had no effect at all"


def test_changes_and_dashboard_set_params_agree():
    via_changes = simulate(region="demo", seed=2, end="2022-12", changes={"2022-03": {"volunteer_incentive_yuan": 40}})
    m = FiveSocietyModel(region="demo", seed=2, end="2022-12")
    for _ in range(14):  # through 2022-02
        m.step()
    m.set_params({"volunteer_incentive_yuan": 40})
    pd.testing.assert_frame_equal(m.run(), via_changes)
    assert m.change_log == [(pd.Timestamp("2022-03-31"), {"volunteer_incentive_yuan": 40.0})]


def _numeric_strategy(p):
    if p.type == "int":
        return st.integers(int(p.min), int(p.max))
    return st.floats(p.min, p.max, allow_nan=False)


_LEVERS = [name for name, p in SCHEMA.items() if p.kind == "lever"]
_CHANGE_MONTHS = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)
                  if "2021-06" <= f"{y}-{m:02d}" <= "2023-03"]


def _value_strategy(p):
    if p.type == "choice":
        return st.sampled_from(p.choices)
    if p.type == "bool":
        return st.booleans()
    return _numeric_strategy(p)


def _changes_strategy():
    """Up to three dated changes of one to four levers each, anywhere in the window (mid-year included)."""
    levers = st.lists(st.sampled_from(_LEVERS), min_size=1, max_size=4, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: _value_strategy(SCHEMA[n]) for n in names}))
    return st.dictionaries(st.sampled_from(_CHANGE_MONTHS), levers, max_size=3)


def _param_strategy():
    fields = {}
    for name, p in SCHEMA.items():
        if p.type == "choice":
            fields[name] = st.sampled_from(p.choices)
        elif p.type == "bool":
            fields[name] = st.booleans()
        else:
            fields[name] = _numeric_strategy(p)
    return st.fixed_dictionaries({}, optional=fields)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=_param_strategy(), changes=_changes_strategy(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_for_any_valid_parameters(params, changes, seed):
    m = FiveSocietyModel(region="demo", seed=seed, start="2021-06", end="2023-03", params=params, changes=changes)
    df = m.run()
    counts = [i.name for i in INDICATORS.values() if not i.share]
    assert (df[counts] >= 0).all().all(), "a count went negative"
    shares = [i.name for i in INDICATORS.values() if i.share]
    # a coverage of units the region has none of is NaN (demo is one county: no 设区的市)
    none = [i for i in shares if m.region.unit_counts()[INDICATOR_UNITS.get(i, "region")] == 0]
    assert none == ["incubator_city_coverage"] and df[none].isna().all().all()
    shares = [i for i in shares if i not in none]
    assert ((df[shares] >= 0) & (df[shares] <= 1)).all().all(), "a share left [0, 1]"
    assert (df["stations"] <= m.townships.n).all()
    assert (df["sw_certified"] <= df["sw_talent"]).all()
    assert (df["volunteers_active"] <= df["volunteers_registered"]).all()
    for line in BUDGET_LINES:
        assert (df[f"spend_{line}_yuan"] <= df[f"budget_{line}_yuan"] + 1e-6).all(), f"{line} overspent"
    assert (df["public_spend_yuan"] <= df["public_budget_yuan"] + 1e-6).all()
    spend_lines = df[[f"spend_{line}_yuan" for line in BUDGET_LINES]].sum(axis=1)
    np.testing.assert_allclose(spend_lines, df["public_spend_yuan"], rtol=1e-9)
    for col in [i.name for i in INDICATORS.values() if i.cumulative]:  # budget lines too, whatever the changes
        assert df[col].is_monotonic_increasing, f"{col} is cumulative but fell"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=_param_strategy(), month=st.sampled_from(_CHANGE_MONTHS),
       levers=st.lists(st.sampled_from(_LEVERS), min_size=1, max_size=6, unique=True), seed=st.integers(0, 2**32 - 1))
def test_a_dated_change_to_the_current_value_leaves_the_run_identical_bit_for_bit(params, month, levers, seed):
    run = dict(region="demo", seed=seed, start="2021-06", end="2023-03", params=params)
    base = FiveSocietyModel(**run)
    current = {name: base.params[name] for name in levers}
    pd.testing.assert_frame_equal(FiveSocietyModel(**run, changes={month: current}).run(), base.run(),
                                  check_exact=True)


def test_a_mid_year_change_re_plans_only_what_it_changes():
    base = simulate(region="demo", seed=4, end="2022-12")
    raised = simulate(region="demo", seed=4, end="2022-12", changes={"2022-07": {"cert_allowance_yuan": 300}})
    before = base.index < pd.Timestamp("2022-07-01")
    pd.testing.assert_frame_equal(base[before], raised[before])
    assert (raised["budget_allowances_yuan"] >= base["budget_allowances_yuan"]).all()
    assert raised["budget_allowances_yuan"].iloc[-1] > base["budget_allowances_yuan"].iloc[-1]
    for line in ("stations", "incubators", "volunteers", "platform", "charity_match"):  # untouched by the change
        assert raised.loc["2022-07-31", f"budget_{line}_yuan"] == base.loc["2022-07-31", f"budget_{line}_yuan"]
    cut = simulate(region="demo", seed=4, end="2022-12", changes={"2022-07": {"station_budget_yuan": 80_000}})
    assert cut["budget_stations_yuan"].is_monotonic_increasing  # a cut leaves money unspent, the line stands
    assert cut.loc["2022-07-31", "budget_stations_yuan"] == base.loc["2022-07-31", "budget_stations_yuan"]




def test_unknown_parameter_is_named_and_valid_ones_listed():
    with pytest.raises(ParameterError) as err:
        simulate(region="demo", params={"station_budjet_yuan": 1})
    msg = str(err.value)
    assert '"station_budjet_yuan" is not a parameter' in msg
    assert 'did you mean "station_budget_yuan"' in msg
    assert "charity_match_ratio" in msg  # the valid ones are listed
    assert err.value.key == "station_budjet_yuan"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"station_budget_yuan": 10}, '"station_budget_yuan" = 10 is out of range: expected 80000 to 400000'),
        ({"charity_match_ratio": -0.5}, "expected 0 to 2"),
        ({"contract_years": 2.5}, '"contract_years" must be a whole number in [1, 3]'),
        ({"procurement_mode": "outsourced"}, "\"procurement_mode\" must be one of 'purchase', 'direct', 'mixed'"),
        ({"digital_platform": "maybe"}, '"digital_platform" must be true or false'),
        ({"sw_pay_ratio": "high"}, '"sw_pay_ratio" must be a number'),
    ],
)
def test_bad_values_get_a_clear_message(params, fragment):
    with pytest.raises(ParameterError) as err:
        validate(params)
    assert fragment in str(err.value)


def test_bad_change_dates_are_refused():
    with pytest.raises(ValueError, match="outside the run"):
        simulate(region="demo", changes={"2027-01": {"fiscal_squeeze": 0.1}})
    with pytest.raises(ValueError, match='must be a month like "2024-01"'):
        simulate(region="demo", changes={"soon": {"fiscal_squeeze": 0.1}})
    with pytest.raises(ParameterError, match="out of range"):
        simulate(region="demo", changes={"2024-01": {"fiscal_squeeze": 3}})
    with pytest.raises(ValueError, match="before 2018-01"):
        simulate(region="demo", start="2015-01")


def test_every_parameter_has_unit_range_source_and_both_labels():
    df = model.parameters()
    assert set(df["kind"]) == {"lever", "uncertainty", "structural"}
    assert list(df.columns[:7]) == ["name", "kind", "unit", "default", "min", "max", "type"] or set(
        ["name", "kind", "unit", "default", "min", "max", "source"]
    ) <= set(df.columns)
    for p in SCHEMA.values():
        assert p.unit and p.source and p.label_zh and p.label_en, p.name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in p.label_zh), f"{p.name}: zh label has no Chinese"
        if p.type in ("float", "int"):
            assert p.min <= p.default <= p.max


def test_hubei_structure_matches_the_facts():
    m = FiveSocietyModel(region="hubei", seed=0)
    s = m.structure
    assert s.n_prefectures == 17  # 13 prefecture-level + 4 province-administered (FACTS §1a)
    assert s.n_counties == 103
    assert s.n_townships == 1257
    assert int(s.township_street.sum()) == 335
    assert s.n_communities == 26_000
    assert abs(int(s.community_population.sum()) - 57_752_557) < 2_000
    assert int(m.townships.street.sum()) == 335
    linhai = FiveSocietyModel(region="linhai", seed=0)
    assert linhai.townships.n == 19  # seed: 19 towns and streets


def test_histories_are_kept_for_individuals():
    m = FiveSocietyModel(region="demo", seed=4)
    m.run()
    workers = m.worker_table()
    left = workers[~workers["alive"]]
    assert len(left) > 0 and (left["left"] >= 0).all() and (left["why_left"] > 0).all()
    hist = pd.concat([m.station_history(t) for t in range(m.townships.n)])
    assert {"station funded", "contract awarded"} <= set(hist["event"])


def test_targets_are_judged_at_their_dates():
    df = simulate(region="demo", seed=9)
    table = model.evaluate(df, "demo")
    assert len(table) == 6
    row = table.set_index("target").loc["station_coverage"]
    assert row["value"] == df.loc["2024-12-31", "station_coverage"]
    assert row["met"] == (row["value"] >= 1.0)
    first = df.index[df["station_coverage"] >= 1.0]
    assert (pd.isna(row["first_met"]) and len(first) == 0) or row["first_met"] == first[0]
    short = model.evaluate(simulate(region="demo", seed=9, end="2023-06"), "demo").set_index("target")
    assert not short.loc["cw_certified_30", "met"]
    assert np.isnan(short.loc["cw_certified_30", "value"])


GOLDEN = "tests/golden/demo_seed7.csv"


def test_golden_demo_run(request):
    """A fixed-seed demo run, stored in full. Regenerate deliberately: pytest --update-golden."""
    df = simulate(region="demo", seed=7)
    path = request.config.rootpath / GOLDEN
    if request.config.getoption("--update-golden"):
        df.to_csv(path, float_format="%.17g")
    golden = pd.read_csv(path, index_col="date", parse_dates=["date"])
    golden.index.freq = None
    got = df.copy()
    got.index.freq = None
    pd.testing.assert_frame_equal(got, golden, check_dtype=False, check_freq=False, rtol=1e-12)


def test_odd_parameter_table_is_generated_from_the_schema():
    from model.odd import END, ODD_PATH, START, parameter_table

    text = ODD_PATH.read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert block.strip() == parameter_table().strip(), "run: python -m model.odd"
    for name in SCHEMA:
        assert f"`{name}`" in block

"""Results, figures and fonts, checked against values computed by hand from the store's files."""

from __future__ import annotations

import warnings
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import model
from model.analysis import (
    Results,
    divergence_month,
    fonts,
    plot_attainment,
    plot_cost,
    plot_difference,
    plot_indicator,
    proportion_interval,
)
from model.experiment import Experiment
from model.indicators import BUDGET_LINES, INDICATORS
from model.scenarios import Scenario, load_scenario
from model.targets import load_targets

SCENARIOS = ["baseline", "fiscal_squeeze_2024", "balanced_linkage", "linhai_platform"]
REPLICATES = 6


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    """Four shipped scenarios × 6 replicates on the demo county, made once per session."""
    out = tmp_path_factory.mktemp("analysis") / "store"
    Experiment(SCENARIOS, replicates=REPLICATES, seed=3, region="demo").run(out, executor="serial", progress=False)
    return out


@pytest.fixture(scope="session")
def res(store):
    return Results(store)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---- attainment -------------------------------------------------------------------------------------


def test_attainment_probability_is_the_share_of_ok_runs_that_met_the_target(res, store):
    runs = pd.read_parquet(store / "runs.parquet")
    table = res.attainment()
    # on demo each scenario is judged against a set that fits it: demo's own, or linhai's (shares only)
    sets = [load_scenario(name, region="demo").targets for name in SCENARIOS]
    assert sets == ["demo", "demo", "demo", "linhai"]
    assert len(table) == sum(len(load_targets(s)) for s in sets)
    for row in table.itertuples():
        mine = runs[(runs["scenario"] == row.scenario) & (runs["status"] == "ok")]
        met = mine[f"{row.target}_met"].astype(bool).to_numpy()
        assert row.n == len(mine) == REPLICATES
        assert row.met == met.sum()
        assert row.probability == pytest.approx(met.sum() / len(mine))
        assert row.lo <= row.probability <= row.hi
        assert row.median_value == pytest.approx(np.median(mine[f"{row.target}_value"]))
        # the earliest month by which at least half of the runs had met it
        first = mine[f"{row.target}_first_met"].dropna().sort_values()
        need = int(np.ceil(len(mine) / 2))
        expected = first.iloc[need - 1] if len(first) >= need else pd.NaT
        assert (pd.isna(row.median_first_met) and pd.isna(expected)) or row.median_first_met == expected
    # the comparison has something to say: not every probability is the same
    assert table["probability"].nunique() > 1


def test_intervals_match_closed_forms():
    # Wilson at 90%: 0 of n gives [0, z²/(n+z²)], n of n gives [n/(n+z²), 1]
    z2 = 1.6448536269514722 ** 2
    lo, hi = proportion_interval([0, 10, 5], [8, 10, 10], 0.9, "wilson")
    assert hi[0] == pytest.approx(z2 / (8 + z2)) and lo[0] == 0
    assert lo[1] == pytest.approx(10 / (10 + z2)) and hi[1] == 1
    assert lo[2] + hi[2] == pytest.approx(1.0)
    # Jeffreys: Beta(k + ½, n − k + ½) quantiles, 0 and 1 at the ends
    from scipy import stats

    lo, hi = proportion_interval([3, 0], [10, 8], 0.9, "jeffreys")
    assert lo[0] == pytest.approx(stats.beta.ppf(0.05, 3.5, 7.5))
    assert hi[0] == pytest.approx(stats.beta.ppf(0.95, 3.5, 7.5))
    assert lo[1] == 0 and hi[1] == pytest.approx(stats.beta.ppf(0.95, 0.5, 8.5))
    with pytest.raises(ValueError, match="jeffreys, wilson"):
        proportion_interval(1, 2, method="exact")


# ---- paired comparison ----------------------------------------------------------------------------------


def test_paired_differences_are_zero_before_a_scenario_first_differs(res):
    assert res.divergence("fiscal_squeeze_2024") == pd.Timestamp("2024-01-31")
    assert res.divergence("linhai_platform") == pd.Timestamp("2021-06-30")
    assert res.divergence("balanced_linkage") == pd.Timestamp("2021-01-31")
    diff = res.compare(indicators=list(INDICATORS), dates="all")
    diff = diff[diff["kind"] == "indicator"]
    for scenario in ("fiscal_squeeze_2024", "linhai_platform"):
        mine = diff[diff["scenario"] == scenario]
        start = res.divergence(scenario)
        before = mine[mine["date"] < start]
        assert len(before) > 0 and before["n_pairs"].eq(REPLICATES).all()
        # a coverage of units the demo county has none of (设区的市) is NaN in both runs of a pair
        undefined = before["indicator"] == "incubator_city_coverage"
        assert before.loc[undefined, ["median", "mean"]].isna().all().all()
        assert (before.loc[~undefined, ["median", "q10", "q90", "mean"]].to_numpy() == 0).all()
        after = mine[mine["date"] >= start]
        assert (after[["median", "q10", "q90"]].abs().to_numpy() > 0).any()


def test_paired_difference_is_computed_replicate_by_replicate(res):
    ts = res.timeseries
    end = pd.Timestamp("2025-12-31")
    a = ts[(ts["scenario"] == "balanced_linkage") & (ts["date"] == end)].set_index("replicate")["community_orgs"]
    b = ts[(ts["scenario"] == "baseline") & (ts["date"] == end)].set_index("replicate")["community_orgs"]
    d = a - b
    row = res.compare(indicators="community_orgs", dates="2025-12", scenarios="balanced_linkage").iloc[0]
    assert row["n_pairs"] == REPLICATES
    assert row["median"] == pytest.approx(d.median())
    assert row["q10"] == pytest.approx(d.quantile(0.1)) and row["q90"] == pytest.approx(d.quantile(0.9))
    assert row["baseline_median"] == pytest.approx(b.median())
    # per target: the difference in the share of runs that meet it
    runs = res.ok_runs
    tgt = res.compare(scenarios="balanced_linkage")
    tgt = tgt[tgt["kind"] == "target"].set_index("name")
    for tid in tgt.index:
        p_s = runs.loc[runs["scenario"] == "balanced_linkage", f"{tid}_met"].astype(float).mean()
        p_b = runs.loc[runs["scenario"] == "baseline", f"{tid}_met"].astype(float).mean()
        assert tgt.loc[tid, "delta_probability"] == pytest.approx(p_s - p_b)


def test_divergence_month_from_definitions():
    base = Scenario(name="baseline", region="hubei", targets="hubei-47", start="2021-01")
    same = replace(base, params={"contract_years": 1})  # the default: no difference
    assert divergence_month(same, base) is None
    late = replace(base, changes={"2023-07": {"charity_match_ratio": 0.5}})
    assert divergence_month(late, base) == pd.Timestamp("2023-07-31")
    back = replace(late, changes={"2023-07": {"charity_match_ratio": 0.5}, "2024-01": {"charity_match_ratio": 0.0}})
    assert divergence_month(back, base) == pd.Timestamp("2023-07-31")
    assert divergence_month(replace(base, changes={"2024-01": {"contract_years": 1}}), base) is None
    other_region = replace(base, region="demo")
    assert divergence_month(other_region, base) == pd.Timestamp("2021-01-31")


# ---- cost -----------------------------------------------------------------------------------------------


def test_costs_add_up_to_the_sum_of_the_budget_lines(res):
    cost = res.cost().set_index("scenario")
    lines = [f"spend_{line}_yuan" for line in BUDGET_LINES]
    ts = res.timeseries
    last = ts[ts["date"] == ts["date"].max()]
    for s, row in cost.iterrows():
        assert row["total_yuan"] == pytest.approx(row[lines].sum(), rel=1e-12)
        assert row["total_yuan"] == pytest.approx(row["public_spend_yuan"], rel=1e-9)
        mine = last[last["scenario"] == s]
        for c in lines:
            assert row[c] == pytest.approx(mine[c].mean())
    assert cost.loc["baseline", "extra_cost_yuan"] == 0
    assert cost.loc["baseline", "vs_baseline"] == "baseline"
    # paired extra cost: the mean of run-by-run differences at the end
    a = last[last["scenario"] == "fiscal_squeeze_2024"].set_index("replicate")["public_spend_yuan"]
    b = last[last["scenario"] == "baseline"].set_index("replicate")["public_spend_yuan"]
    assert cost.loc["fiscal_squeeze_2024", "extra_cost_yuan"] == pytest.approx((a - b).mean())
    assert cost.loc["fiscal_squeeze_2024", "extra_cost_yuan"] < 0  # a budget cut spends less
    assert cost.loc["balanced_linkage", "extra_cost_yuan"] > 0
    # a ratio is given only where the scenario costs more and achieves more
    bl = cost.loc["balanced_linkage"]
    if bl["extra_attainment_pp"] > 0:
        assert bl["yuan_per_attainment_pp"] == pytest.approx(bl["extra_cost_yuan"] / bl["extra_attainment_pp"])
    assert np.isnan(cost.loc["fiscal_squeeze_2024", "yuan_per_extra_certified"])


def test_quantiles_and_summary(res):
    q = res.quantiles("sw_certified", q=(0.1, 0.5, 0.9), scenarios=["baseline"])
    ts = res.timeseries[res.timeseries["scenario"] == "baseline"]
    by_hand = ts.groupby("date")["sw_certified"].median()
    assert list(q.columns) == ["scenario", "date", "n", "q10", "q50", "q90"]
    assert np.allclose(q["q50"].to_numpy(), by_hand.to_numpy())
    assert (q["q10"] <= q["q50"]).all() and (q["q50"] <= q["q90"]).all()
    summary = res.summary(lang="zh").set_index("scenario")
    assert list(summary.index) == SCENARIOS
    assert (summary["runs"] == REPLICATES).all() and (summary["failed"] == 0).all()
    att = res.attainment()
    assert summary.loc["baseline", "expected_targets_met"] == pytest.approx(
        att.loc[att["scenario"] == "baseline", "probability"].sum())
    assert summary.loc["baseline", "scenario_label"] == "现状延续"
    with pytest.raises(KeyError, match="valid ones are"):
        res.quantiles("no_such_indicator")
    with pytest.raises(KeyError, match="baseline, fiscal_squeeze_2024"):
        res.compare(baseline="nope")


# ---- figures --------------------------------------------------------------------------------------------


def test_indicator_plot_draws_one_band_per_scenario_with_targets_and_changes(res):
    fig = plot_indicator(res, "station_coverage", lang="zh")
    ax = fig.axes[0]
    assert ax.get_title() == INDICATORS["station_coverage"].label_zh
    labels = [line.get_label() for line in ax.get_lines()]
    for s in SCENARIOS:
        assert res.label(s, "zh") in labels
    # the median line is the median over replicates
    base = next(line for line in ax.get_lines() if line.get_label() == res.label("baseline", "zh"))
    expected = res.quantiles("station_coverage", q=(0.5,), scenarios="baseline")["q50"].to_numpy()
    assert np.allclose(base.get_ydata(), expected)
    assert len(ax.collections) >= len(SCENARIOS)  # the bands
    # the target: a star at its date and value
    star = next(line for line in ax.get_lines() if line.get_marker() == "*")
    assert pd.Timestamp(star.get_xdata()[0]) == pd.Timestamp("2024-12-31")
    assert star.get_ydata()[0] == 1.0
    # dotted lines at the dated changes (2021-06 platform, 2024-01 squeeze)
    vlines = [line for line in ax.get_lines() if line.get_linestyle() == ":" and len(line.get_xdata()) == 2]
    assert sorted(pd.Timestamp(line.get_xdata()[0]) for line in vlines) == [pd.Timestamp("2021-06-30"),
                                                                            pd.Timestamp("2024-01-31")]


def test_indicator_plot_takes_one_run_the_same_way():
    frame = model.simulate(region="demo", seed=1, end="2022-12")
    fig = plot_indicator(frame, "sw_talent", targets="hubei-47", lang="en")
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() == "run"]
    assert len(lines) == 1 and np.allclose(lines[0].get_ydata(), frame["sw_talent"].to_numpy())
    assert len(ax.collections) == 0  # no band for a single run


def test_heat_map_writes_the_probabilities_in_the_cells(res):
    fig = plot_attainment(res, lang="en")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts if t.get_text().endswith("%") and "–" not in t.get_text()]
    att = res.attainment()
    assert len(texts) == len(att)
    assert sorted(texts) == sorted(f"{p:.0%}" for p in att["probability"])
    data = ax.images[0].get_array()
    assert data.shape == (len(SCENARIOS), len(res.targets))


def test_difference_plot_and_cost_plot(res):
    fig = plot_difference(res, "public_spend_yuan", lang="en")
    ax = fig.axes[0]
    drawn = {line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert res.label("fiscal_squeeze_2024", "en") in drawn and res.label("baseline", "en") not in drawn
    fig = plot_cost(res, lang="zh")
    ax = fig.axes[0]
    assert len(ax.collections) == len(SCENARIOS)
    x = sorted(c.get_offsets()[0][0] for c in ax.collections)
    cost = res.cost()
    assert np.allclose(x, sorted(cost["total_yuan"] / 1e4))  # 万元 at the demo's size


def test_without_a_cjk_font_chinese_figures_fall_back_to_english(res, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)
    with pytest.warns(UserWarning, match="no Chinese"):
        fig = plot_indicator(res, "sw_talent", lang="zh")
    assert fig.axes[0].get_title() == INDICATORS["sw_talent"].label_en


def test_a_cjk_font_is_found_and_chinese_draws_without_missing_glyphs(res):
    if fonts.cjk_font() is None:
        pytest.skip("no CJK font on this machine (make installs fonts-noto-cjk where apt is available)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig = plot_indicator(res, "community_orgs", lang="zh")
        fig.canvas.draw()
        fig = plot_cost(res, lang="en")  # English titles of scenarios hold Chinese words too
        fig.canvas.draw()


# ---- verdicts that cannot mislead ----------------------------------------------------------------


def test_a_strategy_lowering_a_target_indicator_is_never_called_no_worse(res):
    """The fiscal squeeze spends less and lowers station coverage at its 2024 date while both sit at
    0% attainment: the verdict must name the loss, not call it 'cheaper, attains no less'."""
    from model.analysis.report import verdict_detail
    from model.text import t

    cost = res.cost().set_index("scenario")
    comp = res.compare()
    comp = comp[comp["kind"] == "target"]
    lowered = set()
    for _, c in comp.iterrows():
        sign = 1 if res.targets[c["name"]].op in (">=", ">") else -1
        if sign * c["median"] < 0:  # lower, in the target's direction, at the target's date
            lowered.add(c["scenario"])
            assert c["effect"] == "behind"
    assert "fiscal_squeeze_2024" in lowered  # the case the rule exists for
    for s in lowered:
        row = cost.loc[s]
        assert row["targets_behind"] >= 1
        assert row["vs_baseline"] not in ("dominant", "better", "same")
        for lang in ("en", "zh"):
            words = t(row["vs_baseline"], lang) + verdict_detail(res, row.rename(s).to_dict() | {"scenario": s}, lang)
            assert "no worse" not in words and "attains no less" not in words and "不降" not in words
            assert "不低于" not in words and "none lower" not in words


def test_verdict_rule_and_materiality():
    from model.analysis.results import _verdict

    # any target behind rules out the favourable verdicts, at any cost
    for cost in ("cheaper", "same", "costlier"):
        for ahead in range(3):
            v = _verdict(cost, ahead, 1)
            assert v not in ("dominant", "better", "same")
    assert _verdict("cheaper", 0, 0) == "dominant"
    assert _verdict("cheaper", 3, 0) == "dominant"
    assert _verdict("costlier", 0, 2) == "dominated"
    assert _verdict("same", 0, 0) == "same"
    assert _verdict("same", 2, 0) == "better"
    assert _verdict("same", 0, 2) == "worse"
    assert _verdict("", 0, 0) == ""


def test_goal_share_measures_distance_where_attainment_is_floored(res):
    att = res.attainment()
    for _, a in att.iterrows():
        goal = res.targets[a["target"]]
        if a["median_value"] != a["median_value"]:  # a coverage of units the region has none of
            assert a["goal_share"] != a["goal_share"]
            continue
        assert a["goal_share"] == pytest.approx(a["median_value"] / goal.value)
        assert a["goal_share_q10"] <= a["goal_share"] <= a["goal_share_q90"]
    cost = res.cost().set_index("scenario")
    # a cost difference under MATERIAL_COST of the baseline's spending is "same"
    from model.analysis.results import MATERIAL_COST

    base_total = cost.loc["baseline", "total_yuan"]
    for s, row in cost.iterrows():
        if s != "baseline" and row["cost_change"] in ("cheaper", "costlier"):
            assert abs(row["extra_cost_yuan"]) >= MATERIAL_COST * base_total

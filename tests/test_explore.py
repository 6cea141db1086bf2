"""Exploration: the problem from the schema, designs, stores that grow, sensitivity with known answers."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from model.experiment import Experiment, Store, StoreError
from model.experiment.testing import fake_run
from model.explore import Design, Exploration, Problem, grow, plain
from model.explore.sensitivity import morris, noise_share, sobol
from model.explore.testing import IGNORED, ISHIGAMI_FACTORS, ISHIGAMI_S1, ISHIGAMI_ST, ishigami_run
from model.params import SCHEMA as _SCHEMA
from model.params import ParameterError

OUTCOME = "service_person_times_at_202512"


def _ishigami_problem():
    return Problem.from_schema(uncertainties=[*ISHIGAMI_FACTORS, IGNORED], region="demo",
                               indicators=["service_person_times"])


# ---- the problem ---------------------------------------------------------------------------


def test_problem_is_typed_from_the_schema_and_maps_salib_space_to_parameter_values():
    p = Problem.from_schema(levers={"station_build_share": (0.1, 0.5), "contract_years": None,
                                    "procurement_mode": None, "digital_platform": None},
                            uncertainties=["sw_turnover_base"], region="demo")
    sp = p.salib()
    assert sp["names"] == ["station_build_share", "contract_years", "procurement_mode", "digital_platform",
                           "sw_turnover_base"]
    assert sp["bounds"] == [[0.1, 0.5], [1.0, 4.0], [0.0, 3.0], [0.0, 2.0], [0.10, 0.26]]
    assert p.values([0.3, 3.99, 1.2, 0.4, 0.2]) == {"station_build_share": 0.3, "contract_years": 3,
                                                    "procurement_mode": "direct", "digital_platform": False,
                                                    "sw_turnover_base": 0.2}
    names = [o.name for o in p.outcomes]
    assert {"station_coverage_met", "station_coverage_value", "cost"} <= set(names)
    assert Problem.from_dict(p.to_dict()) == p
    # numpy scalars are taken as the numbers they hold
    sc = p.scenario({"contract_years": np.int64(2), "digital_platform": np.bool_(True),
                     "station_build_share": np.float32(0.25)}, "x")
    assert sc.params["contract_years"] == 2 and sc.params["digital_platform"] is True
    assert isinstance(plain(np.float32(0.25)), float)


def test_problem_refuses_bad_names_kinds_and_ranges():
    with pytest.raises(ParameterError, match='did you mean "contract_years"'):
        Problem.from_schema(levers=["contract_year"])
    with pytest.raises(ParameterError, match="is an uncertainty, not lever"):
        Problem.from_schema(levers=["sw_turnover_base"])
    with pytest.raises(ParameterError, match="out of range"):
        Problem.from_schema(levers={"station_build_share": (0.1, 1.5)})
    with pytest.raises(ParameterError, match="at least one"):
        Problem.from_schema()


@pytest.mark.parametrize("method,n,rows", [("lhs", 7, 7), ("sobol", 8, 8 * 6), ("morris", 3, 3 * 5),
                                           ("factorial", 3, 3 * 3 * 2 * 3)])
def test_designs_have_their_sizes_and_grow_without_moving_the_points_run(method, n, rows):
    p = Problem.from_schema(levers=["station_build_share", "station_budget_yuan", "digital_platform"],
                            uncertainties=["sw_turnover_base"], region="demo")
    d = Design.make(method, n, seed=4)
    X = d.matrix(p)
    if method == "factorial":
        rows = 3 * 3 * 2 * 3
    assert len(X) == rows
    assert np.array_equal(X, d.matrix(p))  # the recipe gives the same points
    if method != "factorial":
        big = d.grown(2 * n)
        assert big.extends(d) and np.array_equal(big.matrix(p)[:rows], X) and len(big.matrix(p)) == 2 * rows
        assert not d.extends(big)


# ---- the store -----------------------------------------------------------------------------


def test_sampled_values_are_columns_of_runs_parquet_and_outcomes_line_up(tmp_path):
    p = Problem.from_schema(levers=["station_build_share", "contract_years", "procurement_mode"],
                            uncertainties=["sw_turnover_base"], region="demo")
    ex = Exploration(p, Design.make("lhs", 4, seed=2), replicates=2, seed=3, run_fn=fake_run)
    res = ex.run(tmp_path / "o", executor="serial", progress=False)
    runs = res.runs()
    samples = ex.samples()
    assert runs["contract_years"].dtype == "int64" and runs["station_build_share"].dtype == "float64"
    for i, row in samples.iterrows():
        mine = runs[runs.scenario == f"x{i:05d}"]
        assert len(mine) == 2
        for name in p.names:
            assert (mine[name] == row[name]).all()
    assert list(runs.groupby("replicate")["seed"].nunique()) == [1, 1]  # common random numbers
    out = res.outcomes()
    assert len(out) == 8 and set(p.names) <= set(out.columns)
    assert out["station_coverage_met"].isin([0.0, 1.0]).all()


def test_plain_experiments_get_columns_for_the_values_their_scenarios_set(tmp_path):
    exp = Experiment(["baseline", "purchase_3yr"], replicates=2, seed=1, region="demo", run_fn=fake_run)
    exp.run(tmp_path / "o", executor="serial", progress=False)
    runs = Store(tmp_path / "o").runs()
    assert "contract_years" in runs.columns
    assert list(runs.groupby("scenario", sort=False)["contract_years"].first()) == [1, 3]  # default 1 for baseline


def test_a_store_grown_from_5_to_10_replicates_equals_one_run_with_10(tmp_path):
    p = Problem.from_schema(levers=["station_build_share", "contract_years"], uncertainties=["sw_turnover_base"],
                            region="demo")
    d = Design.make("lhs", 3, seed=1)
    small = Exploration(p, d, replicates=5, seed=7)
    small.run(tmp_path / "grown", executor="local", workers=2, progress=False)
    res = grow(tmp_path / "grown", replicates=10, executor="local", workers=2, progress=False)
    assert res.report.skipped == 15 and res.report.ok == 15
    Exploration(p, d, replicates=10, seed=7).run(tmp_path / "once", executor="serial", progress=False)
    a, b = Store(tmp_path / "grown"), Store(tmp_path / "once")
    pd.testing.assert_frame_equal(a.runs().drop(columns="wall_s"), b.runs().drop(columns="wall_s"))
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())
    assert a.manifest["experiment"] == b.manifest["experiment"]
    # and more sample points the same way (the machinery alone: a stand-in model)
    Exploration(p, d, replicates=2, seed=7, run_fn=fake_run).run(tmp_path / "g", executor="serial", progress=False)
    grow(tmp_path / "g", samples=5, replicates=3, run_fn=fake_run, executor="serial", progress=False)
    Exploration(p, d.grown(5), replicates=3, seed=7, run_fn=fake_run).run(tmp_path / "once5", executor="serial",
                                                                           progress=False)
    pd.testing.assert_frame_equal(Store(tmp_path / "g").runs().drop(columns="wall_s"),
                                  Store(tmp_path / "once5").runs().drop(columns="wall_s"))
    pd.testing.assert_frame_equal(Store(tmp_path / "g").timeseries(), Store(tmp_path / "once5").timeseries())


def test_a_store_refuses_an_exploration_it_does_not_hold_the_start_of(tmp_path):
    p = Problem.from_schema(levers=["station_build_share"], region="demo")
    Exploration(p, Design.make("lhs", 3, seed=1), replicates=2, seed=1, run_fn=fake_run).run(
        tmp_path / "o", executor="serial", progress=False)
    with pytest.raises(StoreError, match="design lhs"):
        Exploration(p, Design.make("lhs", 3, seed=2), replicates=2, seed=1, run_fn=fake_run).run(
            tmp_path / "o", executor="serial", progress=False)
    with pytest.raises(StoreError, match="seed 1 there, 2 now"):
        Exploration(p, Design.make("lhs", 3, seed=1), replicates=2, seed=2, run_fn=fake_run).run(
            tmp_path / "o", executor="serial", progress=False)
    with pytest.raises(ValueError, match="only grows"):
        grow(tmp_path / "o", replicates=1, run_fn=fake_run)
    # plain experiments grow only when asked to
    exp = Experiment(["baseline"], replicates=2, seed=1, region="demo", run_fn=fake_run)
    exp.run(tmp_path / "e", executor="serial", progress=False)
    bigger = Experiment(["baseline"], replicates=3, seed=1, region="demo", run_fn=fake_run)
    with pytest.raises(StoreError, match="2 replicates there, 3 now"):
        bigger.run(tmp_path / "e", executor="serial", progress=False)
    assert bigger.run(tmp_path / "e", executor="serial", progress=False, extend=True).ok == 1
    with pytest.raises(StoreError, match="does not extend"):
        exp.run(tmp_path / "e", executor="serial", progress=False, extend=True)


# ---- sensitivity with known answers --------------------------------------------------------


def test_sobol_indices_of_ishigami_through_the_pipeline_are_recovered_within_their_intervals(tmp_path):
    ex = Exploration(_ishigami_problem(), Design.make("sobol", 64, seed=1), replicates=2, seed=1,
                     run_fn=functools.partial(ishigami_run, noise=0.3))
    res = ex.run(tmp_path / "ish", executor="local", workers=2, progress=False)
    table = sobol(res, OUTCOME, num_resamples=500)
    truth = dict(zip(ISHIGAMI_FACTORS, zip(ISHIGAMI_S1, ISHIGAMI_ST, strict=True), strict=True))
    truth[IGNORED] = (0.0, 0.0)
    for name, (s1, st) in truth.items():
        row = table.loc[name]
        assert abs(row.S1 - s1) <= max(row.S1_conf, 1e-9), (name, row.S1, row.S1_conf, s1)
        assert abs(row.ST - st) <= max(row.ST_conf, 1e-9), (name, row.ST, row.ST_conf, st)
    assert table.index[-1] == IGNORED
    # the seed-only noise cancels in the replicate mean on common random numbers
    assert table.attrs["noise_share"] < 0.01


def test_morris_ranks_a_parameter_the_model_ignores_last_on_the_real_model(tmp_path):
    # direct_share is read only under procurement_mode = mixed: the baseline (purchase) ignores it
    p = Problem.from_schema(levers=["station_build_share", "volunteer_point_share", "direct_share"],
                            uncertainties=["sw_turnover_base"], region="demo")
    res = Exploration(p, Design.make("morris", 4, seed=3), replicates=2, seed=2).run(
        tmp_path / "m", executor="local", workers=2, progress=False)
    for outcome in ("station_coverage_value", "volunteer_points_80_value", "cost"):
        table = morris(res, outcome)
        assert table.loc["direct_share", "mu_star"] == 0.0 == table["mu_star"].min(), (outcome, table)
        assert table["mu_star"].iloc[0] > 0
    table = morris(res, "cost")  # every other factor moves the cost: the ignored one alone is last
    assert table.index[-1] == "direct_share" and (table["mu_star"].iloc[:-1] > 0).all(), table
    assert 0 <= noise_share(res, "cost") < 1


# ---- scenario discovery --------------------------------------------------------------------


def test_prim_finds_the_known_box_of_a_synthetic_outcome(tmp_path):
    from model.explore.discover import discover, plot_tradeoff
    from model.explore.testing import BOX, box_run

    p = Problem.from_schema(uncertainties=["sw_turnover_base", "exam_pass_prob", "hire_fill_prob",
                                           "org_failure_rate"], region="demo")
    res = Exploration(p, Design.make("lhs", 300, seed=5), replicates=1, seed=1, run_fn=box_run).run(
        tmp_path / "box", executor="serial", progress=False)
    found = discover(res, "station_coverage", min_coverage=0.8)
    lims = found.limits().set_index("factor")
    assert set(lims.index) == set(BOX)  # the two factors of the box, and no others
    for name, (lo, hi) in BOX.items():
        width = SCHEMA_RANGE[name]
        assert abs(lims.loc[name, "low"] - lo) <= 0.05 * width and abs(lims.loc[name, "high"] - hi) <= 0.05 * width
    assert found.coverage >= 0.8 and found.density >= 0.9
    assert "coverage" in found.summary() and "覆盖率" in found.summary("zh")
    fig = plot_tradeoff(found, "en")
    assert fig.axes[0].get_xlabel().startswith("coverage")


SCHEMA_RANGE = {name: float(_SCHEMA[name].max - _SCHEMA[name].min)
                for name in ("sw_turnover_base", "exam_pass_prob")}


# ---- interop -------------------------------------------------------------------------------


def test_ema_perform_experiments_runs_the_projects_own_model_without_glue():
    from ema_workbench import SequentialEvaluator, perform_experiments

    import model

    p = Problem.from_schema(levers=["contract_years", "digital_platform", "procurement_mode"],
                            uncertainties=["sw_turnover_base"], region="demo")
    m = p.ema_model(seed=3)
    with SequentialEvaluator(m) as ev:
        experiments, outcomes = perform_experiments(m, scenarios=2, policies=2, evaluator=ev)
    assert len(experiments) == 4 and set(outcomes) == {o.name for o in p.outcomes}
    # EMA passes numpy scalars (np.int64, np.bool_): the first experiment equals a direct run
    row = experiments.iloc[0]
    values = {n: plain(row[n]) for n in p.names}
    frame = model.simulate(seed=3, **p.scenario(values, "check").simulate_kwargs())
    direct = p.outcome_values(frame)
    for name in ("station_coverage_value", "cost", "station_coverage_met"):
        assert outcomes[name][0] == pytest.approx(direct[name], nan_ok=True)


def test_salib_problem_from_the_schema_drives_salib_directly():
    from SALib.sample import latin

    p = Problem.from_schema(levers=["station_build_share", "contract_years", "evaluation_basis"], region="demo")
    X = latin.sample(p.salib(), 20, seed=1)
    frame = p.frame(X)
    assert frame["contract_years"].between(1, 3).all() and set(frame["evaluation_basis"]) <= {"outputs", "outcomes"}
    for values in frame.to_dict("records"):
        p.scenario(values, "x")  # every sampled point is a valid scenario


# ---- lever dependencies --------------------------------------------------------------------


def test_sensitivity_says_where_the_partner_of_a_dependent_lever_stands():
    from dataclasses import replace

    from model.explore.sensitivity import dependencies, dependency_notes
    from model.scenarios import load_scenario

    levers = ["station_build_share", "direct_share", "evaluation_pass_mark"]
    deps = dependencies(Problem.from_schema(levers=levers, region="demo"))
    # baseline: procurement_mode at its default (purchase) leaves direct_share nothing to act on;
    # renewal_rule's default (evaluate) is where the pass mark acts
    assert deps["partner"].to_dict() == {"direct_share": "inactive", "evaluation_pass_mark": "active"}
    assert bool(deps.loc["direct_share", "partner_default"]) and "station_build_share" not in deps.index
    mixed = replace(load_scenario("baseline"), params={**load_scenario("baseline").params, "procurement_mode": "mixed",
                                                       "renewal_rule": "retender"})
    deps = dependencies(Problem.from_schema(levers=levers, scenario=mixed, region="demo"))
    assert deps["partner"].to_dict() == {"direct_share": "active", "evaluation_pass_mark": "inactive"}
    both = Problem.from_schema(levers=["direct_share", "procurement_mode"], region="demo")
    assert dependencies(both)["partner"].to_dict() == {"direct_share": "varied"}
    assert "interaction" in dependency_notes(both, "en")[0] and "交互作用" in dependency_notes(both, "zh")[0]
    # uncertainties acting through a lever too: the training effect needs training money (> 0)
    unc = Problem.from_schema(uncertainties=["training_odds_ratio"], region="demo")
    assert dependencies(unc).loc["training_odds_ratio", "needs"] == "exam_training_yuan"


# ---- what would it take --------------------------------------------------------------------


def test_the_chosen_strategy_rerun_on_fresh_seeds_meets_its_targets_at_the_stated_probability(tmp_path):
    from scipy.stats import fisher_exact

    from model.explore.optimise import clopper_pearson, optimise, plot_front, write_scenario

    p = Problem.from_schema(levers={"station_build_share": (0.2, 1.0), "volunteer_point_share": (0.2, 1.0),
                                    "station_budget_yuan": (80_000, 250_000)}, region="demo")
    targets = ["station_coverage", "volunteer_points_80"]
    found = optimise(p, targets, probability=0.75, trials=16, batch=8, replicates=8, seed=1, out=tmp_path / "opt",
                     validate=2, validate_replicates=30, certify=100, workers=2, progress=False)
    assert found.chosen is not None, found.validation
    row = found.chosen_row
    # the stated probability comes from the certification runs, on seeds of their own: not the validation
    # runs the choice was made on (those are biased by the choice), with an exact interval
    assert int(row.runs) == 100 and row.scenario == found.validation[found.validation["chosen"]].iloc[0].scenario
    assert (row.low, row.high) == clopper_pearson(int(row.hits), 100) and row.low <= row.attainment <= row.high
    seeds = Experiment([found.scenario()], replicates=100, seed=found.meta["certification_seed"]).seeds
    assert not set(seeds) & set(Experiment([found.scenario()], replicates=30, seed=found.meta["validation_seed"]).seeds)
    assert found.front["cost"].is_monotonic_increasing
    path = write_scenario(found, tmp_path / "what_it_takes.toml")
    # the file as `wushe run` takes it, on seeds neither the search nor the certification saw
    rerun = Experiment([str(path)], replicates=100, seed=424242).run(tmp_path / "rerun", executor="local",
                                                                     workers=2, progress=False)
    runs = rerun.runs()
    assert not set(runs["seed"]) & set(seeds)
    met = runs[[f"{t}_met" for t in targets]].all(axis=1)
    fresh, hits = float(met.mean()), int(met.sum())
    # two unbiased estimates of one chance, 100 runs each: the rerun's share lies in the stated 95% interval,
    # and Fisher's exact test finds no difference between the two counts (it would between 70/100 and 95/100)
    assert row.low <= fresh <= row.high, (fresh, row.attainment, row.low, row.high)
    assert fisher_exact([[int(row.hits), 100 - int(row.hits)], [hits, 100 - hits]]).pvalue > 0.05, (fresh, row.attainment)
    assert found.certified == (row.attainment >= 0.75)
    plot_front(found, "zh")
    # resuming with more trials keeps the candidates already run
    more = optimise(p, targets, probability=0.75, trials=24, batch=8, replicates=8, seed=1, out=tmp_path / "opt",
                    validate=2, validate_replicates=30, certify=100, workers=2, progress=False)
    assert len(more.candidates) == 24
    pd.testing.assert_frame_equal(more.candidates.iloc[:16][["cost", "attainment"]],
                                  found.candidates[["cost", "attainment"]])


# ---- the commands --------------------------------------------------------------------------


def test_commands_explore_sensitivity_discover_with_one_line_errors(tmp_path, capsys):
    from model.cli import main

    out = tmp_path / "screen"
    args = ["explore", "--design", "morris", "-n", "3", "-r", "2", "--region", "demo", "-o", str(out), "-q",
            "--levers", "station_build_share,direct_share", "--uncertainties", "sw_turnover_base=0.15:0.25",
            "--executor", "serial"]
    assert main(args) == 0
    assert main(["sensitivity", str(out), "--outcome", "cost"]) == 0
    text = capsys.readouterr().out
    assert "direct_share" in text and (out / "sensitivity" / "morris_cost_zh.png").is_file()
    # direct_share acts only through procurement_mode = mixed, at its default (purchase) here: said in both languages
    assert "direct_share acts only through procurement_mode = mixed; here procurement_mode = purchase (its default)" \
        in text and "direct_share 只能通过 procurement_mode" in text and "构造使然" in text
    table = pd.read_csv(out / "sensitivity" / "morris_cost.csv", index_col="factor", keep_default_na=False)
    assert table.loc["direct_share", ["needs", "partner"]].tolist() == ["procurement_mode", "inactive"]
    assert table.loc["station_build_share", ["needs", "partner"]].tolist() == ["", ""]
    # grow it: more replicates, only the new runs
    assert main([*args[:6], "3", *args[7:]]) == 0
    assert "12 runs done (12 ok, 0 failed), 24 already in the store" in capsys.readouterr().out
    assert main(["explore", "--levers", "contract_year", "-o", str(tmp_path / "bad"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'did you mean "contract_years"' in err and not (tmp_path / "bad").exists()
    assert main(["discover", str(out), "--target", "nope"]) == 2
    assert "not an outcome" in capsys.readouterr().err

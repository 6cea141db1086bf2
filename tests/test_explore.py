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

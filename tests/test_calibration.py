"""Calibration: the likelihood, a recovery test of the method, reproducibility, resume, the posterior file."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import model
from model.calibration import (
    CalibrationError,
    CalibrationSpec,
    Posterior,
    PosteriorError,
    calibrate,
    load_posterior,
    log_likelihood,
    observation_matrix,
)
from model.calibration import fit as fit_module

TRUTH = {"sw_turnover_base": 0.22, "org_founding_rate": 2.0}
WINDOW = ("2018-01", "2020-12")


def _synthetic(seeds=range(4242, 4246), rel: float = 0.10) -> pd.DataFrame:
    """A record made by the model itself at known parameter values (a test of the method, not of the data).

    The record is the mean of a few runs: demo's stations hold only 4–15 social workers in
    2018–20, so one run's twelve-month turnover swings between 0 and 0.6 and a single run can
    sit far from what the parameter implies (seed 4242 alone has no turnover at four of the
    five dates).
    """
    frames = [model.simulate(region="demo", seed=seed, start=WINDOW[0], end=WINDOW[1], params=TRUTH)
              for seed in seeds]
    frame = sum(f for f in frames) / len(frames)
    rows = []
    for ind in ("community_orgs", "sw_talent", "sw_stationed", "sw_turnover_12m", "sw_certified"):
        for date in pd.date_range("2018-06-30", WINDOW[1], freq="6ME"):
            v = float(frame.loc[date, ind])
            rows.append({"date": date, "indicator": ind, "area": "province", "value": v, "low": v * (1 - rel),
                         "high": v * (1 + rel), "bound": "point", "measure": "value", "cumulative_from": pd.NaT,
                         "source": "synthetic"})
    return pd.DataFrame(rows)


def _spec(**kw) -> CalibrationSpec:
    base = dict(region="demo", start=WINDOW[0], end=WINDOW[1], fit=tuple(TRUTH), seeds=2, walkers=8, steps=24,
                burn=8, thin=1, draws=100, seed=3)
    base.update(kw)
    return CalibrationSpec(**base)


# ---- the likelihood --------------------------------------------------------------------------


def test_likelihood_prefers_the_observed_value_and_reads_a_floor_one_sided():
    obs = pd.DataFrame({"value": [100.0, 50.0], "sigma": [10.0, 5.0], "bound": ["point", "lower"]})
    at = log_likelihood(np.array([[100.0, 80.0], [100.0, 80.0]]), obs)
    off = log_likelihood(np.array([[130.0, 80.0], [130.0, 80.0]]), obs)
    assert at > off
    # far above a floor costs nothing more than just above it; below it costs
    high = log_likelihood(np.array([[100.0, 500.0], [100.0, 500.0]]), obs)
    below = log_likelihood(np.array([[100.0, 30.0], [100.0, 30.0]]), obs)
    assert high == pytest.approx(at, abs=1e-6) and below < at - 3
    # the model's own spread widens the likelihood: a miss costs less when runs disagree
    spread = log_likelihood(np.array([[110.0, 80.0], [150.0, 80.0]]), obs)
    tight = log_likelihood(np.array([[130.0, 80.0], [130.0, 80.0]]), obs)
    assert spread > tight


def test_observation_matrix_keeps_what_a_province_run_can_be_compared_with():
    obs = _synthetic().head(3).copy()
    extra = obs.iloc[[0]].assign(area="武汉市")
    late = obs.iloc[[0]].assign(date=pd.Timestamp("2024-12-31"))
    wuhan = obs.iloc[[0]].assign(area="武汉市", indicator="volunteers_registered")
    matrix = observation_matrix(pd.concat([obs, extra, late, wuhan]), *WINDOW)
    assert matrix.n == 4  # a prefecture's volunteers can be read from its communities; its orgs cannot
    assert matrix.table["area"].tolist() == ["province"] * 3 + ["武汉市"]
    assert len(matrix.left_out) == 2
    assert matrix.left_out["why"].str.contains("area|outside").all()
    # a ±10% range read as a 90% interval
    row = matrix.table.iloc[0]
    assert row["sigma"] == pytest.approx(0.10 * row["value"] / 1.6448536, rel=1e-6)


def test_the_fit_follows_the_policy_record_from_its_start():
    """From 2018 the runs take the dated history (no stations before the 2020 pilots), not today's levers."""
    from model.scenarios import load_scenario

    spec = CalibrationSpec(region="hubei", start="2018-01", end="2022-12")
    history = load_scenario("history_2018")
    assert spec.history == "history_2018"
    assert spec.params["station_build_share"] == history.params["station_build_share"] == 0.0
    assert spec.changes["2020-01"]["station_build_share"] == 0.15
    # the spec's own values win over the record's
    mine = CalibrationSpec(region="hubei", params={"station_build_share": 0.05})
    assert mine.params["station_build_share"] == 0.05 and mine.params["incubator_city_share"] == 0.11
    assert CalibrationSpec(region="hubei", history=None).params == {}
    assert CalibrationSpec(region="demo").history is None  # demo has no record
    with pytest.raises(CalibrationError, match="must agree"):
        CalibrationSpec(region="hubei", start="2019-01", history="history_2018")


def test_spec_refuses_what_is_not_an_uncertainty():
    with pytest.raises(CalibrationError, match="station_build_share"):
        CalibrationSpec(fit=("station_build_share",))
    with pytest.raises(CalibrationError, match="burn"):
        CalibrationSpec(steps=5, burn=5)


# ---- the method on a synthetic record --------------------------------------------------------


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    out = tmp_path_factory.mktemp("recovery")
    return calibrate(out, _spec(), observations=_synthetic(), executor="local", workers=2, progress=False)


def test_recovery_known_values_inside_the_posterior_90_interval(recovered):
    post = recovered.posterior()
    summary = post.summary().set_index("name")
    for name, value in TRUTH.items():
        lo, hi = summary.loc[name, "q05"], summary.loc[name, "q95"]
        assert lo <= value <= hi, f"{name}: truth {value} outside the 90% interval [{lo:.3f}, {hi:.3f}]"
    # and the record narrowed the prior: the intervals are tighter than the schema's range
    for name in TRUTH:
        p = model.params.SCHEMA[name]
        width = summary.loc[name, "q95"] - summary.loc[name, "q05"]
        assert width < 0.9 * (p.max - p.min)
    # parameters not fitted are drawn from their priors, over their whole range
    assert set(post.meta["left_at_prior"]).isdisjoint(TRUTH)
    other = post.meta["left_at_prior"][0]
    assert post.draws[other].std() > 0


def test_same_seed_same_posterior_on_any_executor(tmp_path):
    spec = _spec(steps=4, burn=1, walkers=6, fit=("org_founding_rate",))
    runs = [calibrate(tmp_path / kind, spec, observations=_synthetic(), executor=kind, workers=2, progress=False)
            for kind in ("serial", "local")]
    pd.testing.assert_frame_equal(runs[0].chain, runs[1].chain, check_exact=True)
    pd.testing.assert_frame_equal(runs[0].posterior().draws, runs[1].posterior().draws, check_exact=True)
    other = calibrate(tmp_path / "other", _spec(steps=4, burn=1, walkers=6, fit=("org_founding_rate",), seed=4),
                      observations=_synthetic(), executor="serial", progress=False)
    assert not other.chain["org_founding_rate"].equals(runs[0].chain["org_founding_rate"])


class _Stop(KeyboardInterrupt):
    pass


_CALLS = {"n": 0, "stop_at": None}


def interrupting_simulate(**kwargs):
    """The model's simulate, interrupted (as by Ctrl-C) at a chosen call: a test double."""
    _CALLS["n"] += 1
    if _CALLS["stop_at"] is not None and _CALLS["n"] >= _CALLS["stop_at"]:
        raise _Stop()
    return model.simulate(**kwargs)


def test_interrupted_calibration_resumes_to_the_same_chain(tmp_path):
    spec = _spec(steps=6, burn=2, walkers=6, fit=("org_founding_rate",))
    obs = _synthetic()
    whole = calibrate(tmp_path / "whole", spec, observations=obs, executor="serial", progress=False,
                      run_fn=interrupting_simulate)
    _CALLS.update(n=0, stop_at=2 * 6 * 3 + 5)  # part-way through the third step
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path / "cut", spec, observations=obs, executor="serial", progress=False,
                  run_fn=interrupting_simulate)
    partial = pd.read_parquet(tmp_path / "cut" / "chain.parquet")
    assert 0 < partial["step"].max() + 1 < spec.steps
    _CALLS.update(n=0, stop_at=None)
    resumed = calibrate(tmp_path / "cut", spec, observations=obs, executor="serial", progress=False,
                        run_fn=interrupting_simulate)
    pd.testing.assert_frame_equal(resumed.chain, whole.chain, check_exact=True)


def test_a_different_calibration_in_the_same_folder_is_refused(recovered):
    with pytest.raises(CalibrationError, match="different calibration"):
        calibrate(recovered.path, _spec(seed=99), observations=_synthetic(), executor="serial", progress=False)


# ---- the posterior file -----------------------------------------------------------------------


def test_posterior_file_round_trips_with_its_provenance(recovered, tmp_path):
    post = recovered.posterior()
    path = post.write(tmp_path / "p.parquet")
    back = Posterior.read(path)
    pd.testing.assert_frame_equal(back.draws, post.draws)
    for key in ("region", "method", "fitted", "left_at_prior", "observations", "code", "created", "model_runs",
                "settings", "rebuild"):
        assert key in back.meta, key
    assert back.meta["model_runs"] > 0 and math.isfinite(back.meta["median_run_seconds"])
    # replicate r takes draw r mod n, typed as the schema says
    assert back.draw(0) == back.draw(back.n)
    assert all(isinstance(v, float) for v in back.draw(3).values())


def test_a_posterior_notices_when_the_model_changed(recovered):
    post = recovered.posterior()
    assert post.meta["reference"]["values"] and post.stale() == []
    post.meta["reference"]["values"]["sw_talent"] += 1.0
    assert post.stale() == ["sw_talent"]


def test_auto_uncertainty_takes_a_posterior_where_the_region_has_one(tmp_path, monkeypatch):
    from model.calibration import posterior as posterior_module
    from model.experiment import Experiment

    monkeypatch.setattr(posterior_module, "POSTERIOR_DIR", tmp_path)
    assert Experiment(["baseline"], replicates=2, region="demo", uncertainty="auto").uncertainty == "seed"
    _posterior().write(tmp_path / "hubei.parquet")  # demo borrows hubei's
    exp = Experiment(["baseline"], replicates=2, region="demo", uncertainty="auto")
    assert exp.uncertainty == "posterior" and exp.posteriors["demo"].meta["borrowed_by"] == "demo"


def test_posterior_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(PosteriorError, match="bad.parquet"):
        load_posterior(bad)
    with pytest.raises(PosteriorError, match="no shipped posterior"):
        load_posterior("atlantis")


def test_fit_report_overlays_observations_and_prints_the_coverage(recovered, tmp_path):
    from model.calibration.report import fit_report

    for lang in ("en", "zh"):
        page = fit_report(recovered, tmp_path, lang=lang, draws=8, forecast_end="2021-12", workers=2)
        text = page.read_text(encoding="utf-8")
        assert "data:image/png;base64," in text
        assert ("posterior predictive interval" in text) if lang == "en" else ("后验预测区间" in text)
    cover = pd.read_csv(tmp_path / "coverage.csv")
    assert len(cover) == recovered.observations.n
    assert cover["inside"].dtype == bool
    assert cover["inside"].mean() >= 0.5  # the model fitted to its own record covers most of it


def test_fit_parameters_only_come_from_the_schema():
    assert set(fit_module.uncertainties()) <= set(model.params.SCHEMA)
    assert all(model.params.SCHEMA[n].kind == "uncertainty" for n in fit_module.uncertainties())


# ---- experiments on posterior draws ----------------------------------------------------------


def _posterior(n: int = 6) -> Posterior:
    from model.params import SCHEMA

    rng = np.random.default_rng(7)
    draws = pd.DataFrame({"draw": np.arange(n)})
    for name in fit_module.uncertainties():
        p = SCHEMA[name]
        draws[name] = rng.uniform(p.min, p.max, n)
    return Posterior(draws, {"region": "demo", "fitted": ["sw_turnover_base"], "left_at_prior": []})


def test_replicate_r_of_every_scenario_takes_draw_r_and_repeats_by_hand(tmp_path):
    from model.experiment import Experiment
    from model.scenarios import load_scenarios

    post = _posterior()
    exp = Experiment(["baseline", "purchase_3yr"], replicates=4, seed=2, region="demo", uncertainty="posterior",
                     posterior=post)
    report = exp.run(tmp_path / "s", executor="serial", progress=False)
    runs = report.runs()
    assert runs["draw"].tolist() == [0, 1, 2, 3] * 2
    for name in ("sw_turnover_base", "org_founding_rate"):
        by = runs.pivot(index="replicate", columns="scenario", values=name)
        assert (by["baseline"] == by["purchase_3yr"]).all()  # paired: the same world in every scenario
        assert by["baseline"].tolist() == pytest.approx([post.draw(r)[name] for r in range(4)])
    manifest = report.store.manifest
    assert manifest["uncertainty"]["mode"] == "posterior"
    assert manifest["uncertainty"]["posteriors"]["demo"]["hash"] == post.identity
    # any run repeats by hand from its seed and its draw
    sc = load_scenarios(["purchase_3yr"], region="demo")[0]
    row = runs[(runs.scenario == "purchase_3yr") & (runs.replicate == 1)].iloc[0]
    again = model.simulate(seed=int(row.seed), **{**sc.simulate_kwargs(), "params": {**post.draw(1), **sc.params}})
    ts = report.timeseries()
    mine = ts[(ts.scenario == "purchase_3yr") & (ts.replicate == 1)].set_index("date")[again.columns]
    again.index = again.index.astype("datetime64[ns]")
    pd.testing.assert_frame_equal(mine, again, check_names=False, check_freq=False)
    # and resuming with another posterior is refused: the store holds a different experiment
    other = Experiment(["baseline", "purchase_3yr"], replicates=4, seed=2, region="demo", uncertainty="posterior",
                       posterior=_posterior(7))
    with pytest.raises(Exception, match="different experiment"):
        other.run(tmp_path / "s", executor="serial", progress=False)


def test_bands_with_parameter_uncertainty_are_wider_than_with_seeds_alone(tmp_path):
    from model.experiment import Experiment

    kw = dict(replicates=12, seed=5, region="demo")
    seed_only = Experiment(["baseline"], **kw).run(tmp_path / "seed", executor="local", workers=2, progress=False)
    with_post = Experiment(["baseline"], uncertainty="posterior", posterior=_posterior(12), **kw).run(
        tmp_path / "post", executor="local", workers=2, progress=False)

    def width(report, indicator):
        ts = report.timeseries([indicator])
        last = ts[ts.date == ts.date.max()][indicator]
        return float(last.quantile(0.9) - last.quantile(0.1))

    for indicator in ("sw_talent", "community_orgs"):
        assert width(with_post, indicator) > width(seed_only, indicator)


def test_report_says_what_its_bands_count(tmp_path):
    from model.analysis.report import uncertainty_text

    assert "chance only" in uncertainty_text({}, "en")
    text = uncertainty_text({"uncertainty": {"mode": "posterior", "posteriors": {
        "hubei": {"draws": 200, "fitted": ["sw_turnover_base"]}}}}, "zh")
    assert "后验" in text and "sw_turnover_base" in text


def test_cli_refuses_a_missing_posterior_in_one_line(tmp_path, capsys):
    from model.cli import main

    code = main(["run", "baseline", "-r", "2", "-o", str(tmp_path / "x"), "--region", "demo",
                 "--uncertainty", "posterior", "--posterior", str(tmp_path / "none.parquet")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "none.parquet" in err[0]
    assert not (tmp_path / "x").exists()


def test_predictive_check_reads_a_floor_as_more_than():
    from model.calibration.report import coverage

    dates = pd.to_datetime(["2021-05-31"])
    runs = pd.DataFrame({"draw": np.arange(20), "date": dates[0], "area": "province", "communities": 1,
                         "sw_talent": np.linspace(100.0, 120.0, 20)})
    obs = pd.DataFrame({"date": dates[0], "indicator": "sw_talent", "area": "province", "measure": "value",
                        "value": [90.0, 150.0, 110.0, 150.0], "bound": ["lower", "lower", "point", "point"],
                        "sigma": 1.0})
    assert coverage(runs, obs)["inside"].tolist() == [True, False, True, False]

"""The posterior shipped with the package: it belongs to this model and this record, and it widens the bands."""

from __future__ import annotations

from model.calibration import load_posterior
from model.calibration.fit import _hash_frame, observation_matrix, uncertainties
from model.observed import load_observations


def test_the_shipped_posterior_belongs_to_this_model_and_this_record():
    post = load_posterior("hubei")
    assert post.stale() == [], "the model changed since the posterior was fitted: rerun `wushe calibrate --install`"
    meta = post.meta
    assert meta["history"] == "history_2018" and meta["window"] == ["2018-01", "2022-12"]
    matrix = observation_matrix(load_observations("hubei"), "2018-01", "2022-12")
    assert meta["observations"] == _hash_frame(matrix.table), "the observations file changed: recalibrate"
    assert post.n >= 200 and post.fitted and set(post.fitted) <= set(uncertainties())
    assert set(post.parameters) == set(uncertainties())  # the others drawn from their priors
    assert meta["rebuild"].startswith("wushe calibrate --region hubei")
    for name in post.fitted:  # a fitted parameter stays inside its prior range
        from model.params import SCHEMA

        assert post.draws[name].between(SCHEMA[name].min, SCHEMA[name].max).all()


def test_demo_and_linhai_borrow_hubeis_and_say_so():
    for region in ("demo", "linhai"):
        post = load_posterior(region)
        assert post.meta["borrowed_by"] == region and post.meta["region"] == "hubei"


def test_the_shipped_posterior_widens_the_baseline_band_on_talent(tmp_path):
    from model.experiment import Experiment

    kw = dict(replicates=12, seed=11, region="demo")
    seed_only = Experiment(["baseline"], uncertainty="seed", **kw).run(tmp_path / "s", executor="local", workers=2,
                                                                       progress=False)
    with_post = Experiment(["baseline"], uncertainty="posterior", **kw).run(tmp_path / "p", executor="local",
                                                                            workers=2, progress=False)

    def width(report) -> float:
        ts = report.timeseries(["sw_talent"])
        last = ts[ts["date"] == ts["date"].max()]["sw_talent"]
        return float(last.quantile(0.9) - last.quantile(0.1))

    assert width(with_post) > width(seed_only)
    assert with_post.store.manifest["uncertainty"]["mode"] == "posterior"

"""The experiment runner and its store: paired seeds, identical results on every executor,
atomic per-run writes, resume after SIGKILL, failures recorded while the others finish."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.experiment import Experiment, Store, StoreError, replicate_seeds
from model.experiment.testing import fake_run, raising_run
from model.targets import evaluate, load_targets

ROOT = Path(__file__).parents[1]
SCENARIOS = ["baseline", "purchase_3yr", "fiscal_squeeze_2024"]
RUN_FN = fake_run  # the machinery's tests; the model itself is exercised in test_experiment_model.py


def _exp(replicates=4, seed=11, run_fn=RUN_FN, scenarios=SCENARIOS):
    return Experiment(scenarios, replicates=replicates, seed=seed, region="demo", run_fn=run_fn)


def _runs(path) -> pd.DataFrame:
    return Store(path).runs().drop(columns="wall_s")


# ---- seeds ---------------------------------------------------------------------------------


def test_replicate_seeds_come_from_seedsequence_and_are_prefix_stable():
    seeds = replicate_seeds(5, 6)
    assert seeds[:3] == replicate_seeds(5, 3)
    assert len(set(seeds)) == 6 and all(0 <= s < 2**63 for s in seeds)
    child = np.random.SeedSequence(5).spawn(6)[4]
    assert seeds[4] == int(child.generate_state(1, dtype=np.uint64)[0]) >> 1
    assert replicate_seeds(6, 3) != seeds[:3]


def test_replicate_r_of_every_scenario_gets_the_same_seed_and_it_is_recorded(tmp_path):
    exp = _exp()
    exp.run(tmp_path / "o", executor="serial", progress=False)
    runs = _runs(tmp_path / "o")
    by_rep = runs.groupby("replicate")["seed"].nunique()
    assert (by_rep == 1).all()
    assert list(runs[runs.scenario == "baseline"].seed) == exp.seeds
    manifest = Store(tmp_path / "o").manifest
    assert manifest["seeds"]["root"] == 11
    assert manifest["seeds"]["replicates"] == exp.seeds


# ---- the store -----------------------------------------------------------------------------


def test_store_layout_and_columns(tmp_path):
    out = tmp_path / "o"
    report = _exp(replicates=3).run(out, executor="serial", progress=False)
    assert (report.ok, report.failed, report.skipped) == (9, 0, 0)
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("version", "git_commit", "scenarios", "seeds", "created", "executor"):
        assert key in manifest
    assert [s["name"] for s in manifest["scenarios"]] == SCENARIOS
    assert manifest["scenarios"][2]["changes"] == [{"date": "2024-01", "fiscal_squeeze": 0.13}]
    assert all(s["region"] == "demo" for s in manifest["scenarios"])
    assert manifest["executor"]["kind"] == "serial"

    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs.columns[:6]) == ["scenario", "replicate", "seed", "status", "error", "wall_s"]
    targets = [t.id for t in load_targets("demo")]
    for t in targets:
        assert {f"{t}_value", f"{t}_met", f"{t}_first_met"} <= set(runs.columns)
    assert len(runs) == 9 and (runs.status == "ok").all() and runs.error.isna().all()
    assert list(runs.scenario) == [s for s in SCENARIOS for _ in range(3)]

    ts = pd.read_parquet(out / "timeseries")
    assert list(ts.columns[:3]) == ["scenario", "replicate", "date"]
    assert len(ts) == 9 * 60
    assert not ts.duplicated(["scenario", "replicate", "date"]).any()
    assert not list(out.rglob(".*.tmp"))


def test_target_columns_agree_with_evaluate_on_the_stored_timeseries(tmp_path):
    out = tmp_path / "o"
    _exp(replicates=2).run(out, executor="serial", progress=False)
    runs = Store(out).runs()
    ts = Store(out).timeseries()
    targets = load_targets("demo")
    for row in runs.itertuples(index=False):
        frame = ts[(ts.scenario == row.scenario) & (ts.replicate == row.replicate)].set_index("date")
        judged = evaluate(frame, targets).set_index("target")
        for t in targets:
            assert getattr(row, f"{t.id}_value") == judged.loc[t.id, "value"]
            assert bool(getattr(row, f"{t.id}_met")) == judged.loc[t.id, "met"]
            first = getattr(row, f"{t.id}_first_met")
            assert (pd.isna(first) and pd.isna(judged.loc[t.id, "first_met"])) or first == judged.loc[t.id, "first_met"]


def test_a_different_experiment_on_an_existing_store_is_refused_and_nothing_changes(tmp_path):
    out = tmp_path / "o"
    _exp().run(out, executor="serial", progress=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(StoreError, match="holds a different experiment \\(seed 11 there, 12 now\\)"):
        _exp(seed=12).run(out, executor="serial", progress=False)
    with pytest.raises(StoreError, match="4 replicates there, 5 now"):
        _exp(replicates=5).run(out, executor="serial", progress=False)
    with pytest.raises(StoreError, match="scenarios baseline, purchase_3yr, fiscal_squeeze_2024 there"):
        _exp(scenarios=["baseline"]).run(out, executor="serial", progress=False)
    other = Experiment(SCENARIOS, replicates=4, seed=11, region="linhai", run_fn=RUN_FN)
    with pytest.raises(StoreError, match='scenario "baseline" differs in region'):
        other.run(out, executor="serial", progress=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_folder_with_other_files_is_not_taken(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not empty and holds no experiment"):
        _exp().run(tmp_path, executor="serial", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_resume_runs_only_what_is_missing_and_leaves_the_rest(tmp_path):
    out = tmp_path / "o"
    _exp().run(out, executor="serial", progress=False)
    full_runs, full_ts = _runs(out), Store(out).timeseries()
    # lose four runs: two records with their parts, one part alone, one record alone
    (out / "records" / "baseline__r00001.json").unlink()
    (out / "timeseries" / "baseline__r00001.parquet").unlink()
    (out / "records" / "purchase_3yr__r00003.json").unlink()
    (out / "timeseries" / "fiscal_squeeze_2024__r00000.parquet").unlink()
    (out / "records" / "fiscal_squeeze_2024__r00000.json").unlink()
    (out / "timeseries" / ".baseline__r00002.parquet.x1.tmp").write_bytes(b"half a file")
    kept = (out / "records" / "baseline__r00000.json").stat().st_mtime_ns
    report = _exp().run(out, executor="serial", progress=False)
    assert (report.ok, report.skipped) == (3, 9)
    assert (out / "records" / "baseline__r00000.json").stat().st_mtime_ns == kept
    pd.testing.assert_frame_equal(_runs(out), full_runs)
    pd.testing.assert_frame_equal(Store(out).timeseries(), full_ts)
    assert not list(out.rglob(".*.tmp"))
    again = _exp().run(out, executor="serial", progress=False)
    assert (again.ok, again.failed, again.skipped) == (0, 0, 12)
    assert len(Store(out).manifest["sessions"]) == 3


def test_chunking_does_not_change_results(tmp_path):
    _exp().run(tmp_path / "a", executor="serial", chunk_size=1, progress=False)
    _exp().run(tmp_path / "b", executor="serial", chunk_size=5, progress=False)
    pd.testing.assert_frame_equal(_runs(tmp_path / "a"), _runs(tmp_path / "b"))
    pd.testing.assert_frame_equal(Store(tmp_path / "a").timeseries(), Store(tmp_path / "b").timeseries())


# ---- failures --------------------------------------------------------------------------------


def test_a_run_that_raises_is_recorded_as_failed_and_the_others_finish(tmp_path):
    run_fn = functools.partial(raising_run, fail_scenario="purchase_3yr", month=30, base=RUN_FN)
    out = tmp_path / "o"
    report = _exp(run_fn=run_fn).run(out, executor="local", workers=2, progress=False)
    assert (report.ok, report.failed) == (8, 4)
    runs = Store(out).runs()
    failed = runs[runs.status == "failed"]
    assert set(failed.scenario) == {"purchase_3yr"} and len(failed) == 4
    assert all("ForcedFailure: forced failure at month 30" in e and "Traceback" in e for e in failed.error)
    assert failed["station_coverage_value"].isna().all()
    assert (runs[runs.status == "ok"].error.isna()).all()
    ts = Store(out).timeseries()
    assert set(ts.scenario) == {"baseline", "fiscal_squeeze_2024"}
    assert not list((out / "timeseries").glob("purchase_3yr*"))
    # a resume leaves failed runs alone unless asked
    assert _exp(run_fn=run_fn).run(out, executor="serial", progress=False).skipped == 12
    fixed = _exp(run_fn=RUN_FN)
    with pytest.raises(StoreError, match="run_fn"):
        fixed.run(out, executor="serial", progress=False)


def test_retry_failed_runs_them_again(tmp_path):
    run_fn = functools.partial(raising_run, fail_scenario="baseline", month=30, base=RUN_FN)
    out = tmp_path / "o"
    _exp(run_fn=run_fn).run(out, executor="serial", progress=False)
    report = _exp(run_fn=run_fn).run(out, executor="serial", progress=False, retry_failed=True)
    assert (report.ok, report.failed, report.skipped) == (0, 4, 8)
    assert (Store(out).runs().status == "failed").sum() == 4


# ---- executors -------------------------------------------------------------------------------


@pytest.mark.slow
def test_serial_two_local_workers_and_a_dask_cluster_give_identical_results(tmp_path):
    exp = _exp(replicates=4)
    exp.run(tmp_path / "serial", executor="serial", progress=False)
    exp.run(tmp_path / "local", executor="local", workers=2, progress=False)
    exp.run(tmp_path / "dask", executor="dask", workers=2, progress=False)
    ts = {k: Store(tmp_path / k).timeseries() for k in ("serial", "local", "dask")}
    assert len(ts["serial"]) == 12 * 60
    for k in ("local", "dask"):
        pd.testing.assert_frame_equal(ts[k], ts["serial"], check_exact=True)
        pd.testing.assert_frame_equal(_runs(tmp_path / k), _runs(tmp_path / "serial"), check_exact=True)
    assert Store(tmp_path / "dask").manifest["executor"] == {"kind": "dask", "workers": 2, "scheduler": None}


# ---- SIGKILL and resume ----------------------------------------------------------------------

_SCRIPT = """
import sys
from model.experiment import Experiment
from model.experiment.testing import slow_fake_run

if __name__ == "__main__":
    exp = Experiment(["baseline", "purchase_3yr", "fiscal_squeeze_2024"], replicates=12, seed=3,
                     region="demo", run_fn=slow_fake_run)
    report = exp.run(sys.argv[1], executor="local", workers=2, chunk_size=1, progress=False)
    print(report)
"""


def test_a_run_killed_midway_and_resumed_equals_an_uninterrupted_one(tmp_path):
    script = tmp_path / "experiment.py"
    script.write_text(textwrap.dedent(_SCRIPT))
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script), str(out)], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "records").glob("*.json"))) < 8:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list((out / "records").glob("*.json")))
    assert 8 <= done < 36, "the kill should land midway"

    resumed = subprocess.run([sys.executable, str(script), str(out)], env=env, capture_output=True, text=True,
                             timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{36 - done} runs done" in resumed.stdout

    whole = tmp_path / "whole"
    from model.experiment.testing import slow_fake_run

    Experiment(SCENARIOS, replicates=12, seed=3, region="demo", run_fn=slow_fake_run).run(
        whole, executor="serial", progress=False)
    a, b = _runs(out), _runs(whole)
    assert len(a) == 36 and not a.duplicated(["scenario", "replicate"]).any()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    ts_a = pd.read_parquet(out / "timeseries")
    assert len(ts_a) == 36 * 60 and not ts_a.duplicated(["scenario", "replicate", "date"]).any()
    pd.testing.assert_frame_equal(Store(out).timeseries(), Store(whole).timeseries(), check_exact=True)
    assert not list(out.rglob(".*.tmp"))


def test_a_store_says_when_its_runs_come_from_different_model_source(tmp_path):
    from model.experiment.runner import code_fingerprint

    out = tmp_path / "o"
    first = _exp().run(out, executor="serial", progress=False)
    assert first.warnings == []
    assert Store(out).manifest["code"] == code_fingerprint()
    assert {r["code"] for r in Store(out).records().values()} == {code_fingerprint()}
    manifest = Store(out).manifest
    manifest["code"] = "0123456789ab"
    Store(out).write_manifest(manifest)
    (out / "records" / "baseline__r00000.json").unlink()
    report = _exp().run(out, executor="serial", progress=False)
    assert report.ok == 1
    assert len(report.warnings) == 1 and "0123456789ab there" in report.warnings[0]


@pytest.mark.slow
def test_an_existing_dask_cluster_is_used_through_its_scheduler_address(tmp_path):
    import logging

    from dask.distributed import LocalCluster

    exp = _exp(replicates=2)
    exp.run(tmp_path / "serial", executor="serial", progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        report = exp.run(tmp_path / "remote", executor="dask", scheduler=cluster.scheduler_address, progress=False)
    assert report.ok == 6
    assert Store(tmp_path / "remote").manifest["executor"]["scheduler"] == cluster.scheduler_address
    pd.testing.assert_frame_equal(Store(tmp_path / "remote").timeseries(), Store(tmp_path / "serial").timeseries(),
                                  check_exact=True)

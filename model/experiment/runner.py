"""Experiments: scenarios × replicates × a root seed, run on any executor into a store.

Replicate ``r`` of every scenario gets the same seed (a paired comparison on common
random numbers)::

    seed_r = SeedSequence(root).spawn(R)[r].generate_state(1, uint64)[0] >> 1

a 63-bit integer, recorded in the manifest and in every row of ``runs.parquet``, so
that ``simulate(seed=seed_r, ...)`` repeats any single run.

A run is a call ``run_fn(scenario, seed) -> DataFrame`` (a date index of month ends,
one column per indicator). The default, ``simulate_scenario``, calls
``model.simulation.simulate``. Another ``run_fn`` must be a module-level function so
that worker processes can import it; the tests use the ones in
``model.experiment.testing``.

Runs go to the executor in chunks (several short runs per task). A worker judges each run
against its targets and turns it into Parquet bytes (``RunParts``); the runs of a chunk are
saved by this process as one durable batch as soon as it returns (``Store.write_runs``).
With ``simulate_scenario`` the worker reads the model's columns instead of building its
frames (``_model_output``): the same bytes, at less than half the cost beyond the model run.
Results are the same, bit for bit, whatever the executor, the number of workers and the chunking.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import platform
import subprocess
import sys
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..messages import not_one_of, shown
from ..scenarios import Scenario, load_scenarios
from ..targets import TargetSet, check_fits, judge, load_targets
from .executors import EXECUTORS, default_workers, open_executor
from .store import RunParts, Store, check_writable, columns_table, now_iso, run_key

__all__ = [
    "Experiment",
    "RunReport",
    "replicate_seeds",
    "run_chunk",
    "run_experiment",
    "simulate_scenario",
]

UNCERTAINTY = ("seed", "posterior", "auto")  # chance only; chance and parameters; posterior where one exists
SEED_METHOD = "SeedSequence(root).spawn(replicates)[r].generate_state(1, uint64)[0] >> 1"
CHUNK_SECONDS = 0.5  # aim for tasks about this long: short runs are grouped
TABLE_SECONDS = 30  # rebuild runs.parquet from the records this often while running (and at the end)


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """The seed of each replicate; the first k are the same whatever the number of replicates."""
    children = np.random.SeedSequence(int(root)).spawn(int(replicates))
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def simulate_scenario(scenario: Scenario, seed: int) -> pd.DataFrame:
    """The default run function: the model's ``simulate`` on the scenario's region, window and values."""
    model = _simulated(scenario, seed)
    frame = model.frame()
    frame.attrs["units"] = model.unit_table()  # by prefecture and county; the store keeps it beside the frame
    return frame


_SIMULATE = simulate_scenario  # the run function whose model the runner reads directly (not a replacement of it)


def _simulated(scenario: Scenario, seed: int):
    """The scenario's model, run to its end."""
    from ..simulation import FiveSocietyModel

    model = FiveSocietyModel(seed=seed, **scenario.simulate_kwargs())
    while model.running:
        model.step()
    return model


_CODE: str | None = None


def code_fingerprint() -> str:
    """A hash of the source and data files a run depends on, as this process first saw them.

    That is the package's modules and its core (not the command line, benchmarks,
    dashboard or analysis), the runner and the data files. Each run records the fingerprint of the
    worker that ran it, so that a store whose runs came from different code (the source
    edited while a long experiment ran, or between a crash and its resume) says so.
    """
    global _CODE
    if _CODE is None:
        root = Path(__file__).resolve().parents[1]
        files = [p for p in root.glob("*.py") if p.name != "cli.py" and not p.name.startswith("bench")]
        files += [*root.glob("core/*.py"), *root.glob("experiment/*.py"),
                  *(root / "data").rglob("*.toml"), *(root / "data").rglob("*.json")]
        files = [p for p in files if "scenarios" not in p.relative_to(root).parts]  # recorded in the manifest
        digest = hashlib.sha1()
        for path in sorted(files):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
        _CODE = digest.hexdigest()[:12]
    return _CODE


def _fn_name(fn) -> str:
    """The run function's identity: module and qualified name, and a partial's arguments (no memory address)."""
    if isinstance(fn, functools.partial):
        args = [repr(a) for a in fn.args] + [f"{k}={v!r}" for k, v in sorted(fn.keywords.items())]
        return f"{_fn_name(fn.func)}({', '.join(args)})"
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}"


def _tidy(frame: pd.DataFrame, scenario: str, replicate: int) -> pd.DataFrame:
    """scenario, replicate, date, then the indicators; dates as datetime64[ns]."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"the run function returned {type(frame).__name__}, expected a DataFrame")
    out = frame.reset_index() if "date" not in frame.columns else frame.reset_index(drop=True)
    if "date" not in out.columns:
        raise ValueError("the run's frame has no 'date' index or column")
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return _labelled(out, scenario, replicate)


def _labelled(frame: pd.DataFrame, scenario: str, replicate: int) -> pd.DataFrame:
    """``frame`` with the run's scenario and replicate as its first two columns (in place)."""
    frame.insert(0, "replicate", np.int64(replicate))
    frame.insert(0, "scenario", scenario)
    return frame


def _frame_output(result, scenario: str, replicate: int, targets: TargetSet):
    """A run function's frame: its dates, a column getter for ``judge``, and a maker of its ``RunParts``."""
    units = result.attrs.pop("units", None) if isinstance(result, pd.DataFrame) else None
    frame = _tidy(result, scenario, replicate)
    if frame.attrs.get("region") is not None:  # a frame that names its region: the targets must fit it
        check_fits(targets, frame.attrs["region"])
    if units is not None:
        _labelled(units, scenario, replicate)
    return frame["date"].to_numpy(), lambda name: frame[name].to_numpy(), lambda: RunParts.of(frame, units)


def _model_output(model, scenario: str, replicate: int, targets: TargetSet):
    """What ``_frame_output`` gives for ``simulate_scenario``'s frame, read from the model's columns.

    The parts are ``columns_table`` of the columns that ``_tidy`` and the units' two
    inserts would give (``model.columns()``, ``model.units.columns()``): the same Parquet
    bytes as ``RunParts.of`` the frames, without building them (``tests/test_store_integrity.py``).
    """
    values = model.columns()
    if values.keys() & {"scenario", "replicate", "date"}:  # an indicator named like a column _tidy adds
        frame = model.frame()
        frame.attrs["units"] = model.unit_table()
        return _frame_output(frame, scenario, replicate, targets)
    n = len(next(iter(values.values()), []))
    dates = model.calendar[:n].to_numpy().astype("datetime64[ns]")
    frame = {"scenario": [scenario] * n, "replicate": np.full(n, replicate, np.int64), "date": dates, **values}
    units = model.units.columns()
    k = len(units.get("date", ()))
    units = {"scenario": [scenario] * k, "replicate": np.full(k, replicate, np.int64), **units}

    def make_parts():
        unit_table = columns_table(units, lambda: _labelled(model.unit_table(), scenario, replicate)) if k else None
        return RunParts.of_tables(columns_table(frame, lambda: _tidy(model.frame(), scenario, replicate)), unit_table)

    return dates, values.__getitem__, make_parts


def _run_one(run_fn, scenario: Scenario, replicate: int, seed: int, targets: TargetSet):
    t0 = time.perf_counter()
    record: dict[str, Any] = {
        "scenario": scenario.name,
        "replicate": int(replicate),
        "seed": int(seed),
        "status": "ok",
        "error": None,
        "wall_s": None,
        "targets": {},
        "target_ids": [t.id for t in targets],
        "code": code_fingerprint(),
    }
    parts = None
    try:
        if run_fn is _SIMULATE:  # the model's columns go to Arrow as they are (the same bytes, no frames)
            dates, column, make_parts = _model_output(_simulated(scenario, seed), scenario.name, replicate,
                                                           targets)
        else:
            dates, column, make_parts = _frame_output(run_fn(scenario, seed), scenario.name, replicate, targets)
        judged = judge(dates, column, targets)
        for t, (value, met, first) in zip(targets, judged, strict=True):
            record["targets"][t.id] = {
                "value": None if np.isnan(value) else value,
                "met": met,
                "first_met": None if pd.isna(first) else first.isoformat(),
            }
        parts = make_parts()  # Parquet bytes made here: the parent only writes them
    except Exception:  # a failing run is recorded, the others go on
        record["status"] = "failed"
        record["error"] = traceback.format_exc()
        record["targets"] = {}
        parts = None
    record["wall_s"] = time.perf_counter() - t0
    return record, parts


_FROZEN = 0  # how often this process froze what is alive (gc.freeze): before its first run, and after it


def _release_memory() -> None:
    """Collect the run's garbage now: a model's agents and arrays sit in reference cycles.

    Left to the cyclic collector's own pace, a worker's memory grows by tens of MB a run
    (and loky restarts workers that grow by 300 MB). What was alive before the first run
    (modules, the run's inputs) was frozen out of the collections then (``_freeze_once``),
    without a full collection (30 ms in a new worker); what the first run left alive
    (caches: the region, Arrow schemas) is frozen after it. Later collections see
    one run's objects and cost a fraction of a millisecond.
    """
    global _FROZEN
    gc.collect()
    if _FROZEN < 2:
        gc.freeze()
        _FROZEN = 2


def _freeze_once() -> None:
    """Before this process's first run: freeze what is alive (gc.freeze; no collection first)."""
    global _FROZEN
    if not _FROZEN:
        gc.freeze()
        _FROZEN = 1


def run_chunk(run_fn, tasks) -> list:
    """Worker task: run several ``(scenario, replicate, seed, targets)`` and return ``(record, RunParts)`` pairs.

    Each run is judged against its targets and turned into Parquet bytes here, in the
    worker, so that what travels back is bytes and what the parent does per run is write them.
    """
    _freeze_once()
    out = []
    for task in tasks:
        out.append(_run_one(run_fn, *task))
        _release_memory()
    return out


MAX_REPLICATES = 1_000_000  # per scenario: a million runs of seeds and records; beyond that, memory runs out
MAX_SEED = 2**63 - 1  # a root seed fits the int64 columns and every JSON reader


def _whole(value, what: str) -> int:
    """A whole number (Python or numpy integer), else TypeError saying what was expected."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a whole number; got {type(value).__name__} {shown(value, 40)}")
    return value


@dataclass(frozen=True)
class Experiment:
    """Scenarios × replicates × a root seed.

    ``Experiment(["baseline", "purchase_3yr"], replicates=10, seed=1, region="demo")``
    loads scenario files by name or path; Scenario objects are accepted as they are.
    ``region`` runs them on another region, judged against ``targets`` when given, else
    their own target set when it fits the region, else the region's own.
    """

    scenarios: tuple[Scenario, ...]
    replicates: int = 10
    seed: int = 0
    run_fn: Any = field(default=simulate_scenario, compare=False)

    def __init__(self, scenarios, replicates: int = 10, seed: int = 0, region: str | None = None,
                 run_fn=None, targets: str | None = None, uncertainty: str = "seed", posterior=None):
        loaded = tuple(load_scenarios(list(scenarios) if not isinstance(scenarios, (str, Path, Scenario))
                                      else [scenarios], region=region, targets=targets))
        replicates = _whole(replicates, "replicates")
        seed = _whole(seed, "seed")
        if not 1 <= replicates <= MAX_REPLICATES:
            raise ValueError(f"replicates must be 1 to {MAX_REPLICATES:,}; got {replicates:,}")
        if not 0 <= seed <= MAX_SEED:
            raise ValueError(f"the root seed must be a whole number from 0 to 2**63 - 1; got {seed:,}")
        object.__setattr__(self, "scenarios", loaded)
        object.__setattr__(self, "replicates", int(replicates))
        object.__setattr__(self, "seed", int(seed))
        object.__setattr__(self, "run_fn", run_fn or simulate_scenario)
        if uncertainty not in UNCERTAINTY:
            raise ValueError(f'uncertainty must be one of {", ".join(UNCERTAINTY)}; got {shown(uncertainty, 40)}')
        posteriors = {}
        if uncertainty == "auto":
            from ..calibration.posterior import has_posterior

            uncertainty = ("posterior" if posterior is not None or all(has_posterior(s.region) for s in loaded)
                           else "seed")
        if uncertainty == "posterior":
            from ..calibration.posterior import Posterior, load_posterior

            for name in dict.fromkeys(s.region for s in loaded):
                posteriors[name] = posterior if isinstance(posterior, Posterior) else load_posterior(posterior or name)
        object.__setattr__(self, "uncertainty", uncertainty)
        object.__setattr__(self, "posteriors", posteriors)

    def draw(self, scenario: Scenario, replicate: int) -> dict[str, Any]:
        """The uncertain values replicate ``r`` runs with: posterior draw ``r mod n`` (nothing in seed mode).

        A value the scenario sets itself is the scenario's; every scenario's replicate
        ``r`` gets the same draw, so comparisons stay paired.
        """
        if self.uncertainty != "posterior":
            return {}
        values = self.posteriors[scenario.region].draw(replicate)
        return {k: v for k, v in values.items() if k not in scenario.params}

    def scenario_for(self, scenario: Scenario, replicate: int) -> Scenario:
        """The scenario as replicate ``r`` runs it: its own values over the replicate's draw."""
        values = self.draw(scenario, replicate)
        return replace(scenario, params={**values, **scenario.params}) if values else scenario

    def uncertainty_record(self) -> dict[str, Any]:
        """What the manifest says of the bands: seeds only, or which posterior per region."""
        if self.uncertainty != "posterior":
            return {"mode": "seed"}
        regions = {}
        for name, post in self.posteriors.items():
            regions[name] = {"draws": post.n, "hash": post.identity, "fitted": post.fitted,
                             "left_at_prior": list(post.meta.get("left_at_prior", [])),
                             "created": post.meta.get("created"), "code": post.meta.get("code"),
                             "borrowed_from": post.meta.get("region") if post.meta.get("borrowed_by") else None}
        return {"mode": "posterior", "rule": "replicate r takes posterior draw r mod n and seed r",
                "posteriors": regions}

    @property
    def seeds(self) -> list[int]:
        return replicate_seeds(self.seed, self.replicates)

    @property
    def size(self) -> int:
        return len(self.scenarios) * self.replicates

    def definition(self) -> dict[str, Any]:
        """What makes two experiments the same (compared on resume)."""
        keep = ("name", "region", "targets", "start", "end", "params", "changes")
        out = {
            "scenarios": [{k: v for k, v in s.to_dict().items() if k in keep} for s in self.scenarios],
            "replicates": self.replicates,
            "root_seed": self.seed,
            "run_fn": _fn_name(self.run_fn),
        }
        if self.uncertainty == "posterior":
            out["posteriors"] = {name: post.identity for name, post in self.posteriors.items()}
        return out

    def run(self, out, **kwargs) -> RunReport:
        """Run into the store at ``out``; see ``run_experiment``."""
        return run_experiment(self, out, **kwargs)


@dataclass
class RunReport:
    """What one call of ``run_experiment`` did, and the store to read."""

    path: Path
    total: int
    skipped: int
    ok: int
    failed: int
    wall_s: float
    warnings: list[str] = field(default_factory=list)

    @property
    def store(self) -> Store:
        return Store(self.path)

    def runs(self) -> pd.DataFrame:
        return self.store.runs()

    def timeseries(self, columns=None) -> pd.DataFrame:
        return self.store.timeseries(columns)

    def __str__(self) -> str:
        done = self.ok + self.failed
        text = f"{done} runs done ({self.ok} ok, {self.failed} failed)"
        if self.skipped:
            text += f", {self.skipped} already in the store"
        return f"{text} in {self.wall_s:.1f} s → {self.path}"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("wushe")
    except Exception:  # not installed: a source checkout
        return "unknown"


def _git() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return {"commit": None, "dirty": None}
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10).stdout
        return {"commit": commit, "dirty": bool(status.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def _manifest(exp: Experiment, executor: dict[str, Any]) -> dict[str, Any]:
    git = _git()
    started = now_iso()
    return {
        "format": 1,
        "toolkit": "wushe",
        "version": _version(),
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "created": started,
        "python": platform.python_version(),
        "executor": executor,
        "seeds": {"root": exp.seed, "method": SEED_METHOD, "replicates": exp.seeds},
        "scenarios": [s.to_dict() for s in exp.scenarios],
        "experiment": exp.definition(),
        "uncertainty": exp.uncertainty_record(),
        "code": code_fingerprint(),
        "sessions": [{"started": started, **executor, "code": code_fingerprint()}],
    }


def _progress(total: int, enabled: bool, initial_failed: int = 0):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="run", desc="runs", dynamic_ncols=True, file=sys.stderr)
    bar.set_postfix(failed=initial_failed)
    return bar


def run_experiment(
    experiment: Experiment,
    out: str | Path,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    retry_failed: bool = False,
    extend: bool = False,
) -> RunReport:
    """Run every scenario × replicate not yet in the store at ``out``; return a RunReport.

    ``executor`` is serial | local (loky processes, default) | dask (a local cluster, or
    the cluster at ``scheduler``). ``chunk_size`` fixes how many runs go in one task;
    by default short runs are grouped into tasks of about half a second. The same call
    on the same ``out`` runs only what is missing (``retry_failed`` runs failed runs
    again); a different experiment there raises StoreError and writes nothing.
    ``extend=True`` lets this experiment grow a store that holds its start (more
    replicates, scenarios appended; see ``Store.check_for``): only the new runs are run.
    """
    if executor not in EXECUTORS:
        raise ValueError(not_one_of(executor, EXECUTORS, "an executor"))
    if workers is not None and _whole(workers, "workers") < 1:
        raise ValueError(f"workers must be at least 1; got {workers}")
    t0 = time.perf_counter()
    store = Store(out)
    n_workers = 1 if executor == "serial" else (workers or (None if scheduler else default_workers()))
    info = {"kind": executor, "workers": n_workers, "scheduler": scheduler}
    wanted = _manifest(experiment, info)
    targets = {s.name: load_targets(s.targets) for s in experiment.scenarios}
    check_writable(store.path)
    store.check_for(wanted, extend)  # refuse a different experiment before taking the lock or writing anything
    with store.lock() as stale:
        store.check_for(wanted, extend)  # again: another run may have started it meanwhile
        # the executor before the manifest: an unreachable scheduler leaves nothing behind
        with open_executor(executor, workers, scheduler) as (pool, n):
            manifest = store.open_for(wanted, extend)
            return _run_locked(experiment, store, manifest, targets, stale, pool, n, chunk_size, progress,
                               retry_failed, t0)


def _run_locked(experiment, store, manifest, targets, stale, pool, n, chunk_size, progress, retry_failed, t0):
    out = store.path
    notes = []
    if stale:
        notes.append(f"took over {out} from process {stale.get('pid')}, which stopped without releasing it "
                     f"(started {stale.get('started')})")
    if manifest.get("code") != code_fingerprint():
        notes.append(f"the model's source differs from the one that started this store "
                     f"({manifest.get('code')} there, {code_fingerprint()} now): its runs will come from both")
    damaged = store.repair()
    if damaged:
        listed = "; ".join(f"{k} ({v})" for k, v in list(damaged.items())[:5])
        more = f" and {len(damaged) - 5} more" if len(damaged) > 5 else ""
        notes.append(f"{len(damaged)} damaged run{'s' if len(damaged) != 1 else ''} found in {out} and run again: "
                     f"{listed}{more}")

    records = store.records()
    seeds = experiment.seeds
    todo = deque()
    for s in experiment.scenarios:
        for r, seed in enumerate(seeds):
            rec = records.get(run_key(s.name, r))
            if rec is None or (retry_failed and rec["status"] == "failed"):
                todo.append((experiment.scenario_for(s, r), r, seed, targets[s.name]))
    skipped = experiment.size - len(todo)
    ok = failed = 0
    if not todo:
        store.write_runs_table(records)
        return RunReport(Path(out), experiment.size, skipped, 0, 0, time.perf_counter() - t0, notes)

    bar = _progress(len(todo), progress)
    last_table = time.monotonic()

    new_records = []

    by_name = {s.name: s for s in experiment.scenarios}

    def save(results):
        """Save a returned chunk's runs as one durable batch (``Store.write_runs``), then count them."""
        nonlocal ok, failed, last_table
        for record, _ in results:
            if experiment.uncertainty == "posterior":
                scenario, r = by_name[record["scenario"]], int(record["replicate"])
                record["draw"] = r % experiment.posteriors[scenario.region].n
                record["uncertain"] = experiment.draw(scenario, r)
        store.write_runs(results)
        for record, _ in results:
            new_records.append(record)
            records[run_key(record["scenario"], record["replicate"])] = record
            if record["status"] == "ok":
                ok += 1
            else:
                failed += 1
        if bar is not None:
            bar.update(len(results))
            bar.set_postfix(failed=failed, refresh=False)
        if time.monotonic() - last_table > TABLE_SECONDS:
            store.write_runs_table(records)
            last_table = time.monotonic()

    try:
        _execute(pool, n, todo, experiment.run_fn, chunk_size, save)
    finally:
        if bar is not None:
            bar.close()
        store.write_runs_table(records)
    other = sorted({r.get("code") for r in new_records if r.get("code") not in (None, code_fingerprint())})
    if other:
        notes.append(f"the model's source changed while this experiment ran: some runs used {', '.join(other)}, "
                     f"not {code_fingerprint()}; rerun into a new folder for consistent results")
    return RunReport(Path(out), experiment.size, skipped, ok, failed, time.perf_counter() - t0, notes)


def _execute(pool, n: int, todo: deque, run_fn, chunk_size: int | None, save) -> None:
    """Feed ``todo`` to ``pool`` in chunks, at most two per worker in flight; ``save`` each returned chunk.

    Without ``chunk_size``, chunks hold about ``CHUNK_SECONDS`` of runs, judged from the
    runs finished so far (one run per chunk until then), and never more than an equal
    share of what is left per worker.
    """
    timings: list[float] = []
    in_flight: dict = {}

    def next_chunk():
        if chunk_size:
            k = chunk_size
        elif timings:
            k = max(1, round(CHUNK_SECONDS / max(float(np.mean(timings)), 1e-6)))
        else:
            k = 1
        k = min(k, max(1, -(-len(todo) // n)))
        return [todo.popleft() for _ in range(min(k, len(todo)))]

    try:
        while todo or in_flight:
            while todo and len(in_flight) < 2 * n:
                chunk = next_chunk()
                in_flight[pool.submit(run_chunk, run_fn, chunk)] = chunk
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for fut in done:
                chunk = in_flight.pop(fut)
                try:
                    results = fut.result()
                except Exception:  # the worker died, or the task could not be sent or returned
                    error = traceback.format_exc()
                    results = [
                        ({"scenario": s.name, "replicate": r, "seed": seed, "status": "failed", "error": error,
                          "wall_s": None, "targets": {}, "target_ids": [t.id for t in tg]}, None)
                        for s, r, seed, tg in chunk
                    ]
                for record, _ in results:
                    if record["status"] == "ok":
                        timings.append(record["wall_s"])
                save(results)
    except BaseException:  # interrupted: do not start what is still queued
        for fut in in_flight:
            fut.cancel()
        raise

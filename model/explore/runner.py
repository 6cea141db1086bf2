"""Run a design: every sample point × replicates, through the experiment runner and its store.

Sample point ``i`` becomes scenario ``x{i:05d}`` (the base scenario with the point's
values); replicate ``r`` of every point runs on the same seed (common random numbers),
so differences between points are not blurred by different random draws. The store is
an ordinary experiment store (``model/experiment/README.md``) plus ``explore.json`` (the
problem and the design); ``runs.parquet`` has one column per factor.

A store grows: ``grow(out, samples=…, replicates=…)`` (or the same command with larger
``-n`` / ``-r``) runs only the new points and replicates, and the grown store equals
one run at the larger size from the start. An interrupted run resumes the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.calendar import month_end
from ..experiment import Experiment, Store, StoreError, run_experiment
from ..experiment.runner import simulate_scenario
from ..experiment.store import atomic_write
from .design import Design
from .problem import Problem

__all__ = ["EXPLORE", "Exploration", "ExploreResults", "grow", "open_exploration", "sample_name"]

EXPLORE = "explore.json"


def sample_name(i: int) -> str:
    return f"x{int(i):05d}"


@dataclass(frozen=True)
class Exploration:
    """A problem, a design, replicates per point and the root seed of the replicate seeds."""

    problem: Problem
    design: Design
    replicates: int = 5
    seed: int = 0
    run_fn: Any = field(default=None, compare=False)

    def samples(self) -> pd.DataFrame:
        return self.design.samples(self.problem)

    def scenarios(self):
        return [self.problem.scenario(row._asdict(), sample_name(i))
                for i, row in enumerate(self.samples().itertuples(index=False))]

    def experiment(self) -> Experiment:
        return Experiment(self.scenarios(), replicates=self.replicates, seed=self.seed,
                          run_fn=self.run_fn or simulate_scenario)

    @property
    def size(self) -> int:
        return self.design.size(self.problem) * self.replicates

    def grown(self, samples: int | None = None, replicates: int | None = None) -> Exploration:
        design = self.design if samples is None else self.design.grown(samples)
        reps = self.replicates if replicates is None else int(replicates)
        if reps < self.replicates:
            raise ValueError(f"a store only grows: it has {self.replicates} replicates, asked for {reps}")
        return replace(self, design=design, replicates=reps)

    def to_dict(self) -> dict[str, Any]:
        return {"format": 1, "problem": self.problem.to_dict(), "design": self.design.to_dict(),
                "replicates": self.replicates, "seed": self.seed}

    def run(self, out, *, executor: str = "local", workers: int | None = None, scheduler: str | None = None,
            chunk_size: int | None = None, progress: bool = True, retry_failed: bool = False) -> ExploreResults:
        """Run what ``out`` does not hold yet (all of it for a new store); return the results."""
        out = Path(out)
        store = Store(out)
        if store.exists() and (out / EXPLORE).is_file():
            old = open_exploration(out, run_fn=self.run_fn)
            why = _not_grown(old, self)
            if why:
                raise StoreError(f"{out} holds another exploration ({why}); use another output folder")
        report = run_experiment(self.experiment(), out, executor=executor, workers=workers, scheduler=scheduler,
                                chunk_size=chunk_size, progress=progress, retry_failed=retry_failed, extend=True)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
        atomic_write(out / EXPLORE, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        return ExploreResults(out, self, report)


def _not_grown(old: Exploration, new: Exploration) -> str:
    if old.problem.to_dict() != new.problem.to_dict():
        return "a different problem: factors, ranges or base scenario"
    if old.seed != new.seed:
        return f"seed {old.seed} there, {new.seed} now"
    if not new.design.extends(old.design):
        return (f"design {old.design.method} {list(old.design.batches)} (seed {old.design.seed}) there, "
                f"{new.design.method} {list(new.design.batches)} (seed {new.design.seed}) now")
    if new.replicates < old.replicates:
        return f"{old.replicates} replicates there, {new.replicates} now: a store only grows"
    return ""


def open_exploration(out, run_fn=None) -> Exploration:
    """The exploration a store at ``out`` holds (from its ``explore.json``)."""
    path = Path(out) / EXPLORE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{out} holds no exploration (no {EXPLORE}); make one with `wushe explore`") from None
    return Exploration(Problem.from_dict(data["problem"]), Design.from_dict(data["design"]),
                       int(data["replicates"]), int(data["seed"]), run_fn)


def grow(out, samples: int | None = None, replicates: int | None = None, run_fn=None, **run_kwargs) -> ExploreResults:
    """Grow the store at ``out`` to ``samples`` (the design's size) and ``replicates``; run only what is new."""
    return open_exploration(out, run_fn).grown(samples, replicates).run(out, **run_kwargs)


class ExploreResults:
    """A store's runs as a problem's outcomes: one row per sample point × replicate."""

    def __init__(self, path, exploration: Exploration | None = None, report=None):
        self.path = Path(path)
        self.exploration = exploration or open_exploration(path)
        self.report = report

    @property
    def problem(self) -> Problem:
        return self.exploration.problem

    @property
    def design(self) -> Design:
        return self.exploration.design

    def runs(self) -> pd.DataFrame:
        return Store(self.path).runs()

    def outcomes(self) -> pd.DataFrame:
        """sample, replicate, seed, status, the factors' values, then every outcome (met flags as 0/1).

        Only the design's points at this exploration's size (a store may hold more).
        """
        names = {sample_name(i): i for i in range(self.design.size(self.problem))}
        frame = outcomes_of(self.path, self.problem, names, self.exploration.replicates)
        return frame.rename(columns={"point": "sample"})

    def means(self, outcome: str | None = None) -> pd.DataFrame:
        """Each sample point's mean over its replicates (for met flags: the chance of meeting)."""
        frame = self.outcomes()
        cols = [o.name for o in self.problem.outcomes] if outcome is None else [outcome]
        out = frame.groupby("sample")[[*self.problem.names]].first()
        return out.join(frame.groupby("sample")[cols].mean())

    def __repr__(self) -> str:
        e = self.exploration
        return (f"ExploreResults({self.path}: {e.design.method} design of {e.design.size(e.problem)} points × "
                f"{e.replicates} replicates over {', '.join(e.problem.names)})")


def outcomes_of(path, problem: Problem, names: dict[str, int], replicates: int) -> pd.DataFrame:
    """The runs of the scenarios ``names`` (scenario → point number) in the store at ``path``, as outcomes.

    point, replicate, seed, status, the factors' values, then every outcome of ``problem``.
    """
    runs = Store(path).runs()
    runs = runs[runs["scenario"].isin(names) & (runs["replicate"] < replicates)].copy()
    runs.insert(0, "point", runs["scenario"].map(names).astype("int64"))
    frame = runs[["point", "replicate", "seed", "status", *problem.names]].copy()
    for o in problem.outcomes:
        if o.kind == "met":
            col = runs[f"{o.target}_met"].astype("float64")
            frame[o.name] = col.where(runs["status"] == "ok")
        elif o.kind == "value":
            frame[o.name] = runs[f"{o.target}_value"].astype("float64")
    wanted = [o for o in problem.outcomes if o.kind == "indicator"]
    if wanted:
        ts = Store(path).timeseries(sorted({o.indicator for o in wanted}))
        ts = ts[ts["scenario"].isin(names)]
        key = ["scenario", "replicate"]
        for o in wanted:
            upto = ts[ts["date"] <= o.date]
            last = upto.groupby(key, sort=False).agg(date=("date", "max"), v=(o.indicator, "last"))
            last.loc[last["date"] < month_end(o.date), "v"] = np.nan  # the run ends earlier
            idx = pd.MultiIndex.from_frame(runs[key])
            frame[o.name] = last["v"].reindex(idx).to_numpy()
    return frame.sort_values(["point", "replicate"]).reset_index(drop=True)

"""Fitting the model's uncertain parameters to what was observed up to 2022.

The method, in three steps:

1. **The likelihood.** A parameter set θ is run from the backcast start to the end of
   the record on ``seeds`` common random numbers (the same seeds for every θ, so the
   likelihood is a smooth, deterministic function of θ and the fit is reproducible).
   Each observation ``y`` with its stated range is compared with the model's mean ``m``
   over those runs: the stated range is read as a 90% interval of the figure
   (σ_obs = half-width / 1.645) and the model's own run-to-run spread ``s`` is added,
   ``log L = Σ log N(y; m, σ_obs² + (1 + 1/K) s²)``, with ``s²`` never below a pilot
   estimate from ``pilot_seeds`` runs at the defaults; a "more than" figure contributes
   ``log Φ((m − y) / σ)``. This is a Gaussian synthetic likelihood (Wood 2010, Nature
   466:1102) on common random numbers.
2. **Screening.** SALib's Morris method over the prior ranges ranks the schema's
   uncertainties by how much they move that likelihood (μ*); only those above a share
   of the largest are fitted, the rest stay at their priors (and are sampled from them
   wherever the posterior is used).
3. **Sampling.** emcee's affine-invariant ensemble sampler (Goodman & Weare 2010) draws
   the fitted parameters on the unit cube of their prior ranges (uniform priors). Each
   step's walkers are evaluated through ``Executor.map`` on the project's executors
   (serial, loky, Dask), in order, so the chain is the same on any executor. Every
   step is written to the calibration folder; a stopped calibration resumes where it
   stopped and gives the same chain.

Nothing after ``end`` (2022-12 by default) enters the fit: the forecast is out of sample.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.stats import norm

from ..core.calendar import month_end
from ..params import SCHEMA, validate

__all__ = [
    "CalibrationError",
    "CalibrationSpec",
    "ObservationMatrix",
    "calibrate",
    "log_likelihood",
    "observation_matrix",
    "uncertainties",
]

Z90 = float(norm.ppf(0.95))  # a stated range is read as a 90% interval: half-width = 1.645 σ
FORMAT = 1


class CalibrationError(ValueError):
    """A calibration that cannot start: the message says what is wrong and where."""


def uncertainties() -> list[str]:
    """The schema's numeric uncertainties: the parameters a calibration may fit."""
    return [n for n, p in SCHEMA.items() if p.kind == "uncertainty" and p.type in ("float", "int")]


# --------------------------------------------------------------------------------------
# What a calibration is
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationSpec:
    """Everything that decides a calibration's result (compared on resume).

    ``history`` is the dated scenario whose levers the runs follow from ``start`` (the
    policy record, e.g. ``history_2018``: stations, bases and funds as they were built,
    not today's defaults from 2018); ``"auto"`` takes the region's scenario tagged
    ``backcast`` that starts at ``start``, ``None`` none. Its levers come first and
    ``params``/``changes`` override them; the merged values are what the spec records.
    ``parameters`` names the uncertainties to consider (all of them by default);
    ``fit`` forces the ones to fit and skips screening. ``seeds`` is the number of
    common random numbers per evaluation; ``walkers × steps`` the sampler's budget, of
    which ``burn`` steps are discarded and every ``thin``-th kept; ``draws`` the size of
    the posterior written out.
    """

    region: str = "hubei"
    start: str = "2018-01"
    end: str = "2022-12"
    params: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    history: str | None = "auto"
    parameters: tuple[str, ...] = ()
    fit: tuple[str, ...] = ()
    seeds: int = 2
    pilot_seeds: int = 8
    screen_trajectories: int = 6
    screen_levels: int = 4
    screen_share: float = 0.10
    max_fitted: int = 6
    walkers: int = 16
    steps: int = 60
    burn: int = 20
    thin: int = 2
    draws: int = 200
    seed: int = 0

    def __post_init__(self):
        names = list(self.parameters) or uncertainties()
        allowed = set(uncertainties())
        for name in [*names, *self.fit]:
            if name not in allowed:
                raise CalibrationError(f'"{name}" is not a numeric uncertainty of the schema; valid ones are: '
                                       f'{", ".join(sorted(allowed))}')
        object.__setattr__(self, "parameters", tuple(names))
        object.__setattr__(self, "fit", tuple(self.fit))
        object.__setattr__(self, "params", dict(validate(self.params)))
        self._apply_history()
        for key, low in (("seeds", 1), ("pilot_seeds", 2), ("screen_trajectories", 2), ("walkers", 4), ("steps", 1), ("thin", 1),
                         ("draws", 1), ("max_fitted", 1)):
            if int(getattr(self, key)) < low:
                raise CalibrationError(f"{key} must be at least {low}; got {getattr(self, key)}")
        if not 0 <= int(self.burn) < int(self.steps):
            raise CalibrationError(f"burn must be in [0, steps); got {self.burn} with steps = {self.steps}")
        if int(self.seed) < 0:
            raise CalibrationError(f"seed must be a whole number ≥ 0; got {self.seed}")

    def _apply_history(self) -> None:
        from ..scenarios import ScenarioError, available_scenarios, load_scenario

        name = self.history
        if name == "auto":
            name = None
            for candidate in available_scenarios():
                try:
                    sc = load_scenario(candidate)
                except ScenarioError:
                    continue
                if "backcast" in sc.tags and sc.region == self.region and sc.start == self.start:
                    name = candidate
                    break
        if name is None:
            object.__setattr__(self, "history", None)
            return
        try:
            sc = load_scenario(name)
        except ScenarioError as exc:
            raise CalibrationError(f"history: {exc}") from None
        if sc.region != self.region or sc.start != self.start:
            raise CalibrationError(f'history "{name}" runs {sc.region} from {sc.start}; the calibration runs '
                                   f"{self.region} from {self.start}: they must agree")
        kw = sc.simulate_kwargs()
        changes = {d: dict(v) for d, v in kw["changes"].items()}
        for date, values in self.changes.items():
            changes.setdefault(date, {}).update(values)
        object.__setattr__(self, "history", name)
        object.__setattr__(self, "params", {**kw["params"], **self.params})
        object.__setattr__(self, "changes", dict(sorted(changes.items())))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["parameters"] = list(self.parameters)
        out["fit"] = list(self.fit)
        return out

    @property
    def run_seeds(self) -> list[int]:
        """The common random numbers every evaluation uses (independent of the sampler's stream)."""
        return _seeds([int(self.seed), 0x0CA1], int(self.seeds))

    @property
    def pilot(self) -> list[int]:
        """The seeds of the pilot runs that estimate the model's run-to-run variance."""
        return _seeds([int(self.seed), 0x9170], int(self.pilot_seeds))


def _seeds(entropy: list[int], n: int) -> list[int]:
    children = np.random.SeedSequence(entropy).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


@dataclass(frozen=True)
class ObservationMatrix:
    """The observations a fit uses, as arrays, and those it leaves out with the reason."""

    table: pd.DataFrame  # used: date, indicator, value, low, high, bound, sigma, source
    left_out: pd.DataFrame  # date, indicator, area, why (English), why_zh

    @property
    def n(self) -> int:
        return len(self.table)


def observation_matrix(observations: pd.DataFrame, start: str, end: str) -> ObservationMatrix:
    """Select the observations a province-level run from ``start`` to ``end`` can be compared with.

    Kept: values of recorded or derived indicators dated inside the run window, for the
    province or for a prefecture where the indicator can be read for one (``AREA_INDICATORS``:
    Wuhan's volunteers and stations), and counts of communities; cumulative indicators
    only when the run starts no later than the series did.
    σ is the stated half-width read as a 90% interval (a floor's: value − low).
    """
    from ..backcast import AREA_INDICATORS
    from ..indicators import INDICATORS
    from ..observed import DERIVED

    t0, t1 = month_end(start), month_end(end)
    keep, out = [], []
    for row in observations.to_dict("records"):
        area = row.get("area", "province")
        why = why_zh = None
        if area != "province" and row["indicator"] not in AREA_INDICATORS:
            why = f"area {area}: the model records this indicator for the province only"
            why_zh = f"地区 {area}:模型只记录该指标的全省数值"
        elif row.get("measure", "value") not in ("value", "count"):
            why = f"measure {row['measure']}: not a value of the indicator"
            why_zh = f"计量方式 {row['measure']}:不是该指标的数值"
        elif row["indicator"] not in INDICATORS and row["indicator"] not in DERIVED:
            why, why_zh = "not an indicator", "不是模型指标"
        elif not (t0 <= row["date"] <= t1):
            why = f"dated outside the fitted window {start}–{end}"
            why_zh = f"日期在拟合时段 {start}–{end} 之外"
        elif pd.notna(row.get("cumulative_from")) and t0 > pd.Timestamp(row["cumulative_from"]):
            since = f"{pd.Timestamp(row['cumulative_from']):%Y-%m}"
            why = f"cumulative since {since}, after the run's start"
            why_zh = f"自 {since} 起累计,早于运行起点"
        if why:
            out.append({"date": row["date"], "indicator": row["indicator"], "area": area, "why": why,
                        "why_zh": why_zh})
            continue
        bound = row.get("bound", "point")
        half = (row["value"] - row["low"]) if bound == "lower" else (row["high"] - row["low"]) / 2
        sigma = max(float(half) / Z90, 1e-9 * max(1.0, abs(float(row["value"]))))
        keep.append({"date": row["date"], "indicator": row["indicator"], "area": area,
                     "measure": row.get("measure", "value"), "value": float(row["value"]),
                     "low": float(row["low"]), "high": float(row["high"]), "bound": bound, "sigma": sigma,
                     "source": row.get("source", "")})
    table = pd.DataFrame(keep, columns=["date", "indicator", "area", "measure", "value", "low", "high", "bound",
                                        "sigma", "source"])
    left = pd.DataFrame(out, columns=["date", "indicator", "area", "why", "why_zh"])
    if table.empty:
        raise CalibrationError(f"no observation can be compared with a run from {start} to {end}")
    return ObservationMatrix(table.reset_index(drop=True), left)


# --------------------------------------------------------------------------------------
# The likelihood (runs in worker processes: module-level functions, plain arguments)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What a worker needs to evaluate a parameter set: sent with every task (small)."""

    region: str
    start: str
    end: str
    params: dict
    changes: dict
    seeds: tuple[int, ...]
    names: tuple[str, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    ints: tuple[bool, ...]
    obs_dates: tuple
    obs_indicators: tuple[str, ...]
    obs_areas: tuple[str, ...] = ()
    obs_measures: tuple[str, ...] = ()
    run_fn: Callable | None = None
    model_var: tuple[float, ...] | None = None


def _theta(ctx: _Context, u: np.ndarray) -> dict[str, Any]:
    values = {}
    for name, lo, hi, is_int, x in zip(ctx.names, ctx.lows, ctx.highs, ctx.ints, u, strict=True):
        v = lo + float(x) * (hi - lo)
        values[name] = int(round(v)) if is_int else v
    return values


def model_values(ctx: _Context, theta: dict[str, Any]) -> np.ndarray:
    """The model's value at every observation, one row per common random number."""
    from ..backcast import observed_value, run_observed

    n = len(ctx.obs_dates)
    areas = ctx.obs_areas or ("province",) * n
    measures = ctx.obs_measures or ("value",) * n
    prefectures = tuple(sorted({a for a in areas if a != "province"}))
    kw = {"region": ctx.region, "start": ctx.start, "end": ctx.end, "params": {**ctx.params, **theta},
          "changes": ctx.changes or None}
    rows = []
    for seed in ctx.seeds:
        if ctx.run_fn is not None:
            frame, area_frames, communities = ctx.run_fn(seed=seed, **kw), {}, 1
        else:
            frame, area_frames, communities = run_observed(seed, prefectures, **kw)
        rows.append([observed_value(frame, area_frames, communities, ind, date, area, measure)
                     for date, ind, area, measure in zip(ctx.obs_dates, ctx.obs_indicators, areas, measures,
                                                         strict=True)])
    return np.asarray(rows, dtype=float)


def log_likelihood(values: np.ndarray, obs: pd.DataFrame, model_var: np.ndarray | None = None) -> float:
    """Gaussian synthetic log-likelihood of observations given runs (rows) at each observation (columns).

    The model's run-to-run variance is the larger of the runs' own and ``model_var`` (a
    pilot estimate from many seeds: two runs alone can agree by chance), inflated by
    ``1 + 1/K`` because the mean of K runs stands for the one world that was observed.
    """
    k = values.shape[0]
    m = values.mean(axis=0)
    s2 = values.var(axis=0, ddof=1) if k > 1 else np.zeros(values.shape[1])
    if model_var is not None:
        s2 = np.maximum(s2, np.asarray(model_var, dtype=float))
    sigma = np.sqrt(obs["sigma"].to_numpy() ** 2 + s2 * (1 + 1 / k))
    y = obs["value"].to_numpy()
    lower = (obs["bound"] == "lower").to_numpy()
    z = (m - y) / sigma
    ll = np.where(lower, norm.logcdf(z), -0.5 * z**2 - np.log(sigma) - 0.5 * math.log(2 * math.pi))
    total = float(np.sum(ll))
    return total if math.isfinite(total) else -math.inf


def _evaluate(ctx: _Context, obs: pd.DataFrame, u) -> tuple[float, np.ndarray]:
    u = np.asarray(u, dtype=float)
    if np.any(u < 0) or np.any(u > 1):
        return -math.inf, np.full((len(ctx.seeds), len(obs)), np.nan)
    try:
        values = model_values(ctx, _theta(ctx, u))
    except Exception:  # a parameter set the model cannot run has no likelihood
        return -math.inf, np.full((len(ctx.seeds), len(obs)), np.nan)
    return log_likelihood(values, obs, ctx.model_var), values


def _log_prob(ctx: _Context, obs: pd.DataFrame, u) -> float:
    """emcee's target on the unit cube: uniform priors, the synthetic likelihood."""
    return _evaluate(ctx, obs, u)[0]


def _timed(fn, item) -> tuple[Any, float]:
    """``fn(item)`` and the CPU seconds it took in the worker that ran it."""
    t0 = time.process_time()
    out = fn(item)
    return out, time.process_time() - t0


class _ExecutorPool:
    """The ``map`` emcee asks of a pool, on a ``concurrent.futures`` executor, results in order.

    ``cpu`` collects each task's CPU seconds in its worker (a load-independent measure of
    a model run, beside the wall time).
    """

    def __init__(self, executor, workers: int, on_done: Callable[[int], None] | None = None):
        self.executor = executor
        self.workers = workers
        self.on_done = on_done
        self.cpu: list[float] = []

    def map(self, fn, iterable: Iterable) -> list:
        items = list(iterable)
        futures = [self.executor.submit(_timed, fn, item) for item in items]
        out = []
        for fut in futures:
            value, cpu = fut.result()
            out.append(value)
            self.cpu.append(cpu)
            if self.on_done:
                self.on_done(1)
        return out


# --------------------------------------------------------------------------------------
# The calibration folder: resumable
# --------------------------------------------------------------------------------------


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, (pd.Timestamp,)):
        return x.isoformat()
    raise TypeError(type(x).__name__)


def _hash_frame(frame: pd.DataFrame) -> str:
    text = frame.to_csv(index=False, date_format="%Y-%m-%d")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Calibration:
    """A finished (or resumed) calibration: its folder, screening, chain and settings."""

    path: Path
    spec: CalibrationSpec
    observations: ObservationMatrix
    screening: pd.DataFrame  # name, mu_star, mu_star_conf, sigma, fitted
    fitted: list[str]
    chain: pd.DataFrame  # step, walker, log_prob, then the fitted parameters
    info: dict[str, Any]

    def samples(self) -> pd.DataFrame:
        """The chain after burn-in, thinned: one row per kept walker position."""
        keep = self.chain[(self.chain["step"] >= self.spec.burn)
                          & ((self.chain["step"] - self.spec.burn) % self.spec.thin == 0)]
        return keep.reset_index(drop=True)

    def posterior(self):
        """The posterior draws (fitted from the chain, the rest from their priors), with provenance."""
        from .posterior import Posterior

        return Posterior.from_calibration(self)


def _pilot_run(ctx: _Context, seed: int) -> np.ndarray:
    return model_values(replace(ctx, seeds=(seed,)), {})[0]


def _pilot(ctx_for, obs: pd.DataFrame, spec: CalibrationSpec, pool: _ExecutorPool, path: Path) -> tuple:
    """The model's run-to-run variance at each observation, from pilot runs at the prior's defaults."""
    file = path / "pilot.parquet"
    if file.exists():
        values = pd.read_parquet(file).to_numpy(dtype=float)
    else:
        values = np.asarray(pool.map(functools.partial(_pilot_run, ctx_for([])), spec.pilot), dtype=float)
        frame = pd.DataFrame(values, columns=[f"obs_{i}" for i in range(values.shape[1])])
        _write_atomic(file, lambda p: frame.to_parquet(p, index=False))
    return tuple(float(v) for v in values.var(axis=0, ddof=1))


def _screen(ctx_all: _Context, obs: pd.DataFrame, spec: CalibrationSpec, pool: _ExecutorPool,
            path: Path, progress) -> pd.DataFrame:
    """Morris elementary effects of every considered uncertainty on the log-likelihood (SALib)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    file = path / "screening.parquet"
    problem = {"num_vars": len(ctx_all.names), "names": list(ctx_all.names),
               "bounds": [[0.0, 1.0]] * len(ctx_all.names)}
    X = morris_sample.sample(problem, int(spec.screen_trajectories), num_levels=int(spec.screen_levels),
                             seed=int(spec.seed))
    if file.exists():
        done = pd.read_parquet(file)
        Y = done["log_likelihood"].to_numpy()
    else:
        bar = progress(len(X), "screening")
        pool.on_done = (lambda k: bar.update(k)) if bar else None
        Y = np.asarray(pool.map(functools.partial(_log_prob, ctx_all, obs), list(X)), dtype=float)
        pool.on_done = None
        if bar:
            bar.close()
        frame = pd.DataFrame(X, columns=list(ctx_all.names))
        frame["log_likelihood"] = Y
        _write_atomic(file, lambda p: frame.to_parquet(p, index=False))
    finite = np.isfinite(Y)
    floor = np.min(Y[finite]) - 1.0 if finite.any() else -1e9
    Y = np.where(finite, Y, floor)  # a run that cannot be evaluated counts as the worst seen
    result = morris_analyze.analyze(problem, X, Y, num_levels=int(spec.screen_levels), seed=int(spec.seed))
    table = pd.DataFrame({"name": list(ctx_all.names), "mu_star": result["mu_star"],
                          "mu_star_conf": result["mu_star_conf"], "sigma": result["sigma"]})
    return table.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


def _choose(screening: pd.DataFrame, spec: CalibrationSpec) -> list[str]:
    top = float(screening["mu_star"].max())
    chosen = screening[screening["mu_star"] >= spec.screen_share * top]["name"].tolist()
    return chosen[: int(spec.max_fitted)]


def _progress_factory(enabled: bool):
    def make(total: int, desc: str):
        if not enabled:
            return None
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, unit="eval", dynamic_ncols=True, file=sys.stderr)

    return make


def calibrate(
    out: str | Path,
    spec: CalibrationSpec | None = None,
    *,
    observations: pd.DataFrame | str | Path | None = None,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    run_fn: Callable | None = None,
) -> Calibration:
    """Screen, then fit the model's uncertainties to the observations; resumable in ``out``.

    ``observations`` is a region name or file read by ``model.load_observations`` (the
    spec's region by default) or a DataFrame of the same columns. The same call on the
    same ``out`` continues a stopped calibration; a different spec or different
    observations there raise CalibrationError and change nothing.
    """
    import emcee

    from ..experiment.executors import open_executor
    from ..experiment.runner import code_fingerprint
    from ..observed import load_observations

    spec = spec or CalibrationSpec()
    if observations is None:
        observations = spec.region
    if not isinstance(observations, pd.DataFrame):
        observations = load_observations(observations)
    matrix = observation_matrix(observations, spec.start, spec.end)
    obs = matrix.table
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    identity = {"format": FORMAT, "spec": spec.to_dict(), "observations": _hash_frame(obs),
                "run_fn": None if run_fn is None else f"{run_fn.__module__}:{run_fn.__qualname__}"}
    state_file = path / "calibration.json"
    if state_file.exists():
        try:
            old = json.loads(state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CalibrationError(f"{state_file}: not a calibration record ({exc})") from None
        if old.get("identity") != identity:
            diff = [k for k in identity if old.get("identity", {}).get(k) != identity[k]]
            raise CalibrationError(f"{path} holds a different calibration (differs in: {', '.join(diff)}); "
                                   f"choose another folder")
        info = old
    else:
        info = {"identity": identity, "created": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
                "code": code_fingerprint(), "observations_used": int(matrix.n), "model_runs": 0,
                "run_seconds": []}
        _write_atomic(state_file, lambda p: p.write_text(json.dumps(info, indent=1, default=_json_default)))

    def ctx_for(names: list[str], seeds=None, model_var=None) -> _Context:
        ps = [SCHEMA[n] for n in names]
        return _Context(spec.region, spec.start, spec.end, dict(spec.params), dict(spec.changes),
                        tuple(seeds or spec.run_seeds), tuple(names), tuple(float(p.min) for p in ps),
                        tuple(float(p.max) for p in ps), tuple(p.type == "int" for p in ps),
                        tuple(obs["date"]), tuple(obs["indicator"]), tuple(obs["area"]), tuple(obs["measure"]),
                        run_fn, model_var)

    progress_bar = _progress_factory(progress)
    with open_executor(executor, workers, scheduler) as (pool_exec, n):
        pool = _ExecutorPool(pool_exec, n)
        t_start = time.perf_counter()
        evals_before = info["model_runs"]
        model_var = _pilot(ctx_for, obs, spec, pool, path)
        if spec.fit:
            screening = pd.DataFrame({"name": list(spec.fit), "mu_star": np.nan, "mu_star_conf": np.nan,
                                      "sigma": np.nan})
            fitted = list(spec.fit)
            screen_evals = 0
        else:
            screening = _screen(ctx_for(list(spec.parameters), model_var=model_var), obs, spec, pool, path,
                                progress_bar)
            fitted = _choose(screening, spec)
            screen_evals = int(spec.screen_trajectories) * (len(spec.parameters) + 1)
        screening["fitted"] = screening["name"].isin(fitted)
        ctx = ctx_for(fitted, model_var=model_var)
        chain = _sample(ctx, obs, spec, pool, path, progress_bar, emcee, info)
        info["fitted"] = fitted
        info["left_at_prior"] = [p for p in uncertainties() if p not in fitted]
        info["wall_seconds_last_session"] = time.perf_counter() - t_start
        info["wall_seconds"] = float(info.get("wall_seconds", 0.0)) + info["wall_seconds_last_session"]
        steps_done = int(chain["step"].max()) + 1 if len(chain) else 0
        walkers = int(chain["walker"].max()) + 1 if len(chain) else 0
        info["model_runs"] = (screen_evals + (steps_done + 1) * walkers) * int(spec.seeds) + int(spec.pilot_seeds)
        info["model_runs_last_session"] = info["model_runs"] - evals_before
        _write_atomic(state_file, lambda p: p.write_text(json.dumps(info, indent=1, default=_json_default)))
    return Calibration(path, spec, matrix, screening, fitted, chain, info)


def _sample(ctx: _Context, obs: pd.DataFrame, spec: CalibrationSpec, pool: _ExecutorPool, path: Path,
            progress_bar, emcee, info: dict) -> pd.DataFrame:
    """Run (or continue) the ensemble sampler, one step at a time, each step written to the folder."""
    d = len(ctx.names)
    chain_file = path / "chain.parquet"
    nwalkers = max(int(spec.walkers), 2 * d + 2)
    nwalkers += nwalkers % 2
    cols = ["step", "walker", "log_prob", *[f"u_{n}" for n in ctx.names], *ctx.names]
    if chain_file.exists():
        table = pq.read_table(chain_file)
        chain = table.to_pandas()
        saved = json.loads(table.schema.metadata[_STATE_KEY])
        done = int(chain["step"].max()) + 1 if len(chain) else 0
        last = chain[chain["step"] == done - 1].sort_values("walker")
        coords = last[[f"u_{n}" for n in ctx.names]].to_numpy()
        log_prob = last["log_prob"].to_numpy()
        random_state = _rng_from_json(saved["random_state"])
    else:
        chain = pd.DataFrame(columns=cols)
        done = 0
        init = np.random.default_rng([int(spec.seed), 0x1417]).random((nwalkers, d))
        coords, log_prob = init, None
        random_state = np.random.RandomState(int(spec.seed)).get_state()
    remaining = int(spec.steps) - done
    if remaining <= 0:
        return chain
    bar = progress_bar(remaining * nwalkers + (0 if log_prob is not None else nwalkers), "sampling")
    pool.on_done = (lambda k: bar.update(k)) if bar else None
    sampler = emcee.EnsembleSampler(nwalkers, d, functools.partial(_log_prob, ctx, obs), pool=pool)
    sampler.random_state = random_state
    start = emcee.State(coords, log_prob=log_prob, random_state=random_state)
    try:
        t_eval = time.perf_counter()
        for step, state in enumerate(sampler.sample(start, iterations=remaining), start=done):
            elapsed = time.perf_counter() - t_eval
            rows = pd.DataFrame(state.coords, columns=[f"u_{n}" for n in ctx.names])
            for name, lo, hi, is_int in zip(ctx.names, ctx.lows, ctx.highs, ctx.ints, strict=True):
                v = lo + rows[f"u_{name}"] * (hi - lo)
                rows[name] = v.round() if is_int else v
            rows.insert(0, "log_prob", state.log_prob)
            rows.insert(0, "walker", np.arange(nwalkers))
            rows.insert(0, "step", step)
            chain = rows if chain.empty else pd.concat([chain, rows], ignore_index=True)
            evaluated = nwalkers * (2 if step == 0 and log_prob is None else 1)
            per_run = elapsed * pool.workers / (evaluated * len(ctx.seeds))
            info["run_seconds"] = (info.get("run_seconds", []) + [per_run])[-1000:]
            per_eval = pool.cpu[-evaluated:]
            info["run_cpu_seconds"] = (info.get("run_cpu_seconds", [])
                                       + [c / len(ctx.seeds) for c in per_eval])[-5000:]
            info["acceptance"] = [float(a) for a in np.atleast_1d(sampler.acceptance_fraction)]
            # the chain and the sampler's random state in one file, replaced at once: a stop
            # anywhere leaves a consistent pair to resume from
            _write_chain(chain_file, chain, sampler.random_state)
            t_eval = time.perf_counter()
    finally:
        pool.on_done = None
        if bar:
            bar.close()
    return chain


_STATE_KEY = b"wushe.sampler_state"


def _write_chain(file: Path, chain: pd.DataFrame, random_state) -> None:
    table = pa.Table.from_pandas(chain, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[_STATE_KEY] = json.dumps({"random_state": _rng_to_json(random_state)}).encode()
    table = table.replace_schema_metadata(meta)
    _write_atomic(file, lambda p: pq.write_table(table, p))


def _rng_to_json(state) -> list:
    kind, keys, pos, has_gauss, cached = state
    return [kind, [int(k) for k in keys], int(pos), int(has_gauss), float(cached)]


def _rng_from_json(data) -> tuple:
    kind, keys, pos, has_gauss, cached = data
    return (kind, np.asarray(keys, dtype=np.uint32), int(pos), int(has_gauss), float(cached))

"""Posterior draws of the uncertain parameters: a Parquet file with its provenance.

A posterior file holds a few hundred draws, one row each (``draw``, then one column per
numeric uncertainty of the schema). Fitted parameters come from the calibration's chain;
the others are drawn from their priors (uniform over the schema's range), so that every
answer carries what is not known, fitted or not. The file's metadata says how it was
made: region, observations and their hash, the model's source fingerprint, method and
settings, what was fitted and what was left at its prior, date, and the command that
rebuilds it.

Replicate ``r`` of an experiment run with ``uncertainty="posterior"`` takes draw
``r mod n`` (and seed ``r``), so scenarios stay paired: the same world, the same dice.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..params import SCHEMA

__all__ = ["POSTERIOR_DIR", "Posterior", "PosteriorError", "available_posteriors", "load_posterior"]

POSTERIOR_DIR = Path(__file__).resolve().parents[1] / "data" / "posterior"
META_KEY = b"wushe.posterior"

# Regions without a calibration of their own borrow one (their parameters describe
# people and organisations, not the region's size).
BORROWS = {"demo": "hubei", "linhai": "hubei"}


class PosteriorError(ValueError):
    """A posterior that cannot be read or used: the message names the file and what is wrong."""


@dataclass
class Posterior:
    """Draws of the uncertain parameters, with where they come from."""

    draws: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.draws)

    @property
    def parameters(self) -> list[str]:
        return [c for c in self.draws.columns if c != "draw"]

    @property
    def fitted(self) -> list[str]:
        return list(self.meta.get("fitted", []))

    @property
    def identity(self) -> str:
        """A hash of the draws: two stores used the same posterior when theirs agree."""
        import hashlib

        text = self.draws.to_csv(index=False, float_format="%.17g")
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def draw(self, r: int) -> dict[str, Any]:
        """The parameter values of replicate ``r`` (draw ``r mod n``), typed as the schema says."""
        row = self.draws.iloc[int(r) % self.n]
        out = {}
        for name in self.parameters:
            value = row[name]
            out[name] = int(round(float(value))) if SCHEMA[name].type == "int" else float(value)
        return out

    def for_replicates(self, replicates: int) -> list[dict[str, Any]]:
        return [self.draw(r) for r in range(int(replicates))]

    def summary(self) -> pd.DataFrame:
        """Per parameter: fitted or prior, the schema's range, posterior median and 90% interval."""
        rows = []
        for name in self.parameters:
            x = self.draws[name].to_numpy(dtype=float)
            p = SCHEMA[name]
            rows.append({"name": name, "fitted": name in self.fitted, "min": p.min, "max": p.max,
                         "default": p.default, "median": float(np.median(x)), "q05": float(np.quantile(x, 0.05)),
                         "q95": float(np.quantile(x, 0.95)), "label_en": p.label_en, "label_zh": p.label_zh})
        return pd.DataFrame(rows)

    # ----------------------------------------------------------------------------------

    def stale(self, rtol: float = 1e-9) -> list[str]:
        """Indicators of the reference run that differ from when this posterior was fitted (empty: same model)."""
        ref = self.meta.get("reference")
        if not ref:
            return ["(no reference run recorded)"]
        now = model_reference()["values"]
        old = ref.get("values", {})
        # an indicator added since is new output, not a changed number; one that moved or went is
        return sorted(k for k in old if k not in now or not np.isclose(old[k], now[k], rtol=rtol, atol=0.0))

    @classmethod
    def from_calibration(cls, cal) -> Posterior:
        from .fit import uncertainties

        spec = cal.spec
        samples = cal.samples()
        rng = np.random.default_rng([int(spec.seed), 0x9057])
        n = int(spec.draws)
        if len(samples):
            pick = np.sort(rng.choice(len(samples), size=n, replace=len(samples) < n))
            chosen = samples.iloc[pick].reset_index(drop=True)
        else:
            chosen = pd.DataFrame(index=range(n))
        frame = pd.DataFrame({"draw": np.arange(n, dtype=np.int64)})
        for name in uncertainties():
            p = SCHEMA[name]
            if name in cal.fitted:
                frame[name] = chosen[name].to_numpy(dtype=float)
            else:
                frame[name] = rng.uniform(float(p.min), float(p.max), size=n)
            if p.type == "int":
                frame[name] = frame[name].round()
        runs = cal.info.get("run_seconds") or [float("nan")]
        autocorr = _autocorr(cal)
        meta = {
            "region": spec.region,
            "window": [spec.start, spec.end],
            "method": "emcee ensemble sampler on a Gaussian synthetic likelihood with common random numbers; "
                      "SALib Morris screening of the schema's uncertainties",
            "settings": spec.to_dict(),
            "fitted": list(cal.fitted),
            "left_at_prior": [p for p in uncertainties() if p not in cal.fitted],
            "prior": "uniform over each parameter's schema range",
            "observations": cal.info["identity"]["observations"],
            "observations_used": int(cal.observations.n),
            "observations_left_out": int(len(cal.observations.left_out)),
            "code": cal.info.get("code"),
            "created": cal.info.get("created"),
            "model_runs": int(cal.info.get("model_runs", 0)),
            "median_run_seconds": float(np.nanmedian(runs)),
            "median_run_cpu_seconds": float(np.nanmedian(cal.info.get("run_cpu_seconds") or [float("nan")])),
            "wall_seconds": float(cal.info.get("wall_seconds", float("nan"))),
            "acceptance": float(np.mean(cal.info.get("acceptance", [float("nan")]))),
            "autocorr_steps": autocorr,
            "kept_steps": int(spec.steps) - int(spec.burn),
            "screening": cal.screening.to_dict("records"),
            "history": spec.history,
            "reference": model_reference(),
            "rebuild": rebuild_command(spec, cal.path),
        }
        return cls(frame, meta)

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(self.draws, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[META_KEY] = json.dumps(self.meta, ensure_ascii=False, default=str).encode()
        table = table.replace_schema_metadata(meta)
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(table, tmp)
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: str | Path) -> Posterior:
        path = Path(path)
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            raise PosteriorError(f"{path}: not a posterior file ({exc})") from None
        raw = (table.schema.metadata or {}).get(META_KEY)
        meta = json.loads(raw) if raw else {}
        draws = table.to_pandas()
        unknown = [c for c in draws.columns if c != "draw" and c not in SCHEMA]
        if "draw" not in draws.columns or unknown:
            raise PosteriorError(f"{path}: expected a 'draw' column and schema parameters; "
                                 f"unknown: {', '.join(unknown) or 'none'}")
        if draws.empty:
            raise PosteriorError(f"{path}: holds no draws")
        return cls(draws, meta)


_OPTIONS = {"seeds": "--seeds", "screen_trajectories": "--trajectories", "max_fitted": "--max-fitted",
            "walkers": "--walkers", "steps": "--steps", "burn": "--burn", "draws": "--draws", "seed": "--seed"}


def _shown_folder(out) -> str:
    """The folder as the rebuild command shows it: relative to the working folder, or OUT when outside it."""
    path = Path(out).resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return "OUT"


def rebuild_command(spec, out) -> str:
    """The ``wushe calibrate`` line that reproduces a calibration: every setting that is not the default."""
    from .fit import CalibrationSpec

    default = CalibrationSpec(region=spec.region)
    words = ["wushe calibrate", f"--region {spec.region}", f"-o {_shown_folder(out)}"]
    if spec.start != default.start or spec.end != default.end:
        words += [f"--start {spec.start}", f"--end {spec.end}"]
    if spec.history != CalibrationSpec(region=spec.region, start=spec.start).history:
        words.append(f"--history {spec.history or 'none'}")
    if spec.fit:
        words.append("--fit " + " ".join(spec.fit))
    words += [f"{flag} {getattr(spec, key)}" for key, flag in _OPTIONS.items()
              if getattr(spec, key) != getattr(default, key) or key == "seed"]
    return " ".join(words)


def _autocorr(cal) -> dict[str, float]:
    """emcee's integrated autocorrelation time (in steps) of each fitted parameter after burn-in.

    A chain shorter than about 50 autocorrelation times gives a rough posterior; the fit
    report prints these beside the number of steps kept, so a reader can judge.
    """
    import emcee

    chain = cal.chain if hasattr(cal, "chain") else None
    if chain is None or not len(chain) or not cal.fitted:
        return {}
    kept = chain[chain["step"] >= int(cal.spec.burn)]
    steps = int(kept["step"].nunique())
    walkers = int(kept["walker"].nunique())
    out = {}
    for name in cal.fitted:
        x = kept.sort_values(["step", "walker"])[name].to_numpy(dtype=float).reshape(steps, walkers, 1)
        try:
            with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # emcee warns (and logs) of a chain too short: the report says so
                logger = logging.getLogger("emcee.autocorr")
                level, logger.level = logger.level, logging.ERROR
                try:
                    out[name] = float(emcee.autocorr.integrated_time(x, quiet=True)[0])
                finally:
                    logger.setLevel(level)
        except Exception:  # too short a chain to say
            out[name] = float("nan")
    return out


REFERENCE_RUN = {"region": "demo", "seed": 0, "start": "2021-01", "end": "2022-12"}


def model_reference() -> dict[str, Any]:
    """A short reference run's last row: stored with a posterior, so a later change to the model is noticed.

    The posterior is only as good as the model it was fitted to. If a rule changes the
    numbers (any indicator of this run), ``Posterior.stale()`` names what moved and the
    calibration must be rerun (``wushe calibrate --install``).
    """
    from ..simulation import simulate

    frame = simulate(**REFERENCE_RUN)
    last = frame.iloc[-1]
    values = {str(k): float(v) for k, v in last.items() if np.issubdtype(type(v), np.number) and np.isfinite(v)}
    return {**REFERENCE_RUN, "values": values}


def has_posterior(region: str) -> bool:
    """Whether ``load_posterior(region)`` finds one (shipped for the region or borrowed)."""
    name = BORROWS.get(region, region) if not (POSTERIOR_DIR / f"{region}.parquet").exists() else region
    return (POSTERIOR_DIR / f"{name}.parquet").exists()


def available_posteriors() -> list[str]:
    return sorted(p.stem for p in POSTERIOR_DIR.glob("*.parquet"))


def load_posterior(name_or_path: str | Path = "hubei") -> Posterior:
    """A shipped posterior by region name (borrowing where a region has none), or a file."""
    path = Path(name_or_path)
    if path.suffix:
        if not path.exists():
            raise PosteriorError(f"{path}: no such posterior file")
        return Posterior.read(path)
    name = str(name_or_path)
    file = POSTERIOR_DIR / f"{name}.parquet"
    if not file.exists() and name in BORROWS:
        post = load_posterior(BORROWS[name])
        post.meta = {**post.meta, "borrowed_by": name}
        return post
    if not file.exists():
        raise PosteriorError(f'no shipped posterior for "{name}"; shipped ones are: '
                             f'{", ".join(available_posteriors()) or "none"} (build one with `wushe calibrate`)')
    return Posterior.read(file)

"""The experiment store: one folder per experiment, written run by run, safe to resume.

Layout (see ``README.md`` in this folder)::

    OUT/manifest.json                 what was run: version, commit, scenarios, seeds, executor
    OUT/runs.parquet                  one row per scenario × replicate (rebuilt from records/)
    OUT/timeseries/<sc>__r00000.parquet   one part per finished run: scenario, replicate, date, indicators
    OUT/records/<sc>__r00000.json     one record per finished run (ok or failed): the source of truth

Every file is written to a hidden temporary name in its own folder and moved into place
with ``os.replace``: a reader never sees half a file, and Parquet readers skip the
hidden names. A run counts as done once its record exists; its timeseries part is
written first.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["Store", "StoreError", "atomic_write", "run_key"]

MANIFEST = "manifest.json"
RUNS = "runs.parquet"
TIMESERIES = "timeseries"
RECORDS = "records"
FORMAT = 1  # store layout version, in the manifest


class StoreError(RuntimeError):
    """OUT cannot hold this experiment (it holds another one, or is not a store)."""


def run_key(scenario: str, replicate: int) -> str:
    """File stem of one run: sorts by scenario, then replicate."""
    return f"{scenario}__r{replicate:05d}"


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` on a hidden temporary file beside ``path``, then move it into place."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with _suppress():
            os.unlink(tmp)
        raise


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


def _write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


class Store:
    """An experiment's folder. ``Store(OUT)`` opens one for reading; the runner writes it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    # ---- paths ------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def runs_path(self) -> Path:
        return self.path / RUNS

    @property
    def timeseries_path(self) -> Path:
        return self.path / TIMESERIES

    @property
    def records_path(self) -> Path:
        return self.path / RECORDS

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    # ---- manifest ---------------------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StoreError(f"{self.path} is not an experiment store (no {MANIFEST})") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        _write_text(self.manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")

    def open_for(self, manifest: dict[str, Any], extend: bool = False) -> dict[str, Any]:
        """Create the store, or check that an existing one holds the same experiment.

        With ``extend``, an existing store may also hold the start of this experiment:
        the same root seed and run function, its scenarios the first ones of this
        experiment (same definitions) and no more replicates than this one asks for.
        The manifest then describes the larger experiment, and the runs already done
        count (the first k replicate seeds do not depend on the number of replicates).

        Returns the manifest now on disk (an existing store keeps its created time and
        gains a session entry).
        """
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path} exists and is not a folder")
        if self.exists():
            old = self.manifest
            diff = _difference(old.get("experiment", {}), manifest["experiment"])
            if diff and extend:
                why = _not_extension(old.get("experiment", {}), manifest["experiment"])
                if why:
                    raise StoreError(f"{self.path} holds an experiment that this one does not extend ({why}); "
                                     "use another output folder")
                for key in ("experiment", "scenarios", "seeds"):
                    old[key] = manifest[key]
                old.setdefault("extensions", []).append(
                    {"at": now_iso(), "replicates": manifest["experiment"]["replicates"],
                     "scenarios": len(manifest["experiment"]["scenarios"])})
            elif diff:
                raise StoreError(
                    f"{self.path} holds a different experiment ({diff}); "
                    "use another output folder, or delete this one to start again"
                )
            old.setdefault("sessions", []).extend(manifest.get("sessions", []))
            old["executor"] = manifest["executor"]
            self.write_manifest(old)
            self._clean()
            return old
        if self.path.is_dir() and any(p.name != ".DS_Store" for p in self.path.iterdir()):
            raise StoreError(f"{self.path} is not empty and holds no experiment; use an empty or new folder")
        self.timeseries_path.mkdir(parents=True, exist_ok=True)
        self.records_path.mkdir(parents=True, exist_ok=True)
        self.write_manifest(manifest)
        return manifest

    def _clean(self) -> None:
        """Drop temporary files of an interrupted session and timeseries parts with no record."""
        self.timeseries_path.mkdir(parents=True, exist_ok=True)
        self.records_path.mkdir(parents=True, exist_ok=True)
        for folder in (self.path, self.timeseries_path, self.records_path):
            for tmp in folder.glob(".*.tmp"):
                with _suppress():
                    tmp.unlink()
        ok = {k for k, r in self.records().items() if r["status"] == "ok"}
        for part in self.timeseries_path.glob("*.parquet"):
            if part.stem not in ok:
                with _suppress():
                    part.unlink()

    # ---- runs -------------------------------------------------------------------------------
    def records(self) -> dict[str, dict[str, Any]]:
        """Every finished run's record, by run key."""
        out = {}
        for p in sorted(self.records_path.glob("*.json")):
            out[p.stem] = json.loads(p.read_text(encoding="utf-8"))
        return out

    def write_run(self, record: dict[str, Any], frame: pd.DataFrame | None) -> None:
        """Save one finished run: its timeseries part (if ok), then its record."""
        key = run_key(record["scenario"], record["replicate"])
        if frame is not None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            atomic_write(self.timeseries_path / f"{key}.parquet", lambda tmp: pq.write_table(table, tmp))
        _write_text(self.records_path / f"{key}.json", json.dumps(record, ensure_ascii=False, allow_nan=True))

    def write_runs_table(self, records: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
        """Rebuild ``runs.parquet`` from the records (all of them unless given)."""
        records = self.records() if records is None else records
        frame = runs_frame(records.values(), self._order(), self._values())
        table = pa.Table.from_pandas(frame, schema=_runs_schema(frame), preserve_index=False)
        atomic_write(self.runs_path, lambda tmp: pq.write_table(table, tmp))
        return frame

    def _order(self) -> list[str]:
        try:
            return [s["name"] for s in self.manifest["experiment"]["scenarios"]]
        except StoreError:
            return []

    def _values(self) -> dict[str, dict[str, Any]]:
        """Each scenario's parameter values (``params``, from the manifest), by scenario name."""
        try:
            return {s["name"]: dict(s.get("params") or {}) for s in self.manifest["experiment"]["scenarios"]}
        except StoreError:
            return {}

    # ---- reading ----------------------------------------------------------------------------
    def runs(self) -> pd.DataFrame:
        """``runs.parquet`` as a DataFrame, in experiment order."""
        return pd.read_parquet(self.runs_path)

    def timeseries(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every ok run's months, sorted by scenario (experiment order), replicate and date."""
        ok = [k for k, r in self.records().items() if r["status"] == "ok"]
        parts = [self.timeseries_path / f"{k}.parquet" for k in ok]
        parts = [p for p in parts if p.is_file()]
        if not parts:
            return pd.DataFrame(columns=["scenario", "replicate", "date"] + list(columns or []))
        cols = None if columns is None else ["scenario", "replicate", "date"] + [c for c in columns if c not in
                                                                                 ("scenario", "replicate", "date")]
        frame = pa.concat_tables([pq.read_table(p, columns=cols) for p in parts]).to_pandas()
        return sort_runs(frame, self._order(), ["date"])


def sort_runs(frame: pd.DataFrame, order: list[str], extra: list[str] = ()) -> pd.DataFrame:
    """Sort by scenario in experiment order, replicate and ``extra``; a fresh 0..n index."""
    rank = {name: i for i, name in enumerate(order)}
    by = frame["scenario"].map(lambda s: (rank.get(s, len(rank)), s))
    frame = frame.assign(_rank=by).sort_values(["_rank", "replicate", *extra], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True)


_BASE = ["scenario", "replicate", "seed", "status", "error", "wall_s"]


def _param_columns(values: dict[str, dict[str, Any]]) -> list[str]:
    """Parameters set by any scenario, in schema order (then any others, sorted)."""
    from ..params import SCHEMA

    named = set().union(*values.values()) if values else set()
    return [n for n in SCHEMA if n in named] + sorted(named - set(SCHEMA))


def runs_frame(records, order: list[str], values: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """One row per record: the base columns, the parameter values, then ``T_value``, ``T_met``, ``T_first_met``.

    ``values`` maps a scenario name to its ``params``: every parameter that some scenario
    sets becomes a column holding the value each run used (the schema default where its
    scenario leaves it unset), so that sampled lever and uncertainty values sit beside
    the outcomes.
    """
    from ..params import SCHEMA

    values = values or {}
    params = _param_columns(values)
    rows, targets = [], []
    for rec in records:
        row = {k: rec.get(k) for k in _BASE}
        own = values.get(rec.get("scenario"), {})
        for name in params:
            row[name] = own.get(name, SCHEMA[name].default if name in SCHEMA else None)
        for tid, t in (rec.get("targets") or {}).items():
            if tid not in targets:
                targets.append(tid)
            row[f"{tid}_value"] = t["value"]
            row[f"{tid}_met"] = t["met"]
            row[f"{tid}_first_met"] = t["first_met"]
        for tid in rec.get("target_ids", []):
            if tid not in targets:
                targets.append(tid)
        rows.append(row)
    columns = list(_BASE) + params
    for tid in targets:
        columns += [f"{tid}_value", f"{tid}_met", f"{tid}_first_met"]
    frame = pd.DataFrame(rows, columns=columns)
    for name in params:
        kind = SCHEMA[name].type if name in SCHEMA else "choice"
        frame[name] = frame[name].astype({"float": "float64", "int": "int64", "bool": "bool"}.get(kind, "string"))
    frame["replicate"] = frame["replicate"].astype("int64")
    frame["seed"] = frame["seed"].astype("int64")
    frame["wall_s"] = frame["wall_s"].astype("float64")
    for tid in targets:
        frame[f"{tid}_value"] = pd.to_numeric(frame[f"{tid}_value"], errors="coerce").astype("float64")
        frame[f"{tid}_met"] = frame[f"{tid}_met"].astype("boolean")
        frame[f"{tid}_first_met"] = pd.to_datetime(frame[f"{tid}_first_met"]).astype("datetime64[ns]")
    if len(frame):
        frame = sort_runs(frame, order)
    return frame


def _runs_schema(frame: pd.DataFrame) -> pa.Schema:
    from ..params import SCHEMA

    kinds = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "choice": pa.string()}
    fields = []
    for col in frame.columns:
        if col in SCHEMA:
            typ = kinds[SCHEMA[col].type]
        elif col in ("scenario", "status", "error"):
            typ = pa.string()
        elif col in ("replicate", "seed"):
            typ = pa.int64()
        elif col == "wall_s" or col.endswith("_value"):
            typ = pa.float64()
        elif col.endswith("_first_met"):
            typ = pa.timestamp("ns")
        else:  # T_met
            typ = pa.bool_()
        fields.append(pa.field(col, typ))
    return pa.schema(fields)


def _difference(old: dict, new: dict) -> str:
    """What makes two experiment definitions differ, in words; '' when they are the same."""
    if old == new:
        return ""
    if old.get("root_seed") != new.get("root_seed"):
        return f"seed {old.get('root_seed')} there, {new.get('root_seed')} now"
    if old.get("replicates") != new.get("replicates"):
        return f"{old.get('replicates')} replicates there, {new.get('replicates')} now"
    on = [s["name"] for s in old.get("scenarios", [])]
    nn = [s["name"] for s in new.get("scenarios", [])]
    if on != nn:
        return f"scenarios {', '.join(on)} there, {', '.join(nn)} now"
    for a, b in zip(old["scenarios"], new["scenarios"], strict=True):
        if a != b:
            keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
            return f'scenario "{a["name"]}" differs in {", ".join(keys)}'
    keys = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    return f"{', '.join(keys)} differ"


def _not_extension(old: dict, new: dict) -> str:
    """Why ``new`` does not extend ``old`` (more replicates, scenarios appended); '' when it does."""
    if old.get("root_seed") != new.get("root_seed"):
        return f"seed {old.get('root_seed')} there, {new.get('root_seed')} now"
    if old.get("run_fn") != new.get("run_fn"):
        return f"run function {old.get('run_fn')} there, {new.get('run_fn')} now"
    if int(new.get("replicates", 0)) < int(old.get("replicates", 0)):
        return f"{old.get('replicates')} replicates there, {new.get('replicates')} now: a store only grows"
    olds, news = old.get("scenarios", []), new.get("scenarios", [])
    if len(news) < len(olds):
        return f"{len(olds)} scenarios there, {len(news)} now: a store only grows"
    for a, b in zip(olds, news, strict=False):
        if a != b:
            return f'scenario "{a.get("name")}" there, "{b.get("name")}" differs or comes in its place'
    names = [s["name"] for s in news]
    if len(set(names)) != len(names):
        return "scenario names repeat"
    return ""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

"""The experiment store: one folder per experiment, written run by run, safe to resume.

Layout (see ``README.md`` in this folder)::

    OUT/manifest.json                 what was run: version, commit, scenarios, seeds, executor
    OUT/runs.parquet                  one row per scenario × replicate (rebuilt from records/)
    OUT/timeseries/<sc>__r00000.parquet   one part per finished run: scenario, replicate, date, indicators
    OUT/units/<sc>__r00000.parquet    the same run by prefecture and county at year-ends (model/core/units.py)
    OUT/records/<sc>__r00000.json     one record per finished run (ok or failed): the source of truth

Every file is written to a hidden temporary name in its own folder and moved into place
with ``os.replace``: a reader never sees half a file, and Parquet readers skip the
hidden names. A run counts as done once its record exists; its timeseries part is
written first, and the record holds the part's size and SHA-256 and a checksum of
itself, so that a part or record damaged afterwards (truncated, deleted, altered) is
found: redone on resume, reported on read.

Runs are saved in batches (the runs of one returned chunk, ``Store.write_runs``): every
part and record of the batch is written to its temporary name, the batch is made durable
at once (one ``syncfs`` of the store's file system on Linux, else an ``fsync`` per file),
and only then are the parts, then the records, moved into place. So a record on disk
always names a part that reached the disk before it, as with a flush per file, at one
flush per batch instead of two per run. The runner's workers send the parts as Parquet
bytes (``RunParts``), made as ``part_bytes`` makes them here (or, from a frame's columns
without the frame, as ``columns_table`` makes them: the same bytes).

One process writes a store at a time: ``Store.lock()`` takes an exclusive lock
(``OUT/.lock``, an OS-level lock through ``filelock``, released by the kernel when its
holder dies), and ``OUT/.lock-owner.json`` says who holds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sys
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from ..messages import one_line

__all__ = ["RunParts", "Store", "StoreBusy", "StoreError", "StoreWarning", "atomic_write", "columns_table",
           "part_bytes", "run_key", "table_bytes"]

MANIFEST = "manifest.json"
RUNS = "runs.parquet"
TIMESERIES = "timeseries"
UNITS = "units"
RECORDS = "records"
LOCK = ".lock"
LOCK_OWNER = ".lock-owner.json"
FORMAT = 1  # store layout version, in the manifest
_HIDDEN_OK = {".DS_Store", LOCK, LOCK_OWNER}  # files a folder may hold and still count as empty


class StoreError(RuntimeError):
    """OUT cannot hold this experiment (it holds another one, is not a store, or is damaged)."""

    def __init__(self, message: str):
        super().__init__(one_line(message))


class StoreBusy(StoreError):
    """Another process is writing this store."""


class StoreWarning(UserWarning):
    """Runs of a store that were recorded but cannot be read (damaged or missing files)."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _record_check(record: dict[str, Any]) -> str:
    """The checksum a record carries of itself (every field but ``check``)."""
    body = {k: v for k, v in record.items() if k != "check"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, allow_nan=True).encode()).hexdigest()


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
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the file gets what the umask allows, as open() does
        os.replace(tmp, path)
    except BaseException:
        with _suppress():
            os.unlink(tmp)
        raise


def _umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


def _write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


_SYNCFS: Any = None  # libc's syncfs (Linux), False where there is none


def _syncfs(folder: Path) -> bool:
    """Flush the file system holding ``folder`` to disk (Linux ``syncfs``); False where unavailable."""
    global _SYNCFS
    if _SYNCFS is None:
        try:
            import ctypes

            _SYNCFS = ctypes.CDLL(None, use_errno=True).syncfs
            _SYNCFS.argtypes = [ctypes.c_int]
        except (OSError, AttributeError):
            _SYNCFS = False
    if _SYNCFS is False:
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        return _SYNCFS(fd) == 0
    finally:
        os.close(fd)


def _durable(paths: list[Path], folder: Path) -> None:
    """Make the files at ``paths`` durable: one syncfs when the system has it, else an fsync each."""
    if paths and not _syncfs(folder):
        for path in paths:
            with open(path, "rb+") as fh:
                os.fsync(fh.fileno())


_PLANS: dict[tuple, tuple[pa.Schema, list[tuple[list[int], bool]]]] = {}  # by a frame's columns and dtypes


def _plan(frame: pd.DataFrame) -> list[tuple[list[int], bool]]:
    """Column positions grouped for conversion: ``(positions, True)`` for each plain numpy dtype
    (numbers, booleans, times: read as one 2-D block), ``([j], False)`` for any other column."""
    groups: dict[np.dtype, list[int]] = {}
    plan = []
    for j, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, np.dtype) and dtype.kind in "fiubMm":
            groups.setdefault(dtype, []).append(j)
        else:
            plan.append(([j], False))
    return [(positions, True) for positions in groups.values()] + plan


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """``pa.Table.from_pandas(frame, preserve_index=False)``, faster, for frames shaped like one seen before.

    Inferring the schema and its pandas metadata costs more than converting the data,
    and so does taking a frame apart column by column; the frames of one experiment
    share their columns and dtypes. The first frame of a shape goes through
    ``from_pandas``, which gives the schema; later ones are read a dtype block at a
    time (one 2-D array per numpy dtype) into arrays of that schema. The Parquet bytes
    are the same as with ``from_pandas`` throughout (``tests/test_store_integrity.py``).
    """
    key = (tuple(frame.columns), tuple(frame.dtypes.tolist()), str(frame.columns.dtype))
    known = _PLANS.get(key)
    if known is None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        _PLANS[key] = (table.schema, _plan(frame))
        return table
    schema, plan = known
    arrays: list = [None] * len(schema)
    for positions, block in plan:
        if block:
            values = np.ascontiguousarray(frame.iloc[:, positions].to_numpy().T)
            for row, j in enumerate(positions):
                arrays[j] = pa.array(values[row], type=schema.field(j).type, from_pandas=True)
        else:
            j = positions[0]
            arrays[j] = pa.array(frame.iloc[:, j].to_numpy(), type=schema.field(j).type, from_pandas=True)
    return pa.Table.from_arrays(arrays, schema=schema)


_SCHEMAS: dict[tuple, pa.Schema | None] = {}  # by columns' names and types: the schema their frame gives


def _column_type(values) -> Any:
    """What ``columns_table`` keys a column by: a numpy array's dtype, "str" for a list of str, else None."""
    if isinstance(values, np.ndarray):
        return values.dtype if values.ndim == 1 and values.dtype.kind in "fiubMm" else None
    if isinstance(values, list) and all(type(v) is str for v in values):
        return "str"
    return None


def _from_columns(columns: dict[str, Any], schema: pa.Schema) -> pa.Table:
    arrays = [pa.array(v, type=f.type, from_pandas=True) for v, f in zip(columns.values(), schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def columns_table(columns: dict[str, Any], frame) -> pa.Table:
    """The table ``_arrow(frame())`` gives, made from ``columns`` without building the frame.

    ``columns`` are the frame's columns in its order, by name: numpy arrays (numbers,
    booleans, times) and lists of str; ``frame`` builds the frame itself. The first table
    of a shape (names and types) comes from the frame, which gives the schema (column
    types and pandas metadata); the columns are checked once to give that same table,
    and later tables of that shape are made from the columns alone. A shape whose
    columns do not give the frame's table, or a column of another kind, always goes
    through the frame. Either way the Parquet bytes are those of ``part_bytes(frame())``.
    """
    kinds = tuple(_column_type(v) for v in columns.values())
    key = (tuple(columns), kinds)
    if any(kind is None for kind in kinds) or _SCHEMAS.get(key, False) is None:  # (a dtype == None is float64)
        return _arrow(frame())
    schema = _SCHEMAS.get(key)
    if schema is not None:
        return _from_columns(columns, schema)
    table = _arrow(frame())
    try:
        same = table.schema.names == list(columns) and _from_columns(columns, table.schema).equals(table)
    except (pa.ArrowException, ValueError, TypeError):
        same = False
    _SCHEMAS[key] = table.schema if same else None
    return table


def table_bytes(table: pa.Table) -> bytes:
    """A table as the Parquet bytes of a part (``pq.write_table``'s defaults)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def part_bytes(frame: pd.DataFrame) -> bytes:
    """A run's timeseries part: the frame as Parquet bytes."""
    return table_bytes(_arrow(frame))


@dataclass(frozen=True)
class RunParts:
    """A finished run's parts as Parquet bytes, made where the run ran: ``Store.write_runs`` writes them as they are.

    A worker sends these back instead of the frames: the bytes are what ``part_bytes``
    makes of the frames, so the store is the same byte for byte whichever process made them.
    """

    timeseries: bytes
    units: bytes | None = None

    @classmethod
    def of(cls, frame: pd.DataFrame, units: pd.DataFrame | None = None) -> RunParts:
        return cls(part_bytes(frame), part_bytes(units) if units is not None and len(units) else None)

    @classmethod
    def of_tables(cls, frame: pa.Table, units: pa.Table | None = None) -> RunParts:
        """The same from the frames' Arrow tables (``columns_table``)."""
        return cls(table_bytes(frame), table_bytes(units) if units is not None and units.num_rows else None)


def _tmp_beside(path: Path, data: bytes) -> Path:
    """Write ``data`` to a hidden temporary file beside ``path`` (no flush); return its name."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        with _suppress():
            os.unlink(tmp)
        raise
    return Path(tmp)


class Store:
    """An experiment's folder. ``Store(OUT)`` opens one for reading; the runner writes it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._verified: dict = {}  # (key, size, mtime, expected) -> problem or None

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

    @property
    def units_path(self) -> Path:
        return self.path / UNITS

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    # ---- manifest ---------------------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        path = self.manifest_path
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except FileNotFoundError:
            raise StoreError(f"{self.path} is not an experiment store (no {MANIFEST})") from None
        except IsADirectoryError:
            raise StoreError(f"{path}: is a folder; expected the JSON manifest of wushe run") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise StoreError(f"{path}: not UTF-8 text; expected the JSON manifest of wushe run") from None
        except json.JSONDecodeError as exc:
            raise StoreError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); "
                             "expected the manifest of wushe run") from None
        except RecursionError:
            raise StoreError(f"{path}: nested too deeply; expected the JSON manifest of wushe run") from None
        if not isinstance(data, dict):
            raise StoreError(f"{path}: a JSON {type(data).__name__}; expected an object, the manifest of wushe run")
        experiment = data.get("experiment")
        if not isinstance(experiment, dict) or not isinstance(data.get("scenarios"), list) or not all(
            isinstance(s, dict) and isinstance(s.get("name"), str) for s in data["scenarios"]
        ) or not isinstance(experiment.get("replicates"), int):
            raise StoreError(f"{path}: key experiment or scenarios missing or malformed; "
                             "expected the manifest of wushe run")
        return data

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        _write_text(self.manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")

    # ---- the lock ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self):
        """Hold the store's exclusive lock, or raise StoreBusy at once naming its holder.

        Creates the folder when missing (and removes it again, when it is still empty on
        leaving). Yields the owner record of a previous holder that ended without
        releasing the lock (a killed run), else None.
        """
        check_writable(self.path)
        created = []  # the folders this call makes, deepest first: removed again if left empty
        folder = self.path
        while not folder.exists() and folder.parent != folder:
            created.append(folder)
            folder = folder.parent
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the folder: {exc.strerror}") from None
        lock = FileLock(self.path / LOCK, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise StoreBusy(f"{self.path} is in use by another wushe run ({self._owner_text()}); "
                            "wait for it to finish or use another output folder") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot lock the folder: {exc.strerror}") from None
        owner_path = self.path / LOCK_OWNER
        stale = self._read_owner()
        try:
            _write_text(owner_path, json.dumps({
                "pid": os.getpid(), "host": socket.gethostname(), "started": now_iso(),
                "command": " ".join(sys.argv)[:500],
            }, ensure_ascii=False) + "\n")
            yield stale
        finally:
            with _suppress():
                owner_path.unlink()
            lock.release()
            if created:
                with _suppress():
                    (self.path / LOCK).unlink()
                for folder in created:
                    with _suppress():
                        folder.rmdir()  # only when nothing else was written

    def _read_owner(self) -> dict[str, Any] | None:
        try:
            data = json.loads((self.path / LOCK_OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _owner_text(self) -> str:
        owner = self._read_owner()
        if not owner:
            return "process unknown"
        host = owner.get("host")
        where = f" on {host}" if host and host != socket.gethostname() else ""
        return one_line(f"process {owner.get('pid')}{where}, started {owner.get('started')}: {owner.get('command')}",
                        200)

    # ---- opening ----------------------------------------------------------------------------
    def check_for(self, manifest: dict[str, Any], extend: bool = False) -> dict[str, Any] | None:
        """Raise StoreError when OUT cannot hold this experiment; writes nothing.

        With ``extend``, an existing store may also hold the start of this experiment:
        the same root seed and run function, its scenarios the first ones of this
        experiment (same definitions) and no more replicates than this one asks for (the
        first k replicate seeds do not depend on the number of replicates).

        Returns the manifest on disk for a resumed store, None for a new one.
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
                return old
            if diff:
                raise StoreError(
                    f"{self.path} holds a different experiment ({diff}); "
                    "use another output folder, or delete this one to start again"
                )
            return old
        if self.path.is_dir() and any(p.name not in _HIDDEN_OK for p in self.path.iterdir()):
            raise StoreError(f"{self.path} is not empty and holds no experiment; use an empty or new folder")
        return None

    def open_for(self, manifest: dict[str, Any], extend: bool = False) -> dict[str, Any]:
        """Create the store, or check that an existing one holds the same experiment.

        With ``extend`` (see ``check_for``) a store holding the start of this experiment
        grows: its manifest then describes this larger experiment.

        Returns the manifest now on disk (an existing store keeps its created time and
        gains a session entry). Call it holding ``lock()``.
        """
        old = self.check_for(manifest, extend)
        if old is not None:
            if old.get("experiment") != manifest["experiment"]:  # grown (extend)
                for key in ("experiment", "scenarios", "seeds"):
                    old[key] = manifest[key]
                old.setdefault("extensions", []).append(
                    {"at": now_iso(), "replicates": manifest["experiment"]["replicates"],
                     "scenarios": len(manifest["experiment"]["scenarios"])})
            old.setdefault("sessions", []).extend(manifest.get("sessions", []))
            old["executor"] = manifest["executor"]
            self.write_manifest(old)
            self._clean()
            return old
        self.timeseries_path.mkdir(parents=True, exist_ok=True)
        self.records_path.mkdir(parents=True, exist_ok=True)
        self.write_manifest(manifest)
        return manifest

    def _clean(self) -> None:
        """Drop temporary files of an interrupted session and timeseries parts with no record."""
        self.timeseries_path.mkdir(parents=True, exist_ok=True)
        self.records_path.mkdir(parents=True, exist_ok=True)
        for folder in (self.path, self.timeseries_path, self.records_path, self.units_path):
            for tmp in folder.glob(".*.tmp"):
                with _suppress():
                    tmp.unlink()
        records, _ = self._read_records()
        ok = {k for k, r in records.items() if r["status"] == "ok"}
        for part in [*self.timeseries_path.glob("*.parquet"), *self.units_path.glob("*.parquet")]:
            if part.stem not in ok:
                with _suppress():
                    part.unlink()

    def repair(self) -> dict[str, str]:
        """Delete the damaged runs (record or part unreadable, truncated, altered or missing).

        Returns {run key: what was wrong}; the runner then runs them again.
        """
        _, damaged = self.verify()
        for key in damaged:
            with _suppress():
                (self.records_path / f"{key}.json").unlink()
            with _suppress():
                (self.timeseries_path / f"{key}.parquet").unlink()
            with _suppress():
                (self.units_path / f"{key}.parquet").unlink()
        self._verified.clear()
        return damaged

    # ---- runs -------------------------------------------------------------------------------
    def _read_records(self) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """(records that read back whole, {key: what is wrong} for the others)."""
        out, bad = {}, {}
        for p in sorted(self.records_path.glob("*.json")):
            try:
                rec = json.loads(p.read_bytes().decode("utf-8"))
            except OSError as exc:
                bad[p.stem] = f"record unreadable ({exc.strerror})"
                continue
            except (ValueError, RecursionError):  # not UTF-8, not JSON: truncated or overwritten
                bad[p.stem] = "record damaged (not valid JSON)"
                continue
            if not isinstance(rec, dict) or not {"scenario", "replicate", "status"} <= set(rec) or \
                    run_key(str(rec["scenario"]), int(rec["replicate"]) if isinstance(rec["replicate"], int) else -1) \
                    != p.stem:
                bad[p.stem] = "record damaged (fields missing or not this run's)"
                continue
            if "check" in rec and rec["check"] != _record_check(rec):
                bad[p.stem] = "record damaged (checksum differs)"
                continue
            out[p.stem] = rec
        return out, bad

    def records(self) -> dict[str, dict[str, Any]]:
        """Every finished run's record that reads back whole, by run key (see ``verify`` for the parts)."""
        return self._read_records()[0]

    def verify(self) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """Check every record and every ok run's timeseries part.

        Returns (good records by key, {key: what is wrong} for damaged runs): a record
        that does not read back, or an ok run whose part is missing, of another size
        or checksum than recorded (stores written before checksums: unreadable as
        Parquet). A part is hashed once per (size, mtime) in this Store object.
        """
        records, damaged = self._read_records()
        good = {}
        for key, rec in records.items():
            if rec["status"] == "ok":
                problem = self._check_part(key, rec.get("part"))
                if not problem and "units_part" in rec:
                    problem = self._check_part(key, rec["units_part"], self.units_path, "units table")
                if problem:
                    damaged[key] = problem
                    continue
            good[key] = rec
        return good, damaged

    def _check_part(self, key: str, expected: dict[str, Any] | None, folder: Path | None = None,
                    what: str = "timeseries") -> str | None:
        path = (folder or self.timeseries_path) / f"{key}.parquet"
        try:
            st = path.stat()
        except FileNotFoundError:
            return f"{what} missing"
        except OSError as exc:
            return f"{what} unreadable ({exc.strerror})"
        stamp = (str(path), st.st_size, st.st_mtime_ns, repr(expected))
        if stamp in self._verified:
            return self._verified[stamp]
        problem = None
        if isinstance(expected, dict):
            if st.st_size != expected.get("bytes"):
                problem = f"{what} truncated or altered ({st.st_size:,} bytes, {expected.get('bytes'):,} recorded)"
            else:
                try:
                    if _sha256(path) != expected.get("sha256"):
                        problem = f"{what} corrupted (checksum differs)"
                except OSError as exc:
                    problem = f"{what} unreadable ({exc.strerror})"
        else:  # a store written before checksums: the file must at least be whole Parquet
            try:
                pq.read_metadata(path)
            except (OSError, pa.ArrowException):
                problem = f"{what} damaged (not readable as Parquet)"
        self._verified[stamp] = problem
        return problem

    def write_run(self, record: dict[str, Any], frame: pd.DataFrame | None) -> None:
        """Save one finished run: its timeseries part (if ok), then its record with the part's size and checksum."""
        self.write_runs([(record, frame)])

    def write_runs(self, results) -> None:
        """Save finished runs, ``(record, run)`` pairs, as one durable batch.

        ``run`` is the run's ``RunParts`` (as the runner's workers send them), its frame
        (with its prefecture and county table in ``attrs["units"]``, if any), or None for a
        failed run.

        Every part and record is written to a hidden temporary name; the batch is made
        durable with one flush (``_durable``); then the parts are moved into place, then
        the records (each with its part's size and SHA-256 and its own checksum). A crash
        before the end leaves temporary files (removed on resume) or parts without
        records (removed and run again), never a record without its part.
        """
        parts, records = [], []
        try:
            for record, run in results:
                key = run_key(record["scenario"], record["replicate"])
                record = dict(record)
                if isinstance(run, pd.DataFrame):
                    run = RunParts.of(run, run.attrs.pop("units", None))
                if run is not None and run.units is not None:  # the run by prefecture and county
                    data = run.units
                    final = self.units_path / f"{key}.parquet"
                    final.parent.mkdir(parents=True, exist_ok=True)
                    parts.append((_tmp_beside(final, data), final))
                    record["units_part"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                if run is not None:
                    data = run.timeseries
                    final = self.timeseries_path / f"{key}.parquet"
                    parts.append((_tmp_beside(final, data), final))
                    record["part"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                record["check"] = _record_check(record)
                final = self.records_path / f"{key}.json"
                text = json.dumps(record, ensure_ascii=False, allow_nan=True).encode("utf-8")
                records.append((_tmp_beside(final, text), final))
            _durable([tmp for tmp, _ in parts + records], self.path)
            mode = 0o666 & ~_umask()  # mkstemp makes 0600; a file gets what the umask allows, as open() does
            for tmp, final in parts + records:  # parts first: a record never names a part not yet in place
                os.chmod(tmp, mode)
                os.replace(tmp, final)
        except BaseException:
            for tmp, _ in parts + records:
                with _suppress():
                    os.unlink(tmp)
            raise

    def write_runs_table(self, records: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
        """Rebuild ``runs.parquet`` from the records (all of them unless given)."""
        records = self.records() if records is None else records
        frame = runs_frame(records.values(), self._order(), self._values())
        table = self._runs_table(frame)
        atomic_write(self.runs_path, lambda tmp: pq.write_table(table, tmp))
        return frame

    @staticmethod
    def _runs_table(frame: pd.DataFrame) -> pa.Table:
        return pa.Table.from_pandas(frame, schema=_runs_schema(frame), preserve_index=False)

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
    def _checked(self) -> dict[str, dict[str, Any]]:
        """The good records; a StoreWarning names the damaged runs (left out of what is read)."""
        good, damaged = self.verify()
        if damaged:
            shown = "; ".join(f"{k}: {v}" for k, v in list(damaged.items())[:3])
            more = f" and {len(damaged) - 3} more" if len(damaged) > 3 else ""
            warnings.warn(StoreWarning(one_line(
                f"{self.path}: {len(damaged)} recorded run{'s' if len(damaged) != 1 else ''} cannot be read and "
                f"{'are' if len(damaged) != 1 else 'is'} left out ({shown}{more}); run the same wushe run "
                "command again to redo them")), stacklevel=3)
        return good

    def runs(self) -> pd.DataFrame:
        """One row per recorded run, in experiment order, built from the records.

        ``runs.parquet`` is rewritten when it is missing or differs from the records
        (a run killed before it was written, a damaged file); a damaged run is left
        out with a StoreWarning.
        """
        records = self._checked()
        frame = self._runs_table(runs_frame(records.values(), self._order(), self._values())).to_pandas()
        try:
            stale = not frame.equals(pd.read_parquet(self.runs_path))
        except (OSError, ValueError, pa.ArrowException):
            stale = True
        if stale:
            with _suppress():  # a read-only store is still read
                self.write_runs_table(records)
        return frame

    def timeseries(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every ok run's months, sorted by scenario (experiment order), replicate and date.

        A damaged run is left out with a StoreWarning naming it.
        """
        ok = [k for k, r in self._checked().items() if r["status"] == "ok"]
        parts = [self.timeseries_path / f"{k}.parquet" for k in ok]
        if not parts:
            return pd.DataFrame(columns=["scenario", "replicate", "date"] + list(columns or []))
        cols = None if columns is None else ["scenario", "replicate", "date"] + [c for c in columns if c not in
                                                                                 ("scenario", "replicate", "date")]
        frame = pa.concat_tables([pq.read_table(p, columns=cols) for p in parts]).to_pandas()
        return sort_runs(frame, self._order(), ["date"])

    def units(self) -> pd.DataFrame:
        """Every ok run's prefecture and county table (``model/core/units.py``), sorted by scenario,
        replicate, date, level and unit; empty when the runs kept none (a custom run function)."""
        ok = [k for k, r in self._checked().items() if r["status"] == "ok" and "units_part" in r]
        if not ok:
            return pd.DataFrame(columns=["scenario", "replicate", "date", "level", "unit"])
        frame = pa.concat_tables([pq.read_table(self.units_path / f"{k}.parquet") for k in ok]).to_pandas()
        return sort_runs(frame, self._order(), ["date", "level", "unit"])


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
    the outcomes. Runs of an experiment with ``uncertainty="posterior"`` add ``draw``
    (the posterior draw) and a column per uncertain parameter with the value they used.
    """
    from ..params import SCHEMA

    values = values or {}
    records = list(records)
    drawn = {n for rec in records for n in (rec.get("uncertain") or {})}
    has_draw = any("draw" in rec for rec in records)
    named = set(_param_columns(values)) | drawn
    params = [n for n in SCHEMA if n in named] + sorted(named - set(SCHEMA))
    rows, targets = [], []
    for rec in records:
        row = {k: rec.get(k) for k in _BASE}
        if has_draw:
            row["draw"] = rec.get("draw")
        own = values.get(rec.get("scenario"), {})
        draw = rec.get("uncertain") or {}
        for name in params:
            row[name] = own.get(name, draw.get(name, SCHEMA[name].default if name in SCHEMA else None))
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
    columns = list(_BASE) + (["draw"] if has_draw else []) + params
    for tid in targets:
        columns += [f"{tid}_value", f"{tid}_met", f"{tid}_first_met"]
    frame = pd.DataFrame(rows, columns=columns)
    if has_draw:
        frame["draw"] = frame["draw"].astype("Int64")
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
        elif col in ("replicate", "seed", "draw"):
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


def check_writable(path: str | Path) -> None:
    """Raise StoreError unless ``path`` is, or can be created as, a folder this process can write."""
    path = Path(path)
    try:
        if len(path.name.encode()) > 255:
            raise StoreError(f"{path}: the folder name is too long ({len(path.name.encode())} bytes; at most 255)")
        probe = path
        while not probe.exists():
            if probe.parent == probe:
                break
            if probe.is_symlink():
                raise StoreError(f"{path}: {probe} is a broken link")
            probe = probe.parent
        if not probe.is_dir():
            where = f"{path} is" if probe == path else f"{path}: {probe} is"
            raise StoreError(f"{where} a file, not a folder; expected a folder for the store")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise StoreError(f"{path}: cannot write in {probe} (permission denied)")
        if probe == path:
            return
        # a read-only file system or a pseudo file system (/proc, /sys): try making the folder
        fd, tmp = tempfile.mkstemp(prefix=".wushe-probe.", dir=probe)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write there: {exc.strerror or exc}") from None

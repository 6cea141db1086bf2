"""Where runs execute: one seam, ``concurrent.futures.Executor``.

``serial`` runs each task in this process when it is submitted; ``local`` uses loky
worker processes (the default: it works from notebooks and scripts on any OS, with run
functions defined in ``__main__``); ``dask`` uses a Dask ``LocalCluster`` or, given a
scheduler address, an existing cluster whose workers can import ``model``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from concurrent.futures import Executor, Future

from ..messages import not_one_of

__all__ = ["EXECUTORS", "ExecutorError", "SerialExecutor", "default_workers", "open_executor"]

EXECUTORS = ("serial", "local", "dask")
SCHEDULER_TIMEOUT = "20s"  # how long to try reaching a Dask scheduler
PARENT_POLL_SECONDS = 0.5  # how often a local worker checks that the process that started it is alive


class ExecutorError(RuntimeError):
    """The executor cannot start (e.g. no Dask scheduler at the address given)."""


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:  # re-parented: the run that started this worker is gone (kill -9)
            os._exit(1)


def _worker_init(parent: int) -> None:
    """Local worker start-up: end this process when the run that started it ends, however it ends."""
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="wushe-parent-watch").start()


class SerialExecutor(Executor):
    """Runs each submitted call at once, in this process; for debugging and tiny runs."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            if isinstance(exc, KeyboardInterrupt):
                raise
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _main_file_hidden():
    """Dask's spawned workers re-import ``__main__`` from its file; '<stdin>' or '-c' has none."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    hide = path is not None and not os.path.isfile(path)
    if hide:
        del main.__file__
    try:
        yield
    finally:
        if hide:
            main.__file__ = path


@contextlib.contextmanager
def open_executor(kind: str = "local", workers: int | None = None, scheduler: str | None = None):
    """Yield ``(executor, workers)`` for ``kind`` in serial | local | dask; clean up afterwards."""
    if kind not in EXECUTORS:
        raise ValueError(not_one_of(kind, EXECUTORS, "an executor"))
    if kind == "serial":
        yield SerialExecutor(), 1
        return
    if kind == "local":
        from loky import get_reusable_executor

        n = workers or default_workers()
        # Reused across calls (a notebook re-running an experiment starts no new processes); each
        # worker ends itself if this process dies without shutting it down
        yield get_reusable_executor(max_workers=n, timeout=60, initializer=_worker_init,
                                    initargs=(os.getpid(),)), n
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise ExecutorError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there within "
                                f"{SCHEDULER_TIMEOUT} ({detail[:200]}); expected an address such as "
                                "tcp://10.0.0.5:8786 of a running `dask scheduler`") from None
        with client:
            n = workers or max(1, sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()))
            yield client.get_executor(pure=False), n
        return
    n = workers or default_workers()
    with _main_file_hidden():
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    try:
        with Client(cluster) as client:
            yield client.get_executor(pure=False), n
    finally:
        cluster.close()

"""Experiments: scenarios × replicates × a root seed, run in parallel into a resumable store.

From Python (a notebook)::

    from model.experiment import Experiment
    exp = Experiment(["baseline", "purchase_3yr"], replicates=10, seed=1, region="demo")
    report = exp.run("results/quick", executor="local", workers=2)
    report.runs()          # one row per scenario × replicate, with target columns
    report.timeseries()    # one row per scenario × replicate × month

From the shell: ``wushe run baseline purchase_3yr -r 10 --seed 1 -o results/quick``.
The store's layout is described in ``model/experiment/README.md``.
"""

from .executors import EXECUTORS, ExecutorError, SerialExecutor, open_executor
from .runner import Experiment, RunReport, replicate_seeds, run_experiment, simulate_scenario
from .store import Store, StoreBusy, StoreError, StoreWarning

__all__ = [
    "EXECUTORS",
    "ExecutorError",
    "Experiment",
    "RunReport",
    "SerialExecutor",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreWarning",
    "open_executor",
    "replicate_seeds",
    "run_experiment",
    "simulate_scenario",
]

"""Benchmarks: print figures, assert nothing (``make bench`` or ``python -m model.bench``).

Sections:

* ``model``: the default ``hubei`` run 2021-01 → 2025-12, several times, in a fresh
  process each (so peak memory is that of one run): median wall time, peak RSS and
  entity-updates per second. Goal: ≤ 1.5 s and ≤ 500 MB on 2 cores. Then the calibration's
  run, the Hubei backcast 2018-01 → 2022-12 along the policy record (``history_2018``), as
  the fit runs it (5 seeds in each of 3 processes): CPU time, goal ≤ 1 s.
* ``experiment``: scenarios × replicates on 1 and 2 workers, and ``mesa.batch_run``
  (``model/bench/experiment.py``).
* ``short``: many short runs, 8 scenarios × 20 replicates of ``demo`` (about 0.1 s a run),
  wushe's runner against ``mesa.batch_run`` on the same ensemble, where per-run overhead
  (saving each run, judging targets) shows, in 3 alternating repeats (about 2 minutes on a
  quiet machine); prints their speed ratio with its spread (goal: not slower than batch_run).
* ``dashboard``: one Step on ``demo`` (``model/bench/dashboard.py``).
* ``classroom``: 30 browser sessions on one dashboard server at once (``model/bench/dashboard.py``;
  skipped without chromium).

Lever figures, each lever at its minimum and maximum on paired seeds (several minutes), are
printed by ``python -m model.bench.levers`` (``model/bench/levers.py``), apart from ``make bench``.

``python -m model.bench model`` runs one section; ``--repeat N`` sets the model repeats,
``--replicates N`` the experiment's replicates per scenario.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

__all__ = ["SECTIONS", "bench_backcast", "bench_model", "one_backcast", "one_run", "main"]

SECTIONS = ("model", "experiment", "short", "dashboard", "classroom")


def one_run(region: str = "hubei", seed: int = 0, start: str = "2021-01", end: str = "2025-12") -> dict:
    """One timed run in this process: wall time, set-up time, entity-updates, peak RSS."""
    from ..simulation import FiveSocietyModel

    faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    t0, c0 = time.perf_counter(), time.process_time()
    m = FiveSocietyModel(region=region, seed=seed, start=start, end=end)
    t1 = time.perf_counter()
    updates = 0
    while m.running:
        m.step()
        # individuals and places updated this month: workers and organisations alive in the
        # arrays, communities, townships, and the Mesa agents
        updates += (int(m.workers.view("alive").sum()) + int(m.orgs.view("alive").sum())
                    + m.communities.n + m.townships.n + len(m.agents))
    t2, c2 = time.perf_counter(), time.process_time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"wall_s": t2 - t0, "cpu_s": c2 - c0, "setup_s": t1 - t0, "step_s": t2 - t1, "updates": updates,
            "peak_rss_mb": usage.ru_maxrss / 1024, "months": m.n_months,
            "page_faults": usage.ru_minflt - faults0}


def one_backcast(seed: int = 0) -> dict:
    """One timed run of the calibration's backcast in this process (``CalibrationSpec``'s history and window)."""
    from ..calibration.fit import CalibrationSpec
    from ..simulation import FiveSocietyModel

    spec = CalibrationSpec()
    t0, c0 = time.perf_counter(), time.process_time()
    FiveSocietyModel(region=spec.region, seed=seed, start=spec.start, end=spec.end, params=spec.params,
                     changes=spec.changes).run()
    return {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "window": [spec.start, spec.end]}


def bench_backcast(repeat: int = 5, processes: int = 3) -> dict:
    """The calibration's run, ``repeat`` seeds in each of ``processes`` warm processes (as fitting workers run it).

    One process is not enough: the same code measures up to 5% apart from one process to
    the next on this machine (where the heap and the arrays land), so the median is taken
    over every run of every process, and each process's median is printed beside it.
    """
    code = ("import json; from model.bench import one_backcast; one_backcast(99);"
            f" print(json.dumps([one_backcast(s) for s in range({repeat})]))")
    runs, per_process = [], []
    for _ in range(processes):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        mine = json.loads(out.stdout.strip().splitlines()[-1])
        runs += mine
        per_process.append(statistics.median(r["cpu_s"] for r in mine))
    cpu = sorted(r["cpu_s"] for r in runs)
    result = {"repeat": repeat, "processes": processes, "median_cpu_s": statistics.median(cpu), "min_cpu_s": cpu[0],
              "max_cpu_s": cpu[-1], "process_medians_cpu_s": per_process,
              "median_wall_s": statistics.median(r["wall_s"] for r in runs), "load_average": os.getloadavg()[0]}
    start, end = runs[0]["window"]
    print(f"backcast: hubei {start}→{end} along the policy record (the calibration's run), {repeat} seeds in each of "
          f"{processes} warm processes")
    print(f"  CPU time    median {result['median_cpu_s']:.2f} s  (min {cpu[0]:.2f}, max {cpu[-1]:.2f}; per process "
          f"{', '.join(f'{x:.2f}' for x in per_process)}; wall median {result['median_wall_s']:.2f} s; "
          f"load {result['load_average']:.1f})   goal ≤ 1 s")
    return result


def bench_model(region: str = "hubei", repeat: int = 5) -> dict:
    """Run ``one_run`` in ``repeat`` fresh processes, then once more in each (warm); print and return the medians."""
    runs, warm = [], []
    load_before = os.getloadavg()[0]
    for seed in range(repeat):
        code = (f"import json; from model.bench import one_run; print(json.dumps([one_run({region!r}, {seed}),"
                f" one_run({region!r}, {seed})]))")
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        fresh, again = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(fresh)
        warm.append(again)
    load_after = os.getloadavg()[0]
    wall = statistics.median(r["wall_s"] for r in runs)
    result = {
        "region": region,
        "repeat": repeat,
        "median_wall_s": wall,
        "min_wall_s": min(r["wall_s"] for r in runs),
        "max_wall_s": max(r["wall_s"] for r in runs),
        "median_setup_s": statistics.median(r["setup_s"] for r in runs),
        "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "median_warm_cpu_s": statistics.median(r["cpu_s"] for r in warm),
        "median_warm_wall_s": statistics.median(r["wall_s"] for r in warm),
        "median_page_faults": statistics.median(r["page_faults"] for r in runs),
        "load_average": (load_before, load_after),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "entity_updates_per_s": statistics.median(r["updates"] / r["step_s"] for r in runs),
        "entity_updates_per_run": statistics.median(r["updates"] for r in runs),
    }
    print(f"model: {region} 2021-01→2025-12 (60 months), {repeat} runs, fresh process each")
    print(f"  wall time   median {wall:.2f} s  (min {result['min_wall_s']:.2f}, max {result['max_wall_s']:.2f};"
          f" set-up {result['median_setup_s']:.2f} s)   goal ≤ 1.5 s")
    print(f"  CPU time    median {result['median_cpu_s']:.2f} s  (the run's own; less sensitive to other load)")
    print(f"  warm run    CPU median {result['median_warm_cpu_s']:.2f} s, wall {result['median_warm_wall_s']:.2f} s"
          " (a second run in the same process)")
    print(f"  page faults median {result['median_page_faults']:,.0f} (minor, fresh run)   load average"
          f" {load_before:.1f} before, {load_after:.1f} after (2 cores; figures slow down with other load)")
    print(f"  peak RSS    {result['peak_rss_mb']:.0f} MB (whole process, Python and libraries included)   goal ≤ 500 MB")
    print(f"  throughput  {result['entity_updates_per_s'] / 1e6:.1f} M entity-updates/s"
          f" ({result['entity_updates_per_run'] / 1e6:.1f} M per run)")
    return result


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m model.bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    # no default list here: argparse checks a list default against ``choices`` as one value
    # and refuses it ("invalid choice: ['model', ...]"); no section given means all of them
    ap.add_argument("sections", nargs="*", choices=SECTIONS, metavar="section",
                    help=f"any of {', '.join(SECTIONS)} (default: all)")
    ap.add_argument("--repeat", type=int, default=5, help="model runs (default 5)")
    ap.add_argument("--replicates", type=int, default=25, help="experiment replicates per scenario (default 25)")
    args = ap.parse_args(argv)
    args.sections = args.sections or list(SECTIONS)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"wushe benchmarks on {_machine()}; load average {load} (figures slow down with other load)")
    if "model" in args.sections:
        bench_model(repeat=args.repeat)
        bench_backcast(repeat=args.repeat)
    if "experiment" in args.sections:
        try:
            from .experiment import bench_experiment
        except ImportError as exc:  # pragma: no cover - section not installed
            print(f"experiment: skipped ({exc})")
        else:
            bench_experiment(replicates=args.replicates)
    if "short" in args.sections:
        from .experiment import bench_short

        bench_short()
    if "dashboard" in args.sections:
        try:
            from .dashboard import bench_dashboard
        except ImportError as exc:  # pragma: no cover
            print(f"dashboard: skipped ({exc})")
        else:
            bench_dashboard()
    if "classroom" in args.sections:
        try:
            from .dashboard import bench_classroom
        except ImportError as exc:  # pragma: no cover
            print(f"classroom: skipped ({exc})")
        else:
            bench_classroom()
    return 0

"""``wushe calibrate``: fit the uncertain parameters to the record and write the posterior and fit report."""

from __future__ import annotations

import argparse
import textwrap

__all__ = ["add_parser", "cmd_calibrate"]


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "calibrate",
        help="fit the model's uncertain parameters to the record to 2022 (resumable)",
        description=textwrap.dedent("""
            Fit the schema's uncertain parameters to the region's observations file
            (model/data/observed/REGION.toml: what was recorded up to 2022-12-31, each figure
            with its stated uncertainty). First SALib's Morris method screens which
            uncertainties move the fit; then emcee's ensemble sampler fits those, the others
            stay at their priors. Every evaluation runs the model from the backcast start on
            the same common random numbers, on the chosen executor. OUT keeps every step:
            the same command on the same OUT continues a stopped calibration. At the end it
            writes OUT/posterior.parquet (draws with provenance) and the fit report
            OUT/fit_report_{en,zh}.html; --install copies the posterior into the package
            (model/data/posterior/REGION.parquet), where `wushe run --uncertainty posterior`
            finds it. Nothing after --end enters the fit: the forecast stays out of sample.
        """).strip(),
        epilog=textwrap.dedent("""
            examples:
              wushe calibrate -o results/calibration                 hubei, default settings (under an hour on 2 cores)
              wushe calibrate -o results/calibration --install       ... and ship the posterior with the package
              wushe calibrate -o results/cal_small --walkers 12 --steps 20 --burn 5   a quick look
              wushe calibrate -o results/cal --fit sw_turnover_base exam_pass_prob  no screening: fit these
        """).strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="the calibration's folder (resumable)")
    p.add_argument("--region", default="hubei", metavar="R", help="region and observations file (default hubei)")
    p.add_argument("--observations", metavar="FILE", help="an observations file instead of the region's")
    p.add_argument("--start", default="2018-01", metavar="YYYY-MM", help="backcast start (default 2018-01)")
    p.add_argument("--end", default="2022-12", metavar="YYYY-MM", help="end of the fitted record (default 2022-12)")
    p.add_argument("--history", default="auto", metavar="SCENARIO",
                   help="the dated policy record the runs follow from --start (default: the region's backcast "
                        "scenario, history_2018 on hubei; 'none' for today's levers throughout)")
    p.add_argument("--fit", nargs="+", metavar="NAME", default=(), help="fit these uncertainties, no screening")
    p.add_argument("--seeds", type=int, default=2, metavar="K", help="common random numbers per evaluation (2)")
    p.add_argument("--trajectories", type=int, default=6, metavar="N", help="Morris trajectories (6)")
    p.add_argument("--max-fitted", type=int, default=6, metavar="N", help="at most N parameters fitted (6)")
    p.add_argument("--walkers", type=int, default=16, metavar="N", help="sampler walkers (16, at least 2·fitted+2)")
    p.add_argument("--steps", type=int, default=60, metavar="N", help="sampler steps (60)")
    p.add_argument("--burn", type=int, default=20, metavar="N", help="steps discarded as burn-in (20)")
    p.add_argument("--draws", type=int, default=200, metavar="N", help="posterior draws written out (200)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the whole calibration (0)")
    p.add_argument("--executor", choices=("serial", "local", "dask"), default="local", help="where runs go (local)")
    p.add_argument("--workers", type=int, metavar="K", help="worker processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (with --executor dask)")
    p.add_argument("--report-draws", type=int, default=40, metavar="N", help="posterior runs in the fit report (40)")
    p.add_argument("--install", action="store_true", help="copy the posterior to model/data/posterior/REGION.parquet")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_calibrate)
    return p


def cmd_calibrate(args) -> int:
    import sys
    from pathlib import Path

    from ..cli import CommandError
    from ..observed import ObservationError
    from ..params import ParameterError
    from . import CalibrationError, CalibrationSpec, calibrate
    from .posterior import POSTERIOR_DIR
    from .report import fit_report

    try:
        history = None if args.history.lower() == "none" else args.history
        spec = CalibrationSpec(region=args.region, start=args.start, end=args.end, fit=tuple(args.fit), history=history,
                               seeds=args.seeds, screen_trajectories=args.trajectories, max_fitted=args.max_fitted,
                               walkers=args.walkers, steps=args.steps, burn=args.burn, draws=args.draws,
                               seed=args.seed)
    except (CalibrationError, ParameterError) as exc:
        raise CommandError(str(exc)) from None
    try:
        cal = calibrate(args.out, spec, observations=args.observations or args.region, executor=args.executor,
                        workers=args.workers, scheduler=args.scheduler, progress=not args.quiet)
    except (CalibrationError, ObservationError) as exc:
        raise CommandError(str(exc)) from None
    post = cal.posterior()
    path = post.write(Path(args.out) / "posterior.parquet")
    print(f"fitted: {', '.join(cal.fitted)}; left at prior: {len(post.meta['left_at_prior'])} parameters")
    print(f"model runs: {post.meta['model_runs']:,}, median {post.meta['median_run_seconds']:.2f} s each")
    print(f"posterior: {path.resolve()}")
    for lang in ("en", "zh"):
        report = fit_report(cal, args.out, lang=lang, draws=args.report_draws, executor=args.executor,
                            workers=args.workers)
        print(f"fit report: {report.resolve()}")
    if args.install:
        target = post.write(POSTERIOR_DIR / f"{spec.region}.parquet")
        print(f"installed: {target}", file=sys.stderr)
    return 0

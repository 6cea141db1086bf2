"""The ``wushe`` command.

Each subcommand is two small functions: ``_add_NAME(subparsers)`` declares its
arguments (with an example in its epilog) and ``cmd_NAME(args) -> int`` does the work.
To add one, write both and append ``_add_NAME`` to ``SUBCOMMANDS``.

Exit codes: 0 done; 1 some runs failed; 2 a usage or input error (one line on stderr,
no traceback, nothing written); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import unicodedata

from .messages import one_line, quoted

__all__ = ["CommandError", "SUBCOMMANDS", "build_parser", "main"]

PROG = "wushe"


class CommandError(Exception):
    """A user error: printed as one line (bounded, control characters escaped), exit code ``code`` (2 unless given)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command and where to get help."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {one_line(message, 600)} (see {self.prog} --help)\n")


def _fmt(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


# --------------------------------------------------------------------------------------------
# wushe run


def _add_run(sub):
    p = sub.add_parser(
        "run",
        help="run scenarios × replicates into a resumable store",
        description=_fmt("""
            Run each scenario REPLICATES times and save every run as it finishes in OUT:
            manifest.json (what was run), runs.parquet (one row per scenario × replicate,
            with each target's value, met and first month met) and timeseries/ (one row per
            scenario × replicate × month). Replicate r of every scenario uses the same seed,
            so scenarios are compared on common random numbers.

            Run the same command again to finish an interrupted experiment: only missing
            runs are run. A failing run is recorded with its traceback; the others go on,
            and the command ends with code 1. SCENARIO is a name from scenarios/ (see
            `wushe list`) or a path to a .toml file.
        """),
        epilog=_fmt("""
            examples:
              wushe run baseline purchase_3yr -r 20 --seed 1 -o results/contracts
              wushe run scenarios/*.toml -r 5 -o results/quick --region demo
              wushe run baseline -r 200 -o results/big --executor dask --scheduler tcp://10.0.0.5:8786
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario names or .toml files")
    p.add_argument("-r", "--replicates", type=int, default=10, metavar="N", help="replicates per scenario (default 10)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="root seed of the replicate seeds (default 0)")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="the store's folder (created, or resumed)")
    p.add_argument("--executor", choices=["serial", "local", "dask"], default="local",
                   help="serial: this process; local: worker processes (default); dask: a Dask cluster")
    p.add_argument("--workers", type=int, metavar="K", help="worker processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler (implies --executor dask)")
    p.add_argument("--region", metavar="R", help="run every scenario on region R instead of its own (e.g. demo), "
                   "judged against R's own target set unless the scenario's fits R")
    p.add_argument("--targets", metavar="T", help="judge every scenario against target set T (refused on a region "
                   "it does not fit)")
    _uncertainty_arguments(p)
    p.add_argument("--chunk", type=int, metavar="K", help="runs per task (default: grouped to ~0.5 s tasks)")
    p.add_argument("--retry-failed", action="store_true", help="also run again the runs recorded as failed")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)


def _check_region(region):
    if region is None:
        return
    from .scenarios import _regions

    valid = _regions()
    if region not in valid:
        raise CommandError(f'--region: "{region}" is not a region; valid ones are: {", ".join(valid)}')


def _check_seed(seed: int, option: str = "--seed") -> None:
    from .experiment.runner import MAX_SEED

    if not 0 <= seed <= MAX_SEED:
        raise CommandError(f"{option} must be a whole number from 0 to 2**63 - 1; got {seed}")


def _uncertainty_arguments(p) -> None:
    p.add_argument("--uncertainty", choices=["auto", "seed", "posterior"], default="auto",
                   help="what the bands count: posterior = chance and the uncertain parameters, replicate r "
                        "taking posterior draw r (see wushe calibrate); seed = chance only; auto (default) = "
                        "posterior where the region has a calibrated posterior (shipped or borrowed), else seed")
    p.add_argument("--posterior", metavar="FILE", help="a posterior file (default: the region's shipped one)")


def _posterior_options(args) -> dict:
    if args.posterior and args.uncertainty == "seed":
        raise CommandError("--posterior needs --uncertainty posterior (or auto)")
    return {"uncertainty": args.uncertainty, "posterior": args.posterior}


def cmd_run(args) -> int:
    from .experiment import ExecutorError, Experiment, StoreError
    from .experiment.runner import MAX_REPLICATES
    from .scenarios import ScenarioError

    if not 1 <= args.replicates <= MAX_REPLICATES:
        raise CommandError(f"-r/--replicates must be 1 to {MAX_REPLICATES:,}; got {args.replicates}")
    _check_seed(args.seed)
    if args.workers is not None and not 1 <= args.workers <= 1024:
        raise CommandError(f"--workers must be 1 to 1024; got {args.workers}")
    if args.chunk is not None and args.chunk < 1:
        raise CommandError(f"--chunk must be at least 1; got {args.chunk}")
    executor = "dask" if args.scheduler else args.executor
    if args.scheduler and args.executor not in ("local", "dask"):
        raise CommandError(f"--scheduler needs --executor dask, not {args.executor}")
    _check_region(args.region)
    from .calibration.posterior import PosteriorError

    try:
        experiment = Experiment(args.scenarios, replicates=args.replicates, seed=args.seed, region=args.region,
                                targets=args.targets, **_posterior_options(args))
    except (ScenarioError, PosteriorError) as exc:
        raise CommandError(str(exc)) from None
    try:
        report = experiment.run(
            args.out,
            executor=executor,
            workers=args.workers,
            scheduler=args.scheduler,
            chunk_size=args.chunk,
            progress=not args.quiet,
            retry_failed=args.retry_failed,
        )
    except (StoreError, ExecutorError) as exc:
        raise CommandError(str(exc)) from None
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; finished runs are saved in {args.out}; run the same command to resume",
              file=sys.stderr)
        return 130
    print(report)
    for note in report.warnings:
        print(f"{PROG}: warning: {one_line(note)}", file=sys.stderr)
    if report.failed:
        print(
            f"{PROG}: {report.failed} of {report.ok + report.failed} runs failed; their tracebacks are in the "
            f"'error' column of {report.path / 'runs.parquet'} (rerun them with --retry-failed)",
            file=sys.stderr,
        )
        return 1
    return 0


# --------------------------------------------------------------------------------------------
# wushe check


def _add_check(sub):
    p = sub.add_parser(
        "check",
        help="validate scenario files without running them",
        description=_fmt("""
            Check scenario files against the parameter schema, the regions and the target
            sets, as `wushe run` does before it starts. Prints one line per good file on
            stdout and one line per bad file on stderr (file, line, key and what was
            expected); exit code 2 if any file is bad.
        """),
        epilog=_fmt("""
            examples:
              wushe check scenarios/*.toml
              wushe check my_strategy.toml
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files (or names)")
    p.set_defaults(func=cmd_check)


def cmd_check(args) -> int:
    from .scenarios import ScenarioError, load_scenario

    bad = 0
    seen: dict[str, str] = {}
    for item in args.files:
        try:
            sc = load_scenario(item)
            if sc.name in seen:
                raise ScenarioError(sc.path, "name",
                                    f'duplicate scenario name "{sc.name}" (also in {seen[sc.name]}); '
                                    "names must be unique")
        except ScenarioError as exc:
            print(f"{PROG}: error: {one_line(str(exc))}", file=sys.stderr)
            bad += 1
            continue
        seen[sc.name] = sc.path
        n_changes = len(sc.changes)
        print(f"ok  {sc.path}  {sc.name}: {sc.label('en')} — {sc.region}, {sc.start}..{sc.end}, "
              f"{len(sc.params)} values, {n_changes} dated change{'s' if n_changes != 1 else ''}")
    return 2 if bad else 0


# --------------------------------------------------------------------------------------------
# wushe list

_LISTS = ("scenarios", "regions", "targets", "params")


def _add_list(sub):
    p = sub.add_parser(
        "list",
        help="show scenarios, regions, target sets and parameters",
        description="List what can be run: scenario files, regions, target sets, and the parameters "
                    "(levers, uncertainties, structural constants) with units, defaults and ranges.",
        epilog=_fmt("""
            examples:
              wushe list
              wushe list params --kind lever
              wushe list scenarios --lang zh
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("what", nargs="*", metavar="WHAT",
                   help=f"any of {', '.join(_LISTS)} (default: all)")
    p.add_argument("--kind", choices=["lever", "uncertainty", "structural"], help="only parameters of this kind")
    p.add_argument("--lang", choices=["en", "zh"], default="en", help="language of titles and labels")
    p.set_defaults(func=cmd_list)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> str:
    widths = [max(_width(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  " + "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    )


def cmd_list(args) -> int:
    from .params import SCHEMA
    from .scenarios import ScenarioError, _regions, available_scenarios, load_scenario
    from .targets import available_target_sets, load_targets
    from .text import kind_label, region_title, t, unit_label

    lang = args.lang
    what = args.what or list(_LISTS)
    for w in what:
        if w not in _LISTS:
            raise CommandError(f'"{w}" is not something to list; choose from: {", ".join(_LISTS)}')
    blocks = []
    if "scenarios" in what:
        rows = [[t("cli_name", lang), t("cli_region", lang), t("cli_window", lang), t("cli_title", lang)]]
        for name in available_scenarios():
            try:
                sc = load_scenario(name)
                rows.append([sc.name, sc.region if lang == "en" else region_title(sc.region, lang),
                             f"{sc.start}..{sc.end}", sc.label(lang)])
            except ScenarioError as exc:
                rows.append([name, "-", "-", f"INVALID: {exc}"])
        blocks.append("scenarios (scenarios/*.toml):\n" + _table(rows))
    if "regions" in what:
        if lang == "zh":
            blocks.append("regions:\n" + _table([[t("cli_name", lang), t("cli_title", lang)]]
                                                 + [[r, region_title(r, lang)] for r in _regions()]))
        else:
            blocks.append("regions:\n  " + "  ".join(_regions()))
    if "targets" in what:
        rows = [[t("target_set", lang) if lang == "zh" else "target set", t("cli_targets", lang),
                 t("cli_title", lang)]]
        for name in available_target_sets():
            ts = load_targets(name)
            rows.append([name, str(len(ts)), ts.title_zh if lang == "zh" else ts.title_en])
        blocks.append("target sets:\n" + _table(rows))
    if "params" in what:
        rows = [["parameter" if lang == "en" else "参数", t("cli_kind", lang), t("cli_default", lang),
                 t("cli_range", lang), t("cli_unit", lang), "label" if lang == "en" else "名称", t("cli_needs", lang)]]
        for p in SCHEMA.values():
            if args.kind and p.kind != args.kind:
                continue
            if p.type == "choice":
                rng = " | ".join(p.choices)
            elif p.type == "bool":
                rng = "true | false"
            else:
                rng = f"{p.min:g} .. {p.max:g}"
            default = str(p.default).lower() if p.type == "bool" else (
                f"{p.default:g}" if isinstance(p.default, float) else str(p.default))
            rows.append([p.name, kind_label(p.kind, lang), default, rng, unit_label(p.unit, lang), p.label(lang),
                         p.needs_text(lang)])
        blocks.append("parameters (model/params.py; set them in a scenario's [params]):\n" + _table(rows))
    print("\n\n".join(blocks))
    return 0


# --------------------------------------------------------------------------------------------
# wushe baseline


def _add_baseline(sub):
    p = sub.add_parser(
        "baseline",
        help="one run of the status quo, and the targets it meets",
        description=_fmt("""
            Run the model once with every parameter at its default (the status quo) and
            print, for each target of the target set, the value reached at its date and
            whether it is met. One run of a stochastic model is one possible history:
            use `wushe run` with replicates to say how surely a target is met.
        """),
        epilog=_fmt("""
            examples:
              wushe baseline                                Hubei 2021–2025 against the 47号 targets
              wushe baseline --region linhai --lang zh      one county-level city, in Chinese
              wushe baseline --seed 3 --end 2030-12         another history, to the 15th Five-Year Plan
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--region", default="hubei", metavar="R", help="region (default hubei; see wushe list)")
    p.add_argument("--targets", metavar="T", help="target set (default: the region's own, e.g. hubei-47 for hubei)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--start", default="2021-01", metavar="YYYY-MM", help="first month (default 2021-01)")
    p.add_argument("--end", default="2025-12", metavar="YYYY-MM", help="last month (default 2025-12)")
    p.add_argument("--lang", choices=["zh", "en"], default="en", help="language of the labels (default en)")
    p.set_defaults(func=cmd_baseline)


def cmd_baseline(args) -> int:
    import time

    from .regions import RegionError, load_region
    from .simulation import simulate
    from .targets import TargetError, check_fits, evaluate, load_targets

    _check_seed(args.seed)
    try:
        region = load_region(args.region)
        targets = load_targets(args.targets or region.targets)
        check_fits(targets, region)
    except (RegionError, TargetError) as exc:
        raise CommandError(str(exc)) from None
    t0 = time.perf_counter()
    try:
        frame = simulate(region=args.region, seed=args.seed, start=args.start, end=args.end)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    took = time.perf_counter() - t0
    table = evaluate(frame, targets)
    from .text import t

    lang = args.lang
    zh = lang == "zh"
    title = region.title_zh if zh else region.title_en
    tset = targets.title_zh if zh else targets.title_en
    print(f"{title}: {t('cli_baseline', lang)} {args.start} → {args.end}, {t('cli_seed', lang)} "
          f"{args.seed} ({took:.1f} s)")
    print(tset)
    from .formatting import format_value

    rows = [[t(k, lang) for k in ("cli_target", "cli_date", "cli_goal", "cli_value", "cli_met")]]
    for _, r in table.iterrows():
        value = format_value(r["value"], r["indicator"], lang)
        met = t("yes" if r["met"] else "no", lang)
        if r["value"] != r["value"]:
            met = "—"
        rows.append([r["label_zh"] if zh else r["label_en"], f"{r['date']:%Y-%m-%d}",
                     f"{r['op']} {format_value(r["goal"], r["indicator"], lang)}", value, met])
    print(_table(rows))
    n_met = int(table["met"].sum())
    print(f"{n_met} / {len(table)} {t('cli_targets_met', lang)}")
    return 0


# --------------------------------------------------------------------------------------------
# wushe dashboard (model/dashboard/serve.py)


def _add_dashboard(sub):
    from .dashboard.serve import add_parser

    add_parser(sub)


# --------------------------------------------------------------------------------------------
# wushe report / wushe demo (model/analysis)


def _add_report(sub):
    p = sub.add_parser(
        "report",
        help="write the planner's report of an experiment store (HTML, CSV, xlsx)",
        description=_fmt("""
            Turn an experiment store into the answer to a planner's question: which strategy
            meets which target, how surely, by when, at what cost, and compared with the
            baseline. Writes OUT/report.html (one self-contained file, figures embedded;
            it prints on A4), OUT/figures/*.png and *.svg (every figure, for slides),
            OUT/tables/*.csv (for programs) and OUT/report.xlsx (for people: a verdict sheet,
            headers and values in the report's language). With --pdf, also OUT/report.pdf,
            printed by headless Chromium (apt-get install chromium) or WeasyPrint.
        """),
        epilog=_fmt("""
            examples:
              wushe report results/demo
              wushe report results/demo --lang zh --pdf
              wushe report results/contracts --lang zh --baseline purchase_1yr
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("out", metavar="OUT", help="an experiment store (the -o folder of wushe run)")
    p.add_argument("--lang", choices=["zh", "en"], default="en", help="language of the report (default en)")
    p.add_argument("--baseline", metavar="NAME", help="scenario to compare with (default: baseline, else the first)")
    p.add_argument("--pdf", action="store_true", help="also print OUT/report.pdf (A4) with headless Chromium")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    import warnings

    from .analysis import write_report
    from .analysis.pdf import PdfError
    from .experiment import Store, StoreError, StoreWarning
    from .experiment.store import check_writable
    from .targets import TargetError

    store = Store(args.out)
    if not store.manifest_path.is_file():
        raise CommandError(f"{args.out} is not an experiment store (no manifest.json); make one with wushe run -o OUT")
    quiet = getattr(args, "quiet", False)

    def progress(message: str) -> None:
        if not quiet:
            print(f"{PROG} report: {message}…", file=sys.stderr, flush=True)

    try:
        manifest = store.manifest  # read and checked before anything is written
        names = [sc["name"] for sc in manifest["scenarios"]]
        if args.baseline is not None and args.baseline not in names:
            raise CommandError(f'--baseline: {quoted(args.baseline)} is not a scenario of this store; valid ones are: '
                               f'{", ".join(names)}')
        for folder in (store.path, store.path / "tables", store.path / "figures"):
            if folder.exists():
                check_writable(folder)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StoreWarning)
            path = write_report(args.out, lang=args.lang, baseline=args.baseline, pdf=getattr(args, "pdf", False),
                                progress=progress)
    except (StoreError, TargetError, PdfError) as exc:
        raise CommandError(str(exc)) from None
    except (KeyError, ValueError) as exc:
        raise CommandError(str(exc).strip('"')) from None
    for w in {str(w.message) for w in caught if issubclass(w.category, StoreWarning)}:
        print(f"{PROG}: warning: {one_line(w)}", file=sys.stderr)
    print(f"report: {path.resolve()}")
    if getattr(args, "pdf", False):
        print(f"pdf: {path.with_suffix('.pdf').resolve()}")
    print(f"figures: {(path.parent / 'figures').resolve()}/*.png and *.svg")
    print(f"tables: {(path.parent / 'tables').resolve()}/*.csv and {(path.parent / 'report.xlsx').resolve()}")
    return 0


DEMO_REPLICATES = 20  # 10 scenarios × 20 runs on hubei: about 2 minutes with 2 workers (116 s on a quiet machine)


def _add_demo(sub):
    p = sub.add_parser(
        "demo",
        help="run every shipped strategy scenario (not the backcast) a few times and write the report",
        description=_fmt("""
            Run every scenario in scenarios/ (the baseline first) REPLICATES times on one
            region, in parallel, into OUT, then write OUT/report.html and its tables, and
            print where the report is. Running it again reuses the runs already in OUT.
        """),
        epilog=_fmt("""
            examples:
              wushe demo                                 hubei, 20 replicates, results/demo
              wushe demo --lang zh -r 30 -o results/demo30
              wushe demo --region demo -r 5 -o results/quick   seconds, for a first look
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-r", "--replicates", type=int, default=DEMO_REPLICATES, metavar="N",
                   help=f"replicates per scenario (default {DEMO_REPLICATES})")
    p.add_argument("-o", "--out", default="results/demo", metavar="OUT", help="the store's folder (default results/demo)")
    p.add_argument("--region", default="hubei", metavar="R", help="region every scenario runs on (default hubei)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="root seed (default 0)")
    p.add_argument("--workers", type=int, metavar="K", help="worker processes (default: one per core)")
    p.add_argument("--lang", choices=["zh", "en"], default="en", help="language of the report (default en)")
    _uncertainty_arguments(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    import time

    from .scenarios import ScenarioError, available_scenarios, load_scenario

    def backcast(name):  # a backcast (history_2018) checks the model against the record; it is no strategy
        try:
            return "backcast" in load_scenario(name).tags
        except ScenarioError:
            return False

    names = [n for n in available_scenarios() if not backcast(n)]
    if "baseline" in names:
        names = ["baseline"] + [n for n in names if n != "baseline"]
    # a scenario written for another place (linhai_platform: one county-level city) is not forced onto
    # the demo's region: its description and levers would not fit there
    try:
        home = load_scenario(names[0]).region if names else None
        foreign = [n for n in names if load_scenario(n).region != home]
    except ScenarioError as exc:
        raise CommandError(str(exc)) from None
    if foreign:
        names = [n for n in names if n not in foreign]
        print(f"{PROG} demo: left out {', '.join(foreign)} (written for another region; run it with wushe run NAME)",
              file=sys.stderr)
    t0 = time.perf_counter()
    print(f"{PROG} demo: {len(names)} scenarios × {args.replicates} replicates on {args.region} → {args.out}",
          file=sys.stderr)
    run = argparse.Namespace(scenarios=names, replicates=args.replicates, seed=args.seed, out=args.out,
                             executor="local", workers=args.workers, scheduler=None, region=args.region, chunk=None,
                             retry_failed=False, quiet=args.quiet, targets=None,
                             uncertainty=args.uncertainty, posterior=args.posterior)
    code = cmd_run(run)
    if code not in (0, 1):
        return code
    report = argparse.Namespace(out=args.out, lang=args.lang, baseline=None, pdf=False, quiet=args.quiet)
    cmd_report(report)
    print(f"done in {time.perf_counter() - t0:.0f} s; open the report in a browser "
          f"(wushe report {args.out} --lang {'en' if args.lang == 'zh' else 'zh'} for the other language)")
    return code



# --------------------------------------------------------------------------------------------
# wushe explore / sensitivity / discover / optimise (model/explore/cli.py); wushe calibrate (model/calibration/cli.py)


def _add_explore(sub):
    from .explore.cli import ADDERS

    for add in ADDERS:
        add(sub)


def _add_calibrate(sub):
    from .calibration.cli import add_parser

    add_parser(sub)


SUBCOMMANDS = [_add_baseline, _add_run, _add_check, _add_list, _add_dashboard, _add_report, _add_demo,
               _add_explore, _add_calibrate]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=_fmt("""
            wushe (五社): simulate the Five-Society Linkage (五社联动) policy and compare strategies
            against dated targets. Scenarios are TOML files in scenarios/; experiments run
            scenarios × replicates in parallel into a resumable store.
        """),
        epilog=_fmt("""
            examples:
              wushe list                                   what can be run
              wushe check scenarios/*.toml                 validate scenario files
              wushe run baseline purchase_3yr -r 20 -o results/contracts
            Run `wushe COMMAND --help` for each command's options and examples.
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"{PROG}: error: {one_line(str(exc))}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``wushe list | head``): stop quietly, as other command-line tools do
        return _broken_pipe()


def _broken_pipe() -> int:
    """Point stdout at /dev/null so that Python's exit flush cannot fail again; 141 = 128 + SIGPIPE."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass
    return 141


if __name__ == "__main__":
    sys.exit(main())

"""The exploration commands: ``wushe explore``, ``wushe sensitivity``, ``wushe discover``, ``wushe optimise``.

Each is ``_add_NAME(sub)`` (arguments, a teaching description and examples) and
``cmd_NAME(args)``; ``model/cli.py`` registers them. Errors are one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

__all__ = ["ADDERS"]

PROG = "wushe"


def _fmt(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _error(message: str):
    from ..cli import CommandError

    return CommandError(message)


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [t.strip() for t in text.split(",") if t.strip()]


def _ranges(items: list[str] | None, option: str) -> dict:
    """NAME or NAME=LOW:HIGH items → {name: None | (low, high)}."""
    out = {}
    for item in items or []:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            if part == "all":
                return "all"
            if "=" in part:
                name, rng = part.split("=", 1)
                try:
                    lo, hi = (float(v) for v in rng.split(":"))
                except ValueError:
                    raise _error(f"{option}: {part!r}: expected NAME or NAME=LOW:HIGH") from None
                out[name.strip()] = (lo, hi)
            else:
                out[part] = None
    return out or None


def _common_run_args(p, default_out: str | None = None):
    p.add_argument("--seed", type=int, default=0, metavar="S", help="root seed (default 0)")
    p.add_argument("--executor", choices=["serial", "local", "dask"], default="local",
                   help="serial: this process; local: worker processes (default); dask: a Dask cluster")
    p.add_argument("--workers", type=int, metavar="K", help="worker processes (default: one per core)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _problem(args, allow_uncertainties: bool = True):
    from ..params import ParameterError
    from ..scenarios import ScenarioError
    from .problem import Problem

    levers = _ranges(args.levers, "--levers")
    uncertainties = _ranges(getattr(args, "uncertainties", None), "--uncertainties") if allow_uncertainties else None
    try:
        return Problem.from_schema(levers=levers, uncertainties=uncertainties, scenario=args.scenario,
                                   region=args.region, indicators=_names(getattr(args, "indicators", None)))
    except ParameterError as exc:
        raise _error(f"{exc.key}: {exc}") from None
    except ScenarioError as exc:
        raise _error(str(exc)) from None


def _interrupted(out) -> int:
    print(f"{PROG}: interrupted; finished runs are saved in {out}; run the same command to resume", file=sys.stderr)
    return 130


# --------------------------------------------------------------------------------------------
# wushe explore


def _add_explore(sub):
    p = sub.add_parser(
        "explore",
        help="sample levers and uncertainties (LHS, Sobol, Morris, factorial) into a store that grows",
        description=_fmt("""
            Vary chosen levers (what planners pull) and uncertainties (what nobody controls)
            around a base scenario, run every sample point REPLICATES times and save the runs
            in OUT, an experiment store (see `wushe run --help`) with one column per varied
            parameter in runs.parquet and the problem and design in explore.json.

            Designs (--design):
              lhs        N points of a Latin hypercube: a general-purpose sample, for scenario
                         discovery (`wushe discover`) and plots of outcome against values
              morris     N trajectories of D+1 points (D factors): cheap screening of which
                         factors matter (`wushe sensitivity`); start with N = 10-20
              sobol      Saltelli's scheme, N base samples (a power of two) giving N × (D+2)
                         points: variance-based indices S1 and ST (`wushe sensitivity`)
              factorial  every combination of N evenly spaced values per factor (all values
                         for on/off and choice parameters), BehaviorSpace style

            Replicate r of every point uses the same seed (common random numbers), so
            differences between points come from their values, not from luck.

            The store grows: run the same command with a larger -n (more points) or -r (more
            replicates) and only the new runs are run; the result equals a store run at the
            larger size from the start. An interrupted command resumes the same way.

            A factor is a parameter name (its full range from `wushe list --params`) or
            NAME=LOW:HIGH for a narrower range; separate several with commas.
        """),
        epilog=_fmt("""
            examples:
              wushe explore --design morris -n 10 -r 4 --region demo -o results/screen \\
                  --levers station_build_share,contract_years,admin_share_cap \\
                  --uncertainties sw_turnover_base,exam_pass_prob
              wushe explore --design lhs -n 200 -r 2 --scenario purchase_3yr --uncertainties all \\
                  --region demo -o results/where_it_fails
              wushe explore --design lhs -n 400 -r 2 ... -o results/where_it_fails    (grows the store to 400)
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--design", choices=["lhs", "sobol", "morris", "factorial"], default="lhs",
                   help="sampling design (default lhs)")
    p.add_argument("-n", type=int, default=50, metavar="N",
                   help="points (lhs), base samples (sobol), trajectories (morris) or levels (factorial); default 50")
    p.add_argument("-r", "--replicates", type=int, default=2, metavar="R", help="replicates per point (default 2)")
    p.add_argument("--levers", action="append", metavar="NAMES", help="levers to vary: NAME[=LOW:HIGH],… or all")
    p.add_argument("--uncertainties", action="append", metavar="NAMES",
                   help="uncertainties to vary: NAME[=LOW:HIGH],… or all")
    p.add_argument("--scenario", default="baseline", metavar="SCENARIO",
                   help="the base scenario: everything not varied (default baseline)")
    p.add_argument("--region", metavar="R", help="run on region R instead of the scenario's (e.g. demo)")
    p.add_argument("--indicators", metavar="NAMES", help="indicators to read at the scenario's end, as outcomes")
    p.add_argument("--levels", type=int, default=4, metavar="L", help="grid levels of a Morris design (default 4)")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="the store's folder (created, grown or resumed)")
    _common_run_args(p)
    p.set_defaults(func=cmd_explore)


def cmd_explore(args) -> int:
    from ..experiment import StoreError
    from .design import Design
    from .runner import Exploration

    if args.n < 1:
        raise _error(f"-n must be at least 1; got {args.n}")
    if not 1 <= args.replicates <= 10_000:
        raise _error(f"-r/--replicates must be 1 to 10,000; got {args.replicates}")
    if args.seed < 0:
        raise _error(f"--seed must be a whole number ≥ 0; got {args.seed}")
    problem = _problem(args)
    options = {"levels": args.levels} if args.design == "morris" else {}
    design = Design.make(args.design, args.n, seed=args.seed, **options)
    out = Path(args.out)
    try:
        from .runner import open_exploration

        if (out / "explore.json").is_file():
            old = open_exploration(out)
            if old.problem.to_dict() == problem.to_dict() and old.design.method == design.method \
                    and old.design.seed == design.seed and design.n >= old.design.n:
                design = old.design.grown(design.n)
        exploration = Exploration(problem, design, replicates=args.replicates, seed=args.seed)
        print(f"{design.method} design: {design.size(problem)} points × {args.replicates} replicates = "
              f"{exploration.size} runs over {', '.join(problem.names)}", file=sys.stderr)
        results = exploration.run(out, executor=args.executor, workers=args.workers, progress=not args.quiet)
    except (StoreError, ValueError) as exc:
        raise _error(str(exc)) from None
    except KeyboardInterrupt:
        return _interrupted(out)
    print(results.report)
    return 1 if results.report.failed else 0


# --------------------------------------------------------------------------------------------
# wushe sensitivity


def _needs_lines(lang: str) -> str:
    """'  direct_share: needs procurement_mode = mixed' for every parameter acting through a partner lever."""
    from ..params import SCHEMA

    return "\n".join(f"  {name}: {p.needs_text(lang)}" for name, p in SCHEMA.items() if p.needs)


def _add_sensitivity(sub):
    p = sub.add_parser(
        "sensitivity",
        help="Morris screening or Sobol indices of an explored store (SALib)",
        description=_fmt("""
            Which levers and uncertainties move an outcome? Reads a store made by
            `wushe explore --design morris` (screening: μ* ranks factors by their mean
            absolute effect, σ shows non-linearity or interaction) or `--design sobol`
            (S1: the share of the outcome's variance due to a factor alone; ST: including
            its interactions; with confidence intervals).

            wushe is stochastic and SALib expects a deterministic model: each point's
            outcome is averaged over its replicates, which share seeds across points
            (common random numbers). The noise share printed is how much of the variance
            between points replicate noise alone would give: above about 20%, grow the
            store with more replicates (`wushe explore ... -r MORE`).

            OUTCOME is a target's value or met flag (station_coverage_value,
            station_coverage_met: the chance of meeting it), cost (public money spent by
            the end) or an indicator asked for with --indicators; without it, every target
            value and cost are analysed. Writes a table (CSV) and a figure per language.

            Lever dependencies: some parameters act only through a partner lever (the
            "acts through" column of `wushe list`). They are marked † in the figures, the
            table's columns needs and partner say where the partner stands, and a note says
            when the partner sits where the factor cannot act (its default, usually): an
            index of 0 is then true by construction, not evidence that the lever does not
            matter. Set the partner in the base scenario (`wushe explore --scenario`), or
            vary both and read their interaction (σ; ST − S1). In the schema:
        """) + "\n" + _needs_lines("en") + "\n\n" + _fmt("""
            杠杆依赖:有些参数只能通过伙伴杠杆起作用(`wushe list` 的 “acts through” 列)。图中以 †
            标出,表中 needs 与 partner 两列说明伙伴杠杆的取值;若伙伴杠杆停在使其无法起作用的值
            (通常是默认值),会另有说明:此时指数为 0 是构造使然,并不说明该杠杆不重要。请在基础
            情景中设置伙伴杠杆(`wushe explore --scenario`),或同时改变两者并看交互作用
            (σ;ST − S1)。参数表中:
        """) + "\n" + _needs_lines("zh"),
        epilog=_fmt("""
            examples:
              wushe sensitivity results/screen
              wushe sensitivity results/screen --outcome station_coverage_value --lang zh
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("store", metavar="STORE", help="a store made by wushe explore (morris or sobol design)")
    p.add_argument("--outcome", action="append", metavar="NAME", help="outcome(s) to analyse (default: targets, cost)")
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both", help="figure language (default both)")
    p.add_argument("--figures", metavar="DIR", help="where to write tables and figures (default STORE/sensitivity)")
    p.set_defaults(func=cmd_sensitivity)


def _results(store):
    from ..experiment import StoreError
    from .runner import ExploreResults

    try:
        return ExploreResults(store)
    except StoreError as exc:
        raise _error(str(exc)) from None


def cmd_sensitivity(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from . import sensitivity as sa

    results = _results(args.store)
    method = results.design.method
    if method not in ("morris", "sobol"):
        raise _error(f"{args.store} holds a {method} design; sensitivity needs --design morris or sobol")
    outcomes = args.outcome or [o.name for o in results.problem.outcomes if o.kind == "value"] + ["cost"]
    folder = Path(args.figures or Path(args.store) / "sensitivity")
    folder.mkdir(parents=True, exist_ok=True)
    langs = ["zh", "en"] if args.lang == "both" else [args.lang]
    for outcome in outcomes:
        try:
            results.problem.outcome(outcome)
            table = sa.morris(results, outcome) if method == "morris" else sa.sobol(results, outcome)
        except (KeyError, ValueError) as exc:
            raise _error(str(exc).strip('"')) from None
        numbers = table[sa.NUMERIC[method]]
        if numbers.abs().to_numpy().sum() == 0:
            print(f"{outcome}: no factor moves it in this store (constant)\n")
            continue
        print(f"{outcome} ({method}; mean of {table.attrs['replicates']} replicates; "
              f"replicate noise {table.attrs['noise_share']:.0%} of the variance):")
        shown = numbers.round(4)
        if table["needs"].astype(bool).any():
            shown = shown.assign(needs=table["needs"], partner=table["partner"])
        print(shown.to_string())
        for lang in langs:
            for note in table.attrs["dependencies"][lang]:
                print(note)
        print()
        table.to_csv(folder / f"{method}_{outcome}.csv")
        for lang in langs:
            plot = sa.plot_morris if method == "morris" else sa.plot_sobol
            fig = plot(table, results, lang)
            fig.savefig(folder / f"{method}_{outcome}_{lang}.png", dpi=130)
            matplotlib.pyplot.close(fig)
    print(f"tables and figures in {folder}")
    return 0


# --------------------------------------------------------------------------------------------
# wushe discover


def _add_discover(sub):
    p = sub.add_parser(
        "discover",
        help="scenario discovery (PRIM): where in the uncertainties a strategy misses a target",
        description=_fmt("""
            Under which conditions does this strategy miss TARGET? Reads a store made by
            `wushe explore` (an LHS over uncertainties around the strategy is the usual
            one) and asks PRIM (EMA Workbench's) for a box: a range on a few factors that
            holds most of the runs that miss (coverage) and in which most runs miss
            (density). PRIM peels the space step by step, trading coverage for density;
            the box printed is the densest one still covering --min-coverage of the misses
            (pick another step with --step). The trade-off figure shows every step.
        """),
        epilog=_fmt("""
            examples:
              wushe explore --design lhs -n 300 -r 2 --scenario purchase_3yr --uncertainties all \\
                  --region demo -o results/where_it_fails
              wushe discover results/where_it_fails --target station_coverage
              wushe discover results/where_it_fails --target cw_certified_30 --min-coverage 0.7 --lang zh
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("store", metavar="STORE", help="a store made by wushe explore")
    p.add_argument("--target", required=True, metavar="ID", help="target id (see `wushe list --targets`)")
    p.add_argument("--over", default="uncertainties", metavar="WHAT",
                   help="uncertainties (default), levers, factors, or NAME,NAME,…")
    p.add_argument("--min-coverage", type=float, default=0.5, metavar="C", help="default 0.5")
    p.add_argument("--step", type=int, metavar="I", help="choose this step of the peeling trajectory instead")
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both", help="language (default both)")
    p.add_argument("--figures", metavar="DIR", help="where to write the figure and box (default STORE/discover)")
    p.set_defaults(func=cmd_discover)


def cmd_discover(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .discover import discover, plot_tradeoff

    results = _results(args.store)
    over = args.over if args.over in ("uncertainties", "levers", "factors") else _names(args.over)
    try:
        found = discover(results, args.target, over=over, min_coverage=args.min_coverage)
        if args.step is not None:
            found.select(args.step)
    except (KeyError, ValueError, IndexError) as exc:
        raise _error(str(exc).strip('"')) from None
    folder = Path(args.figures or Path(args.store) / "discover")
    folder.mkdir(parents=True, exist_ok=True)
    langs = ["zh", "en"] if args.lang == "both" else [args.lang]
    for lang in langs:
        print(found.summary(lang))
        fig = plot_tradeoff(found, lang)
        fig.savefig(folder / f"tradeoff_{args.target}_{lang}.png", dpi=130)
        matplotlib.pyplot.close(fig)
    found.limits("en").to_csv(folder / f"box_{args.target}.csv", index=False)
    found.trajectory.to_csv(folder / f"trajectory_{args.target}.csv", index=False)
    print(f"box, peeling trajectory and trade-off figure in {folder}")
    return 0


# --------------------------------------------------------------------------------------------
# wushe optimise


def _add_optimise(sub):
    p = sub.add_parser(
        "optimise",
        help="what would it take: the cheapest lever setting meeting chosen targets with a chosen probability",
        description=_fmt("""
            Search the levers for the cheapest strategy (mean public money spent by the
            end) that meets every chosen target in at least a share --probability of runs.
            The search is optuna's NSGA-II on two objectives, cost and attainment, so it
            also maps the cost–attainment front (what each extra point of probability
            costs). Every candidate is run REPLICATES times on common seeds.

            The best of many noisy estimates is optimistic, so the cheapest candidates
            that look good enough are run again on fresh seeds, and the strategy chosen is
            the cheapest whose fresh attainment reaches --probability. That choice favours
            lucky validation runs in turn, so the chosen strategy is certified on --certify
            further fresh seeds that take no part in any choice: its probability is stated
            from those, with an exact (Clopper–Pearson) 95% interval, and a rerun on other
            seeds agrees with it up to its own sampling error. It is written to --write as a scenario file for
            `wushe run` and `wushe report`. Run the same command again to resume (a larger
            --trials adds candidates).
        """),
        epilog=_fmt("""
            examples:
              wushe optimise --targets station_coverage,volunteer_points_80 --probability 0.8 \\
                  --levers station_build_share,volunteer_point_share,station_budget_yuan \\
                  --region demo -o results/what_it_takes --write scenarios/what_it_takes.toml
              wushe run what_it_takes baseline -r 40 --seed 99 -o results/check_it
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--targets", required=True, metavar="IDS", help="target ids that must all be met")
    p.add_argument("--probability", type=float, default=0.8, metavar="P", help="required chance (default 0.8)")
    p.add_argument("--levers", action="append", required=True, metavar="NAMES",
                   help="levers to search: NAME[=LOW:HIGH],…")
    p.add_argument("--scenario", default="baseline", metavar="SCENARIO",
                   help="the base scenario: everything not searched (default baseline)")
    p.add_argument("--region", metavar="R", help="run on region R instead of the scenario's (e.g. demo)")
    p.add_argument("--trials", type=int, default=48, metavar="N", help="candidates (default 48)")
    p.add_argument("--batch", type=int, default=8, metavar="B", help="candidates per generation (default 8)")
    p.add_argument("-r", "--replicates", type=int, default=20, metavar="R", help="runs per candidate (default 20)")
    p.add_argument("--validate", type=int, default=3, metavar="K", help="candidates re-run on fresh seeds (default 3)")
    p.add_argument("--certify", type=int, default=100, metavar="N",
                   help="runs on fresh seeds that certify the chosen strategy's probability (default 100)")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="the search's folder (created or resumed)")
    p.add_argument("--write", metavar="FILE", help="write the chosen strategy as this scenario file")
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both", help="language (default both)")
    _common_run_args(p)
    p.set_defaults(func=cmd_optimise)


def cmd_optimise(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from ..experiment import StoreError
    from .optimise import optimise, plot_front, write_scenario

    if args.trials < 1 or args.batch < 1 or args.replicates < 1 or args.certify < 1:
        raise _error("--trials, --batch, -r and --certify must be at least 1")
    if not 0 < args.probability <= 1:
        raise _error(f"--probability must be in (0, 1]; got {args.probability}")
    problem = _problem(args, allow_uncertainties=False)
    try:
        found = optimise(problem, _names(args.targets), probability=args.probability, trials=args.trials,
                         batch=args.batch, replicates=args.replicates, seed=args.seed, out=args.out,
                         validate=args.validate, certify=args.certify, executor=args.executor, workers=args.workers,
                         progress=not args.quiet)
    except (StoreError, ValueError) as exc:
        raise _error(str(exc)) from None
    except KeyboardInterrupt:
        return _interrupted(args.out)
    out = Path(args.out)
    langs = ["zh", "en"] if args.lang == "both" else [args.lang]
    for lang in langs:
        print(found.summary(lang))
        fig = plot_front(found, lang)
        fig.savefig(out / f"front_{lang}.png", dpi=130)
        matplotlib.pyplot.close(fig)
    found.candidates.to_csv(out / "candidates.csv")
    found.validation.to_csv(out / "validation.csv")
    found.certification.to_csv(out / "certification.csv")
    print(f"candidates, validation, certification and the cost–attainment front in {out}")
    if found.chosen is None:
        return 1
    if args.write:
        path = write_scenario(found, args.write)
        print(f"the chosen strategy: {path} (run it with `wushe run {path} -r 40 -o …`)")
    return 0


ADDERS = [_add_explore, _add_sensitivity, _add_discover, _add_optimise]

"""What would it take: the cheapest lever setting that meets chosen targets with a chosen probability.

``optimise(problem, targets=[…], probability=0.8)`` searches the problem's levers with
optuna's NSGA-II (a well-kept multi-objective evolutionary sampler) on two objectives:
the mean public money spent by the end (``cost``, lower is better) and the *attainment*,
the share of replicates in which every chosen target is met (higher is better). Each
candidate strategy is ``replicates`` runs on the same seeds (common random numbers, so
candidates are compared on the same luck), saved in the experiment store ``OUT/search``
as scenario ``t00000``, ``t00001``, …; ``OUT/optimise.json`` holds the search's settings
and candidates, and the search resumes from them.

Picking the best of many noisy estimates favours the lucky ones (the winner's curse), so
the cheapest candidates that look good enough are run again on fresh seeds
(``validation/`` in the store) and the strategy chosen is the cheapest whose *fresh*
attainment reaches ``probability``. Choosing on the validation runs biases them in turn
(a candidate is picked because its validation count came out high enough), so the chosen
strategy is then **certified** on another ``certify`` fresh seeds (``certification/``,
default 100 runs), which play no part in any choice: its stated probability is that
certified share, with an exact (Clopper–Pearson) 95% interval from scipy. A rerun on any
other seeds estimates the same chance, so it agrees with the statement up to its own
sampling error. ``write_scenario`` saves it as a scenario file for ``wushe run`` and
``wushe report``.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiment import Experiment, StoreError, run_experiment
from ..experiment.runner import simulate_scenario
from ..experiment.store import atomic_write
from .problem import Problem, plain
from .runner import outcomes_of

__all__ = ["Optimum", "clopper_pearson", "optimise", "plot_front", "wilson", "write_scenario"]

OPTIMISE = "optimise.json"
SEARCH = "search"
VALIDATION = "validation"
CERTIFICATION = "certification"
VALIDATION_SEED_OFFSET = 1_000_003  # the fresh seeds of validation: another root seed
CERTIFY_SEED_OFFSET = 2_000_003  # the fresh seeds of certification: yet another root seed
CERTIFY = 100  # certification runs of the chosen strategy (the stated probability's sample)


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) interval for k successes in n trials, from ``scipy.stats.binomtest``."""
    from scipy.stats import binomtest

    if n <= 0:
        return (0.0, 1.0)
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="exact")
    return (float(ci.low), float(ci.high))


def wilson(k: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (95% by default)."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def trial_name(i: int) -> str:
    return f"t{int(i):05d}"


@dataclass
class Optimum:
    """The search's answer: every candidate, the cost–attainment front and the strategy chosen."""

    problem: Problem
    targets: list[str]
    probability: float
    candidates: pd.DataFrame  # one row per candidate: levers, cost, attainment, on_front
    validation: pd.DataFrame  # the re-run candidates: levers, cost, attainment on fresh seeds, interval
    chosen: dict[str, Any] | None  # lever values of the strategy chosen (None: nothing reached the probability)
    replicates: int
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)
    # the chosen strategy on its certification seeds: cost, attainment, hits, runs, low, high (Clopper–Pearson),
    # validation_attainment, search_attainment; the stated probability
    certification: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def front(self) -> pd.DataFrame:
        return self.candidates[self.candidates["on_front"]].sort_values("cost")

    @property
    def chosen_row(self) -> pd.Series | None:
        """The chosen strategy as stated: its certification runs (cost, attainment, runs, low, high)."""
        if self.chosen is None:
            return None
        if len(self.certification):
            return self.certification.iloc[0]
        return self.validation[self.validation["chosen"]].iloc[0]

    @property
    def certified(self) -> bool:
        """Whether the chosen strategy's certified attainment reaches the required probability."""
        row = self.chosen_row
        return row is not None and float(row.attainment) >= self.probability

    def scenario(self, name: str = "what_it_takes"):
        if self.chosen is None:
            raise ValueError(f"no candidate met {', '.join(self.targets)} in at least {self.probability:.0%} of "
                             "fresh runs: widen the levers' ranges, run more trials, or lower the probability")
        return self.problem.scenario(self.chosen, name)

    def summary(self, lang: str = "en") -> str:
        n = len(self.candidates)
        if self.chosen is None:
            return (f"{n} 个候选策略中没有在新种子上达到 {self.probability:.0%} 的" if lang == "zh" else
                    f"none of {n} candidates reached {self.probability:.0%} on fresh seeds")
        row = self.chosen_row
        values = ", ".join(f"{self.problem.factor(k).label(lang)} = {v:.4g}" if isinstance(v, float) else
                           f"{self.problem.factor(k).label(lang)} = {v}" for k, v in self.chosen.items())
        if lang == "zh":
            text = (f"在 {n} 个候选策略中,同时达成 {'、'.join(self.targets)} 的概率不低于 {self.probability:.0%} 的"
                    f"最省钱策略:{values};在另取的 {int(row.runs)} 个新种子上复核(未参与任何选择),达成概率 "
                    f"{row.attainment:.0%}(95% 精确区间 {row.low:.0%}–{row.high:.0%}),平均公共支出 "
                    f"{row.cost / 1e4:,.0f} 万元")
            if not self.certified:
                text += f";注意:复核结果低于要求的 {self.probability:.0%}"
            return text
        text = (f"cheapest of {n} candidates meeting {', '.join(self.targets)} with probability ≥ "
                f"{self.probability:.0%}: {values}; certified on {int(row.runs)} further fresh seeds that took no "
                f"part in any choice: attainment {row.attainment:.0%} (95% exact interval {row.low:.0%}–"
                f"{row.high:.0%}), mean public spending {row.cost / 1e6:,.1f} million yuan")
        if not self.certified:
            text += f"; note: certified below the required {self.probability:.0%}"
        return text


def _attainment(frame: pd.DataFrame, targets: list[str]) -> pd.DataFrame:
    """Per point: cost (mean), attainment (share of ok runs meeting every target), runs."""
    ok = frame[frame["status"] == "ok"]
    met = ok[[f"{t}_met" for t in targets]].fillna(0).astype(bool).all(axis=1)
    g = ok.assign(_all=met.astype(float)).groupby("point")
    out = pd.DataFrame({"cost": g["cost"].mean(), "attainment": g["_all"].mean(), "runs": g["_all"].count(),
                        "hits": g["_all"].sum()})
    return out


def _suggest(trial, f):
    if f.type == "float":
        return trial.suggest_float(f.name, float(f.low), float(f.high))
    if f.type == "int":
        return trial.suggest_int(f.name, int(f.low), int(f.high))
    return trial.suggest_categorical(f.name, list(f.choices))


def _distribution(f):
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if f.type == "float":
        return FloatDistribution(float(f.low), float(f.high))
    if f.type == "int":
        return IntDistribution(int(f.low), int(f.high))
    return CategoricalDistribution(list(f.choices))


def _nondominated(cost: np.ndarray, att: np.ndarray) -> np.ndarray:
    keep = np.ones(len(cost), dtype=bool)
    for i in range(len(cost)):
        better = (cost <= cost[i]) & (att >= att[i]) & ((cost < cost[i]) | (att > att[i]))
        keep[i] = not better.any()
    return keep


def optimise(problem: Problem, targets: list[str], probability: float = 0.8, trials: int = 48, batch: int = 8,
             replicates: int = 20, seed: int = 0, out: str | Path = "results/optimise", validate: int = 3,
             validate_replicates: int | None = None, rounds: int = 3, certify: int = CERTIFY, executor: str = "local",
             workers: int | None = None, progress: bool = True, run_fn=None) -> Optimum:
    """Search the levers for the cheapest strategy meeting ``targets`` with at least ``probability``.

    ``trials`` candidates in batches of ``batch`` (NSGA-II generations), each run
    ``replicates`` times; then the cheapest candidates whose estimate reaches
    ``probability`` (then the most attaining) are run ``validate_replicates`` times
    (default 2 × replicates) on fresh seeds, ``validate`` at a time for at most ``rounds``
    groups, until one reaches ``probability`` there; the cheapest that does is chosen. The chosen strategy is
    then run ``certify`` times on seeds of its own (default 100), and that share, with its exact 95% interval,
    is the probability stated. Running it again on the same ``out`` continues where it stopped (more
    ``trials`` add candidates).
    """
    import optuna

    if problem.uncertainties:
        raise ValueError("optimise searches levers only; the uncertainties stay at the base scenario's values "
                         f"(drop {', '.join(f.name for f in problem.uncertainties)})")
    if not problem.levers:
        raise ValueError("optimise needs at least one lever to search")
    known = problem.target_ids
    for t in targets:
        if t not in known:
            raise ValueError(f'"{t}" is not a target of {problem.base.targets}; valid ones are: {", ".join(known)}')
    if not 0 < float(probability) <= 1:
        raise ValueError(f"the probability must be in (0, 1]; got {probability}")
    if int(certify) < 1:
        raise ValueError(f"certify must be at least 1 run; got {certify}")
    out = Path(out)
    run_fn = run_fn or simulate_scenario
    spec = {"format": 1, "problem": problem.to_dict(), "targets": list(targets), "probability": float(probability),
            "replicates": int(replicates), "seed": int(seed), "batch": int(batch)}
    meta_path = out / OPTIMISE
    if meta_path.is_file():
        old = json.loads(meta_path.read_text(encoding="utf-8"))
        same = {k: old.get(k) for k in ("problem", "replicates", "seed")} == {k: spec[k] for k in
                                                                              ("problem", "replicates", "seed")}
        if not same:
            raise StoreError(f"{out} holds another search (levers, base scenario, replicates or seed differ); "
                             "use another output folder")

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.NSGAIISampler(population_size=max(2, int(batch)), seed=int(seed))
    study = optuna.create_study(directions=["minimize", "maximize"], sampler=sampler)
    scenarios = []
    names: dict[str, int] = {}
    # resume: candidates already in the store are told to the sampler first
    if meta_path.is_file():
        old = json.loads(meta_path.read_text(encoding="utf-8"))
        done = _attainment(outcomes_of(out / SEARCH, problem, {trial_name(i): i for i in range(len(old["trials"]))},
                                       replicates), targets)
        dists = {f.name: _distribution(f) for f in problem.levers}
        for i, values in enumerate(old["trials"]):
            scenarios.append(problem.scenario(values, trial_name(i)))
            names[trial_name(i)] = i
            if i in done.index:
                study.add_trial(optuna.trial.create_trial(params=values, distributions=dists,
                                                          values=[done.loc[i, "cost"], done.loc[i, "attainment"]]))
    stored = [dict(s_params) for s_params in (json.loads(meta_path.read_text())["trials"]
                                             if meta_path.is_file() else [])]

    def save_meta(extra=None):
        out.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**spec, "trials": stored, **(extra or {})}, ensure_ascii=False, indent=2,
                          default=plain) + "\n"
        atomic_write(meta_path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))

    def evaluate(batch_scenarios, first: int):
        exp = Experiment(scenarios, replicates=replicates, seed=seed, run_fn=run_fn)
        run_experiment(exp, out / SEARCH, executor=executor, workers=workers, progress=progress, extend=True)
        idx = {trial_name(first + j): first + j for j in range(len(batch_scenarios))}
        return _attainment(outcomes_of(out / SEARCH, problem, idx, replicates), targets)

    # an interrupted batch (asked and saved, not all run) is finished first
    pending = [i for i in range(len(stored)) if i >= len(study.trials)]
    if pending:
        res = evaluate([scenarios[i] for i in pending], pending[0])
        dists = {f.name: _distribution(f) for f in problem.levers}
        for i in pending:
            if i in res.index:
                study.add_trial(optuna.trial.create_trial(params=stored[i], distributions=dists,
                                                          values=[res.loc[i, "cost"], res.loc[i, "attainment"]]))
    while len(stored) < trials:
        k = min(int(batch), trials - len(stored))
        asked = [study.ask() for _ in range(k)]
        first = len(stored)
        batch_scenarios = []
        for j, trial in enumerate(asked):
            values = {f.name: _suggest(trial, f) for f in problem.levers}
            stored.append(values)
            sc = problem.scenario(values, trial_name(first + j))
            scenarios.append(sc)
            names[sc.name] = first + j
            batch_scenarios.append(sc)
        save_meta()
        res = evaluate(batch_scenarios, first)
        for j, trial in enumerate(asked):
            i = first + j
            if i in res.index and res.loc[i, "runs"] > 0:
                study.tell(trial, [float(res.loc[i, "cost"]), float(res.loc[i, "attainment"])])
            else:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
    if not scenarios:
        save_meta()

    # every candidate, the front
    table = _attainment(outcomes_of(out / SEARCH, problem, names, replicates), targets)
    cand = pd.DataFrame(stored[: len(scenarios)]).rename_axis("point").join(table)
    cand["on_front"] = False
    okc = cand.dropna(subset=["cost", "attainment"])
    cand.loc[okc.index, "on_front"] = _nondominated(okc["cost"].to_numpy(), okc["attainment"].to_numpy())
    lows = [wilson(h, int(n)) for h, n in zip(cand["hits"].fillna(0), cand["runs"].fillna(0), strict=True)]
    cand["low"], cand["high"] = [lo for lo, _ in lows], [hi for _, hi in lows]
    cand.insert(0, "scenario", [trial_name(i) for i in cand.index])

    # validation on fresh seeds: the cheapest that look good enough (then the most attaining), ``validate``
    # at a time, until one reaches the probability on fresh seeds or ``rounds`` groups have been tried
    # (the front first: a candidate beaten on both cost and attainment is checked only after those beating it)
    good = okc[okc["attainment"] >= probability].sort_values("cost")
    front = [i for i in good.index if cand.loc[i, "on_front"]]
    rest = okc.drop(good.index).sort_values(["attainment", "cost"], ascending=[False, True])
    order = front + [i for i in good.index if i not in front] + list(rest.index)
    vreps = int(validate_replicates or 2 * replicates)
    vseed = int(seed) + VALIDATION_SEED_OFFSET
    vout = out / VALIDATION
    picks: list[int] = []
    vtab = pd.DataFrame(columns=["cost", "attainment", "runs", "hits"])
    for _ in range(int(rounds)):
        more = [i for i in order if i not in picks][: int(validate)]
        if not more:
            break
        picks += more
        val_scen = [problem.scenario(stored[i], trial_name(i)) for i in picks]
        exp = Experiment(val_scen, replicates=vreps, seed=vseed, run_fn=run_fn)
        try:
            run_experiment(exp, vout, executor=executor, workers=workers, progress=progress, extend=True)
        except StoreError:
            import shutil

            shutil.rmtree(vout)  # the candidates to check changed (more trials): check afresh
            run_experiment(exp, vout, executor=executor, workers=workers, progress=progress)
        vtab = _attainment(outcomes_of(vout, problem, {trial_name(i): i for i in picks}, vreps), targets)
        if (vtab["attainment"] >= probability).any():
            break
    val = pd.DataFrame([stored[i] for i in vtab.index], index=vtab.index).join(vtab)
    iv = [wilson(h, int(n)) for h, n in zip(val["hits"], val["runs"], strict=True)]
    val["low"], val["high"] = [lo for lo, _ in iv], [hi for _, hi in iv]
    val["search_attainment"] = cand.loc[val.index, "attainment"]
    val.insert(0, "scenario", [trial_name(i) for i in val.index])
    reach = val[val["attainment"] >= probability].sort_values("cost")
    val["chosen"] = False
    chosen = None
    cert = pd.DataFrame()
    cseed = int(seed) + CERTIFY_SEED_OFFSET
    if len(reach):
        best = reach.index[0]
        val.loc[best, "chosen"] = True
        chosen = {f.name: plain(stored[best][f.name]) for f in problem.levers}
        cert = _certify(problem, stored[best], best, targets, int(certify), cseed, out / CERTIFICATION, run_fn,
                        executor, workers, progress)
        cert["validation_attainment"] = val.loc[best, "attainment"]
        cert["search_attainment"] = cand.loc[best, "attainment"]
    result = Optimum(problem, list(targets), float(probability), cand, val.sort_values("cost"), chosen,
                     int(replicates), out, {"validation_seed": vseed, "validation_replicates": vreps,
                                             "certification_seed": cseed, "certification_runs": int(certify),
                                             "seed": int(seed), "trials": len(scenarios)}, cert)
    stated = None
    if len(cert):
        row = cert.iloc[0]
        stated = {"attainment": float(row.attainment), "hits": int(row.hits), "runs": int(row.runs),
                  "low": float(row.low), "high": float(row.high), "interval": "Clopper-Pearson 95%",
                  "seed": cseed}
    save_meta({"chosen": chosen, "certification": stated})
    return result


def _certify(problem, values, index, targets, runs, seed, folder, run_fn, executor, workers, progress) -> pd.DataFrame:
    """The chosen candidate on ``runs`` seeds of its own: one row (cost, attainment, hits, runs, low, high)."""
    import shutil

    sc = problem.scenario(values, trial_name(index))
    exp = Experiment([sc], replicates=runs, seed=seed, run_fn=run_fn)
    try:
        run_experiment(exp, folder, executor=executor, workers=workers, progress=progress, extend=True)
    except StoreError:
        shutil.rmtree(folder)  # another candidate was chosen (more trials): certify it afresh
        run_experiment(exp, folder, executor=executor, workers=workers, progress=progress)
    tab = _attainment(outcomes_of(folder, problem, {trial_name(index): index}, runs), targets)
    tab = pd.DataFrame([values], index=tab.index).join(tab)
    iv = [clopper_pearson(int(h), int(n)) for h, n in zip(tab["hits"], tab["runs"], strict=True)]
    tab["low"], tab["high"] = [lo for lo, _ in iv], [hi for _, hi in iv]
    tab.insert(0, "scenario", [trial_name(i) for i in tab.index])
    return tab


def write_scenario(optimum: Optimum, path: str | Path, name: str | None = None) -> Path:
    """Write the chosen strategy as a scenario file that ``wushe run`` and ``wushe report`` take."""
    path = Path(path)
    name = name or path.stem
    sc = optimum.scenario(name)
    row = optimum.chosen_row
    targets = ", ".join(optimum.targets)
    how = (f"wushe optimise: cheapest of {len(optimum.candidates)} candidates (NSGA-II, {optimum.replicates} "
           f"replicates each) meeting {targets} with probability >= {optimum.probability:.0%}; certified on "
           f"{int(row.runs)} fresh runs: {row.attainment:.0%} (95% exact interval {row.low:.0%}-{row.high:.0%})")

    def toml(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, float):
            return repr(round(v, 6))
        return str(v)

    title = {"zh": f"达成 {targets} 的最省钱策略(搜索所得)", "en": f"Cheapest strategy found for {targets}"}
    desc = {"zh": f"由 wushe optimise 搜索得到:在 {len(optimum.candidates)} 个候选策略中,以不低于 "
                  f"{optimum.probability:.0%} 的概率同时达成 {targets} 的平均公共支出最低者;在 {int(row.runs)} 个新种子上复核达成概率 "
                  f"{row.attainment:.0%}(95% 精确区间 {row.low:.0%}–{row.high:.0%})。",
            "en": how + "."}
    lines = [f"# {how}", f"name = {toml(name)}",
             f"title = {{ zh = {toml(title['zh'])}, en = {toml(title['en'])} }}",
             f"description = {{ zh = {toml(desc['zh'])}, en = {toml(desc['en'])} }}",
             f"region = {toml(sc.region)}", f"targets = {toml(sc.targets)}", f"start = {toml(sc.start)}",
             f"end = {toml(sc.end)}", 'tags = ["optimised"]', "", "[params]"]
    lines += [f"{k} = {toml(v)}" for k, v in sc.params.items()]
    for date, change in sc.changes.items():
        lines += ["", "[[changes]]", f"date = {toml(date)}"] + [f"{k} = {toml(v)}" for k, v in change.items()]
    lines += ["", "[sources]"]
    for k in sc.params:
        src = how if k in optimum.chosen else optimum.problem.base.sources.get(k, f"base scenario {optimum.problem.base.name}")
        lines.append(f"{k} = {toml(src)}")
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    from ..scenarios import load_scenario

    load_scenario(path)  # what was written loads
    return path


_TEXT = {
    "cost": {"zh": "平均公共支出(百万元,至期末累计)", "en": "mean public spending to the end (million yuan)"},
    "att": {"zh": "同时达成所选目标的概率", "en": "chance of meeting every chosen target"},
    "title": {"zh": "要做到什么程度:成本与达成概率", "en": "What would it take: cost and attainment"},
    "all": {"zh": "候选策略", "en": "candidates"},
    "front": {"zh": "帕累托前沿", "en": "cost–attainment front"},
    "chosen": {"zh": "所选策略(另取新种子复核,95% 精确区间)", "en": "chosen (certified on fresh seeds, 95% exact interval)"},
    "goal": {"zh": "要求的概率", "en": "required probability"},
}


def plot_front(optimum: Optimum, lang: str = "en"):
    """Every candidate's cost and attainment, the front, the required probability and the chosen strategy."""
    import matplotlib.pyplot as plt

    from ..analysis.fonts import use_fonts

    lang = use_fonts(lang)
    c = optimum.candidates.dropna(subset=["cost"])
    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    ax.scatter(c["cost"] / 1e6, c["attainment"], s=18, color="0.6", label=_TEXT["all"][lang])
    f = optimum.front
    ax.step(f["cost"] / 1e6, f["attainment"], where="post", color="#1b6ca8", lw=1.5)
    ax.scatter(f["cost"] / 1e6, f["attainment"], s=30, color="#1b6ca8", label=_TEXT["front"][lang], zorder=3)
    ax.axhline(optimum.probability, color="#c8553d", ls="--", lw=1, label=_TEXT["goal"][lang])
    row = optimum.chosen_row
    if row is not None:
        ax.errorbar([row.cost / 1e6], [row.attainment], yerr=[[row.attainment - row.low], [row.high - row.attainment]],
                    fmt="*", ms=14, color="#c8553d", capsize=4, label=_TEXT["chosen"][lang], zorder=4)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(_TEXT["cost"][lang])
    ax.set_ylabel(_TEXT["att"][lang])
    ax.set_title(_TEXT["title"][lang])
    ax.legend(loc="lower right", fontsize=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fig



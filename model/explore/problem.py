"""The exploration problem, typed from the parameter schema: levers, uncertainties and outcomes.

One ``Problem`` object is what the samplers, the runner and the analyses read::

    from model.explore import Problem
    problem = Problem.from_schema(
        levers=["station_build_share", "contract_years"],          # full schema ranges
        uncertainties={"sw_turnover_base": (0.15, 0.25)},          # or narrowed ones
        scenario="baseline", region="demo",
        indicators={"volunteers_active": ["2023-12", "2025-12"]},
    )
    problem.salib()        # a SALib problem dict
    problem.ema_model()    # an EMA Workbench Model

A *factor* is one schema parameter that a design varies (a lever or an uncertainty);
everything else comes from the base scenario (its region, target set, window, values
and dated changes). An *outcome* is a number per run: each target's value at its date
and its met flag (1 or 0), an indicator at a chosen month end, and the public money
spent by the end (``cost``).

Every factor is sampled in SALib's space: a float on [min, max]; an int on
[min, max + 1) and floored; a bool or choice on [0, k) and floored to an index. So
SALib and EMA see the same ranges that ``model.parameters()`` declares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..core.calendar import month_end
from ..indicators import INDICATORS
from ..messages import not_one_of
from ..params import SCHEMA, ParameterError
from ..scenarios import Scenario, load_scenario
from ..targets import load_targets

__all__ = ["Factor", "Outcome", "Problem", "plain"]


def plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds (``np.int64(2)`` → 2); anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class Factor:
    """One schema parameter varied by a design, over [low, high] (numbers) or its choices."""

    name: str
    low: float | None = None
    high: float | None = None

    @property
    def param(self):
        return SCHEMA[self.name]

    @property
    def kind(self) -> str:
        return self.param.kind

    @property
    def type(self) -> str:
        return self.param.type

    @property
    def choices(self) -> tuple:
        if self.type == "bool":
            return (False, True)
        return self.param.choices

    def label(self, lang: str = "en") -> str:
        return self.param.label(lang)

    @property
    def unit(self) -> str:
        return self.param.unit

    def bounds(self) -> list[float]:
        """The factor's range in SALib's space."""
        if self.type == "float":
            return [float(self.low), float(self.high)]
        if self.type == "int":
            return [float(self.low), float(self.high) + 1.0]
        return [0.0, float(len(self.choices))]

    def value(self, x: float) -> Any:
        """A point of SALib's space → the parameter value the model takes."""
        x = float(plain(x))
        if self.type == "float":
            return min(max(x, self.low), self.high)
        if self.type == "int":
            return int(min(max(math.floor(x), self.low), self.high))
        index = int(min(max(math.floor(x), 0), len(self.choices) - 1))
        return self.choices[index]

    def levels(self, k: int) -> list[Any]:
        """``k`` evenly spaced values (all of them for bool and choice), for a full factorial."""
        if self.type in ("bool", "choice"):
            return list(self.choices)
        if self.type == "int":
            span = int(self.high - self.low)
            return sorted({int(round(v)) for v in np.linspace(self.low, self.high, min(k, span + 1))})
        return [float(v) for v in np.linspace(self.low, self.high, k)]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "low": self.low, "high": self.high}


def _factor(name: str, rng=None) -> Factor:
    if name not in SCHEMA:
        import difflib

        close = difflib.get_close_matches(name, SCHEMA, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise ParameterError(name, f'"{name}" is not a parameter{hint}; see `wushe list --params`')
    p = SCHEMA[name]
    if p.type in ("bool", "choice"):
        if rng is not None:
            raise ParameterError(name, f'"{name}" takes {p.type} values: give no range for it')
        return Factor(name)
    lo, hi = (p.min, p.max) if rng is None else (plain(rng[0]), plain(rng[1]))
    try:
        lo, hi = p.coerce(lo), p.coerce(hi)
    except ParameterError as exc:
        raise ParameterError(name, f"range of {exc}") from None
    if not lo < hi:
        raise ParameterError(name, f'"{name}": the range must have low < high; got [{lo}, {hi}]')
    return Factor(name, lo, hi)


def _factors(spec, kind: str) -> tuple[Factor, ...]:
    if spec is None:
        return ()
    if isinstance(spec, str):
        spec = [n for n in SCHEMA if SCHEMA[n].kind == kind] if spec == "all" else [spec]
    items = spec.items() if isinstance(spec, dict) else [(n, None) for n in spec]
    out = []
    for name, rng in items:
        f = _factor(name, rng)
        if f.kind != kind:
            raise ParameterError(name, f'"{name}" is {"an" if f.kind[0] in "aeiou" else "a"} {f.kind}, not {kind}')
        out.append(f)
    return tuple(out)


@dataclass(frozen=True)
class Outcome:
    """A number per run: a target's ``value`` or ``met`` flag, or an ``indicator`` at a month end."""

    name: str
    kind: str  # value | met | indicator
    indicator: str
    date: pd.Timestamp
    target: str | None = None
    label_zh: str = ""
    label_en: str = ""

    def label(self, lang: str = "en") -> str:
        return (self.label_zh if lang == "zh" else self.label_en) or self.name

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "indicator": self.indicator, "date": f"{self.date:%Y-%m}"}


@dataclass(frozen=True)
class Problem:
    """Levers × uncertainties → outcomes, around a base scenario (region, targets, window, values)."""

    base: Scenario
    levers: tuple[Factor, ...] = ()
    uncertainties: tuple[Factor, ...] = ()
    indicators: tuple[tuple[str, str], ...] = ()  # (indicator, "YYYY-MM") pairs
    outcomes: tuple[Outcome, ...] = field(default=(), compare=False)

    @classmethod
    def from_schema(cls, levers=None, uncertainties=None, scenario: str | Scenario = "baseline",
                    region: str | None = None, indicators=None) -> Problem:
        """Build a problem from schema names.

        ``levers`` and ``uncertainties``: a list of names (their schema ranges), a dict
        ``{name: (low, high)}`` (narrowed ranges; none for bool and choice), or "all".
        ``scenario``: the base strategy (a name, a path or a Scenario); ``region``
        overrides its region. ``indicators``: names (judged at the scenario's end) or
        ``{name: ["YYYY-MM", ...]}``.
        """
        base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        base = base.with_region(region)
        pairs = []
        if isinstance(indicators, str):
            indicators = [indicators]
        items = indicators.items() if isinstance(indicators, dict) else [(n, None) for n in (indicators or [])]
        for name, months in items:
            if name not in INDICATORS:
                raise ParameterError(name, not_one_of(name, INDICATORS, "an indicator"))
            for month in ([months] if isinstance(months, str) else (months or [base.end])):
                pairs.append((name, f"{month_end(month):%Y-%m}"))
        problem = cls(base, _factors(levers, "lever"), _factors(uncertainties, "uncertainty"), tuple(pairs))
        names = [f.name for f in problem.factors]
        if len(set(names)) != len(names):
            raise ParameterError(names[0], "a parameter is named twice among the factors")
        if not names:
            raise ParameterError("levers", "a problem needs at least one lever or uncertainty to vary")
        return problem

    def __post_init__(self):
        object.__setattr__(self, "outcomes", self._outcomes())

    # ---- what is varied ---------------------------------------------------------------------
    @property
    def factors(self) -> tuple[Factor, ...]:
        return self.levers + self.uncertainties

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def factor(self, name: str) -> Factor:
        return next(f for f in self.factors if f.name == name)

    def values(self, x) -> dict[str, Any]:
        """One point of SALib's space (a row of a sample matrix) → ``{parameter: value}``."""
        return {f.name: f.value(v) for f, v in zip(self.factors, np.asarray(x, dtype=float), strict=True)}

    def frame(self, X) -> pd.DataFrame:
        """A sample matrix (rows in SALib's space) → one row of parameter values per point."""
        return pd.DataFrame([self.values(x) for x in np.atleast_2d(X)], columns=self.names)

    def scenario(self, values: dict[str, Any], name: str, title: dict | None = None) -> Scenario:
        """The base scenario with ``values`` set (numpy scalars accepted), named ``name``."""
        params = dict(self.base.params)
        for k, v in values.items():
            params[k] = SCHEMA[k].coerce(plain(v))
        # a varied lever overrides the base scenario's dated changes of that lever
        changes = {d: {k: v for k, v in c.items() if k not in values} for d, c in self.base.changes.items()}
        changes = {d: c for d, c in changes.items() if c}
        return replace(self.base, name=name, params=params, changes=changes, title=title or {"zh": name, "en": name},
                       description={}, sources={}, tags=("explore",), path=None)

    # ---- what is read off -------------------------------------------------------------------
    def _outcomes(self) -> tuple[Outcome, ...]:
        out = []
        for t in load_targets(self.base.targets):
            out.append(Outcome(f"{t.id}_met", "met", t.indicator, t.date, t.id,
                               f"{t.label_zh}(达成)", f"{t.label_en} (met)"))
            out.append(Outcome(f"{t.id}_value", "value", t.indicator, t.date, t.id,
                               f"{INDICATORS[t.indicator].label_zh}({t.date:%Y-%m})",
                               f"{INDICATORS[t.indicator].label_en} ({t.date:%Y-%m})"))
        pairs = [("public_spend_yuan", self.base.end), *self.indicators]
        for name, month in dict.fromkeys(pairs):
            date = month_end(month)
            ind = INDICATORS[name]
            key = "cost" if (name, month) == ("public_spend_yuan", self.base.end) else f"{name}_at_{date:%Y%m}"
            out.append(Outcome(key, "indicator", name, date, None, f"{ind.label_zh}({date:%Y-%m})",
                               f"{ind.label_en} ({date:%Y-%m})"))
        return tuple(out)

    def outcome(self, name: str) -> Outcome:
        for o in self.outcomes:
            if o.name == name:
                return o
        raise KeyError(f'"{name}" is not an outcome of this problem; valid ones are: '
                       f'{", ".join(o.name for o in self.outcomes)}')

    @property
    def target_ids(self) -> list[str]:
        return [o.target for o in self.outcomes if o.kind == "met"]

    def outcome_values(self, frame: pd.DataFrame) -> dict[str, float]:
        """A run's frame (date index, indicator columns) → every outcome's value (met flags as 1.0 / 0.0)."""
        from ..targets import evaluate

        judged = evaluate(frame, load_targets(self.base.targets)).set_index("target")
        out = {}
        for o in self.outcomes:
            if o.kind == "met":
                out[o.name] = float(bool(judged.loc[o.target, "met"]))
            elif o.kind == "value":
                out[o.name] = float(judged.loc[o.target, "value"])
            else:
                at = frame[o.indicator][frame.index <= o.date]
                out[o.name] = float(at.iloc[-1]) if len(at) and frame.index.max() >= o.date else float("nan")
        return out

    # ---- other tools ------------------------------------------------------------------------
    def salib(self) -> dict[str, Any]:
        """The problem as SALib takes it (``num_vars``, ``names``, ``bounds``; groups none).

        Map a SALib sample matrix back to parameter values with ``problem.frame(X)``.
        """
        return {"num_vars": len(self.factors), "names": self.names, "bounds": [f.bounds() for f in self.factors]}

    def ema_model(self, name: str = "wushe", replications: int | None = None, seed: int = 0):
        """An EMA Workbench ``Model`` (or ``ReplicatorModel`` with ``replications``) of this problem.

        Its uncertainties and levers are this problem's factors (EMA's Real, Integer,
        Boolean and Categorical parameters), its outcomes this problem's outcomes; the
        function runs ``model.simulate`` on the base scenario with the values EMA passes
        (numpy scalars included). With ``replications``, each experiment runs on the
        replicate seeds of root ``seed`` (the same seeds for every experiment: common
        random numbers) and EMA returns every replication's outcomes; else on ``seed``.
        """
        from ema_workbench import (
            BooleanParameter,
            CategoricalParameter,
            Constant,
            IntegerParameter,
            Model,
            RealParameter,
            ReplicatorModel,
            ScalarOutcome,
        )

        from ..experiment import replicate_seeds

        def param(f: Factor):
            if f.type == "float":
                return RealParameter(f.name, f.low, f.high)
            if f.type == "int":
                return IntegerParameter(f.name, int(f.low), int(f.high))
            if f.type == "bool":
                return BooleanParameter(f.name)
            return CategoricalParameter(f.name, list(f.choices))

        fn = EmaRun(self.to_dict())
        if replications:
            model = ReplicatorModel(name, function=fn)
            model.replications = [{"seed": s} for s in replicate_seeds(seed, int(replications))]
        else:
            model = Model(name, function=fn)
            model.constants = [Constant("seed", int(seed))]
        model.uncertainties = [param(f) for f in self.uncertainties]
        model.levers = [param(f) for f in self.levers]
        model.outcomes = [ScalarOutcome(o.name) for o in self.outcomes]
        return model

    # ---- storage ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base.to_dict(),
            "levers": [f.to_dict() for f in self.levers],
            "uncertainties": [f.to_dict() for f in self.uncertainties],
            "indicators": [list(p) for p in self.indicators],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        from ..scenarios import scenario_from_dict

        base = dict(data["base"])
        path = base.pop("path", None)
        base = {k: v for k, v in base.items() if v not in ({}, [], None) or k in ("params",)}
        scenario = replace(scenario_from_dict(base), path=path)
        return cls(scenario,
                   tuple(_factor(f["name"], None if f["low"] is None else (f["low"], f["high"]))
                         for f in data["levers"]),
                   tuple(_factor(f["name"], None if f["low"] is None else (f["low"], f["high"]))
                         for f in data["uncertainties"]),
                   tuple(tuple(p) for p in data.get("indicators", [])))

    def describe(self, lang: str = "en") -> pd.DataFrame:
        """One row per factor: name, kind, label, unit and range."""
        rows = []
        for f in self.factors:
            rng = ", ".join(map(str, f.choices)) if f.type in ("bool", "choice") else f"{f.low:g} – {f.high:g}"
            rows.append({"name": f.name, "kind": f.kind, "label": f.label(lang), "unit": f.unit, "range": rng})
        return pd.DataFrame(rows)


class EmaRun:
    """The function of the EMA model: ``EmaRun(problem_dict)(seed=…, **values) -> {outcome: value}``.

    A class holding the problem as plain data, so that EMA's multiprocessing evaluator
    can pickle it.
    """

    def __init__(self, problem: dict[str, Any]):
        self.problem = problem
        self._cached: Problem | None = None

    def __getstate__(self):
        return {"problem": self.problem, "_cached": None}

    def __call__(self, seed=0, **values) -> dict[str, float]:
        from ..simulation import simulate

        if self._cached is None:
            self._cached = Problem.from_dict(self.problem)
        problem = self._cached
        scenario = problem.scenario({k: plain(v) for k, v in values.items()}, "ema")
        frame = simulate(seed=int(plain(seed)), **scenario.simulate_kwargs())
        return problem.outcome_values(frame)

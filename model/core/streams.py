"""Randomness: one generator per stochastic process, and the two ways counts are drawn."""

from __future__ import annotations

import numpy as np

from ..messages import shown

__all__ = ["STREAMS", "make_streams", "stochastic_round", "bulk_flow", "round_expected", "poisson_from_uniform", "monthly", "monthly_events"]

# One random stream per stochastic process, spawned in this order from the seed.
# Append new streams at the end: the order keeps old streams' numbers unchanged.
STREAMS = (
    "mesa",
    "structure",
    "initial",
    "fiscal",
    "build",
    "tender",
    "hiring",
    "turnover",
    "exam",
    "founding",
    "closure",
    "incubation",
    "grants",
    "volunteering",
    "donation",
    "needs",
    "registration",
    "bases",
    "points",
    "funds",
    "assessment",
    "channels",
    "platform",
    "talent",
    "labour",
    "evaluation",
    "posts",
    "quality",
    "renewal",
    "market",
    "foundations",
    "rooms",
)

# an annual hazard is capped here before it is made monthly (assumption: nobody's yearly
# chance of leaving or closing is certain)
MAX_ANNUAL_HAZARD = 0.95


def make_streams(seed) -> dict[str, np.random.Generator]:
    """``{process: Generator}``, spawned from ``numpy.random.SeedSequence(seed)`` in ``STREAMS`` order."""
    try:
        sequence = np.random.SeedSequence(seed)
    except TypeError:
        raise TypeError(f"seed must be a whole number ≥ 0 or a sequence of them; got {type(seed).__name__} "
                        f"{shown(seed, 40)}") from None
    except ValueError:
        raise ValueError(f"seed must be a whole number ≥ 0 or a sequence of them; got {shown(seed, 40)}") from None
    children = sequence.spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


def stochastic_round(x: float, rng: np.random.Generator) -> int:
    """``x`` rounded up with probability equal to its fractional part (one uniform draw)."""
    base = int(np.floor(x))
    return base + int(rng.random() < (x - base))


def bulk_flow(rng: np.random.Generator, n, p) -> np.ndarray:
    """A flow out of counts held in bulk: the expected number n·p, stochastically rounded.

    Residents, volunteers and needs are counts per community (ODD §2); their flows are
    expected values rounded up with probability equal to the fractional part, which keeps
    them unbiased and whole at a fraction of the cost of binomial draws (one uniform each).
    Never more than ``n``.
    """
    n = np.asarray(n, dtype=np.int64)
    return round_expected(rng, n * np.asarray(p, dtype=float), cap=n)


def round_expected(rng: np.random.Generator, x, cap=None) -> np.ndarray:
    """Expected counts ``x`` (≥ 0) stochastically rounded: ``floor(x + u)``, u uniform on [0, 1).

    That is ``floor(x)``, plus one with probability equal to the fractional part of ``x``.
    ``cap`` (whole numbers ≥ ``x``) bounds the result: floating-point rounding of ``x + u``
    could otherwise, very rarely, pass a whole ``x`` by one. A float array ``x`` is overwritten.
    """
    x = np.asarray(x, dtype=float)
    x += rng.random(x.shape)
    out = x.astype(np.int64)
    return out if cap is None else np.minimum(out, cap, out=out)


def poisson_from_uniform(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson counts with means ``lam`` from one uniform each, by the inverse distribution function.

    A place's count depends only on its own mean and its own uniform, so paired runs that
    draw the same uniforms (common random numbers) differ only where the means differ. Meant
    for small means (a month's projects in a community): one pass per count reached.
    """
    u = np.asarray(u, dtype=float)
    lam = np.asarray(lam, dtype=float)
    k = np.zeros(lam.shape, np.int64)
    term = np.exp(-lam)  # P(X = k)
    cdf = term.copy()  # P(X ≤ k)
    more = np.flatnonzero(u >= cdf)
    j = 0
    while len(more):
        j += 1
        term_m = term[more] * lam[more] / j
        term[more] = term_m
        cdf[more] += term_m
        k[more] = j
        more = more[u[more] >= cdf[more]]
    return k


def monthly(annual_hazard):
    """The monthly probability equivalent to an annual hazard (capped at ``MAX_ANNUAL_HAZARD``)."""
    h = np.minimum(annual_hazard, MAX_ANNUAL_HAZARD)
    if not isinstance(h, np.ndarray):
        return 1.0 - np.power(1.0 - h, 1.0 / 12.0)
    np.subtract(1.0, h, out=h)  # the same operations in place on the new array
    np.power(h, 1.0 / 12.0, out=h)
    return np.subtract(1.0, h, out=h)


def monthly_events(rng: np.random.Generator, annual_hazard: np.ndarray) -> np.ndarray:
    """Which of these happen this month, each with the monthly chance of its annual hazard.

    The same events as ``rng.random(n) < monthly(annual_hazard)``, one uniform each, without
    the twelfth root: u < 1 − (1 − h)^(1/12) exactly when (1 − u)^12 > 1 − h (h capped at
    ``MAX_ANNUAL_HAZARD``); the twelfth power is four multiplications.
    """
    last = np.minimum(annual_hazard, MAX_ANNUAL_HAZARD)
    np.subtract(1.0, last, out=last)  # the chance of lasting the year
    v = rng.random(np.shape(last))
    np.subtract(1.0, v, out=v)
    v4 = v * v
    v4 *= v4
    v12 = v4 * v4
    v12 *= v4
    return v12 > last

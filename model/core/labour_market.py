"""The labour market for station and agency social workers: pure rules over arrays (ODD §7.4).

Candidates wait in a pool per prefecture (social-work graduates, local people, certified
people outside a post), each with a reservation pay drawn from a log-normal around the
local graduate pay. A vacancy is filled in a month with a chance that grows with the
share of candidates who accept the offered pay and with the number of candidates per
vacancy; the expected delay is its inverse. Posts are bought with money, not rounded to
the nearest whole: a station's budget buys a fractional number of posts, rounded up or
down at random so that the expected number equals what the money buys. A worker's
productivity and the community ties they build (linkage) grow with tenure and are lost
when they leave; a vacancy delivers nothing.

Every function is pure (numbers or arrays in, numbers or arrays out, randomness only from
the generator passed in), so that each can be tested on a few rows.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

__all__ = [
    "accept_share",
    "fill_probability",
    "expected_delay_months",
    "pool_step",
    "posts_affordable",
    "round_posts",
    "direct_post_cost",
    "productivity",
    "linkage_ties",
]


def accept_share(offer_ratio, reservation_median: float, reservation_sigma: float):
    """Share of candidates whose reservation pay is at or below the offer.

    Pay is a ratio to local graduate pay; reservation pay is log-normal with median
    ``reservation_median`` and log-s.d. ``reservation_sigma``.
    """
    offer = np.maximum(np.asarray(offer_ratio, dtype=float), 1e-9)
    if reservation_sigma <= 0:
        return (offer >= reservation_median).astype(float)
    return ndtr((np.log(offer) - np.log(reservation_median)) / reservation_sigma)


def fill_probability(offer_ratio, candidates, vacancies, fill_prob_full: float, reservation_median: float,
                     reservation_sigma: float):
    """Chance that one vacancy is filled this month.

    ``fill_prob_full`` is the monthly chance when every candidate accepts and candidates
    are plentiful; it is raised to the power of the acceptance share times the market's
    tightness factor ``c / (c + v)`` (candidates ``c`` per vacancies ``v``): a market
    with no candidates fills nothing, one with many fills at the full rate.
    """
    acc = accept_share(offer_ratio, reservation_median, reservation_sigma)
    c = np.maximum(np.asarray(candidates, dtype=float), 0.0)
    v = np.maximum(np.asarray(vacancies, dtype=float), 0.0)
    tight = np.divide(c, c + v, out=np.ones(np.broadcast(c, v).shape), where=(c + v) > 0)
    return 1.0 - np.power(1.0 - fill_prob_full, acc * tight)


def expected_delay_months(p_fill):
    """Mean months a vacancy stays open (geometric waiting time), infinite when nothing fills."""
    p = np.asarray(p_fill, dtype=float)
    return np.divide(1.0, p, out=np.full(p.shape, np.inf), where=p > 0)


def pool_step(pool, inflow, hires, drift: float):
    """Candidates next month: last month's less hires, less those who found other work, plus entrants.

    ``drift`` is the monthly share of waiting candidates who take other jobs.
    """
    pool = np.asarray(pool, dtype=float)
    return np.maximum(pool - np.asarray(hires, dtype=float), 0.0) * (1.0 - drift) + np.asarray(inflow, dtype=float)


def posts_affordable(money, post_cost):
    """Posts the money buys, fractional: a post is a full-time worker-year at ``post_cost``."""
    return np.maximum(np.asarray(money, dtype=float), 0.0) / post_cost


def round_posts(posts, rng: np.random.Generator, minimum: int = 0):
    """Whole posts from fractional ones: up with probability equal to the fraction (unbiased).

    ``minimum`` is a floor (a station with any staff money has at least one post only if
    the caller asks for it).
    """
    x = np.asarray(posts, dtype=float)
    base = np.floor(x)
    whole = base + (rng.random(x.shape) < (x - base))
    return np.maximum(whole.astype(np.int64), minimum)


def direct_post_cost(sw_cost: float, oncost_share: float, recruit_cost: float, turnover: float) -> float:
    """Yearly cost of a directly employed post to the township.

    ``sw_cost`` is the fully loaded salary (with the employer's social insurance, as in
    the Changsha tender); the township adds management and payroll work (``oncost_share``)
    and recruits a replacement for each leaver (``recruit_cost`` × yearly ``turnover``).
    """
    return sw_cost * (1.0 + oncost_share) + recruit_cost * turnover


def productivity(tenure_months, new_hire: float, ramp_months: float):
    """Share of a veteran's casework a worker delivers after ``tenure_months`` in the post.

    Starts at ``new_hire`` and approaches 1 exponentially with time constant ``ramp_months``.
    """
    t = np.maximum(np.asarray(tenure_months, dtype=float), 0.0)
    return 1.0 - (1.0 - new_hire) * np.exp(-t / ramp_months)


def linkage_ties(tenure_months, floor: float, ramp_months: float):
    """Share of a worker's linkage hours that reach residents through the ties they have built.

    A newcomer organises at ``floor``; ties build up with time constant ``ramp_months``
    and are lost when the worker leaves (tenure restarts at zero for a successor).
    """
    t = np.maximum(np.asarray(tenure_months, dtype=float), 0.0)
    return floor + (1.0 - floor) * (1.0 - np.exp(-t / ramp_months))


def round_posts_within(posts, rng: np.random.Generator):
    """Whole posts for several stations paid from one pot, never more than the pot buys.

    Each station gets ``floor(x)`` or ``ceil(x)`` of its fractional posts ``x``; the total is
    ``floor(sum x)``: the posts left over after flooring go to stations drawn with chance in
    proportion to their fractional parts. The money for the fraction of a post that no
    station gets stays unspent.
    """
    x = np.maximum(np.asarray(posts, dtype=float), 0.0)
    base = np.floor(x)
    frac = x - base
    extra = int(np.floor(x.sum() + 1e-9) - base.sum())
    whole = base.astype(np.int64)
    if extra > 0:
        pick = rng.choice(len(x), size=extra, replace=False, p=frac / frac.sum())
        whole[pick] += 1
    return whole

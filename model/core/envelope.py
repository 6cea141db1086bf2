"""The budget envelope: what counties and the province can spend, and how lines compete (ODD §7.1).

Pure rules over arrays:

* Each county (and the province) has a yearly five-society **envelope** from the region
  file: the region's civil-affairs spending × the five-society share, split between the
  province and the counties (counties by population), plus any money a scenario adds.
* The **squeeze** is applied once, to what the year's plan asks for; the counties then
  fund their requests in an order of protection, so that a cut falls on activities first,
  then on unfilled posts (stations are thinned), then on new stations, and on operating
  stations last (``allocate``).
* **Stations are built by stochastic rounding**: a county's share of townships to build
  becomes a whole number rounded up with probability equal to the fraction, so that a
  county of one township (Shennongjia) builds in some years.
* **Charity**: matching comes from a matching fund of its own (``match_from_fund``);
  donations are bounded by a donor base that saturates (``saturate``).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TIERS",
    "region_envelope",
    "county_envelopes",
    "county_weights",
    "allocate",
    "squeezed",
    "stochastic_round",
    "saturate",
    "match_from_fund",
]

# The order in which a county protects its requests when money is short (first = last cut).
# Assumptions from §5.contracts_shape_supply and §4b.qu_2022 (meet central targets): a station
# open is the visible result buyers are held to
# (47号's coverage target); allowances are entitlements; running bases and points are
# commitments; unfilled posts are left open before a station closes; activities (brand
# projects, grants, training, incentives, the platform, public matching) are the easiest to
# postpone.
TIERS = (
    "stations_floor",  # operating stations at one post: the station stays open
    "allowances",
    "facilities",  # incubation bases and volunteer points already open
    "new_stations_floor",  # new stations at one post
    "posts",  # posts beyond the first: cut by leaving vacancies unfilled (thinning)
    "activities",
)


def region_envelope(civil_affairs_yuan: float, five_society_share: float, extra_yuan: float = 0.0) -> float:
    """A region's yearly five-society envelope: civil-affairs spending × the five-society share + extra."""
    return civil_affairs_yuan * five_society_share + extra_yuan


def county_envelopes(total: float, county_weight, province_share: float):
    """Split a region's envelope: the province keeps ``province_share``; counties share the rest by weight.

    Returns (province envelope, county envelopes array).
    """
    weight = np.asarray(county_weight, dtype=float)
    province = total * province_share
    counties = (total - province) * weight / weight.sum() if weight.sum() > 0 else np.zeros_like(weight)
    return province, counties


def county_weights(county_population, county_townships):
    """Each county's share of the counties' envelope: half by population, half by townships.

    Assumption: provincial transfers equalise station money per township (stations are per
    township; the county bureau buys them, §1c.key_county_pilots), while the other lines follow residents.
    """
    pop = np.asarray(county_population, dtype=float)
    towns = np.asarray(county_townships, dtype=float)
    return 0.5 * pop / pop.sum() + 0.5 * towns / towns.sum()


def squeezed(amount, squeeze: float):
    """The squeeze, applied once: the share ``squeeze`` is cut from what was planned."""
    return np.asarray(amount, dtype=float) * (1.0 - squeeze)


def allocate(requests, available):
    """Fund requests tier by tier until the money runs out.

    ``requests`` is an array of shape (tiers, units) (one column per county, say) or
    (tiers,); ``available`` one amount per unit. Each tier is funded in full while money
    lasts; the tier where it runs out gets the same share of its request in every unit
    column; later tiers get nothing. Returns the grants, the same shape as ``requests``,
    never more than requested and never more than available in total.
    """
    req = np.maximum(np.asarray(requests, dtype=float), 0.0)
    left = np.maximum(np.asarray(available, dtype=float), 0.0).copy()
    grants = np.zeros_like(req)
    for k in range(req.shape[0]):
        share = np.divide(left, req[k], out=np.ones_like(left), where=req[k] > 0)
        grants[k] = req[k] * np.minimum(share, 1.0)
        left = np.maximum(left - grants[k], 0.0)
    return grants


def stochastic_round(x, rng: np.random.Generator):
    """Whole numbers from fractional ones, rounded up with probability equal to the fraction."""
    x = np.asarray(x, dtype=float)
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)


def saturate(raw_before, raw_now, capacity):
    """Donations bounded by a donor base that saturates.

    Raw asks accumulate over the year (``raw_before`` so far, ``raw_now`` this month); what
    donors give in total is ``capacity × (1 − exp(−raw / capacity))``: about the ask while it
    is small against the base, never more than the base. Returns this month's gifts.
    """
    before = np.asarray(raw_before, dtype=float)
    now = np.asarray(raw_now, dtype=float)
    return given_of(before + now, capacity) - given_of(before, capacity)


def given_of(raw, capacity):
    """What donors give in total against a year's raw asks: ``capacity × (1 − exp(−raw / capacity))``."""
    cap = np.asarray(capacity, dtype=float)
    safe = np.where(cap > 0, cap, 1.0)
    return np.where(cap > 0, safe * -np.expm1(-np.asarray(raw, dtype=float) / safe), 0.0)


def match_from_fund(donations, ratio: float, fund_balance: float):
    """Matching gifts (配捐) paid from a matching fund: ``ratio`` × donations, while the fund lasts.

    Returns (match per donation, fund balance left); when the fund cannot pay in full every
    donation is matched at the same reduced rate.
    """
    d = np.asarray(donations, dtype=float)
    want = ratio * d
    total = float(want.sum())
    if total <= 0 or fund_balance <= 0:
        return np.zeros_like(d), max(float(fund_balance), 0.0)
    paid_share = min(1.0, fund_balance / total)
    return want * paid_share, float(fund_balance - total * paid_share)

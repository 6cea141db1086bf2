"""Funding channels for stations (拓宽资金渠道, seed: Nanchong) and counties that differ.

A station's money comes from the county budget, the township, lottery public-welfare funds
(福彩公益金) and charity, in shares set by levers (the county pays the rest). Each channel
pays in full in a year with its own reliability, else a part of its share. The county's own
share is limited by its fiscal capacity (region file, ``[counties]``); its implementation
speed multiplies the planned pace of building. Pure functions.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CHANNELS", "channel_shares", "draw_paid", "county_factor", "build_count"]

CHANNELS = ("county", "township", "lottery", "charity")


def channel_shares(township: float, lottery: float, charity: float) -> np.ndarray:
    """The four channels' shares of station money; the county pays the rest.

    Each lever is a share of the whole; when the other channels add up to more than the
    whole they are scaled down to it in proportion (the county then pays nothing).
    """
    others = np.array([township, lottery, charity], float)
    total = float(others.sum())
    if total > 1.0:
        others = others / total
    return np.concatenate([[max(0.0, 1.0 - float(others.sum()))], others])


def draw_paid(n_counties: int, reliability: np.ndarray, shortfall_paid: float, rng: np.random.Generator
              ) -> np.ndarray:
    """This year's paid fraction of each channel in each county, shape (channels, counties).

    A channel pays in full with its ``reliability``, else ``shortfall_paid`` of its share.
    One uniform per channel and county (common random numbers across levers).
    """
    u = rng.random((len(reliability), n_counties))
    return np.where(u < np.asarray(reliability, float)[:, None], 1.0, float(shortfall_paid))


def county_factor(shares: np.ndarray, paid: np.ndarray, fiscal_capacity: np.ndarray) -> np.ndarray:
    """Share of its station plan a county can pay for this year, per county.

    The county channel pays ``share × min(1, fiscal capacity) × paid``; the others
    ``share × paid``. With every share on the county and full capacity this is 1.
    """
    shares = np.asarray(shares, float)
    paid = np.asarray(paid, float)
    own = shares[0] * np.minimum(1.0, np.asarray(fiscal_capacity, float)) * paid[0]
    return own + (shares[1:, None] * paid[1:]).sum(axis=0)


def build_count(build_share: float, townships: int, speed: float, money: float) -> int:
    """New stations a county plans this year: the planned share × its speed × what it can pay."""
    return int(round(float(build_share) * int(townships) * float(speed) * float(money)))

"""Community committees (社区“两委”) under party leadership (党建引领), and community-worker posts.

47号 (seed) makes 坚持党建引领, 发挥社区“两委”的组织协调作用 the first task of the
Five-Society Linkage. In the model a committee's strength (0–1, drawn per community from the
region file) coordinates the linkage, helps residents ask for services, mobilises volunteers,
keeps organisations alive and helps new ones start. The lever ``party_building`` supports
committees: it closes a share of the gap to a full-strength committee. Pure functions.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "effective_strength",
    "centred_factor",
    "founding_factor",
    "closure_factor",
    "ask_bonus",
    "support_cost",
    "worker_posts",
]

# Today's rules, named (assumptions, ODD §7.8 and §7.11): founding × (0.5 + s); closure
# hazard × (1.3 − 0.6 s); chance of asking + 0.1 s.
FOUNDING_BASE, FOUNDING_SLOPE = 0.5, 1.0
CLOSURE_BASE, CLOSURE_SLOPE = 1.3, 0.6
ASK_SLOPE = 0.1


def effective_strength(strength: np.ndarray, support: float) -> np.ndarray:
    """Committee strength with support: ``s + support × (1 − s)`` (0 ≤ support ≤ 1)."""
    s = np.asarray(strength, float)
    return s + float(support) * (1.0 - s)


def centred_factor(strength: np.ndarray, effect: float) -> np.ndarray:
    """A multiplier ``1 + effect × (s − 0.5)``: 1 for an average committee (s = 0.5)."""
    return 1.0 + float(effect) * (np.asarray(strength, float) - 0.5)


def founding_factor(strength: np.ndarray) -> np.ndarray:
    """Organisation founding multiplier ``0.5 + s``."""
    return FOUNDING_BASE + FOUNDING_SLOPE * np.asarray(strength, float)


def closure_factor(strength: np.ndarray) -> np.ndarray:
    """Organisation closure-hazard multiplier ``1.3 − 0.6 s``: strong committees keep organisations alive."""
    return CLOSURE_BASE - CLOSURE_SLOPE * np.asarray(strength, float)


def ask_bonus(strength: np.ndarray) -> np.ndarray:
    """Added chance that a resident with a need asks for help through the community: ``0.1 s``."""
    return ASK_SLOPE * np.asarray(strength, float)


def support_cost(n_communities: int, support: float, yuan_per_community_year: float) -> float:
    """Yearly cost of party-building support: communities × support × yuan at full support."""
    return float(n_communities) * float(support) * float(yuan_per_community_year)


def worker_posts(posts: np.ndarray, urban: np.ndarray, population: np.ndarray, per_10k: float) -> np.ndarray:
    """Community-worker posts after the January plan: urban communities get posts up to
    ``per_10k`` per 10,000 residents (rounded), never fewer than they have; villages and a
    ratio of 0 leave the posts as they are (§1b.community_services_plan: 18 per 10,000 urban residents by 2025).
    """
    posts = np.asarray(posts)
    if per_10k <= 0:
        return posts.copy()
    target = np.rint(per_10k * np.asarray(population, float) / 10_000).astype(posts.dtype)
    return np.where(np.asarray(urban, bool), np.maximum(posts, target), posts)

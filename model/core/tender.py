"""Procurement with teeth: delivery, evaluation, tender, transition, entry and folding (ODD §7.3).

Pure rules over arrays, used by the purchasers and agencies of the core:

* An agency has a latent **quality** (the share of its contracted plan it delivers when
  fully staffed by veterans); nobody observes it. What a station **delivers** against
  the contract's plan is quality × staffing × the staff's productivity.
* **Evaluation** is a noisy measure of delivery against the plan (outputs or outcomes,
  as the lever says, each with its own noise); a score below the pass mark means no
  renewal and a new tender.
* Buyers judge bidders by **reputation**, the running estimate of quality from past
  evaluations (shrunk towards the prior while few are observed), plus noise; the
  incumbent has an edge (buyers avoid the risk of a new provider).
* A change of provider has **transition costs**: the posts are vacant during the tender
  months, only some staff move, and those who leave take their tenure and ties with them.
* **Entry**: a tender with fewer bidders than the market's minimum draws a new agency
  with some chance. **Folding**: an agency whose reserves run out folds, whether or not
  it holds stations.
* **Contract length** sets how often tenders and evaluations are paid for and how
  insecure staff feel, against how soon a weak provider can be replaced.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "delivery",
    "evaluation_score",
    "passes",
    "update_reputation",
    "bid_scores",
    "award",
    "staff_moving",
    "entry",
    "reserves_next",
    "folds",
    "contract_overhead_per_year",
]


def delivery(quality, staffed_share, productivity_mean, plan: float = 1.0):
    """Share of the contract's plan delivered, in [0, 1]: quality × posts filled × staff productivity,
    against a plan of ``plan`` (what the purchaser expects of a fully staffed veteran team)."""
    return np.clip(np.asarray(quality, dtype=float) * np.asarray(staffed_share, dtype=float)
                   * np.asarray(productivity_mean, dtype=float) / plan, 0.0, 1.0)


def evaluation_score(delivered, noise_sd: float, rng: np.random.Generator):
    """A third-party evaluation: delivery against the plan plus measurement noise, clipped to [0, 1]."""
    if np.ndim(delivered) == 0:  # one station: the same draw and arithmetic on a float
        return min(max(float(delivered) + rng.normal(0.0, noise_sd), 0.0), 1.0)
    d = np.asarray(delivered, dtype=float)
    return np.clip(d + rng.normal(0.0, noise_sd, d.shape), 0.0, 1.0)


def passes(score, pass_mark: float):
    """The evaluation passes when the score reaches the pass mark."""
    return np.asarray(score) >= pass_mark


def update_reputation(reputation, n_scores, score, prior: float, prior_weight: float):
    """Reputation after one more evaluation: the mean of the scores, shrunk towards ``prior``.

    ``n_scores`` evaluations are behind ``reputation``; returns (reputation, n_scores + 1).
    With ``prior_weight`` pseudo-observations at ``prior``, a new agency starts at the prior.
    """
    if np.ndim(reputation) == 0 and np.ndim(n_scores) == 0 and np.ndim(score) == 0:  # one agency, on floats
        n = float(n_scores)
        return (float(reputation) * (n + prior_weight) + float(score)) / (n + 1 + prior_weight), n + 1
    n = np.asarray(n_scores, dtype=float)
    total = np.asarray(reputation, dtype=float) * (n + prior_weight)
    new = (total + np.asarray(score, dtype=float)) / (n + 1 + prior_weight)
    return new, n + 1


def bid_scores(reputation, is_incumbent, incumbent_edge: float, noise_sd: float, rng: np.random.Generator):
    """How the buyer rates each bid: reputation, the incumbent's edge, and the noise of a tender."""
    r = np.asarray(reputation, dtype=float)
    return r + incumbent_edge * np.asarray(is_incumbent, dtype=float) + rng.normal(0.0, noise_sd, r.shape)


def award(scores) -> int:
    """Index of the winning bid (the highest score; the first on ties)."""
    return int(np.argmax(np.asarray(scores)))


def staff_moving(n_staff: int, retention: float, rng: np.random.Generator) -> np.ndarray:
    """Which of a station's staff move to the new provider (the others leave the post)."""
    return rng.random(int(n_staff)) < retention


def entry(n_bidders: int, min_bidders: int, entry_prob: float, rng: np.random.Generator) -> bool:
    """A new agency enters a tender that has fewer than ``min_bidders`` bidders, with ``entry_prob``.

    A tender with no bidder at all always draws an entrant (somebody takes the contract).
    """
    if n_bidders == 0:
        return True
    if n_bidders >= min_bidders:
        return False
    return bool(rng.random() < entry_prob)


def reserves_next(reserves, revenue, wage_bill, overheads):
    """An agency's reserves after a month: plus revenue, less wages and its own overheads."""
    return (np.asarray(reserves, dtype=float) + np.asarray(revenue, dtype=float)
            - np.asarray(wage_bill, dtype=float) - np.asarray(overheads, dtype=float))


def folds(reserves, idle_months, max_idle: int):
    """An agency folds when its reserves have run out, or after ``max_idle`` months with no work."""
    return (np.asarray(reserves, dtype=float) < 0.0) | (np.asarray(idle_months) >= max_idle)


def contract_overhead_per_year(contract_years, tender_cost: float, evaluation_cost: float):
    """What buying a station costs the purchaser a year beyond the contract: one tender and one
    final evaluation per contract, plus a yearly review in each further contract year."""
    years = np.asarray(contract_years, dtype=float)
    return (tender_cost + evaluation_cost) / years + evaluation_cost * (years - 1) / years

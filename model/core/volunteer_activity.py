"""Volunteers who stay active for a while: registered ↔ active ↔ lapsed, with hours.

Registered volunteers are held per community in three stocks: **active** this month,
**ready** (registered, not active now, reachable) and **lapsed** (registered but dormant).
Each month active volunteers rest with chance ``1 / spell``; ready ones start with a chance
set by organising (social-worker hours, organisations, volunteer points, committees,
incentives, the platform); ready ones lapse with chance ``1 / lapse``; lapsed ones start
again at a tenth of the ready rate (assumption: dormant registrations are hard to reach).
§2d.registered_volunteers, §2d.volunteer_hours and §5.volunteers: a large registered stock, a
thin active flow; incentives aim at keeping volunteers. Pure functions; the model supplies
``flow`` (bulk flow with its random stream).
"""

from __future__ import annotations

import numpy as np

__all__ = ["REACH_LAPSED", "start_probability", "equilibrium", "step", "reconcile", "hours"]

REACH_LAPSED = 0.1  # lapsed volunteers start at this fraction of the ready rate (assumption)


def _ratios(s, spell: float, lapse: float, reach: float):
    """Stationary active / ready and lapsed / ready for start chance ``s`` (see ``step``)."""
    q, l_ = 1.0 / float(spell), 1.0 / float(lapse)
    out_of_ready = l_ * (1.0 - s)  # ready volunteers who do not start and lapse
    lapsed = np.divide(out_of_ready, reach * s, out=np.full_like(s, np.inf), where=s > 0)
    active = (s + out_of_ready) / q  # q A = s R + reach s L = s R + l (1 − s) R
    return active, lapsed


def start_probability(target: np.ndarray, spell: float, lapse: float, reach: float = REACH_LAPSED) -> np.ndarray:
    """Monthly start chance of a ready volunteer that makes ``target`` the long-run active share.

    The stationary stocks of ``step`` satisfy q A = s R + reach s L and l (1 − s) R = reach s L
    (q = 1/spell, l = 1/lapse). Writing the active share a = A / (A + R + L) gives
    (1 − a) reach (1 − l) s² + ((1 − a) reach l − a reach q + a l q) s − a l q = 0, whose
    positive root is returned.
    """
    a = np.clip(np.asarray(target, float), 0.0, 0.95)
    q, l_ = 1.0 / float(spell), 1.0 / float(lapse)
    qa = (1 - a) * reach * (1 - l_)
    qb = (1 - a) * reach * l_ - a * reach * q + a * l_ * q
    qc = -a * l_ * q
    s = (-qb + np.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa)
    return np.clip(s, 0.0, 1.0)


def equilibrium(registered: np.ndarray, target: np.ndarray, spell: float, lapse: float,
                reach: float = REACH_LAPSED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stationary (active, ready, lapsed) counts for ``registered`` at ``target`` (for set-up)."""
    reg = np.asarray(registered, np.int64)
    s = start_probability(target, spell, lapse, reach)
    act, lap = _ratios(s, spell, lapse, reach)
    ready = np.floor(reg / (1.0 + act + lap)).astype(np.int64)
    active = np.minimum(np.floor(ready * act).astype(np.int64), reg - ready)
    lapsed = reg - ready - active
    return active, ready, lapsed


def step(active, ready, lapsed, start_p, spell: float, lapse: float, flow, reach: float = REACH_LAPSED):
    """One month of flows between the stocks; returns the new (active, ready, lapsed)."""
    rest = flow(active, np.broadcast_to(1.0 / spell, np.shape(active)))
    start = flow(ready, np.minimum(start_p, 1.0))
    back = flow(lapsed, np.minimum(np.asarray(start_p) * reach, 1.0))
    lapse_n = flow(ready - start, np.broadcast_to(1.0 / lapse, np.shape(ready)))
    active = active - rest + start + back
    ready = ready + rest - start - lapse_n
    lapsed = lapsed + lapse_n - back
    return active, ready, lapsed


def reconcile(active, ready, lapsed, registered):
    """Match the stocks to a new registered count: newcomers are ready; leavers come from the
    lapsed first, then the ready, then the active."""
    active, ready, lapsed = (np.asarray(x, np.int64).copy() for x in (active, ready, lapsed))
    diff = np.asarray(registered, np.int64) - (active + ready + lapsed)
    ready += np.maximum(diff, 0)
    out = np.maximum(-diff, 0)
    for stock in (lapsed, ready, active):
        take = np.minimum(out, stock)
        stock -= take
        out -= take
    return active, ready, lapsed


def hours(active: np.ndarray, base_hours: float, organising: np.ndarray) -> np.ndarray:
    """Hours this month: ``base × (0.5 + (1 − e^(−organising)))`` per active volunteer.

    Well-organised volunteers are given more to do (§5.volunteers: organising is the binding
    cost); the factor is 1 at organising ≈ 0.7 and at most 1.5 (assumption).
    """
    return np.asarray(active, float) * float(base_hours) * (0.5 + (1.0 - np.exp(-np.asarray(organising, float))))

"""The digital service platform as a channel (ODD §7.11; seed: Linhai's one-stop platform).

Residents order a service (WeChat mini-program, or at the nearest community or station);
the platform dispatches each order centrally to the nearest provider that fits and has
time: first in the resident's own community, then anywhere in the township. Dispatch also
saves station social workers' coordination time, and the platform's recruitment module
draws volunteers. Pure functions over arrays; no model object.

The platform never lowers the needs served: it adds orders (needs that would not have been
asked for this month), serves them from capacity that would otherwise stay idle, and
reports the orders it could not place (``unmet``) when the providers are full.
"""

from __future__ import annotations

import numpy as np

from .needs_groups import FIT

__all__ = ["uptake", "take_orders", "local_share", "dispatch", "hours_with_platform"]


def uptake(months_running: int, full_uptake: float, ramp_months: int) -> float:
    """The chance an unreported open need is ordered this month, ``months_running`` after launch.

    Residents learn of the platform over ``ramp_months`` (linear ramp to ``full_uptake``);
    0 before launch (``months_running < 0``).
    """
    if months_running < 0:
        return 0.0
    return float(full_uptake) * min(1.0, (months_running + 1) / max(int(ramp_months), 1))


def take_orders(open_left: np.ndarray, p: float, flow) -> np.ndarray:
    """Orders this month from open needs not yet asked for or found: ``flow(open_left, p)``."""
    return flow(open_left, np.broadcast_to(p, np.shape(open_left)))


def local_share(orders: np.ndarray, asked: np.ndarray, served: np.ndarray) -> np.ndarray:
    """Orders served in their own community: the group's served share of everything asked there
    (an expected number, so that the orders left waiting are never more than the needs left waiting)."""
    share = np.divide(served, asked, out=np.zeros(np.shape(asked)), where=np.asarray(asked) > 0)
    return orders * np.minimum(share, 1.0)


def dispatch(waiting: np.ndarray, spare: np.ndarray, township: np.ndarray, n_townships: int,
             fit: np.ndarray = FIT) -> tuple[np.ndarray, np.ndarray]:
    """Send orders still waiting to providers with spare time elsewhere in the township.

    ``waiting`` (groups, n) orders not served in their community; ``spare`` (providers, n)
    capacity left after the month's services; ``township`` (n,) each community's township.
    Each provider, in turn, takes the orders it fits across its township, within the
    township's spare capacity, shared out in proportion to orders and to spare time.
    Returns ``(served, spare_left)``: orders served (groups, n; an expected number) and what is left.
    """
    waiting = np.asarray(waiting, float)
    spare = np.asarray(spare, float).copy()
    remaining = waiting.copy()
    served = np.zeros_like(waiting)
    for p in range(spare.shape[0]):
        demand = remaining * fit[:, p:p + 1]  # (groups, n)
        demand_t = np.vstack([np.bincount(township, d, n_townships) for d in demand])  # (groups, T)
        spare_t = np.bincount(township, spare[p], n_townships)
        total_t = demand_t.sum(axis=0)
        ratio = np.minimum(np.divide(spare_t, total_t, out=np.zeros(n_townships), where=total_t > 0), 1.0)
        take = demand * ratio[township][None, :]
        used_t = np.bincount(township, take.sum(axis=0), n_townships)
        frac = np.divide(used_t, spare_t, out=np.zeros(n_townships), where=spare_t > 0)
        spare[p] -= spare[p] * frac[township]
        served += take
        remaining -= take
    return np.minimum(served, waiting), np.maximum(spare, 0.0)


def hours_with_platform(hours: np.ndarray, saved_share: float, running: bool) -> np.ndarray:
    """Casework and linkage hours once central dispatch takes over coordination.

    Coordination is part of every hour; the platform saves ``saved_share`` of it, so the same
    staff give ``1 / (1 − saved_share)`` times the hours of service.
    """
    if not running:
        return np.asarray(hours, float)
    return np.asarray(hours, float) / (1.0 - min(float(saved_share), 0.9))

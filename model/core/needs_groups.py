"""Residents' needs by group: how they arise, are found and are served (ODD §7.11).

Pure functions over arrays shaped ``(groups, communities)`` (groups in the order of
``NEED_GROUPS``) or ``(communities,)``; no model object. The model calls them once a month:

1. ``arise``: open needs grow from the residents in each group who have none.
2. ``find``: needs reach a provider through three channels: residents ask (at the
   community or the station), the station's household visits find them (outreach), and,
   where there is one, the platform takes orders (``model.core.platform``).
3. ``serve``: each provider (community workers, organisations, volunteers, charity
   services, station casework) serves the groups it fits, within its capacity; the rest wait.
4. ``resolve``: served needs mostly end; waiting ones sometimes end by themselves.

Needs assessment (需求评估) changes step 3 for station casework: an assessing station plans
its casework on its communities' own mix of needs and resolves a case in fewer hours; one
that does not plans on the region's average mix (``prior``), so some hours wait for needs
that are not there while the largest ones queue.
"""

from __future__ import annotations

import numpy as np

from ..regions import NEED_GROUPS

__all__ = [
    "NEED_GROUPS",
    "PROVIDERS",
    "FIT",
    "arise",
    "find",
    "allocate",
    "serve",
    "resolve",
    "group_shares",
    "whole_needs",
    "largest_group",
]

# Who can serve whom. Row: need group; column: provider. Entry: the share of a group's waiting
# needs a provider can take on this month (assumption, after the seed's account of services and
# §5.pipeline, §5.administrative_absorption: 政策救助 and casework for low income and disability,
# 关爱 visits and group activities by organisations and volunteers for older people living alone
# and left-behind children).
PROVIDERS = ("community_workers", "organisations", "volunteers", "charity", "casework")
FIT = np.array([
    # cw    orgs  vols  charity casework
    [1.0,   1.0,  1.0,  1.0,    1.0],  # elderly_alone: visits, meals, company
    [0.5,   1.0,  1.0,  1.0,    1.0],  # left_behind_children: after-school groups, tutoring
    [0.5,   0.5,  0.5,  1.0,    1.0],  # disability: rehabilitation and care need professionals
    [1.0,   0.3,  0.3,  1.0,    1.0],  # low_income: assistance applications (政策救助) through workers
])
CASEWORK = PROVIDERS.index("casework")


def arise(open_needs: np.ndarray, residents: np.ndarray, onset: float, flow) -> np.ndarray:
    """New needs this month: ``flow(rng-free)`` of residents without an open need at ``onset``.

    ``flow(n, p)`` is the model's bulk flow (expected value, stochastically rounded).
    Returns the new needs, same shape as ``open_needs``.
    """
    free = residents - open_needs
    np.maximum(free, 0, out=free)
    return flow(free, onset)


def find(open_needs: np.ndarray, ask_p: np.ndarray, visits: np.ndarray, residents: np.ndarray, flow
         ) -> tuple[np.ndarray, np.ndarray]:
    """Needs that reach a provider this month: asked for, or found on household visits.

    ``ask_p`` (communities,) is the chance an open need is asked for at the community or
    the station; ``visits`` (communities,) household visits by station social workers,
    aimed at residents in need groups, each finding an open need with the chance
    ``open / residents`` of that group mix (Linhai: 394 needs among 2,730 people visited,
    seed), i.e. an open need not asked for is found with chance ``visits / residents``.
    One flow draws both; the visits' part is its expected share.
    Returns ``(reached, on_visits)``: needs reached (groups, communities) and the share of
    them found on visits (communities,), so ``reached × on_visits`` is the expected number
    found on visits.
    """
    total = residents.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 where the divisor is 0
        visit_p = np.where(total > 0, np.divide(visits, total), 0.0)
        np.minimum(visit_p, 1.0, out=visit_p)
        reach_p = ask_p + (1.0 - ask_p) * visit_p
        reached = flow(open_needs, reach_p)
        on_visits = np.where(reach_p > 0, (1.0 - ask_p) * visit_p / reach_p, 0.0)
    return reached, on_visits


def allocate(demand: np.ndarray, capacity: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Share one provider's capacity among groups; never more than a group's demand.

    ``demand`` (groups, n) what each group would take; ``capacity`` (n,) the provider's
    services this month. Without ``weights`` the provider responds to demand (everyone
    gets the same share of their demand: exact water-filling). With ``weights``
    (groups, n; columns summing to 1) the capacity is planned by those shares and a
    group's unused part is not passed on.
    """
    demand = np.asarray(demand, float)
    capacity = np.maximum(np.asarray(capacity, float), 0.0)
    if weights is None:
        total = demand.sum(axis=0)
        ratio = np.divide(capacity, total, out=np.zeros_like(capacity), where=total > 0)
        return demand * np.minimum(ratio, 1.0)
    return np.minimum(demand, capacity * weights)


def serve(asked: np.ndarray, capacity: np.ndarray, assessed: np.ndarray, prior: np.ndarray,
          gain: float = 1.0, fit: np.ndarray = FIT, targeted: np.ndarray | None = None,
          overflow: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Serve the needs found this month: projects first, then provider by provider (casework last).

    ``asked`` (groups, n) needs found; ``capacity`` (providers, n) services each provider
    can give this month (casework in cases at the unassessed rate); ``assessed`` (n,) bool:
    the community's station assesses needs; ``prior`` (groups,) the region's average mix,
    by which an unassessed station plans its casework; ``gain`` the casework gain of an
    assessment; ``targeted`` (groups, n) project services aimed at one group, whose unused
    part serves other groups at ``overflow`` per unit (as casework fits).
    Returns ``(served, spare)``: services given to each group (groups, n; fractional, as an
    expected number of needs) and the capacity left (providers, n).
    """
    asked = np.asarray(asked, dtype=float)
    remaining = asked.copy()  # what is served is what no longer remains: asked − remaining at the end
    if targeted is not None:
        take = np.minimum(remaining, targeted)
        remaining -= take
        left = (np.asarray(targeted, float) - take).sum(axis=0) * overflow
        take = allocate(remaining * fit[:, CASEWORK:CASEWORK + 1], left)
        remaining -= take
    spare = np.array(capacity, dtype=float)
    assessed = np.asarray(assessed, bool)
    work = np.empty_like(remaining)  # each provider's demand, then what it takes (reused)
    for p in range(len(PROVIDERS)):
        col = fit[:, p]
        ones = bool((col == 1.0).all())
        if p != CASEWORK:  # community providers respond to what is asked (water-filling)
            demand = remaining if ones else np.multiply(remaining, col[:, None], out=work)
            total = demand.sum(axis=0)
            # spare / total, capped at 1; where nothing is asked (total 0) the quotient is inf or
            # nan, and fmin (which passes over nan) makes it 1: the same as dividing where total > 0
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.divide(spare[p], total)
            np.fmin(ratio, 1.0, out=ratio)
            take = np.multiply(demand, ratio, out=work)
            total *= ratio  # what was used
            spare[p] -= total
        else:
            demand = remaining if ones else remaining * col[:, None]
            if not assessed.any():  # casework planned on the region's mix
                take = np.minimum(demand, spare[p] * prior[:, None])
                spare[p] -= take.sum(axis=0)
            else:
                boost = np.where(assessed, gain, 1.0)
                cap = spare[p] * boost
                take = allocate(demand, cap)
                if not assessed.all():
                    take = np.where(assessed[None, :], take,
                                    allocate(demand, cap, np.broadcast_to(prior[:, None], demand.shape)))
                spare[p] -= take.sum(axis=0) / boost
        remaining -= take
    np.maximum(spare, 0.0, out=spare)
    return np.subtract(asked, remaining, out=remaining), spare


def whole_needs(x: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Round fractional services per group down to whole needs, keeping each column's whole total.

    Each group is floored; the needs lost by flooring (the column's floored total minus the
    sum of the floors) go to the group with the largest remainder, never above ``cap``.
    """
    x = np.asarray(x, float)
    base = np.floor(x + 1e-9)
    extra = np.floor(x.sum(axis=0) + 1e-9) - base.sum(axis=0)
    top = np.argmax(x - base, axis=0)
    cols = np.arange(x.shape[1])
    base[top, cols] += extra
    return np.minimum(base, cap).astype(np.int64)


def resolve(open_needs: np.ndarray, served: np.ndarray, p_served: float = 0.7, p_waiting: float = 0.03
            ) -> np.ndarray:
    """The expected number of needs that end this month: most served ones, a few waiting ones.

    ``p_served × served + p_waiting × (open − served)`` (ODD §7.11 shares, assumption), never
    more than are open; the model rounds it stochastically (``streams.round_expected``).
    """
    open_needs = np.asarray(open_needs)
    x = (p_served - p_waiting) * np.minimum(served, open_needs)
    x += p_waiting * open_needs
    return np.minimum(x, open_needs, out=x)


def group_shares(counts: np.ndarray) -> np.ndarray:
    """Column shares of ``counts`` (groups, n); an empty column gets equal shares."""
    counts = np.asarray(counts, float)
    total = counts.sum(axis=0)
    g = counts.shape[0]
    return np.divide(counts, total, out=np.full(counts.shape, 1.0 / g), where=total > 0)


def largest_group(counts: np.ndarray) -> np.ndarray:
    """Index of the largest group in each column (the first on ties)."""
    return np.argmax(np.asarray(counts), axis=0)

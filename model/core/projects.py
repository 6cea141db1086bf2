"""Projects at stations: 一站一品 brand projects and charity-funded social-work projects.

A station's project money (the brand line, plus the share of its communities' fund pay-outs
that charity gives to social-work projects; 47号: 引导慈善组织资金资助“五社联动”社工项目)
buys services at ``project_service_yuan`` each. The project serves one group: the largest
need group of its township when the station assesses needs (Nanchong: design projects on a
needs assessment, seed), else the largest group of the region's average mix. Its spare
capacity serves other groups at ``overflow`` per unit. Where a project runs it is visible:
volunteering and giving rise (Linhai: 知晓度、知名度, seed). Pure functions.
"""

from __future__ import annotations

import numpy as np

__all__ = ["choose_target", "project_services", "targeted_capacity"]


def choose_target(asked_by_township: np.ndarray, assessed: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Target group per township: its largest asked group when assessed, else the prior's largest."""
    own = np.argmax(np.asarray(asked_by_township), axis=0)
    return np.where(np.asarray(assessed, bool), own, int(np.argmax(prior)))


def project_services(money_yuan: np.ndarray, yuan_per_service: float) -> np.ndarray:
    """Services a month's project money buys."""
    return np.maximum(np.asarray(money_yuan, float), 0.0) / float(yuan_per_service)


def targeted_capacity(services_t: np.ndarray, target_t: np.ndarray, asked: np.ndarray, township: np.ndarray
                      ) -> np.ndarray:
    """Spread each township's project services over its communities, for its target group.

    Returns (groups, communities): the target group's row holds each community's part, in
    proportion to its asked needs of that group (evenly where none are asked yet).
    """
    asked = np.asarray(asked, float)
    g, n = asked.shape
    n_t = len(services_t)
    tgt = np.asarray(target_t)[township]
    want = asked[tgt, np.arange(n)]
    want_t = np.bincount(township, want, n_t)
    count_t = np.bincount(township, minlength=n_t)
    share = np.where(want_t[township] > 0, np.divide(want, want_t[township], out=np.zeros(n),
                                                     where=want_t[township] > 0),
                     1.0 / np.maximum(count_t[township], 1))
    out = np.zeros((g, n))
    out[tgt, np.arange(n)] = np.asarray(services_t, float)[township] * share
    return out

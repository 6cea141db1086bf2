"""The national social-work exam as a series (``model/data/exam_history.toml``, §2b.2015 to §2b.2022).

Registrants 2015–2022 are data; after 2022 they grow by a rate a year (the
``exam_registrant_growth`` uncertainty) whose prior comes from the series itself
(:func:`growth_prior`). A region's candidates are its share of national registrants:
its share of the national population times its relative propensity to sit
(``exam_relative_propensity``; Hubei's from its share of new certificates in 2017–18).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["ExamHistory", "exam_history", "growth_prior", "NATIONAL_POPULATION"]

PATH = Path(__file__).parent / "data" / "exam_history.toml"
# §2d.registered_volunteers: 217m registered volunteers = 15.4% of the population (Oct 2021) → 1.409bn (EST)
NATIONAL_POPULATION = 217_000_000 / 0.154


@dataclass(frozen=True)
class ExamHistory:
    registrants: dict[int, float]
    pass_ratio: dict[int, float]
    certified: dict[int, float]
    hubei_passed: dict[int, float]
    hubei_share_of_new: dict[int, float]

    @property
    def last(self) -> int:
        return max(self.registrants)

    def national_registrants(self, year: int, growth: float) -> float:
        """Registrants in ``year``: the record to 2022, then ``growth`` a year on the 2022 figure."""
        if year in self.registrants:
            return self.registrants[year]
        if year < min(self.registrants):
            return self.registrants[min(self.registrants)]
        return self.registrants[self.last] * (1 + growth) ** (year - self.last)


@cache
def exam_history() -> ExamHistory:
    data = tomllib.loads(PATH.read_text(encoding="utf-8"))

    def years(table):
        return {int(y): float(v) for y, v in table.items()}

    return ExamHistory(
        registrants=years(data["registrants"]),
        pass_ratio=years(data["pass_ratio"]),
        certified=years(data["certified"]),
        hubei_passed=years(data["hubei"]["passed"]),
        hubei_share_of_new=years(data["hubei"]["share_of_new_certificates"]),
    )


def growth_prior(first: int = 2015, last: int = 2022) -> dict[str, float]:
    """The registrant series' growth over ``first``–``last``: the prior for growth after 2022.

    ``mean``: compound annual growth; ``log_mean`` and ``log_sd``: mean and s.d. of the
    yearly log growth; ``log_se``: standard error of the log mean; ``low`` and ``high``:
    the mean ± 2 standard errors, as growth rates.
    """
    r = exam_history().registrants
    logs = [math.log(r[y] / r[y - 1]) for y in range(first + 1, last + 1)]
    n = len(logs)
    mean = sum(logs) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / (n - 1))
    se = sd / math.sqrt(n)
    return {"mean": math.exp(mean) - 1, "log_mean": mean, "log_sd": sd, "log_se": se,
            "low": math.exp(mean - 2 * se) - 1, "high": math.exp(mean + 2 * se) - 1}

"""Explore: sample levers and uncertainties, sensitivity, scenario discovery, "what would it take".

From Python::

    from model.explore import Problem, Design, Exploration
    problem = Problem.from_schema(levers=["station_build_share", "contract_years"],
                                  uncertainties=["sw_turnover_base"], scenario="baseline", region="demo")
    results = Exploration(problem, Design.make("morris", 10), replicates=4, seed=1).run("results/screen")
    from model.explore import morris
    morris(results, "station_coverage_value")

From the shell: ``wushe explore``, ``wushe sensitivity``, ``wushe discover``, ``wushe optimise``.
"""

from .design import DESIGNS, Design
from .problem import Factor, Outcome, Problem, plain
from .runner import EXPLORE, Exploration, ExploreResults, grow, open_exploration, sample_name

__all__ = [
    "DESIGNS",
    "Design",
    "EXPLORE",
    "Exploration",
    "ExploreResults",
    "Factor",
    "Outcome",
    "Problem",
    "grow",
    "open_exploration",
    "plain",
    "sample_name",
]

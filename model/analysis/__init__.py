"""Analysis of an experiment store: tables (``Results``), figures and the bilingual report."""

from .plots import plot_attainment, plot_cost, plot_difference, plot_indicator, scenario_colours
from .report import report_tables, write_report
from .results import Results, divergence_month, proportion_interval

__all__ = [
    "Results",
    "divergence_month",
    "plot_attainment",
    "plot_cost",
    "plot_difference",
    "plot_indicator",
    "proportion_interval",
    "report_tables",
    "scenario_colours",
    "write_report",
]

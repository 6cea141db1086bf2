"""Analysis of an experiment store: tables (``Results``), figures and the bilingual report."""

from .results import Results, divergence_month, proportion_interval

__all__ = ["Results", "divergence_month", "proportion_interval"]

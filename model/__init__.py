"""wushe (五社): an agent-based simulator of China's Five-Society Linkage (五社联动).

The common path is one line::

    import model
    df = model.simulate(region="hubei", seed=1)      # one row per month
    model.parameters()                               # the parameter schema
    model.evaluate(df, "hubei-47")                   # the 47号 targets, met or not
    model.load_observations("hubei")                 # what was recorded to end-2022
"""

from .indicators import INDICATORS, indicator_names
from .observed import load_observations
from .params import SCHEMA, ParameterError, parameters
from .regions import available_regions, load_region
from .simulation import FiveSocietyModel, simulate
from .targets import available_target_sets, evaluate, load_targets

__version__ = "0.1.0"


def __getattr__(name):
    # Results pulls in matplotlib: imported on first use, so that worker processes and the
    # command line do not pay for it when they only simulate
    if name == "Results":
        from .analysis import Results

        return Results
    raise AttributeError(f"module 'model' has no attribute {name!r}")

__all__ = [
    "FiveSocietyModel",
    "INDICATORS",
    "ParameterError",
    "Results",
    "SCHEMA",
    "available_regions",
    "available_target_sets",
    "evaluate",
    "indicator_names",
    "load_observations",
    "load_region",
    "load_targets",
    "parameters",
    "simulate",
]

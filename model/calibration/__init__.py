"""Calibration: the model's uncertain parameters fitted to the record to 2022, and their posterior.

    from model.calibration import CalibrationSpec, calibrate, load_posterior
    cal = calibrate("results/calibration", CalibrationSpec(region="hubei"))
    cal.posterior().write("model/data/posterior/hubei.parquet")
    load_posterior("hubei").summary()

See ``fit`` for the method and ``posterior`` for the file.
"""

from .fit import Calibration, CalibrationError, CalibrationSpec, calibrate, log_likelihood, observation_matrix
from .posterior import Posterior, PosteriorError, available_posteriors, load_posterior

__all__ = [
    "Calibration",
    "CalibrationError",
    "CalibrationSpec",
    "Posterior",
    "PosteriorError",
    "available_posteriors",
    "calibrate",
    "load_posterior",
    "log_likelihood",
    "observation_matrix",
]

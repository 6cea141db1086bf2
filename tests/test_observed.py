"""The observations file: what was recorded to end-2022, loaded with its uncertainty."""

import math

import numpy as np
import pandas as pd
import pytest

from model.observed import DERIVED, ObservationError, derived_series, load_observations
from model.regions import load_region

HEAD = '[uncertainty]\nH = 0.1\nM = 0.2\nL = 0.4\nEST = 0.25\n'
ROW = 'date = "2018-12-31"\nindicator = "sw_certified"\nvalue = 12922\nconf = "H"\nsource = "s"\n'


def test_hubei_observations_hold_the_facts_figures_to_2022_only():
    obs = load_observations("hubei")
    assert (obs["date"] <= pd.Timestamp("2022-12-31")).all()
    at = obs.set_index(["indicator", "area", "date"])
    # FACTS §1b (READ, H): 30,149 talent and 12,922 certified at end-2018; 3,538 passed in 2018; 289 agencies
    assert at.loc[("sw_talent", "province", pd.Timestamp("2018-12-31")), "value"] == 30149
    assert at.loc[("sw_certified", "province", pd.Timestamp("2018-12-31")), "value"] == 12922
    assert at.loc[("exam_passed_year", "province", pd.Timestamp("2018-12-31")), "value"] == 3538
    assert at.loc[("agencies", "province", pd.Timestamp("2018-12-31")), "value"] == 289
    # FACTS §1c: the four Wuhan volunteer counts, dated to month ends
    wuhan = obs[(obs["indicator"] == "volunteers_registered") & (obs["area"] == "武汉市")]
    assert list(wuhan["value"]) == [1_400_000, 1_980_000, 2_244_600, 2_870_000]
    assert (wuhan["date"] == wuhan["date"] + pd.offsets.MonthEnd(0)).all()
    # every row has a source and a rating, and a range around its value
    assert obs["source"].str.len().min() > 0
    assert set(obs["conf"]) <= {"H", "M", "L", "EST"}
    assert (obs["low"] <= obs["value"]).all() and (obs["value"] <= obs["high"]).all()


def test_uncertainty_comes_from_the_rating_unless_stated():
    obs = load_observations("hubei")
    read_h = obs[(obs["conf"] == "H") & (obs["indicator"] == "sw_talent")].iloc[0]
    assert read_h["uncertainty"] == 0.10
    assert read_h["low"] == pytest.approx(30149 * 0.9) and read_h["high"] == pytest.approx(30149 * 1.1)
    floor = obs[obs["bound"] == "lower"].iloc[0]  # ">1.2万 funds": a floor, no ceiling
    assert math.isinf(floor["high"]) and floor["measure"] == "count"


def test_observation_areas_are_prefectures_of_the_region():
    obs = load_observations("hubei")
    names = {p["name"] for p in load_region(obs.attrs["region"]).prefectures}
    assert set(obs["area"]) - {"province"} <= names


def test_derived_ratio_is_computed_from_the_run():
    frame = pd.DataFrame({"sw_talent": [30.0, 10.0], "sw_certified": [10.0, 0.0]})
    ratio = derived_series(frame, "talent_per_certified")
    assert ratio.iloc[0] == 3.0 and np.isnan(ratio.iloc[1])
    assert set(DERIVED) == {"talent_per_certified"}


@pytest.mark.parametrize("text, fragment", [
    (ROW, "[uncertainty] lacks H, M, L, EST"),
    (HEAD, "no [[observation]] entries"),
    (HEAD + "[[observation]]\n" + ROW.replace('conf = "H"', 'conf = "X"'), "observation 1: conf must be one of"),
    (HEAD + "[[observation]]\n" + ROW.replace("sw_certified", "sw_magic"), 'indicator "sw_magic" is not an indicator'),
    (HEAD + "[[observation]]\n" + ROW.replace('source = "s"\n', ""), 'observation 1: missing key "source"'),
    (HEAD + "[[observation]]\n" + ROW.replace("2018-12-31", "end of 2018"), "observation 1: date must be"),
    (HEAD + "[[observation]]\n" + ROW + "low = 1\nhigh = 2\n", 'give either "value" or "low" and "high"'),
    (HEAD + "[[observation]]\n" + ROW + "uncertainty = 1.5\n", "uncertainty must be in [0, 1)"),
    (HEAD + "[[observation]]\n" + ROW + "colour = 1\n", 'unknown key "colour"'),
    (HEAD + "[[observation]]\n" + ROW.replace("12922", '"many"'), "value must be a number"),
    (HEAD + "[[observation]]\n" + ROW + 'cumulative_from = "2018-09"\n', "cumulative_from is only for cumulative"),
    ("[uncertainty\n", "not valid TOML"),
])
def test_bad_observation_files_get_one_clear_line(tmp_path, text, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ObservationError) as info:
        load_observations(path)
    message = str(info.value)
    assert fragment in message and str(path) in message and "\n" not in message


def test_unknown_region_lists_the_valid_ones():
    with pytest.raises(ObservationError, match='"atlantis" has no observations file; valid ones are: hubei'):
        load_observations("atlantis")

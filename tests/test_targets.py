"""Targets with their true scope: which units count, and which regions a target set fits."""

import numpy as np
import pytest

from model.cli import main
from model.regions import build_structure, load_region
from model.scenarios import ScenarioError, load_scenario
from model.targets import TargetError, available_target_sets, check_fits, fitting_target_sets, load_targets


def test_hubei_units_are_counted_as_the_47_hao_means_them():
    counts = load_region("hubei").unit_counts()
    # FACTS §1a: 12 prefecture-level cities (设区的市), not all 17 prefecture-level units;
    # 103 county-level units of which 39 are districts, so 64 counties and county-level cities
    assert counts["city"] == 12 and counts["county"] == 64 and counts["township"] == 1257
    s = build_structure(load_region("hubei"), np.random.default_rng(0))
    assert s.n_prefectures == 17 and s.prefecture_city.sum() == 12
    assert s.n_counties == 103 and s.county_district.sum() == 39
    assert not s.prefecture_city[s.prefecture_names.index("恩施土家族苗族自治州")]
    assert s.county_district[s.county_prefecture == s.prefecture_names.index("武汉市")].all()


def test_each_hubei_target_names_its_units():
    units = {t.id: t.units for t in load_targets("hubei-47")}
    assert units["incubator_city"] == "city" and units["incubator_county"] == "county"
    assert units["station_coverage"] == "township" and units["sw_talent_80k"] == "region"


def test_a_set_with_province_totals_fits_its_province_only():
    check_fits("hubei-47", "hubei")
    for region in ("demo", "linhai"):
        with pytest.raises(TargetError) as info:
            check_fits("hubei-47", region)
        message = str(info.value)
        assert f'does not fit region "{region}"' in message and "sw_talent >= 80000" in message
        assert "\n" not in message
    assert fitting_target_sets("demo")[0] == "demo" and fitting_target_sets("linhai")[0] == "linhai"
    assert "hubei-47" not in fitting_target_sets("demo")


def test_every_region_has_a_target_set_of_its_own_that_fits_it():
    for name in ("hubei", "demo", "linhai"):
        region = load_region(name)
        assert region.targets in available_target_sets()
        check_fits(region.targets, region)
    assert all(not t.total for t in load_targets("demo")) and all(not t.total for t in load_targets("linhai"))


def test_a_target_on_units_the_region_lacks_is_refused(tmp_path):
    path = tmp_path / "cities.toml"
    path.write_text('name = "cities"\n[[target]]\nid = "c"\nindicator = "incubator_city_coverage"\nop = ">="\n'
                    'value = 1.0\ndate = "2023-12-31"\nunits = "设区的市"\n', encoding="utf-8")
    check_fits(load_targets(path), "hubei")
    with pytest.raises(TargetError, match='target "c" counts 设区的市 .* region "demo" has none'):
        check_fits(load_targets(path), "demo")


@pytest.mark.parametrize("body, fragment", [
    ('indicator = "sw_talent"\nop = ">="\nvalue = 80000\n', 'is an absolute total (sw_talent >= 80000); name the regions'),
    ('indicator = "incubator_county_coverage"\nop = ">="\nvalue = 0.5\nunits = "乡镇(街道)"\n',
     '"incubator_county_coverage" counts 县(市)'),
    ('indicator = "station_coverage"\nop = ">="\nvalue = 1\nunits = "村"\n', "units: expected the units it counts"),
])
def test_bad_scopes_are_refused_in_one_line(tmp_path, body, fragment):
    path = tmp_path / "t.toml"
    path.write_text(f'name = "t"\n[[target]]\nid = "x"\ndate = "2025-12-31"\n{body}', encoding="utf-8")
    with pytest.raises(TargetError) as info:
        load_targets(path)
    assert fragment in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_scenario_on_another_region_takes_that_regions_targets_unless_told():
    assert load_scenario("baseline").targets == "hubei-47"
    assert load_scenario("baseline", region="demo").targets == "demo"
    with pytest.raises(ScenarioError, match='"hubei-47" sets totals for hubei'):
        load_scenario("baseline", region="demo", targets="hubei-47")


def test_wushe_run_of_a_hubei_target_set_on_demo_is_refused(tmp_path, capsys):
    out = tmp_path / "o"
    code = main(["run", "baseline", "--region", "demo", "--targets", "hubei-47", "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert 'target set "hubei-47" sets totals for hubei' in err and 'region "demo"' in err
    assert not out.exists()
    assert main(["baseline", "--region", "demo", "--targets", "hubei-47"]) == 2
    assert 'does not fit region "demo"' in capsys.readouterr().err


def test_evaluate_refuses_a_set_that_does_not_fit_the_named_region():
    import pandas as pd

    import model

    frame = pd.DataFrame({"station_coverage": [0.5]}, index=pd.DatetimeIndex(["2024-12-31"], name="date"))
    with pytest.raises(TargetError, match='does not fit region "demo"'):
        model.evaluate(frame, "hubei-47", region="demo")


def test_judge_gives_each_target_its_value_at_its_date_and_the_first_month_it_was_met():
    """The rule of evaluate and of the runner: value of the last month on or before the date, NaN
    when the run stops before that month ends, the first month met (NaT if never)."""
    import math

    import numpy as np
    import pandas as pd

    from model.targets import Target, evaluate, judge

    def target(tid, op, value, date):
        return Target(tid, "x", op, value, pd.Timestamp(date), "township", tid, tid)

    dates = pd.date_range("2020-01-31", periods=6, freq="ME")  # Jan to Jun 2020
    x = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0])
    targets = [target("reached_then_lost", ">=", 3, "2020-03-31"),  # March is 2.0: not met, first met Feb
               target("met", ">=", 5, "2020-04-30"),
               target("never", ">=", 10, "2020-06-30"),
               target("after_the_run", "<=", 100, "2020-08-31"),
               target("mid_month", ">=", 6, "2020-06-10")]  # judged on May, the last month ended by then
    got = judge(dates, lambda name: {"x": x}[name], targets)
    assert got[0] == (2.0, False, pd.Timestamp("2020-02-29"))
    assert got[1] == (5.0, True, pd.Timestamp("2020-04-30"))
    assert got[2][:2] == (6.0, False) and got[2][2] is pd.NaT
    assert math.isnan(got[3][0]) and got[3][1] is False and got[3][2] == pd.Timestamp("2020-01-31")
    assert got[4] == (4.0, False, pd.Timestamp("2020-06-30"))
    table = evaluate(pd.DataFrame({"x": x}, index=dates), targets)
    assert table["met"].tolist() == [g[1] for g in got]
    assert table["value"].fillna(-1).tolist() == [g[0] if not math.isnan(g[0]) else -1 for g in got]

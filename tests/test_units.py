"""Every level of the region: prefecture and county tables add up to the province, change no number
of the province's run, and reach the store, the analysis, the report and the workbook."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from model.core import units as units_module
from model.core.units import UNIT_SHARES, UNIT_TOTALS
from model.experiment import Experiment, Store
from model.scenarios import load_scenario
from model.simulation import FiveSocietyModel


def _check_adds_up(frame: pd.DataFrame, table: pd.DataFrame) -> int:
    """Every recorded date and level: shares from summed numerators and denominators equal the
    province's indicator; totals and spending sum to the province's. Returns the checks made."""
    checks = 0
    for (date, level), g in table.groupby(["date", "level"]):
        row = frame.loc[date]
        for name in UNIT_SHARES:
            num, den = g[f"{name}_num"].sum(), g[f"{name}_den"].sum()
            if level == "county" and name == "incubator_city_coverage":
                assert den == 0  # a city base is the prefecture's: not judged on counties
                continue
            if np.isnan(row[name]):
                assert den == 0, (date, level, name)
            else:
                assert num / den == pytest.approx(row[name], abs=1e-12), (date, level, name)
            checks += 1
        for name in (*UNIT_TOTALS, "public_spend_yuan"):
            assert g[name].sum() == pytest.approx(row[name], rel=1e-9), (date, level, name)
            checks += 1
        # each prefecture is the sum of its counties (the city bases apart)
        if level == "county":
            pref = table[(table["date"] == date) & (table["level"] == "prefecture")].set_index("unit")
            summed = g.groupby("prefecture")[["station_coverage_num", "sw_talent", "public_spend_yuan"]].sum()
            pd.testing.assert_frame_equal(summed, pref.loc[summed.index, summed.columns], check_names=False)
    return checks


def test_prefecture_and_county_tables_add_up_to_hubei():
    m = FiveSocietyModel(region="hubei", seed=2)
    frame = m.run()
    table = m.unit_table()
    s = m.structure
    assert set(table["level"]) == {"prefecture", "county"}
    assert (table["level"] == "prefecture").sum() == 5 * s.n_prefectures == 5 * 17
    assert (table["level"] == "county").sum() == 5 * s.n_counties == 5 * 103
    # year-ends (where the shipped targets are judged) and the last month
    assert sorted(table["date"].unique()) == list(pd.to_datetime([f"{y}-12-31" for y in range(2021, 2026)]))
    assert _check_adds_up(frame, table) == 5 * 2 * (len(UNIT_SHARES) + 2) - 5
    # counties differ: coverage is not the province's everywhere
    county = table[(table["level"] == "county") & (table["date"] == "2023-12-31")]
    cov = county["station_coverage_num"] / county["station_coverage_den"]
    assert cov.min() < cov.max()
    # counties carry their own names (region file county_names / county_names_en), districts first
    assert county["name"].iloc[:3].tolist() == ["江岸区", "江汉区", "硚口区"]
    assert county["name_en"].str.match(r"^[A-Z][A-Za-z' ]+$").all()
    assert county["name"].is_unique and not county["name"].str.contains("·").any()


def test_tables_add_up_under_other_levers_and_a_mid_year_end():
    """Direct employment, a squeeze from a July, and a window ending in June: still the province's."""
    m = FiveSocietyModel(region="linhai", seed=1, end="2024-06", params={"procurement_mode": "mixed"},
                         changes={"2023-07": {"fiscal_squeeze": 0.2, "volunteer_incentive_yuan": 20}})
    frame = m.run()
    table = m.unit_table()
    assert pd.Timestamp("2024-06-30") in set(table["date"])  # the last month, though not a year-end
    assert _check_adds_up(frame, table) > 0


@pytest.mark.parametrize("region", ["demo", "hubei"])
def test_recording_units_changes_no_number_of_the_run(region, monkeypatch):
    """The recorder reads the state and changes nothing: the province's run is the same without it."""
    kwargs = {"region": region, "seed": 4, "end": "2022-12" if region == "hubei" else "2025-12",
              "changes": {"2022-01": {"fiscal_squeeze": 0.15}}}
    with_units = FiveSocietyModel(**kwargs).run()
    monkeypatch.setattr(units_module.UnitRecorder, "record", lambda self, m: None)
    without = FiveSocietyModel(**kwargs).run()
    pd.testing.assert_frame_equal(with_units, without, check_exact=True)


@pytest.fixture(scope="module")
def hubei_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("units") / "store"
    scenarios = [dataclasses.replace(load_scenario(n), end="2023-12") for n in ("baseline", "fiscal_squeeze_2024")]
    scenarios[1] = dataclasses.replace(scenarios[1], changes={"2022-01": {"fiscal_squeeze": 0.3}})
    Experiment(scenarios, replicates=3, seed=7).run(out, executor="serial", progress=False)
    return out


def test_the_store_keeps_each_run_by_prefecture_and_county(hubei_store):
    from model.analysis import Results

    store = Store(hubei_store)
    units = store.units()
    ts = store.timeseries()
    assert len(units) == 2 * 3 * 3 * (17 + 103)  # scenarios × replicates × year-ends × units
    for (sc, r), g in units.groupby(["scenario", "replicate"]):
        frame = ts[(ts["scenario"] == sc) & (ts["replicate"] == r)].set_index("date")
        _check_adds_up(frame, g.drop(columns=["scenario", "replicate"]))
    res = Results(hubei_store)
    att = res.unit_attainment("county")
    # by hand: one county's probability of full station coverage at end-2023 is not judged (the
    # target is 2024); urban organisations at end-2023 are
    row = att[(att["scenario"] == "baseline") & (att["target"] == "urban_orgs_10")].iloc[5]
    raw = units[(units["scenario"] == "baseline") & (units["level"] == "county") & (units["unit"] == row["unit"])
                & (units["date"] == "2023-12-31")]
    share = raw["share_urban_communities_10plus_orgs_num"] / raw["share_urban_communities_10plus_orgs_den"]
    assert row["n"] == 3
    assert row["probability"] == pytest.approx(float((share >= 1.0 - 1e-9).mean()))
    assert row["median_value"] == pytest.approx(float(share.median()))
    assert set(att["target"]) <= {t.id for t in res.target_sets["baseline"]}
    assert "station_coverage" not in set(att["target"])  # judged at end-2024, after this window
    # cost: the counties' spending adds up to the province's, run by run, and the squeeze spends less
    cost = res.unit_cost("county")
    end = ts[ts["date"] == ts["date"].max()].groupby("scenario")["public_spend_yuan"].mean()
    by_sc = cost.groupby("scenario")["spend_yuan"].sum()
    for sc in end.index:
        assert by_sc[sc] == pytest.approx(end[sc], rel=1e-9)
    squeeze = cost[cost["scenario"] == "fiscal_squeeze_2024"]
    assert squeeze["extra_cost_yuan"].sum() < 0
    ranking = res.unit_ranking("prefecture")
    assert list(ranking["rank"]) == list(range(1, 18))
    assert ranking["progress"].is_monotonic_decreasing


def test_a_damaged_units_table_is_found(hubei_store, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(hubei_store, copy)
    part = sorted((copy / "units").glob("*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:-20])
    good, damaged = Store(copy).verify()
    assert damaged == {part.stem: pytest.approx(damaged[part.stem])}
    assert "units table truncated" in damaged[part.stem]


def test_report_and_workbook_by_prefecture_and_county(hubei_store):
    from openpyxl import load_workbook

    from model.analysis import write_report

    page = write_report(hubei_store, lang="zh").read_text(encoding="utf-8")
    assert "id='units'" in page and "市州排名" in page and "县(市、区)排名" in page
    assert "武汉市" in page and "神农架林区" in page
    for name in ("units_prefecture", "units_county"):
        assert (hubei_store / "figures" / f"{name}.png").stat().st_size > 0
        assert (hubei_store / "figures" / f"{name}.svg").stat().st_size > 0
        assert f"data-figure='{name}'" in page
    ranking = pd.read_csv(hubei_store / "tables" / "county_ranking.csv")
    assert len(ranking) == 103 and list(ranking["rank"]) == list(range(1, 104))
    wb = load_workbook(hubei_store / "report.xlsx")
    ws = wb["市州排名"]
    heads = [c.value for c in ws[1]]
    assert {"排名", "地区", "平均完成度(占目标值,封顶100%)", "人均公共支出"} <= set(heads)
    assert "城市社区均有10个以上社区社会组织(达成概率)" in heads
    progress = heads.index("平均完成度(占目标值,封顶100%)") + 1
    assert ws.cell(row=2, column=progress).number_format.endswith("%")
    assert ws.max_row == 1 + 17
    cost = wb["分地区支出"]
    assert cost.max_row == 1 + 2 * (17 + 103)
    assert "县(市、区)" in {c.value for c in cost["B"] if c.value} | {c.value for row in cost.iter_rows(max_row=3)
                                                                    for c in row}


def test_the_frames_are_built_from_the_columns_as_pandas_types_the_collected_values():
    """``frame()`` is the DataCollector's frame with the months as index, built from ``columns()``;
    ``unit_table()`` is ``UnitRecorder.columns()`` as a frame (text as pandas' str), at any month."""
    from model.simulation import _column

    m = FiveSocietyModel(region="demo", seed=4, start="2021-01", end="2022-06")
    for months in (0, 1, 13, 18):
        while m.t + 1 < months:
            m.step()
        expected = m.datacollector.get_model_vars_dataframe()
        expected.index = m.calendar[: len(expected)]
        expected.index.name = "date"
        pd.testing.assert_frame_equal(m.frame(), expected, check_exact=True)
        table = m.unit_table()
        assert list(table.columns) == list(units_module.UNIT_COLUMNS)
        if len(table):
            pd.testing.assert_frame_equal(table, pd.DataFrame(m.units.columns()), check_exact=True)
            assert all(str(table[c].dtype) == "str" for c in ("level", "name", "name_en"))
            assert str(table["date"].dtype) == "datetime64[us]" and table["unit"].dtype == np.int64
    # a list is typed as pandas types it, or left to pandas
    for values in ([1, 2], [1.5, 2], [1, float("nan")], [True, False], [True, 1], [1.0, True], [1, None], [],
                   [np.float32(1.5)], [np.int64(3), 4], [2**63], ["a", "b"]):
        pd.testing.assert_frame_equal(pd.DataFrame({"v": _column(values)}), pd.DataFrame({"v": values}),
                                      check_exact=True)

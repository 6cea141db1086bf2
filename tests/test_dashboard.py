"""The classroom dashboard, headless (``solara.render``): what a click or a slider does to the model."""

from __future__ import annotations

import ipyvuetify as v
import pandas as pd
import pytest
import solara
import solara.widgets

from model.dashboard.app import Dashboard, Page
from model.dashboard.charts import flow_option, indicator_option, region_option
from model.dashboard.session import LEVERS, Session, target_status
from model.dashboard.text import TEXT, month_label, tr
from model.params import SCHEMA
from model.targets import load_targets

START = pd.Timestamp("2021-01-31")


def render(element):
    _, rc = solara.render(solara.AppLayout(children=[element]), handle_error=False)
    return rc


def html_texts(rc, css_class: str) -> list[str]:
    return [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
            if css_class in (w.attributes or {}).get("class", "").split()]


def month_shown(rc) -> str:
    (text,) = html_texts(rc, "wushe-month")
    return text


def checklist_html(rc) -> str:
    (html,) = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
               if 'class="wushe-checklist"' in (w.unsafe_innerHTML or "")]
    return html


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def widget_with_class(rc, kind, css_class: str):
    found = [w for w in rc.find(kind).widgets if css_class in (w.class_ or "").split()]
    assert len(found) == 1, f"{len(found)} {kind.__name__} widgets with class {css_class}"
    return found[0]


def months(session: Session) -> int:
    return len(session.frame().index)


def test_step_button_advances_the_model_one_month():
    session = Session("demo", seed=3)
    rc = render(Dashboard(session=session, lang="en"))
    assert months(session) == 0
    assert month_shown(rc) == tr("month_zero", "en")
    click(rc, "Step")
    assert months(session) == 1 and session.model.date == START
    assert month_shown(rc) == "January 2021"
    click(rc, "Step")
    assert months(session) == 2 and session.model.date == pd.Timestamp("2021-02-28")
    assert month_shown(rc) == "February 2021"


def test_moving_a_slider_changes_the_lever_from_the_next_month():
    session = Session("demo", seed=3)
    rc = render(Dashboard(session=session, lang="en"))
    click(rc, "Step")
    click(rc, "Step")
    slider = widget_with_class(rc, v.Slider, "wushe-lever-charity_match_ratio")
    assert slider.v_model == SCHEMA["charity_match_ratio"].default == 0.0
    slider.v_model = 1.5
    # recorded for March, the month the next Step runs, and handed to the model
    assert session.levers["charity_match_ratio"] == 1.5
    march = pd.Timestamp("2021-03-31")
    assert session.marks == {march: {"charity_match_ratio": 1.5}}
    assert session.model.params.charity_match_ratio == 0.0  # February's value until the month turns
    click(rc, "Step")
    assert session.model.date == march
    assert session.model.params.charity_match_ratio == 1.5
    assert session.model.change_log == [(march, {"charity_match_ratio": 1.5})]
    # the change is drawn on every indicator panel at March
    option = indicator_option(session, ["community_orgs", "station_coverage"], "en")
    lines = [s["markLine"]["data"] for s in option["series"] if "markLine" in s]
    assert lines and all(d == [{"xAxis": "2021-03-31", "name": "Charity matching ratio = 1.5"}] for d in lines)


def test_choosers_and_switches_are_levers_too():
    session = Session("demo", seed=3)
    rc = render(Dashboard(session=session, lang="en"))
    chooser = widget_with_class(rc, v.Select, "wushe-lever-procurement_mode")
    assert [i["value"] for i in chooser.items] == list(SCHEMA["procurement_mode"].choices)
    chooser.v_model = "direct"
    switch = widget_with_class(rc, v.Switch, "wushe-lever-digital_platform")
    switch.v_model = True
    click(rc, "Step")
    assert session.model.params.procurement_mode == "direct"
    assert session.model.params.digital_platform is True
    assert session.marks == {START: {"procurement_mode": "direct", "digital_platform": True}}


def test_controls_are_generated_from_the_schema_in_both_languages():
    rc = render(Dashboard(session=Session("demo", seed=0), lang="zh"))
    for p in LEVERS:
        kind = {"bool": v.Switch, "choice": v.Select}.get(p.type, v.Slider)
        widget = widget_with_class(rc, kind, f"wushe-lever-{p.name}")
        if p.type in ("float", "int"):
            assert (widget.min, widget.max, widget.v_model) == (p.min, p.max, p.default)
    labels = " ".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)
    assert SCHEMA["charity_match_ratio"].label_zh in labels
    assert SCHEMA["charity_match_ratio"].label_en not in labels
    # switch the page to English: every dashboard word and lever label follows
    widget_with_class(rc, v.Select, "wushe-lang").v_model = "en"
    labels = " ".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)
    assert SCHEMA["charity_match_ratio"].label_en in labels
    click(rc, TEXT["step"][1])
    assert month_shown(rc) == "January 2021"


def test_two_rendered_sessions_have_independent_models():
    first = render(Page())
    second = render(Page())
    step = tr("step", "zh")  # the served page speaks Chinese unless told otherwise
    for _ in range(3):
        click(first, step)
    click(second, step)
    assert month_shown(first) == "2021年3月"
    assert month_shown(second) == "2021年1月"
    widget_with_class(first, v.Slider, "wushe-lever-station_build_share").v_model = 1.0
    assert widget_with_class(second, v.Slider, "wushe-lever-station_build_share").v_model == 0.2
    click(second, step)
    assert month_shown(first) == "2021年3月"
    assert month_shown(second) == "2021年2月"


def test_compare_with_baseline_runs_the_same_seed_beside_the_live_run():
    session = Session("demo", seed=5)
    session.set_lever("station_build_share", 1.0)
    for _ in range(3):
        session.step()
    session.set_compare(True)  # the twin catches up with the live run
    for _ in range(9):
        session.step()
    base = session.baseline_frame()
    assert len(base) == len(session.frame()) == 12
    # the twin is exactly the baseline run of that seed (common random numbers)
    from model.simulation import FiveSocietyModel

    alone = FiveSocietyModel(region="demo", seed=5)
    for _ in range(12):
        alone.step()
    pd.testing.assert_frame_equal(base, alone.frame())
    # and the lever shows: every township has its station in the live run, not in the baseline
    assert session.frame()["station_coverage"].iloc[-1] == 1.0
    assert base["station_coverage"].iloc[-1] < 1.0
    option = indicator_option(session, ["station_coverage"], "en")
    assert [s["name"] for s in option["series"]] == ["This run", "Baseline", "Target"]


def test_checklist_reads_the_run_and_judges_each_target():
    session = Session("demo", seed=2)
    rc = render(Dashboard(session=session, lang="en"))
    before = checklist_html(rc)
    assert "—" in before
    for _ in range(6):
        click(rc, "Step")
    rows = session.checklist()
    targets = load_targets("demo")  # a demo session is judged against the demo county's own set
    assert [r["id"] for r in rows] == [t.id for t in targets]
    frame = session.frame()
    for r in rows:
        assert r["now"] == pytest.approx(frame[r["indicator"]].iloc[-1])
        assert r["status"] == target_status(frame, r["target"])
    after = checklist_html(rc)
    assert after != before
    for r in rows:
        assert f'data-status="{r["status"]}"' in after


def test_target_status_by_trend_and_deadline():
    target = load_targets("hubei-47").targets[0]  # share of urban communities with >=10 organisations >= 1 by 2023-12
    dates = pd.date_range("2021-01-31", periods=13, freq="ME")
    rising = pd.DataFrame({target.indicator: [0.4 + 0.03 * i for i in range(13)]}, index=dates)
    flat = pd.DataFrame({target.indicator: [0.4] * 13}, index=dates)
    assert target_status(rising, target) == "on_track"  # 0.76 + 0.03 x 23 months >= 1
    assert target_status(flat, target) == "off_track"
    assert target_status(rising.iloc[:0], target) == "pending"
    late = pd.date_range("2023-01-31", periods=13, freq="ME")
    assert target_status(pd.DataFrame({target.indicator: [1.0] * 13}, index=late), target) == "met"
    assert target_status(pd.DataFrame({target.indicator: [0.9] * 13}, index=late), target) == "missed"


def test_region_picture_and_flows_show_the_model_state():
    session = Session("demo", seed=1)
    for _ in range(13):  # through a January: stations are built
        session.step()
    c, t = session.model.communities, session.model.townships
    option = region_option(session, "station", "en")
    townships = option["series"][-1]["data"]
    assert len(townships) == t.n
    filled = [d["itemStyle"]["color"] != "#ffffff" for d in townships]
    assert filled == [bool(x) for x in t.has_station]
    n_points = sum(len(s["data"]) for s in option["series"][:-1])
    assert n_points == len(c.township)
    by_orgs = region_option(session, "orgs", "zh")
    low = sum(len(s["data"]) for s in by_orgs["series"][:2])  # the 0-2 group, urban and rural
    assert low == int((c.orgs <= 2).sum())
    flows = flow_option(session.model.flows, "en")
    shown = {(link["source"], link["target"]) for link in flows["series"][0]["links"]}
    assert shown and all(a != b for a, b in shown)
    assert month_label(session.date, "zh") == "2022年1月"


def test_a_scenario_to_start_from_sets_the_levers_and_its_dated_changes(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "class_cut.toml").write_text(
        'name = "class_cut"\ntitle = { zh = "课堂:预算压减", en = "Class: budget cut" }\nregion = "demo"\n'
        'targets = "demo"\nstart = "2021-01"\nend = "2022-12"\n[params]\ncharity_match_ratio = 1.0\n'
        '[[changes]]\ndate = "2021-04"\nfiscal_squeeze = 0.3\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    session = Session("demo", seed=0)
    rc = render(Dashboard(session=session, lang="en"))
    widget_with_class(rc, v.Select, "wushe-scenario").v_model = "class_cut"
    assert session.scenario == "class_cut" and session.levers["charity_match_ratio"] == 1.0
    assert widget_with_class(rc, v.Slider, "wushe-lever-charity_match_ratio").v_model == 1.0
    for _ in range(4):
        click(rc, "Step")
    # the scenario's own change in April moved the lever in the model, the control follows, the chart marks it
    assert session.model.params.fiscal_squeeze == 0.3
    assert widget_with_class(rc, v.Slider, "wushe-lever-fiscal_squeeze").v_model == 0.3
    assert session.lever_marks() == [(pd.Timestamp("2021-04-30"), {"fiscal_squeeze": 0.3})]
    assert session.model.calendar[-1] == pd.Timestamp("2022-12-31")  # the scenario's window

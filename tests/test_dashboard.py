"""The classroom dashboard, headless (``solara.render``): what a click or a slider does to the model."""

from __future__ import annotations

import ipyvuetify as v
import pandas as pd
import pytest
import solara
import solara.widgets

from model.dashboard.app import Dashboard, Page
from model.dashboard.charts import CHART_FONT, flow_rows, font_sizes, indicator_option, region_option
from model.dashboard.session import BAND_SEEDS, LEVER_GROUPS, LEVERS, FairTurns, Session, lever_groups, target_status
from model.params import SCHEMA
from model.targets import load_targets
from model.text import TEXT, month_label
from model.text import t as tr

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
    # and the band is the spread of the baseline over BAND_SEEDS seeds, this seed among them
    lo, hi = session.baseline_band()
    others = [FiveSocietyModel(region="demo", seed=s) for s in range(5, 5 + BAND_SEEDS)]
    for m in others:
        for _ in range(12):
            m.step()
    orgs = pd.concat([m.frame()["community_orgs"] for m in others], axis=1)
    pd.testing.assert_series_equal(lo["community_orgs"], orgs.quantile(0.1, axis=1), check_names=False)
    pd.testing.assert_series_equal(hi["community_orgs"], orgs.quantile(0.9, axis=1), check_names=False)
    assert (hi["community_orgs"] > lo["community_orgs"]).any()  # the seed alone moves the baseline
    # and the lever shows: every township has its station in the live run, not in the baseline
    assert session.frame()["station_coverage"].iloc[-1] == 1.0
    assert base["station_coverage"].iloc[-1] < 1.0
    option = indicator_option(session, ["station_coverage"], "en")
    assert [s["name"] for s in option["series"]] == [tr("band_seed", "en")] * 2 + ["This run", "Baseline", "Target"]


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
    rows = flow_rows(session.model.flows, "en")
    edges = [r for r in rows if r["source"]]
    shown = {(r["source"], r["target"]) for r in edges}
    assert shown and all(a != b for a, b in shown)
    # each kind's largest flow has the full bar; money is written in yuan (万元 in Chinese)
    for unit in {r["unit"] for r in edges}:
        assert max(r["share"] for r in edges if r["unit"] == unit) == 1.0
    money = [r for r in flow_rows(session.model.flows, "zh") if r["unit"] == "yuan"]
    assert money and all(r["text"].endswith("万元") for r in money)
    # every flow is named in the page's language; flows between no two societies are listed too, without a bar
    from model.indicators import FLOWS

    for lang in ("zh", "en"):
        listed = flow_rows(session.model.flows, lang)
        for r in listed:
            assert r["names"] == "; ".join(FLOWS[k].label(lang) for k in r["keys"])
        reported = {k for k, v in session.model.flows.items() if k in FLOWS and v > 0}
        assert {k for r in listed for k in r["keys"]} == reported
    others = [r for r in rows if not r["source"]]
    assert others and all(r["share"] is None for r in others)
    assert {r["kind"] for r in flow_rows(session.model.flows, "zh") if not r["source"]} == {tr("other_flows", "zh")}
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


def test_every_lever_sits_in_one_society_group_on_the_page():
    grouped = [p.name for _, params in lever_groups() for p in params]
    assert sorted(grouped) == sorted(p.name for p in LEVERS)  # each lever once, none hidden
    assert [g for g, _ in lever_groups()][:6] == list(LEVER_GROUPS)
    assert all(n in SCHEMA for names in LEVER_GROUPS.values() for n in names)
    rc = render(Dashboard(session=Session("demo", seed=0), lang="en"))
    for group in LEVER_GROUPS:
        assert tr("group_" + group, "en") in [w.children[0] for w in rc.find(v.CardTitle).widgets if w.children]


def test_a_lever_can_be_typed_in_its_number_box_and_is_kept_in_range():
    session = Session("demo", seed=3)
    rc = render(Dashboard(session=session, lang="en"))
    box = widget_with_class(rc, v.TextField, "wushe-number-charity_match_ratio")
    box.v_model = "1.25"
    box.fire_event("focusout", None)  # a typed number is taken on Enter or when the box loses focus
    assert session.levers["charity_match_ratio"] == 1.25
    assert widget_with_class(rc, v.Slider, "wushe-lever-charity_match_ratio").v_model == 1.25
    box.v_model = "7"  # above the schema's maximum: the lever stops at it
    box.fire_event("keyup.enter", None)
    assert session.levers["charity_match_ratio"] == SCHEMA["charity_match_ratio"].max
    click(rc, "Step")
    assert session.model.params.charity_match_ratio == SCHEMA["charity_match_ratio"].max


def test_monitors_show_any_indicator_as_this_months_number():
    session = Session("demo", seed=3)
    rc = render(Dashboard(session=session, lang="en"))
    widget_with_class(rc, v.Select, "wushe-monitor-choice").v_model = ["volunteers_active", "needs_met_share"]
    for _ in range(3):
        click(rc, "Step")
    (tiles,) = html_texts(rc, "wushe-monitors")
    frame = session.frame()
    assert 'data-indicator="volunteers_active"' in tiles
    assert f"<b>{frame['volunteers_active'].iloc[-1]:,.0f}</b>" in tiles
    assert f"<b>{100 * frame['needs_met_share'].iloc[-1]:.0f}%</b>" in tiles


def test_the_run_exports_as_csv_with_levers_and_baseline():
    import io

    session = Session("demo", seed=4, compare=True)
    session.step()
    session.set_lever("charity_match_ratio", 1.0)
    session.step()
    table = pd.read_csv(io.StringIO(session.to_csv()), index_col="month")
    assert list(table.index) == ["2021-01", "2021-02"]
    assert table["lever:charity_match_ratio"].tolist() == [0.0, 1.0]
    assert table["community_orgs"].tolist() == session.frame()["community_orgs"].tolist()
    assert table["baseline:community_orgs"].tolist() == session.baseline_frame()["community_orgs"].tolist()


def test_a_click_on_the_map_shows_that_township_or_community():
    session = Session("demo", seed=1)
    for _ in range(2):
        session.step()
    option = region_option(session, "orgs", "en")
    community = next(d for s in option["series"][:-1] for d in s["data"])
    kind, i = community["place"]
    assert kind == "c"
    state = session.community_state(i, "en")
    assert state["orgs"] == session.model.communities.orgs[i]
    assert state["population"] == session.model.communities.population[i]
    township = option["series"][-1]["data"][2]
    assert township["place"] == ["t", 2]
    mine = session.model.communities.township == 2
    assert session.township_state(2)["orgs"] == session.model.communities.orgs[mine].sum()
    # on the page: the click handler reads the clicked item's data and the place card shows it
    rc = render(Dashboard(session=session, lang="en"))
    from solara.components.echarts import EchartsWidget

    assert not [w for w in rc.find(EchartsWidget).widgets if w.on_click is not None]  # drawn on demand
    widget_with_class(rc, v.Btn, "wushe-map-toggle").click()

    (chart,) = [w for w in rc.find(EchartsWidget).widgets if w.on_click is not None]
    (before,) = html_texts(rc, "wushe-place-state")
    assert before == tr("place_hint", "en")
    chart.vue_on_click({"data": township})
    (shown,) = html_texts(rc, "wushe-place-state")
    assert f"<b>{township['name']}</b>" in shown
    assert f"<b>{session.township_state(2)['communities']} (" in shown
    chart.vue_on_click({"data": community})
    (shown,) = html_texts(rc, "wushe-place-state")
    assert f"<b>#{i} · " in shown and f"<b>{state['orgs']:,.0f}</b>" in shown


def test_checklist_reads_a_passed_target_at_its_date_not_today():
    session = Session("demo", seed=2, compare=True)
    while not len(session.frame()) or session.frame().index[-1] < pd.Timestamp("2024-03-31"):
        session.step()
    row = next(r for r in session.checklist() if r["id"] == "urban_orgs_10")
    frame = session.frame()
    at = frame.loc["2023-12-31", row["indicator"]]
    assert row["judged"] == pd.Timestamp("2023-12-31") and row["value"] == pytest.approx(at)
    assert row["status"] == ("met" if row["target"].met(at) else "missed")
    lo, hi = row["band"]
    assert lo <= hi


def test_chart_text_is_at_least_14_px_and_page_text_at_least_16_px():
    from model.dashboard.app import STYLE

    session = Session("demo", seed=1, compare=True)
    for _ in range(3):
        session.step()
    options = [indicator_option(session, ["community_orgs", "station_coverage"], "zh"),
               indicator_option(session, ["community_orgs"], "en", columns=1, titles=False),
               region_option(session, "orgs", "zh")]
    for option in options:
        sizes = font_sizes(option)
        assert sizes and min(sizes) >= CHART_FONT == 14
        assert option["textStyle"]["fontSize"] >= 14  # the default for every text not set one by one
    import re

    px = [int(x) for x in re.findall(r"font-size:\s*(\d+)px", STYLE)]
    assert px and min(px) >= 16


def test_fair_turns_serve_waiting_sessions_first_come_first_served():
    import threading

    turns = FairTurns(slots=1)
    order: list[str] = []
    gate = threading.Event()

    def greedy():  # a Play loop at full speed: asks again as soon as its month ends
        for _ in range(6):
            with turns.turn():
                order.append("greedy")
                gate.wait(1)

    def patient(name):
        with turns.turn():
            order.append(name)

    with turns.turn():  # hold the turnstile while everyone queues
        first = threading.Thread(target=greedy)
        first.start()
        while turns.waiting < 1:
            pass
        others = [threading.Thread(target=patient, args=(f"s{k}",)) for k in range(3)]
        for k, t in enumerate(others):
            t.start()
            while turns.waiting < 2 + k:
                pass
    gate.set()
    first.join()
    for t in others:
        t.join()
    # the greedy session got its first month, then every waiting session had one before its second
    assert order[:4] == ["greedy", "s0", "s1", "s2"]
    assert order.count("greedy") == 6


def test_views_below_the_levers_are_drawn_on_demand_and_then_follow_the_months():
    from solara.components.echarts import EchartsWidget

    session = Session("demo", seed=1)
    rc = render(Dashboard(session=session, lang="en"))
    assert len(rc.find(EchartsWidget).widgets) == 1  # the main chart only
    assert not [w for w in rc.find(solara.widgets.HTML).widgets if 'class="wushe-flows"' in (w.unsafe_innerHTML or "")]
    for name in ("wushe-indicators", "wushe-map", "wushe-flows-view"):
        button = widget_with_class(rc, v.Btn, f"{name}-toggle")
        assert button.children == ["Show"]
        button.click()
        assert widget_with_class(rc, v.Btn, f"{name}-toggle").children == ["Hide"]
    assert len(rc.find(EchartsWidget).widgets) == 3  # main chart, every indicator, the region
    click(rc, "Step")
    flows = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
             if 'class="wushe-flows"' in (w.unsafe_innerHTML or "")]
    assert len(flows) == 1 and "Casework hours" in flows[0]
    (month,) = html_texts(rc, "wushe-flow-month")
    assert month == "<b>January 2021</b>"
    click(rc, "Step")
    (month,) = html_texts(rc, "wushe-flow-month")
    assert month == "<b>February 2021</b>"  # an open view follows the months
    widget_with_class(rc, v.Btn, "wushe-map-toggle").click()
    assert len(rc.find(EchartsWidget).widgets) == 2


def test_share_axes_are_in_per_cent():
    session = Session("demo", seed=1, compare=True)
    for _ in range(3):
        session.step()
    option = indicator_option(session, ["station_coverage", "community_orgs"], "en")
    share_axis, count_axis = option["yAxis"]
    assert (share_axis["min"], share_axis["max"], share_axis["axisLabel"]["formatter"]) == (0, 100, "{value}%")
    assert "formatter" not in count_axis["axisLabel"] and "max" not in count_axis
    live = next(s for s in option["series"] if s["name"] == "This run" and s["yAxisIndex"] == 0)
    expected = [round(100 * x, 1) for x in session.frame()["station_coverage"]]
    assert [p[1] for p in live["data"]] == expected
    targets = next(s for s in option["series"] if s["name"] == "Target" and s["yAxisIndex"] == 0)
    goals = [t.value for t in session.targets if t.indicator == "station_coverage"]
    assert [d["value"][1] for d in targets["data"]] == [100 * g for g in goals]


def test_scenario_titles_and_lever_units_in_the_pages_language():
    from model.params import UNITS_ZH
    from model.scenarios import load_scenario
    from model.text import region_title, scenario_title

    session = Session("demo", seed=0)
    rc = render(Dashboard(session=session, lang="zh"))
    chooser = widget_with_class(rc, v.Select, "wushe-scenario")
    titles = {item["value"]: item["text"] for item in chooser.items}
    assert titles["charity_matching"] == load_scenario("charity_matching", region="demo").title["zh"]
    assert titles["baseline"] == scenario_title("baseline", "zh") == "现状延续"
    assert all(text != value for value, text in titles.items())  # no raw file name on the Chinese page
    regions = {i["value"]: i["text"] for i in widget_with_class(rc, v.Select, "wushe-region").items}
    assert regions == {"demo": region_title("demo", "zh"), "linhai": region_title("linhai", "zh")}
    assert regions["linhai"] == "浙江省临海市"
    labels = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    budget = SCHEMA["station_budget_yuan"]
    assert budget.unit in UNITS_ZH and UNITS_ZH[budget.unit] in labels
    assert budget.unit not in labels  # the English unit is not shown on the Chinese page
    english = render(Dashboard(session=Session("demo", seed=0), lang="en"))
    items = {i["value"]: i["text"] for i in widget_with_class(english, v.Select, "wushe-scenario").items}
    assert items["charity_matching"] == load_scenario("charity_matching", region="demo").title["en"]


def _small_posterior(n: int = 8):
    """A posterior built here: every uncertain parameter drawn across its schema range."""
    import numpy as np

    from model.calibration.fit import uncertainties
    from model.calibration.posterior import Posterior

    rng = np.random.default_rng(11)
    draws = pd.DataFrame({"draw": np.arange(n)})
    for name in uncertainties():
        p = SCHEMA[name]
        draws[name] = rng.uniform(p.min, p.max, n)
    return Posterior(draws, {"region": "demo", "fitted": [], "left_at_prior": list(draws.columns[1:])})


def test_the_band_can_count_parameter_uncertainty_from_a_posterior():
    from model.dashboard.session import baseline_runs
    from model.simulation import FiveSocietyModel

    post = _small_posterior()
    session = Session("demo", seed=3, compare=True, posterior=post)
    assert session.posterior_available and session.band_mode == "seed"
    for _ in range(6):
        session.step()
    seed_lo, seed_hi = session._band
    assert session.set_band("posterior") and session.band_mode == "posterior"
    post_lo, post_hi = session._band
    # seed s runs with posterior draw s mod n, the rule of Experiment(uncertainty="posterior")
    seeds = list(range(3, 3 + BAND_SEEDS))
    assert session.band_draws() == {s: post.draw(s) for s in seeds}
    runs = baseline_runs("demo", "2021-01", "2025-12", seeds, session.band_draws())
    again = FiveSocietyModel(region="demo", seed=4, params=post.draw(4)).run()
    pd.testing.assert_frame_equal(runs[4], again)
    stacked = pd.concat([runs[s]["community_orgs"] for s in seeds], axis=1)
    pd.testing.assert_series_equal(post_lo["community_orgs"], stacked.quantile(0.1, axis=1), check_names=False)
    # the same-seed line stays the baseline with the schema's values, paired with the live run
    alone = FiveSocietyModel(region="demo", seed=3).run()
    pd.testing.assert_frame_equal(session.baseline_frame(), alone.iloc[:6])
    # parameters widen the band at the end of the run
    for name in ("sw_talent", "community_orgs"):
        assert post_hi[name].iloc[-1] - post_lo[name].iloc[-1] > seed_hi[name].iloc[-1] - seed_lo[name].iloc[-1]
    lo, hi = session.baseline_band()
    assert len(lo) == 6 and lo.equals(post_lo.iloc[:6])
    # on the page: the chooser shows both counts in both languages; the checklist and legend say which
    rc = render(Dashboard(session=session, lang="zh"))
    chooser = widget_with_class(rc, v.Select, "wushe-band-mode")
    assert [i["text"] for i in chooser.items] == [tr("band_mode_seed", "zh"), tr("band_mode_posterior", "zh")]
    assert not chooser.disabled and chooser.v_model == "posterior"
    assert tr("baseline_band_posterior", "zh").format(n=BAND_SEEDS) in checklist_html(rc)
    (note,) = html_texts(rc, "wushe-compare-note")
    assert tr("band_note_posterior", "zh").format(n=BAND_SEEDS) in note
    chooser.v_model = "seed"
    assert session.band_mode == "seed" and session._band[0].equals(seed_lo)
    assert tr("baseline_band_seed", "zh").format(n=BAND_SEEDS) in checklist_html(rc)
    option = indicator_option(session, ["community_orgs"], "en")
    assert tr("band_seed", "en") in option["legend"]["data"]


def test_without_a_posterior_the_band_counts_chance_only(tmp_path, monkeypatch):
    import model.calibration.posterior as posterior

    monkeypatch.setattr(posterior, "POSTERIOR_DIR", tmp_path)  # nothing installed
    session = Session("linhai", seed=0, compare=True, band="posterior")
    assert not session.posterior_available and session.band_mode == "seed"
    assert session.set_band("posterior") is False and session.band_mode == "seed"
    with pytest.raises(ValueError, match="band: expected one of seed, posterior"):
        session.set_band("parameters")
    rc = render(Dashboard(session=session, lang="en"))
    assert widget_with_class(rc, v.Select, "wushe-band-mode").disabled
    (note,) = html_texts(rc, "wushe-compare-note")
    assert tr("band_no_posterior", "en") in note
    # a posterior installed while the server runs is found (demo and linhai borrow hubei's)
    _small_posterior().write(tmp_path / "hubei.parquet")
    assert session.posterior_available and session.set_band("posterior")


# Every dependency the schema declares (``needs``): the partner, the state it needs as the page says it
# (en, zh), values where the dependent one acts and values where it does not. Written out here, so that a
# new or changed dependency must be looked at.
DEPENDENCIES = {
    "direct_share": ("procurement_mode", ("= mixed", "= 混合"), ["mixed"], ["purchase", "direct"]),
    "evaluation_pass_mark": ("renewal_rule", ("= renew after evaluation", "= 评估后续签"), ["evaluate"],
                             ["always", "retender"]),
    "match_fund_public_yuan_per_10k": ("charity_match_ratio", ("> 0", "> 0"), [0.01, 1.0, 2.0], [0.0]),
    "training_odds_ratio": ("exam_training_yuan", ("> 0", "> 0"), [1, 1000, 3000], [0]),
    "donation_match_elasticity": ("charity_match_ratio", ("> 0", "> 0"), [0.01, 1.0, 2.0], [0.0]),
}


def test_the_schema_declares_the_dependencies_written_out_here():
    declared = {name: p.needs[0] for name, p in SCHEMA.items() if p.needs}
    assert declared == {name: row[0] for name, row in DEPENDENCIES.items()}
    assert all(SCHEMA[partner].kind == "lever" for partner in declared.values())
    # the dashboard shows a note beside every dependent lever
    assert {p.name for p in LEVERS if p.needs} == {"direct_share", "evaluation_pass_mark",
                                                    "match_fund_public_yuan_per_10k"}


@pytest.mark.parametrize("name", sorted(DEPENDENCIES))
def test_dependency_state_and_note_for_every_declared_dependency(name):
    from model.dashboard.session import dependency_note
    from model.text import choice_label

    p = SCHEMA[name]
    partner, when, on, off = DEPENDENCIES[name]
    label = {"en": SCHEMA[partner].label_en, "zh": SCHEMA[partner].label_zh}
    for values, acts in [(on, True), (off, False)]:
        for value in values:
            levers = {"station_budget_yuan": 200_000, partner: SCHEMA[partner].coerce(value)}
            assert p.acts_with(levers) is acts, (name, partner, value)
            for lang, needed in zip(("en", "zh"), when, strict=True):
                now = choice_label(partner, value, lang) if SCHEMA[partner].type == "choice" else f"{value:,g}"
                state, note = dependency_note(p, levers, lang)
                assert state is acts
                assert note == tr("lever_needs_acts" if acts else "lever_needs_inert", lang,
                                  partner=label[lang], when=needed, value=now)
                assert label["en" if lang == "zh" else "zh"] not in note  # one language per page
    # with no value given, the partner stands at its schema default
    assert p.acts_with({}) is (SCHEMA[partner].default in on)
    assert dependency_note(SCHEMA["station_build_share"], {}, "en") is None  # a lever that acts alone


def test_dependency_conditions_read_as_written():
    from model.params import condition_holds

    assert condition_holds("mixed", "= mixed") and not condition_holds("direct", "= mixed")
    assert condition_holds("direct", "!= mixed") and not condition_holds("mixed", "!= mixed")
    assert condition_holds(0.5, "> 0") and not condition_holds(0, "> 0") and not condition_holds(-1, "> 0")
    assert condition_holds(1, ">= 1") and not condition_holds(0.99, ">= 1")
    assert condition_holds(2, "= 2") and condition_holds(True, "= 1") and not condition_holds(3, "<= 2")


def _needs_note(rc, name: str):
    import html

    found = [w for w in rc.find(solara.widgets.HTML).widgets
             if f"wushe-needs-{name}" in (w.attributes or {}).get("class", "").split()]
    assert len(found) == 1, f"{len(found)} notes for {name}"
    classes = found[0].attributes["class"].split()
    return ("acts" if "wushe-needs-acts" in classes else "inert" if "wushe-needs-inert" in classes else "?",
            html.unescape(found[0].unsafe_innerHTML))


def _dependent_box_state(rc, name: str) -> str:
    """The state class of the box that holds ``name``'s control (greyed and flagged while inert)."""
    states = [state for state in ("acts", "inert")
              for box in rc.find(v.Html, class_=f"wushe-dependent wushe-{state}").widgets
              if any(f"wushe-needs-{name}" in (getattr(c, "attributes", None) or {}).get("class", "").split()
                     for c in box.children)]
    assert len(states) == 1, states
    return states[0]


def test_dependent_levers_carry_a_note_that_follows_their_partner_live():
    session = Session("demo", seed=3)
    rc = render(Dashboard(session=session, lang="en"))
    # at the defaults: direct employment share does nothing under purchase of service; the pass mark acts
    state, note = _needs_note(rc, "direct_share")
    assert state == "inert" and _dependent_box_state(rc, "direct_share") == "inert"
    assert note.startswith("⚠ No effect now") and "Procurement mode = mixed" in note
    assert "(now purchase of service)" in note
    assert _needs_note(rc, "evaluation_pass_mark")[0] == "acts"
    assert _dependent_box_state(rc, "evaluation_pass_mark") == "acts"
    assert _needs_note(rc, "match_fund_public_yuan_per_10k")[0] == "inert"
    # levers that act alone carry no note
    notes = [w for w in rc.find(solara.widgets.HTML).widgets
             if "wushe-needs" in (w.attributes or {}).get("class", "").split()]
    assert len(notes) == sum(1 for p in LEVERS if p.needs)
    # the teacher moves the partner: the note and the mark follow at once, before any Step
    widget_with_class(rc, v.Select, "wushe-lever-procurement_mode").v_model = "mixed"
    state, note = _needs_note(rc, "direct_share")
    assert (state, note) == ("acts", "Acts only when Procurement mode = mixed (now mixed): in effect.")
    assert _dependent_box_state(rc, "direct_share") == "acts"
    widget_with_class(rc, v.Select, "wushe-lever-renewal_rule").v_model = "always"
    state, note = _needs_note(rc, "evaluation_pass_mark")
    assert state == "inert" and "(now always renew)" in note
    widget_with_class(rc, v.Slider, "wushe-lever-charity_match_ratio").v_model = 1.5
    assert _needs_note(rc, "match_fund_public_yuan_per_10k") == (
        "acts", "Acts only when Charity matching ratio > 0 (now 1.5): in effect.")
    # and back: inert again
    widget_with_class(rc, v.Select, "wushe-lever-procurement_mode").v_model = "direct"
    state, note = _needs_note(rc, "direct_share")
    assert state == "inert" and "(now direct employment)" in note
    # the dependent lever stays movable (set it before switching its partner on) and still reaches the model
    widget_with_class(rc, v.Slider, "wushe-lever-direct_share").v_model = 0.8
    click(rc, "Step")
    assert session.model.params.direct_share == 0.8 and session.model.params.procurement_mode == "direct"
    # the Chinese page says the same in Chinese
    widget_with_class(rc, v.Select, "wushe-lang").v_model = "zh"
    state, note = _needs_note(rc, "direct_share")
    assert state == "inert"
    assert note == "⚠ 目前不起作用:仅当「社工站运营方式」= 混合 时起作用(现为 直接聘用)。"


def test_a_scenario_that_moves_a_partner_updates_the_note():
    session = Session("demo", seed=0)
    rc = render(Dashboard(session=session, lang="zh"))
    assert _needs_note(rc, "match_fund_public_yuan_per_10k")[0] == "inert"
    widget_with_class(rc, v.Select, "wushe-scenario").v_model = "charity_matching"  # sets the matching ratio to 1
    assert session.levers["charity_match_ratio"] == 1.0
    state, note = _needs_note(rc, "match_fund_public_yuan_per_10k")
    assert (state, note) == ("acts", "仅当「慈善配捐比例」> 0 时起作用(现为 1):已生效。")

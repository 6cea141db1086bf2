"""The classroom dashboard: Solara components over a per-session ``Session``.

``Page`` is what ``wushe dashboard`` serves (one model per browser session: the session
is built inside the component with ``solara.use_memo``); ``Dashboard(...)`` is the same
page for a notebook cell.

Mesa's SolaraViz rebuilds the model whenever a parameter control moves; a class needs
levers that change a running model from the next month, a baseline twin and two
languages, so the controls and views here are our own Solara components.
"""

from __future__ import annotations

import math
import os
import time

import reacton.ipyvuetify as rv
import solara
import solara.lab

from ..indicators import CORE_NAMES
from ..indicators import label as indicator_label
from .charts import flow_option, format_value, indicator_option, region_option
from .session import LEVERS, REGIONS, Session, scenario_names
from .text import TEXT, choice_label, month_label, tr

__all__ = ["Page", "Dashboard"]

_STATUS_STYLE = {
    "met": ("✔", "#1a7f37"),
    "on_track": ("↗", "#1f6feb"),
    "off_track": ("↘", "#bf8700"),
    "missed": ("✘", "#cf222e"),
    "pending": ("·", "#666"),
}


def _nice_step(p) -> float:
    """A slider step of 1, 2 or 5 times a power of ten, about a hundredth of the range."""
    span = float(p.max) - float(p.min)
    if p.type == "int" or span <= 0:
        return 1
    raw = span / 100
    base = 10 ** math.floor(math.log10(raw))
    step = max(m * base for m in (1, 2, 5) if m * base <= raw)
    return step if step < 1 else int(step)


def _chart(option: dict) -> None:
    option = dict(option)
    height = option.pop("_height", 360)
    option.pop("_other", None)
    solara.FigureEcharts(option=option, attributes={"style": f"height: {height}px; width: 100%;"})


@solara.component
def Choice(label: str, value, items: list[tuple], on_value, disabled: bool = False, name: str = ""):
    """A drop-down whose items carry their own display text: ``[(value, text), ...]``."""
    rv.Select(label=label, v_model=value, items=[{"value": val, "text": text} for val, text in items],
             on_v_model=on_value, dense=True, hide_details=True, disabled=disabled, class_=f"mb-2 {name}".strip())


@solara.component
def LeverControl(parameter, value, lang: str, on_value):
    """One lever as the schema types it: slider (float, int), switch (bool) or chooser (choice)."""
    p = parameter
    unit = "" if p.unit in ("-", "on/off") else f" ({p.unit})"
    label = p.label(lang) + unit
    if p.type == "bool":
        solara.Switch(label=label, value=bool(value), on_value=on_value, classes=[f"wushe-lever-{p.name}"])
    elif p.type == "choice":
        Choice(label, value, [(c, choice_label(p.name, c, lang)) for c in p.choices], on_value,
               name=f"wushe-lever-{p.name}")
    else:
        Slider(p.label(lang), value, p.min, p.max, _nice_step(p), on_value, unit=p.unit, integer=p.type == "int",
               name=p.name)


@solara.component
def Slider(label: str, value, lo, hi, step, on_value, unit: str = "", integer: bool = False, name: str = ""):
    """A slider with its label and current value above it (long labels do not squeeze it)."""
    current = solara.use_reactive(value)  # follows a new value from a reset
    value = current.value
    shown = f"{value:,.0f}" if integer or abs(value) >= 1000 else f"{value:g}"
    unit = "" if unit in ("-", "") else f" {unit}"
    with solara.Column(gap="0px", style={"margin-bottom": "6px"}):
        solara.HTML(tag="div", unsafe_innerHTML=f"{label}: <b>{shown}</b><span style='color:#777'>{unit}</span>",
                    style="font-size: 0.85em; line-height: 1.2")

        def changed(new):
            new = int(new) if integer else float(new)
            current.value = new
            on_value(new)

        rv.Slider(v_model=value, min=lo, max=hi, step=step, on_v_model=changed, hide_details=True, dense=True,
                  class_=f"wushe-slider wushe-lever-{name}", thumb_label=False)


@solara.component
def LeverPanel(session: Session, lang: str, generation, tick):
    generation.value  # noqa: B018 - redraw the controls when a reset loads new values

    def setter(name):
        def set_value(value):
            if session.set_lever(name, value):
                tick.value += 1

        return set_value

    with solara.Card(tr("levers", lang), style={"max-height": "1100px", "overflow-y": "auto"}):
        solara.Text(tr("levers_hint", lang), style={"font-size": "0.85em", "color": "#555"})
        for p in LEVERS:
            LeverControl(p, session.levers[p.name], lang, setter(p.name))


@solara.component
def RunControls(session: Session, lang: str, version: int, tick, generation, playing, speed, on_lang):
    region = solara.use_reactive(session.region)
    seed = solara.use_reactive(session.seed)
    scenario = solara.use_reactive(session.scenario)

    def play_loop():
        while playing.value:
            started = time.perf_counter()
            levers = session.lever_version
            if not session.step():
                playing.value = False
                break
            if session.lever_version != levers:
                generation.value += 1
            tick.value += 1
            time.sleep(max(0.0, 1.0 / max(speed.value, 0.1) - (time.perf_counter() - started)))

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def reset(**kwargs):
        playing.value = False
        session.reset(region=region.value, seed=seed.value, scenario=scenario.value, **kwargs)
        generation.value += 1
        tick.value += 1

    def on_region(value):
        region.value = value
        reset()

    def on_scenario(value):
        scenario.value = value
        reset()

    def on_seed(value):
        seed.value = int(value or 0)
        reset()

    def do_step():
        levers = session.lever_version
        if session.step():
            if session.lever_version != levers:
                generation.value += 1
            tick.value += 1

    def toggle_compare(on):
        session.set_compare(on)
        tick.value += 1

    with solara.Card():
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(tag="div", unsafe_innerHTML=month_label(session.date, lang),
                        classes=["wushe-month"], style="font-size: 1.6em; font-weight: 600; min-width: 9em;")
            solara.Button(tr("reset", lang), on_click=reset, color="secondary", disabled=playing.value)
            solara.Button(tr("step", lang), on_click=do_step, color="primary",
                          disabled=playing.value or not session.running)
            solara.Button(tr("pause", lang) if playing.value else tr("play", lang),
                          on_click=lambda: playing.set(not playing.value), color="primary",
                          disabled=not session.running and not playing.value)
            with solara.Column(style={"min-width": "220px"}):
                Slider(tr("speed", lang), speed.value, 1, 12, 1, speed.set, integer=True)
            if not session.running:
                solara.Text(tr("finished", lang), style={"color": "#cf222e"})
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            with solara.Column(style={"min-width": "120px"}):
                Choice(tr("language", lang), lang, [("zh", "中文"), ("en", "English")], on_lang, name="wushe-lang")
            with solara.Column(style={"min-width": "140px"}):
                Choice(tr("region", lang), region.value, [(r, r) for r in REGIONS], on_region,
                       disabled=playing.value, name="wushe-region")
            with solara.Column(style={"max-width": "120px"}):
                solara.InputInt(tr("seed", lang), value=seed.value, on_value=on_seed, disabled=playing.value)
            with solara.Column(style={"min-width": "200px"}):
                Choice(tr("scenario", lang), scenario.value, [(s, s) for s in scenario_names()], on_scenario,
                       disabled=playing.value, name="wushe-scenario")
            solara.Switch(label=tr("compare", lang), value=session.compare, on_value=toggle_compare,
                          classes=["wushe-compare"])


@solara.component
def Checklist(session: Session, lang: str, version: int):
    rows = session.checklist()
    compare = session.baseline is not None
    head = [tr("target", lang), tr("by", lang), tr("goal", lang), tr("now", lang), tr("status", lang)]
    if compare:
        head += [tr("baseline", lang), tr("status", lang)]

    def status_cell(status):
        mark, colour = _STATUS_STYLE[status]
        return (f'<td class="wushe-status" data-status="{status}" style="color:{colour}; white-space: nowrap">'
                f"{mark} {tr('status_' + status, lang)}</td>")

    body = []
    for r in rows:
        t = r["target"]
        cells = [f"<td>{t.label(lang)}</td>", f"<td>{t.date:%Y-%m}</td>",
                 f"<td>{t.op} {format_value(r['goal'], r['indicator'], lang)}</td>",
                 f'<td class="wushe-now">{format_value(r["now"], r["indicator"], lang)}</td>',
                 status_cell(r["status"])]
        if compare:
            cells += [f"<td>{format_value(r['baseline'], r['indicator'], lang)}</td>", status_cell(r["baseline_status"])]
        body.append(f'<tr data-target="{r["id"]}">' + "".join(cells) + "</tr>")
    html = ('<table class="wushe-checklist" style="width:100%; border-collapse: collapse; font-size: 0.9em">'
            "<thead><tr>" + "".join(f'<th style="text-align:left">{h}</th>' for h in head) + "</tr></thead>"
            "<tbody>" + "".join(body) + "</tbody></table>")
    with solara.Card(tr("checklist", lang) + f" · {session.targets.title_zh if lang == 'zh' else session.targets.title_en}"):
        solara.HTML(tag="div", unsafe_innerHTML=html)


@solara.component
def IndicatorCharts(session: Session, lang: str, version: int):
    default = list(dict.fromkeys(t.indicator for t in session.targets))
    shown = solara.use_reactive(default)
    with solara.Card(tr("indicators", lang)):
        rv.Select(label=tr("choose_indicators", lang), v_model=shown.value, multiple=True, chips=True, dense=True,
                 small_chips=True, items=[{"value": n, "text": indicator_label(n, lang)} for n in CORE_NAMES],
                 on_v_model=shown.set)
        _chart(indicator_option(session, shown.value or default, lang))


@solara.component
def RegionMap(session: Session, lang: str, version: int):
    colour = solara.use_reactive("orgs")
    with solara.Card(tr("map", lang)):
        Choice(tr("colour_by", lang), colour.value,
               [("station", tr("colour_station", lang)), ("orgs", tr("colour_orgs", lang)),
                ("volunteers", tr("colour_volunteers", lang))], colour.set, name="wushe-colour")
        solara.Text(tr("map_hint", lang), style={"font-size": "0.85em", "color": "#555"})
        _chart(region_option(session, colour.value, lang))


@solara.component
def FlowView(session: Session, lang: str, version: int):
    flows = getattr(session.model, "flows", None) or {}
    with solara.Card(tr("flows", lang) + f" · {month_label(session.date, lang)}"):
        if not flows:
            solara.Text(tr("flows_none", lang))
            return
        option = flow_option(flows, lang)
        other = option.get("_other", {})
        _chart(dict(option, _height=420))
        if other:
            names = {k: tr(f"flow_{k}", lang) if f"flow_{k}" in TEXT else k for k in other}
            solara.Text(tr("other_flows", lang) + ": " + ", ".join(f"{names[k]} {val:,.0f}" for k, val in other.items()),
                        style={"font-size": "0.8em", "color": "#555"})


@solara.component
def Dashboard(region: str = "demo", lang: str = "en", seed: int = 0, scenario: str = "baseline",
              session: Session | None = None):
    """The whole dashboard. Pass a ``Session`` to keep a handle on the model (notebooks)."""
    own = solara.use_memo(lambda: session or Session(region=region, seed=seed, scenario=scenario), [])
    language = solara.use_reactive(lang if lang in ("zh", "en") else "en")
    tick = solara.use_reactive(0)
    generation = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4.0)
    lang_now = language.value

    solara.Title(tr("title", lang_now))
    with solara.Column(style={"padding": "8px", "gap": "8px"}):
        solara.HTML(tag="div", unsafe_innerHTML=f"<b style='font-size:1.3em'>{tr('title', lang_now)}</b>"
                    f"<span style='color:#555; margin-left: 1em'>{tr('subtitle', lang_now)}</span>")
        with solara.Columns([1, 3]):
            LeverPanel(own, lang_now, generation, tick)
            Live(own, lang_now, tick, generation, playing, speed, language.set)


@solara.component
def Live(session: Session, lang: str, tick, generation, playing, speed, on_lang):
    """Everything that follows the months: one subscriber to ``tick``, so a Step is one redraw."""
    version = tick.value
    with solara.Column():
        RunControls(session, lang, version, tick, generation, playing, speed, on_lang)
        Checklist(session, lang, version)
        IndicatorCharts(session, lang, version)
        with solara.Columns([1, 1]):
            RegionMap(session, lang, version)
            FlowView(session, lang, version)


@solara.component
def Page():
    """The served page: defaults from ``wushe dashboard --region/--lang``."""
    Dashboard(region=os.environ.get("WUSHE_DASHBOARD_REGION", "demo"),
              lang=os.environ.get("WUSHE_DASHBOARD_LANG", "zh"))

"""The classroom dashboard: Solara components over a per-session ``Session``.

``Page`` is what ``wushe dashboard`` serves (one model per browser session: the session
is built inside the component with ``solara.use_memo``); ``Dashboard(...)`` is the same
page for a notebook cell.

Mesa's SolaraViz rebuilds the model whenever a parameter control moves; a class needs
levers that change a running model from the next month, a baseline to compare with and
two languages, so the controls and views here are our own Solara components.

Laid out for a projector: the run controls and the month on top, the target checklist
and the main chart beside each other below them (both inside the first screen at
1280×720), then the levers grouped by society, every indicator, the region and the flows.
Text is 16 px or larger on the page and 14 px or larger in the charts (``STYLE``).

A whole class shares one server process, so a Step redraws only what changed: the
views below the levers (every indicator, the region, the flows) are drawn on demand
(each opens with its own button and then follows the months), and the page renders
with reacton's subtree-skipping renderer (``REACTON_FAST``), so the lever controls,
which a Step does not change, are not walked again.
"""

from __future__ import annotations

import math
import os
import time
from html import escape

import reacton.ipyvuetify as rv
import solara
import solara.lab
import traitlets

from ..formatting import format_value
from ..indicators import CORE_NAMES, INDICATORS
from ..indicators import label as indicator_label
from ..text import choice_label, month_label, region_title, scenario_title, unit_label
from ..text import t as tr
from .charts import flow_rows, indicator_option, region_option
from .session import BAND_SEEDS, PARTNERS, REGIONS, STEP_TURNS, Session, dependency_note, lever_groups, scenario_names

__all__ = ["Page", "Dashboard", "STYLE"]

# Reacton's renderer that skips component subtrees in which nothing changed (widgetti/reacton,
# opt-in, run by its CI against the whole test suite). Without it every Step walked the whole
# page, the ~35 lever controls included: about half of the server's time per Step. Read at each
# render, so it applies to every page (served or in a notebook) rendered after this import.
os.environ.setdefault("REACTON_FAST", "1")

_STATUS_STYLE = {
    "met": ("✔", "#1a7f37"),
    "on_track": ("↗", "#1f6feb"),
    "off_track": ("↘", "#9a6700"),
    "missed": ("✘", "#cf222e"),
    "pending": ("·", "#666"),
}

# Legible on a projector: nothing on the page below 16 px; no box scrolls inside the page.
STYLE = """
.wushe-root { font-size: 16px; line-height: 1.35; }
.wushe-root .v-btn { font-size: 16px !important; text-transform: none; letter-spacing: 0; }
.wushe-root .v-label, .wushe-root .v-select__selection, .wushe-root input, .wushe-root .v-chip,
.wushe-root .v-list-item__title, .wushe-root .v-input { font-size: 16px !important; }
.wushe-root .v-card__title { font-size: 18px; word-break: normal; overflow-wrap: anywhere; line-height: 1.3;
  padding: 8px 12px; }
.wushe-root .v-card__text { font-size: 16px; padding: 4px 12px 8px; }
.wushe-root .v-input--switch { margin-top: 0; padding-top: 0; }
.wushe-root .v-text-field { padding-top: 18px; }
.wushe-root .v-text-field .v-label--active { transform: translateY(-24px) scale(1) !important; }
.wushe-title { font-size: 20px; font-weight: 700; }
.wushe-month { font-size: 28px; font-weight: 700; min-width: 6.5em; }
.wushe-top { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); gap: 8px; align-items: start; }
.wushe-levers { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 8px;
  align-items: start; }
.wushe-bottom { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px; align-items: start; }
.wushe-checklist { width: 100%; border-collapse: collapse; font-size: 16px; }
.wushe-checklist th, .wushe-checklist td { text-align: left; padding: 2px 6px 2px 0; vertical-align: top; }
.wushe-checklist tr { border-bottom: 1px solid #ddd; }
.wushe-note { font-size: 16px; color: #444; }
.wushe-monitors { display: flex; flex-wrap: wrap; gap: 8px; }
.wushe-monitor { border: 1px solid #ccc; border-radius: 4px; padding: 4px 10px; min-width: 10em; }
.wushe-monitor b { font-size: 24px; display: block; }
.wushe-flows { width: 100%; border-collapse: collapse; font-size: 16px; }
.wushe-flows td { padding: 2px 6px 2px 0; }
.wushe-place td { padding: 1px 10px 1px 0; }
.wushe-flow-names { color: #444; }
.wushe-ondemand-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.wushe-ondemand-title { font-size: 18px; font-weight: 500; color: rgba(0, 0, 0, 0.87); }
.wushe-needs { font-size: 16px; line-height: 1.3; color: #555; margin: 0 0 10px; }
.wushe-inert { border-left: 4px solid #d4a72c; padding-left: 8px; margin-left: -12px; }
.wushe-inert .wushe-dependent-control { opacity: 0.5; }
.wushe-inert .wushe-needs { color: #7d4e00; }
@media (max-width: 900px) { .wushe-top, .wushe-bottom { grid-template-columns: minmax(0, 1fr); } }
"""


def _nice_step(p) -> float:
    """A slider step of 1, 2 or 5 times a power of ten, about a hundredth of the range."""
    span = float(p.max) - float(p.min)
    if p.type == "int" or span <= 0:
        return 1
    raw = span / 100
    base = 10 ** math.floor(math.log10(raw))
    step = max(m * base for m in (1, 2, 5) if m * base <= raw)
    return step if step < 1 else int(step)


class _Option:
    """An ECharts option in a box the widget library does not look inside.

    Handed to the widget as a plain dict, each month's option (thousands of points) would be
    walked and compared item by item on the server before being sent; boxed, it is sent as it
    is. That walk was a large share of a Step's cost on the server, which a class shares.
    """

    __slots__ = ("value",)

    def __init__(self, value: dict):
        self.value = value


def _figure_class():
    from solara.components.echarts import EchartsWidget

    class BoxedEcharts(EchartsWidget):
        """Solara's ECharts widget, its option given boxed (``boxed``) and copied to ``option``."""

        boxed = traitlets.Any(None)

        @traitlets.observe("boxed")
        def _unbox(self, change):
            self.option = change["new"].value if change["new"] is not None else {}

    return BoxedEcharts


_FIGURE = None


def _chart(option: dict, on_click=None) -> None:
    global _FIGURE
    if _FIGURE is None:
        _FIGURE = _figure_class()
    option = dict(option)
    height = option.pop("_height", 360)
    _FIGURE.element(boxed=_Option(option), on_click=on_click, attributes={"style": f"height: {height}px; width: 100%;"})


@solara.component
def Choice(label: str, value, items: list[tuple], on_value, disabled: bool = False, name: str = ""):
    """A drop-down whose items carry their own display text: ``[(value, text), ...]``."""
    rv.Select(label=label, v_model=value, items=[{"value": val, "text": text} for val, text in items],
              on_v_model=on_value, dense=True, hide_details=True, disabled=disabled, class_=f"mb-2 {name}".strip())


@solara.component
def LeverControl(parameter, value, lang: str, on_value):
    """One lever as the schema types it: slider and number box (float, int), switch (bool) or chooser (choice)."""
    p = parameter
    unit = "" if p.unit in ("-", "on/off") else f" ({unit_label(p.unit, lang)})"
    label = p.label(lang) + unit
    if p.type == "bool":
        solara.Switch(label=label, value=bool(value), on_value=on_value, classes=[f"wushe-lever-{p.name}"])
    elif p.type == "choice":
        Choice(label, value, [(c, choice_label(p.name, c, lang)) for c in p.choices], on_value,
               name=f"wushe-lever-{p.name}")
    else:
        Slider(p.label(lang), value, p.min, p.max, _nice_step(p), on_value, unit=unit_label(p.unit, lang),
               integer=p.type == "int",
               name=p.name, number_box=True)


@solara.component
def Slider(label: str, value, lo, hi, step, on_value, unit: str = "", integer: bool = False, name: str = "",
           number_box: bool = False):
    """A slider with its label above it and, for a lever, a box to type the value (clamped to the range)."""
    current = solara.use_reactive(value)  # follows a new value from a reset
    value = current.value
    shown = f"{value:,.0f}" if integer or abs(value) >= 1000 else f"{value:g}"
    unit = "" if unit in ("-", "") else f" {unit}"

    def changed(new):
        if new is None:
            return
        new = min(max(new, lo), hi)
        new = int(round(new)) if integer else float(new)
        current.value = new
        on_value(new)

    with solara.Column(gap="0px", style={"margin-bottom": "6px"}):
        solara.HTML(tag="div", unsafe_innerHTML=f"{escape(label)}: <b>{shown}</b><span style='color:#555'>"
                    f"{escape(unit)}</span>", style="font-size: 16px; line-height: 1.25")
        with solara.Row(style={"align-items": "center"}, gap="8px"):
            with solara.Column(style={"flex": "1 1 auto"}):
                rv.Slider(v_model=value, min=lo, max=hi, step=step, on_v_model=changed, hide_details=True,
                          dense=True, class_=f"wushe-slider wushe-lever-{name}", thumb_label=False)
            if number_box:
                box = solara.InputInt if integer else solara.InputFloat
                with solara.Column(style={"width": "7.5em", "flex": "0 0 auto"}):
                    box("", value=value, on_value=changed, continuous_update=False, classes=[f"wushe-number-{name}"])


@solara.component
def DependentLever(parameter, value, lang: str, on_value, acts: bool, note: str):
    """A lever that acts only with a partner lever (the schema's ``needs``): its control, greyed and
    flagged while the partner leaves it without effect (still movable, to be set beforehand), and
    the note saying which lever it needs, in what state, and the state that lever is in."""
    state = "acts" if acts else "inert"
    with rv.Html(tag="div", class_=f"wushe-dependent wushe-{state}"):
        with rv.Html(tag="div", class_="wushe-dependent-control"):
            LeverControl(parameter, value, lang, on_value)
        solara.HTML(tag="div", unsafe_innerHTML=escape(note),
                    classes=["wushe-needs", f"wushe-needs-{state}", f"wushe-needs-{parameter.name}"])


@solara.component
def LeverPanel(session: Session, lang: str, generation, tick):
    generation.value  # noqa: B018 - redraw the controls when a reset loads new values
    partners = solara.use_reactive(0)
    partners.value  # noqa: B018 - redraw the dependent levers' notes when a lever they act through moves

    def setter(name):
        def set_value(value):
            if session.set_lever(name, value):
                tick.value += 1
                if name in PARTNERS:
                    partners.value += 1

        return set_value

    solara.HTML(tag="div", unsafe_innerHTML=f"<b style='font-size:18px'>{tr('levers', lang)}</b> · "
                f"{tr('levers_hint', lang)}", classes=["wushe-note"])
    with rv.Html(tag="div", class_="wushe-levers"):
        for group, params in lever_groups():
            with solara.Card(tr("group_" + group, lang), classes=[f"wushe-group-{group}"]):
                for p in params:
                    note = dependency_note(p, session.levers, lang)
                    if note is None:
                        LeverControl(p, session.levers[p.name], lang, setter(p.name))
                    else:
                        DependentLever(p, session.levers[p.name], lang, setter(p.name), *note)


# After each month of Play a session pauses at least this long, whatever the speed, so that the
# other sessions' Step and Pause clicks (handled outside the turnstile) are never crowded out.
PLAY_YIELD_S = 0.05


def _advance(session: Session, tick, generation, still=lambda: True) -> bool:
    """One month for this session when its turn comes (``STEP_TURNS``: first come, first served
    across every session of the process), and the redraw that shows it; nothing if ``still()``
    has turned False while waiting (Pause pressed)."""
    with STEP_TURNS.turn():
        if not still():
            return False
        levers = session.lever_version
        if not session.step():
            return False
        if session.lever_version != levers:
            generation.value += 1
        tick.value += 1
    return True


@solara.component
def RunControls(session: Session, lang: str, version: int, tick, generation, playing, speed, on_lang):
    region = solara.use_reactive(session.region)
    seed = solara.use_reactive(session.seed)
    scenario = solara.use_reactive(session.scenario)

    # Pause must stop Play at once, even while the page is busy redrawing: the loop reads a plain
    # flag on the session, set by the button before the page's own state follows.
    def play_loop():
        while playing.value and session.playing:
            started = time.perf_counter()
            if not _advance(session, tick, generation, still=lambda: session.playing):
                if session.playing:  # the run ended
                    session.playing = False
                    playing.value = False
                break
            # the speed's pace, and never less than a short pause: the other sessions' clicks get their turn
            time.sleep(max(PLAY_YIELD_S, 1.0 / max(speed.value, 0.1) - (time.perf_counter() - started)))

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def toggle_play():
        session.playing = not playing.value
        playing.set(session.playing)

    def reset(**kwargs):
        session.playing = False
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

    def toggle_compare(on):
        session.set_compare(on)
        tick.value += 1

    with solara.Card(classes=["wushe-controls"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "row-gap": "0px"}, gap="12px"):
            solara.HTML(tag="div", unsafe_innerHTML=tr("title", lang), classes=["wushe-title"])
            solara.HTML(tag="div", unsafe_innerHTML=month_label(session.date, lang), classes=["wushe-month"])
            solara.Button(tr("reset", lang), on_click=reset, color="secondary", disabled=playing.value)
            solara.Button(tr("step", lang), on_click=lambda: _advance(session, tick, generation), color="primary",
                          disabled=playing.value or not session.running)
            solara.Button(tr("pause", lang) if playing.value else tr("play", lang),
                          on_click=toggle_play, color="primary",
                          disabled=not session.running and not playing.value)
            with solara.Column(style={"width": "170px"}):
                Slider(tr("speed", lang), speed.value, 1, 12, 1, speed.set, integer=True)
            solara.Switch(label=tr("compare", lang), value=session.compare, on_value=toggle_compare,
                          classes=["wushe-compare"])
            if not session.running:
                solara.Text(tr("finished", lang), style={"color": "#cf222e", "font-size": "16px"})
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="12px"):
            with solara.Column(style={"width": "120px"}):
                Choice(tr("language", lang), lang, [("zh", "中文"), ("en", "English")], on_lang, name="wushe-lang")
            with solara.Column(style={"width": "240px"}):
                Choice(tr("region", lang), region.value, [(r, region_title(r, lang)) for r in REGIONS], on_region,
                       disabled=playing.value, name="wushe-region")
            with solara.Column(style={"width": "90px"}):
                solara.InputInt(tr("seed", lang), value=seed.value, on_value=on_seed, disabled=playing.value)
            with solara.Column(style={"width": "340px"}):
                Choice(tr("start_scenario", lang), scenario.value,
                       [(s, scenario_title(s, lang)) for s in scenario_names()], on_scenario,
                       disabled=playing.value, name="wushe-scenario")
            solara.FileDownload(lambda: session.to_csv().encode("utf-8"),
                                filename=f"wushe-{session.region}-seed{session.seed}.csv",
                                label=tr("export_csv", lang))


def _range_text(band, indicator: str, lang: str) -> str:
    lo, hi = band
    if lo is None or hi is None:
        return ""
    return f" <span style='color:#555'>[{format_value(lo, indicator, lang)}–{format_value(hi, indicator, lang)}]</span>"


@solara.component
def Checklist(session: Session, lang: str, version: int):
    rows = session.checklist()
    compare = session.compare
    head = [tr("col_target", lang), tr("goal", lang), tr("value", lang), tr("status", lang)]
    band_key = "posterior" if session.band_mode == "posterior" else "seed"
    if compare:
        head += [tr("baseline_band_" + band_key, lang).format(n=BAND_SEEDS)]

    def status_cell(status, judged_past: bool):
        mark, colour = _STATUS_STYLE[status]
        return (f'<td class="wushe-status" data-status="{status}" style="color:{colour}; white-space: nowrap">'
                f"{mark} {tr('status_' + status, lang)}</td>")

    body = []
    for r in rows:
        t = r["target"]
        past = r["judged"] is not None and r["judged"] >= t.date
        value = format_value(r["value"], r["indicator"], lang)
        if past:
            value += f"<br><span style='color:#555'>({tr('at_date', lang)} {t.date:%Y-%m})</span>"
        op = {">=": "≥", "<=": "≤"}.get(t.op, t.op)
        cells = [f"<td>{escape(t.label(lang))}</td>",
                 f"<td style='white-space:nowrap'>{op} {format_value(r['goal'], r['indicator'], lang)}"
                 f" <span style='color:#555'>{tr('by', lang)} {t.date:%Y-%m}</span></td>",
                 f'<td class="wushe-now">{value}</td>', status_cell(r["status"], past)]
        if compare:
            mark, colour = _STATUS_STYLE[r["baseline_status"] or "pending"]
            cells += [f'<td class="wushe-base" style="white-space:nowrap">{format_value(r["baseline"], r["indicator"], lang)}'
                      f'{_range_text(r["band"], r["indicator"], lang)} <span style="color:{colour}">{mark}</span></td>']
        body.append(f'<tr data-target="{escape(r["id"])}">' + "".join(cells) + "</tr>")
    html = ('<table class="wushe-checklist">'
            "<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>"
            "<tbody>" + "".join(body) + "</tbody></table>")
    title = session.targets.title_zh if lang == "zh" else session.targets.title_en
    with solara.Card(tr("checklist", lang) + f" · {title}", classes=["wushe-checklist-card"]):
        solara.HTML(tag="div", unsafe_innerHTML=html)
        if compare:
            note = tr("compare_note", lang).format(n=BAND_SEEDS)
            note += " " + tr("band_note_" + band_key, lang).format(n=BAND_SEEDS)
            if not session.posterior_available:
                note += " " + tr("band_no_posterior", lang)
            solara.HTML(tag="div", unsafe_innerHTML=note, classes=["wushe-note", "wushe-compare-note"])


@solara.component
def Monitors(session: Session, lang: str, version: int, shown):
    """NetLogo's monitors: any indicator as a number, this month (and the baseline's when comparing)."""
    frame = session.frame()
    base = session.baseline_frame()
    with solara.Card(tr("monitors", lang), classes=["wushe-monitors-card"]):
        rv.Select(label=tr("choose_monitors", lang), v_model=shown.value, multiple=True, dense=True,
                  hide_details=True, items=[{"value": n, "text": indicator_label(n, lang)} for n in INDICATORS],
                  on_v_model=shown.set, class_="wushe-monitor-choice")
        tiles = []
        for name in shown.value:
            now = frame[name].iloc[-1] if name in frame and len(frame) else None
            extra = ""
            if base is not None and name in base and len(base):
                extra = f"<span>{tr('baseline_scenario', lang)}: {format_value(float(base[name].iloc[-1]), name, lang)}</span>"
            tiles.append(f'<div class="wushe-monitor" data-indicator="{escape(name)}">'
                         f"<span>{escape(indicator_label(name, lang))}</span>"
                         f"<b>{format_value(None if now is None else float(now), name, lang)}</b>{extra}</div>")
        solara.HTML(tag="div", unsafe_innerHTML="".join(tiles), classes=["wushe-monitors"])


@solara.component
def MainChart(session: Session, lang: str, version: int, chosen, tick):
    def on_band(mode):
        if session.set_band(mode):
            tick.value += 1

    with solara.Card(tr("main_chart", lang), classes=["wushe-main-chart"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="12px"):
            with solara.Column(style={"flex": "1 1 14em"}):
                Choice(tr("indicator", lang), chosen.value, [(n, indicator_label(n, lang)) for n in CORE_NAMES],
                       chosen.set, name="wushe-main-indicator")
            if session.compare:  # what the grey band counts: chance, or chance and the parameters' uncertainty
                with solara.Column(style={"flex": "1 1 14em"}):
                    Choice(tr("band_mode", lang), session.band_mode,
                           [("seed", tr("band_mode_seed", lang)), ("posterior", tr("band_mode_posterior", lang))],
                           on_band, disabled=not session.posterior_available, name="wushe-band-mode")
        _chart(indicator_option(session, [chosen.value], lang, columns=1, panel_h=300, titles=False))


@solara.component
def OnDemand(title: str, name: str, lang: str, view, *args):
    """A view below the levers, drawn only once opened (its button), then every month until closed:
    a class shares one server, and most Steps are watched on the first screen."""
    shown = solara.use_reactive(False)
    with solara.Card(classes=["wushe-ondemand", name]):
        with rv.Html(tag="div", class_="wushe-ondemand-head"):
            solara.HTML(tag="div", unsafe_innerHTML=escape(title), classes=["wushe-ondemand-title"])
            solara.Button(tr("hide" if shown.value else "show", lang), on_click=lambda: shown.set(not shown.value),
                          outlined=True, color="primary", classes=[f"{name}-toggle"])
        if shown.value:
            view(*args)


@solara.component
def IndicatorCharts(session: Session, lang: str, version: int):
    default = list(dict.fromkeys(t.indicator for t in session.targets))
    shown = solara.use_reactive(default)
    rv.Select(label=tr("choose_indicators", lang), v_model=shown.value, multiple=True, chips=True, dense=True,
              items=[{"value": n, "text": indicator_label(n, lang)} for n in CORE_NAMES],
              on_v_model=shown.set)
    _chart(indicator_option(session, shown.value or default, lang))


def _place_html(session: Session, place: tuple[str, int] | None, lang: str) -> str:
    if place is None:
        return tr("place_hint", lang)
    kind, index = place
    yes_no = {True: tr("yes", lang), False: tr("no", lang)}
    if kind == "t":
        s = session.township_state(index, lang)
        rows = [(tr("township", lang), s["name"]), (tr("station_yes", lang), yes_no[s["station"]]),
                (tr("sw_staff", lang), format_value(s["sw_staff"])),
                (tr("communities", lang), f"{s['communities']} ({tr('urban', lang)} {s['urban']})"),
                (tr("population", lang), format_value(s["population"])), (tr("orgs", lang), format_value(s["orgs"])),
                (tr("volunteers", lang), format_value(s["volunteers"]))]
    else:
        s = session.community_state(index, lang)
        rows = [(tr("community", lang), f"#{s['index']} · {tr('urban' if s['urban'] else 'rural', lang)}"),
                (tr("township", lang), s["township"]), (tr("station_yes", lang), yes_no[s["station"]]),
                (tr("population", lang), format_value(s["population"])), (tr("orgs", lang), format_value(s["orgs"])),
                (tr("volunteers", lang), f"{format_value(s['volunteers'])} "
                                         f"({s['volunteers_per_1000']:.1f} / 1000)")]
        if "has_fund" in s:
            rows.append((tr("charity_fund", lang), yes_no[s["has_fund"]]))
        if "fund_balance" in s:
            rows.append((tr("fund_balance", lang), format_value(s["fund_balance"], "charity_raised_yuan", lang)))
        if "has_volunteer_point" in s:
            rows.append((tr("volunteer_point", lang), yes_no[s["has_volunteer_point"]]))
        if "needs_open" in s:
            rows.append((tr("needs_open", lang), format_value(s["needs_open"])))
    return ('<table class="wushe-place">' + "".join(f"<tr><td>{escape(str(k))}</td><td><b>{escape(str(v))}</b></td></tr>"
                                                   for k, v in rows) + "</table>")


@solara.component
def RegionMap(session: Session, lang: str, version: int):
    colour = solara.use_reactive("orgs")
    place = solara.use_reactive(None)

    def clicked(event):
        data = (event or {}).get("data") or {}
        ref = data.get("place") if isinstance(data, dict) else None
        if ref:
            place.set((str(ref[0]), int(ref[1])))

    Choice(tr("colour_by", lang), colour.value,
           [("station", tr("colour_station", lang)), ("orgs", tr("colour_orgs", lang)),
            ("volunteers", tr("colour_volunteers", lang))], colour.set, name="wushe-colour")
    solara.Text(tr("map_hint", lang), style={"font-size": "16px", "color": "#444"})
    _chart(region_option(session, colour.value, lang), on_click=clicked)
    solara.HTML(tag="div", unsafe_innerHTML=_place_html(session, place.value, lang), classes=["wushe-place-state"])


@solara.component
def FlowView(session: Session, lang: str, version: int):
    """This month's flows as a table (from → to and the flows' names, amount, a bar against the
    largest of its kind), then the flows that run between no two societies."""
    flows = getattr(session.model, "flows", None) or {}
    rows = flow_rows(flows, lang)
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>{month_label(session.date, lang)}</b>", classes=["wushe-flow-month"])
    if not rows:
        solara.Text(tr("flows_none", lang))
        return
    body = []
    for r in rows:
        share = r["share"]
        bar = ("" if share is None else
               f"<div style='background:{r['colour']}; height: 12px; width:{max(2, round(100 * share))}%'></div>")
        where = (f"{escape(r['source'])} → {escape(r['target'])}<br>" if r["source"] else "")
        body.append(f"<tr data-flows=\"{escape(' '.join(r['keys']))}\"><td>{escape(r['kind'])}</td>"
                    f"<td>{where}<span class='wushe-flow-names'>{escape(r['names'])}</span></td>"
                    f"<td style='text-align:right; white-space:nowrap'><b>{escape(r['text'])}</b></td>"
                    f"<td style='width:20%'>{bar}</td></tr>")
    solara.HTML(tag="div", unsafe_innerHTML='<table class="wushe-flows">' + "".join(body) + "</table>",
                classes=["wushe-flow-card"])


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
    solara.Style(STYLE)
    with solara.Column(style={"padding": "6px", "gap": "8px"}, classes=["wushe-root"]):
        Live(own, lang_now, tick, generation, playing, speed, language.set)
        LeverPanel(own, lang_now, generation, tick)
        More(own, lang_now, tick)


@solara.component
def Live(session: Session, lang: str, tick, generation, playing, speed, on_lang):
    """What a class watches, all inside the first screen: controls, month, checklist, main chart."""
    version = tick.value
    targets = list(dict.fromkeys(t.indicator for t in session.targets))
    chosen = solara.use_reactive(targets[0] if targets else CORE_NAMES[0])
    monitors = solara.use_reactive(["public_spend_yuan", "community_orgs"])
    RunControls(session, lang, version, tick, generation, playing, speed, on_lang)
    with rv.Html(tag="div", class_="wushe-top"):
        with solara.Column(gap="8px"):
            Checklist(session, lang, version)
            Monitors(session, lang, version, monitors)
        MainChart(session, lang, version, chosen, tick)


@solara.component
def More(session: Session, lang: str, tick):
    """Below the levers, each on demand: every indicator, the region (click a place to read it) and the flows."""
    version = tick.value
    OnDemand(tr("indicators", lang), "wushe-indicators", lang, IndicatorCharts, session, lang, version)
    with rv.Html(tag="div", class_="wushe-bottom"):
        OnDemand(tr("map", lang), "wushe-map", lang, RegionMap, session, lang, version)
        OnDemand(tr("flows", lang), "wushe-flows-view", lang, FlowView, session, lang, version)


@solara.component
def Page():
    """The served page: defaults from ``wushe dashboard --region/--lang``."""
    Dashboard(region=os.environ.get("WUSHE_DASHBOARD_REGION", "demo"),
              lang=os.environ.get("WUSHE_DASHBOARD_LANG", "zh"))

"""The classroom dashboard in a real browser: Debian's chromium driven by playwright.

Against ``wushe dashboard`` on 127.0.0.1: the page renders with every request kept on
this machine (anything else is recorded and refused), Step and Play advance the
month, and the target checklist changes as months pass. The fixture finds chromium or
installs Debian's package (as root); the test is skipped, saying why, only when no
browser can be had.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _find_chromium() -> str | None:
    for candidate in (os.environ.get("WUSHE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    found = _find_chromium()
    if found:
        return found
    if not shutil.which("apt-get"):
        pytest.skip("no chromium, and no apt-get to install Debian's chromium package")
    if os.geteuid() != 0:
        pytest.skip("no chromium, and not root to run `apt-get install -y chromium`")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"`{' '.join(command)}` failed, so no browser: {done.stderr.strip()[-300:]}")
    found = _find_chromium()
    if not found:
        pytest.skip("`apt-get install chromium` ran but /usr/bin/chromium is missing")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _page(chromium: str, width: int, height: int):
    """A page of Debian's chromium at ``width`` × ``height``, closed with its browser afterwards."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


@pytest.fixture(scope="module")
def dashboard_url():
    port = _free_port()
    wushe = Path(sys.executable).with_name("wushe")
    command = [str(wushe)] if wushe.exists() else [sys.executable, "-m", "model.cli"]
    command += ["dashboard", "--region", "demo", "--lang", "en", "--port", str(port), "--host", "127.0.0.1"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            output = server.stdout.read() if server.stdout else ""
            pytest.fail(f"wushe dashboard did not come up on {url}:\n{output[-2000:]}")
        time.sleep(0.3)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def test_dashboard_in_chromium_offline_step_play_and_checklist(chromium, dashboard_url):
    outside: list[str] = []

    def keep_local(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with _page(chromium, 1400, 1800) as page:
        page.route("**/*", keep_local)
        page.goto(dashboard_url)
        step = page.get_by_role("button", name="Step", exact=True)
        step.wait_for(timeout=90_000)
        month = page.locator(".wushe-month")
        assert month.inner_text() == "before"
        # the charts drew (ECharts is served from the local assets, not a CDN)
        page.locator(".solara-echarts canvas").first.wait_for(timeout=30_000)
        now = page.locator(".wushe-checklist .wushe-now")
        assert set(now.all_inner_texts()) == {"—"}

        step.click()
        page.wait_for_function("document.querySelector('.wushe-month').innerText === 'January 2021'")
        # the checklist is its own widget: wait for its update, which may land after the month's
        page.wait_for_function("[...document.querySelectorAll('.wushe-checklist .wushe-now')]"
                               ".every(e => e.innerText !== '—')", timeout=10_000)
        after_one = now.all_inner_texts()

        page.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_function(
            "['April 2021', 'May 2021', 'June 2021', 'July 2021'].includes("
            "document.querySelector('.wushe-month').innerText)", timeout=60_000)
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Play", exact=True).wait_for()
        time.sleep(0.5)  # a month already under way when Pause was pressed still completes
        paused_at = month.inner_text()
        time.sleep(1.5)
        assert month.inner_text() == paused_at  # then Pause holds the month
        assert now.all_inner_texts() != after_one  # the checklist moved with the months
        # the views below the levers are drawn when opened: every indicator, the region and the flows
        assert page.locator(".solara-echarts canvas").count() == 1
        for name in ("wushe-indicators", "wushe-map", "wushe-flows-view"):
            page.locator(f".{name}-toggle").click()
        page.wait_for_function("document.querySelectorAll('.solara-echarts canvas').length >= 3", timeout=30_000)
        page.locator(".wushe-flows").wait_for(timeout=30_000)
        assert paused_at in page.locator(".wushe-flow-month").inner_text()
    assert outside == [], f"the page asked for the internet: {outside}"


# Text nodes on the page smaller than this many pixels (computed by the browser), with their text.
_SMALL_TEXT_JS = r"""(minPx) => {
  const small = [];
  const walker = document.createTreeWalker(document.querySelector('.wushe-root'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
    if (!text || !el) continue;
    const rect = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || style.display === 'none') continue;
    // a scaled element (a floating field label) shows smaller than its font size
    let scale = 1;
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const m = getComputedStyle(e).transform.match(/^matrix\(([^,]+),\s*([^,]+)/);
      if (m) scale *= Math.hypot(parseFloat(m[1]), parseFloat(m[2]));
    }
    const px = parseFloat(style.fontSize) * scale;
    if (px < minPx - 0.01) small.push(`${px}px: ${text.slice(0, 40)}`);
  }
  return small;
}"""

# Every font size an ECharts chart on the page actually uses (read back from the chart itself).
_CHART_FONTS_JS = """() => {
  const sizes = [];
  const walk = (o, key) => {
    if (Array.isArray(o)) { o.forEach(x => walk(x, key)); return; }
    if (o && typeof o === 'object') { for (const k of Object.keys(o)) walk(o[k], k); return; }
    if (key === 'fontSize' && typeof o === 'number') sizes.push(o);
  };
  for (const el of document.querySelectorAll('.solara-echarts')) {
    const chart = el.__vue__ && el.__vue__.chart;
    if (chart) walk(chart.getOption(), '');
  }
  return sizes;
}"""


def test_projector_first_screen_at_1280x720_and_text_sizes(chromium, dashboard_url):
    with _page(chromium, 1280, 720) as page:
        page.goto(dashboard_url)
        step = page.get_by_role("button", name="Step", exact=True)
        step.wait_for(timeout=90_000)
        main_chart = page.locator(".wushe-main-chart .solara-echarts canvas").first
        main_chart.wait_for(timeout=30_000)
        step.click()
        page.wait_for_function("document.querySelector('.wushe-month').innerText === 'January 2021'")
        page.evaluate("window.scrollTo(0, 0)")
        checklist = page.locator(".wushe-checklist")
        for name, element in [("Step button", step), ("month", page.locator(".wushe-month")),
                              ("Play button", page.get_by_role("button", name="Play", exact=True)),
                              ("checklist", checklist), ("main chart", main_chart)]:
            box = element.bounding_box()
            assert box is not None, f"{name} is not drawn"
            assert box["x"] >= 0 and box["y"] >= 0, f"{name} starts off screen: {box}"
            assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720, \
                f"{name} is not inside the first 1280×720 screen: {box}"
        # every target row is on that first screen too (the demo county's own set)
        from model.targets import load_targets

        assert checklist.locator("tbody tr").count() >= len(load_targets("demo"))
        # no box scrolls inside the page: the levers are in the page's own flow
        nested = page.evaluate("""() => [...document.querySelectorAll('.wushe-root *')].filter(e => {
            const s = getComputedStyle(e);
            return ['auto', 'scroll'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 1;
        }).map(e => e.className)""")
        assert nested == []
        assert page.evaluate(_SMALL_TEXT_JS, 16) == []
        fonts = page.evaluate(_CHART_FONTS_JS)
        assert fonts and min(fonts) >= 14, sorted(set(fonts))


def test_a_dependent_lever_is_flagged_until_its_partner_is_set(chromium, dashboard_url, tmp_path):
    """Direct employment share acts only in a mixed system: its control is greyed with a note saying
    so, and both change when the teacher sets the procurement mode to mixed."""
    with _page(chromium, 1400, 1800) as page:
        page.goto(dashboard_url)
        note = page.locator(".wushe-needs-direct_share")
        note.wait_for(timeout=90_000)
        box = page.locator(".wushe-dependent", has=note)
        control = box.locator(".wushe-dependent-control")
        assert note.inner_text() == "⚠ No effect now: acts only when Procurement mode = mixed " \
                                    "(now purchase of service)."
        assert "wushe-inert" in box.get_attribute("class").split()
        assert float(control.evaluate("e => getComputedStyle(e).opacity")) < 1  # greyed
        assert note.is_visible() and float(note.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16
        # every dependent lever on the page carries its note
        assert page.locator(".wushe-needs").count() == 3
        note.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "inert.png"))

        page.locator(".wushe-lever-procurement_mode").click()
        page.get_by_role("option", name="mixed", exact=True).click()
        page.wait_for_function("document.querySelector('.wushe-needs-direct_share').innerText.startsWith('Acts')",
                               timeout=20_000)
        assert note.inner_text() == "Acts only when Procurement mode = mixed (now mixed): in effect."
        assert "wushe-acts" in box.get_attribute("class").split()
        assert float(control.evaluate("e => getComputedStyle(e).opacity")) == 1
        page.screenshot(path=str(tmp_path / "acts.png"))

"""Dashboard benchmark: how long one Step (a model month plus the redraw) takes on ``demo``.

``bench_dashboard()`` prints and returns three figures, medians over ``months`` Steps:

- ``model_ms``: the model month alone (``Session.step``);
- ``server_ms``: a Step click on the headless page (``solara.render``): the model month,
  every view's ECharts option and the widget updates, i.e. the server's whole share;
- ``browser_ms``: in Debian's chromium against ``wushe dashboard`` on 127.0.0.1, from the
  click until the new month shows (websocket round trip and the browser's redraw
  included); skipped when no chromium is found or playwright is missing.

``python -m model.bench`` calls it; ``python -m model.bench.dashboard`` runs it alone.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["bench_dashboard"]


def _median_ms(times: list[float]) -> float:
    return round(1000 * statistics.median(times), 1)


def _model_ms(region: str, months: int) -> float:
    from ..dashboard.session import Session

    session = Session(region, seed=0)
    times = []
    for _ in range(months):
        started = time.perf_counter()
        session.step()
        times.append(time.perf_counter() - started)
    return _median_ms(times)


def _server_ms(region: str, months: int) -> float:
    import ipyvuetify as v
    import solara

    from ..dashboard.app import Dashboard
    from ..dashboard.session import Session

    session = Session(region, seed=0, compare=True)
    _, rc = solara.render(solara.AppLayout(children=[Dashboard(session=session, lang="en")]), handle_error=False)
    button = rc.find(v.Btn, children=["Step"]).widget
    times = []
    for _ in range(months):
        started = time.perf_counter()
        button.click()
        times.append(time.perf_counter() - started)
    rc.close()
    return _median_ms(times)


def _browser_ms(region: str, months: int) -> float | None:
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium.exists():
        return None
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "model.dashboard.serve", "--region", region, "--lang", "en",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(url)
            step = page.get_by_role("button", name="Step", exact=True)
            step.wait_for(timeout=90_000)
            page.locator(".solara-echarts canvas").first.wait_for(timeout=30_000)
            month = page.locator(".wushe-month")
            times = []
            for _ in range(months):
                before = month.inner_text()
                started = time.perf_counter()
                step.click()
                page.wait_for_function("b => document.querySelector('.wushe-month').innerText !== b", arg=before,
                                       polling="raf")
                times.append(time.perf_counter() - started)
            browser.close()
        return _median_ms(times)
    finally:
        server.terminate()
        server.wait(timeout=10)


def bench_dashboard(region: str = "demo", months: int = 24, browser: bool = True) -> dict[str, float | None]:
    """Time one dashboard Step on ``region``; print and return the medians in milliseconds."""
    figures = {
        "model_ms": _model_ms(region, months),
        "server_ms": _server_ms(region, months),
        "browser_ms": _browser_ms(region, months) if browser else None,
    }
    shown = "n/a (no chromium or playwright)" if figures["browser_ms"] is None else f"{figures['browser_ms']} ms"
    print(f"dashboard Step on {region} (median of {months}): model month {figures['model_ms']} ms; "
          f"page redraw on the server incl. model and baseline twin {figures['server_ms']} ms; "
          f"click to new month in chromium {shown}")
    return figures


if __name__ == "__main__":
    bench_dashboard()

"""Dashboard benchmark: how long one Step (a model month plus the redraw) takes on ``demo``.

``bench_dashboard()`` prints and returns three figures, medians over ``months`` Steps:

- ``model_ms``: the model month alone (``Session.step``);
- ``server_ms``: a Step click on the headless page (``solara.render``): the model month,
  every view's ECharts option and the widget updates, i.e. the server's whole share;
- ``browser_ms``: in Debian's chromium against ``wushe dashboard`` on 127.0.0.1, from the
  click until the new month shows (websocket round trip and the browser's redraw
  included); skipped when no chromium is found or playwright is missing.

``bench_classroom()`` is the whole class at once: ``sessions`` browser sessions (30) against
one ``wushe dashboard`` on 127.0.0.1 only, each pressing Step ``months`` (12) times, all at
the same time; then all of them pressing Play together for a few seconds. It prints whether
every session reached its last month, the slowest and median Step (click to new month, the
browser's redraw included), how many months each session advanced under Play (fairness),
and the server's memory per session. Bounded: every wait has a timeout, and a session that
misses one is counted, not waited for.

``python -m model.bench`` calls both; ``python -m model.bench.dashboard [step|classroom]`` runs them alone.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["bench_dashboard", "bench_classroom"]


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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(region: str, lang: str = "en") -> tuple[subprocess.Popen, str]:
    """``wushe dashboard`` on 127.0.0.1 and a free port; returns when the page answers."""
    import urllib.request

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "model.dashboard.serve", "--region", region, "--lang", lang,
                               "--port", str(port), "--host", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=1)
            return server, url
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"wushe dashboard did not answer on {url}")


def _cpu_s(pid: int) -> float:
    """Processor time (user + system) one process has used so far, from /proc (Linux)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _classroom(url: str, server_pid: int, chromium: str, sessions: int, months: int, play_s: float,
                     timeout_s: float) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-renderer-backgrounding",
            "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"])

        async def open_page():
            context = await browser.new_context(viewport={"width": 1280, "height": 720})
            page = await context.new_page()
            await page.goto(url, timeout=timeout_s * 1000)
            await page.get_by_role("button", name="Step", exact=True).wait_for(timeout=timeout_s * 1000)
            await page.locator(".wushe-main-chart .solara-echarts canvas").first.wait_for(timeout=timeout_s * 1000)
            return page

        first = await open_page()  # one warm session: the server's own memory before the class joins
        rss_one = _rss_mb(server_pid)
        started = time.perf_counter()
        pages = [first]
        not_opened = 0
        while len(pages) + not_opened < sessions:  # students arrive a few at a time
            batch = min(5, sessions - len(pages) - not_opened)
            opened = await asyncio.gather(*[open_page() for _ in range(batch)], return_exceptions=True)
            pages += [pg for pg in opened if not isinstance(pg, BaseException)]
            not_opened += sum(isinstance(pg, BaseException) for pg in opened)
        opened_s = time.perf_counter() - started
        rss_all = _rss_mb(server_pid)

        async def step_months(page) -> tuple[list[float], str]:
            step = page.get_by_role("button", name="Step", exact=True)
            month = page.locator(".wushe-month")
            times = []
            for _ in range(months):
                before = await month.inner_text()
                t0 = time.perf_counter()
                await step.click(timeout=timeout_s * 1000)
                await page.wait_for_function("b => document.querySelector('.wushe-month').innerText !== b",
                                             arg=before, timeout=timeout_s * 1000)
                times.append(time.perf_counter() - t0)
            return times, await month.inner_text()

        started = time.perf_counter()
        cpu_before = _cpu_s(server_pid)
        results = await asyncio.gather(*[step_months(pg) for pg in pages], return_exceptions=True)
        stepping_s = time.perf_counter() - started
        server_cpu_s = _cpu_s(server_pid) - cpu_before
        done = [r for r in results if not isinstance(r, BaseException)]
        last_month = {r[1] for r in done}
        times = [t for r in done for t in r[0]]

        # fairness: everyone presses Play (at the page's default 4 months a second) for play_s seconds, then Pause
        async def press(page, name):
            await page.get_by_role("button", name=name, exact=True).click(timeout=timeout_s * 1000)

        async def read_month(page) -> str:
            return await page.locator(".wushe-month").inner_text()

        before = await asyncio.gather(*[read_month(pg) for pg in pages])
        await asyncio.gather(*[press(pg, "Play") for pg in pages])
        await asyncio.sleep(play_s)
        await asyncio.gather(*[press(pg, "Pause") for pg in pages])
        # the browsers may still be drawing months the server has sent: wait until no page changes
        after = await asyncio.gather(*[read_month(pg) for pg in pages])
        settle = time.perf_counter()
        while time.perf_counter() - settle < timeout_s:
            await asyncio.sleep(2.0)
            now = await asyncio.gather(*[read_month(pg) for pg in pages])
            if now == after:
                break
            after = now
        await browser.close()

    from ..core.calendar import EARLIEST_START, month_index, parse_month

    def index(label: str) -> int:
        return month_index(EARLIEST_START, parse_month(label)) if label[0].isalpha() else 0

    advanced = sorted(index(a) - index(b) for a, b in zip(after, before, strict=True))
    return {
        "sessions": sessions, "months": months,
        "reached_all": len(done) == sessions and len(last_month) == 1,
        "failed": sessions - len(done), "not_opened": not_opened, "last_month": sorted(last_month),
        "slowest_step_ms": round(1000 * max(times), 1) if times else None,
        "median_step_ms": round(1000 * statistics.median(times), 1) if times else None,
        "stepping_s": round(stepping_s, 1), "open_s": round(opened_s, 1),
        "server_cpu_ms_per_step": round(1000 * server_cpu_s / max(len(times), 1), 1),
        "rss_one_mb": round(rss_one, 1), "rss_all_mb": round(rss_all, 1),
        "mb_per_session": round((rss_all - rss_one) / max(len(pages) - 1, 1), 1),
        "play_months": advanced, "play_s": play_s, "play_before": before, "play_after": after,
    }


def bench_classroom(sessions: int = 30, months: int = 12, region: str = "demo", play_s: float = 10.0,
                    timeout_s: float = 180.0) -> dict | None:
    """A whole class on one server (127.0.0.1 only); prints and returns the figures (see the module)."""
    chromium = Path("/usr/bin/chromium")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        print("classroom: skipped (playwright missing)")
        return None
    if not chromium.exists():
        print("classroom: skipped (no /usr/bin/chromium)")
        return None
    import os

    load_before = os.getloadavg()
    server, url = _serve(region)
    try:
        r = asyncio.run(_classroom(url, server.pid, str(chromium), sessions, months, play_s, timeout_s))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # sessions still winding down: stop it
            server.kill()
            server.wait(timeout=10)
    print(f"classroom on {region}: {sessions} browser sessions on one server (127.0.0.1), each pressing Step "
          f"{months} times, all at once")
    print(f"  every session reached month {months}: {'yes' if r['reached_all'] else 'NO'} "
          f"(failed {r['failed']}, of which {r['not_opened']} never opened within the time limit; last month shown {', '.join(r['last_month'])}); {r['stepping_s']} s in all")
    print(f"  Step, click to new month in the browser: slowest {r['slowest_step_ms']} ms, "
          f"median {r['median_step_ms']} ms; the server's processor time per Step {r['server_cpu_ms_per_step']} ms "
          f"(the rest is waiting for the other sessions' months and the browsers, which share this machine)")
    print(f"  server memory: {r['rss_one_mb']} MB with one session, {r['rss_all_mb']} MB with {sessions} "
          f"→ {r['mb_per_session']} MB per session (opening {sessions - 1} sessions took {r['open_s']} s)")
    load_after = os.getloadavg()
    r["load_before"], r["load_after"] = load_before, load_after
    print(f"  machine: load average (1, 5, 15 min) {', '.join(f'{x:.1f}' for x in load_before)} before, "
          f"{', '.join(f'{x:.1f}' for x in load_after)} after; the browsers share this machine's "
          f"{os.cpu_count()} cores with the server")
    pm = r["play_months"]
    print(f"  Play at 4 months/s for {r['play_s']:g} s, all {sessions} at once: months advanced per session "
          f"min {pm[0]}, median {statistics.median(pm):g}, max {pm[-1]}")
    return r


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
    which = sys.argv[1:] or ["step", "classroom"]
    if "step" in which:
        bench_dashboard()
    if "classroom" in which:
        bench_classroom()

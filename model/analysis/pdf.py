"""Print the report to an A4 PDF with a headless browser (Chromium), or WeasyPrint when no browser is found.

``print_pdf(OUT / "report.html")`` writes ``OUT/report.pdf`` with the report's print stylesheet
(``@page`` A4, colours kept, tables that break between rows and repeat their headers).
Chromium is Debian's ``chromium`` package (``apt-get install chromium``); any of the names in
``BROWSERS`` on the PATH, or the path in ``WUSHE_CHROMIUM``, will do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["BROWSERS", "PdfError", "find_browser", "print_pdf"]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
TIMEOUT_S = 180  # a report of ten scenarios prints in a few seconds; a cold browser start can take longer


class PdfError(RuntimeError):
    """No way to print, or the browser failed: one line saying what to install or what went wrong."""


def find_browser() -> str | None:
    """The Chromium-family browser to print with: ``WUSHE_CHROMIUM``, else the first of ``BROWSERS`` on the PATH."""
    env = os.environ.get("WUSHE_CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_path, pdf_path=None) -> Path:
    """Print ``html_path`` to ``pdf_path`` (default: beside it, ``.pdf``); return the PDF's path."""
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf")
    browser = find_browser()
    if browser:
        _chromium(browser, html_path, pdf_path)
        return pdf_path
    try:
        import weasyprint  # optional
    except ImportError:
        raise PdfError("--pdf needs Chromium (apt-get install chromium, or set WUSHE_CHROMIUM to a Chrome or "
                       "Chromium binary) or WeasyPrint (pip install weasyprint); neither was found") from None
    weasyprint.HTML(filename=str(html_path)).write_pdf(str(pdf_path))
    return pdf_path


def _chromium(browser: str, html_path: Path, pdf_path: Path) -> None:
    partial = pdf_path.with_name(pdf_path.name + ".part")
    with tempfile.TemporaryDirectory(prefix="wushe-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-default-browser-check", "--disable-extensions", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={partial}", html_path.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            raise PdfError(f"{browser} did not finish printing {html_path} within {TIMEOUT_S} s") from None
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PdfError(f"{browser} could not print {html_path} (exit {done.returncode}): {last}")
    partial.replace(pdf_path)

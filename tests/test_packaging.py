"""Packaging and the command line as a user meets them: an installed wheel, a closed pipe, the umask."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(out), "-q"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    # no setuptools deprecation banner (the licence is an SPDX string)
    assert "deprecated" not in done.stderr.lower(), done.stderr[-2000:]
    (path,) = out.glob("wushe-*.whl")
    return path


@pytest.mark.slow
def test_an_installed_wheel_lists_and_runs_the_shipped_scenarios(wheel, tmp_path):
    shipped = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    with zipfile.ZipFile(wheel) as z:
        inside = sorted(Path(n).stem for n in z.namelist() if n.startswith("model/data/scenarios/"))
    assert inside == shipped
    target = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"  # no scenarios/ folder here: only the installed ones can be found
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}

    def wushe(*args):
        return subprocess.run([sys.executable, "-c", "import sys, model.cli as c; sys.exit(c.main())", *args],
                              cwd=elsewhere, env=env, capture_output=True, text=True, timeout=1200)

    where = subprocess.run([sys.executable, "-c", "import model; print(model.__file__)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True)
    assert where.stdout.strip().startswith(str(target))
    listed = wushe("list", "scenarios")
    assert listed.returncode == 0, listed.stderr
    for name in shipped:
        assert name in listed.stdout
    demo = wushe("demo", "--region", "demo", "-r", "1", "-o", "out", "-q", "--workers", "1")
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert (elsewhere / "out" / "report.html").is_file()


def test_a_closed_pipe_ends_quietly():
    """``wushe list | head -1``: no BrokenPipeError traceback."""
    code = "import sys, model.cli as c; sys.exit(c.main(['list']))"
    done = subprocess.run(f'"{sys.executable}" -c "{code}" | head -1', shell=True, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_report_files_honour_the_umask(tmp_path):
    """Report files are readable by the group and others when the umask says so (022), not 0600."""
    from model.analysis.workbook import write_workbook  # noqa: F401  (imported: the module exists)
    from model.experiment import Experiment

    old = os.umask(0o022)
    try:
        out = tmp_path / "store"
        Experiment(["baseline"], replicates=1, seed=1, region="demo").run(out, executor="serial", progress=False)
        from model.analysis import write_report

        write_report(out, lang="en")
    finally:
        os.umask(old)
    files = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert files
    for p in files:
        mode = p.stat().st_mode & 0o777
        assert mode & 0o044 == 0o044, f"{p.relative_to(out)}: {oct(mode)}"


def test_dashboard_on_a_busy_port_says_so_before_printing_an_address(capsys):
    import socket

    from model.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert "http://" not in out
    assert f"127.0.0.1:{port}" in err and "--port" in err and err.count("\n") == 1

"""Hostile and malformed arguments and files across the commands and the Python API.

Every case is refused with exit code 2 (or the documented exception), exactly one line
on stderr naming what was wrong, no traceback, and nothing written. The scenario files
of ``tests/malformed/`` are refused the same way by ``check`` and ``run``
(``test_scenarios.py``); here come the arguments, target sets, regions, stores and the
dashboard's address, and files made at test time (a 5 MB value).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

import model
from model.cli import main
from model.experiment import Experiment, Store, StoreError
from model.params import ParameterError
from model.regions import RegionError
from model.scenarios import ScenarioError, load_scenario
from model.targets import TargetError

MALFORMED = Path(__file__).parent / "malformed"
TARGETS = MALFORMED / "targets"
REGIONS = MALFORMED / "regions"


def _snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def _refused(argv, capsys) -> str:
    """Run the command; assert exit 2, nothing on stdout and one line on stderr; return the line."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert out == "", out
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and len(err) < 2_200
    assert "\x1b" not in err
    return err


@pytest.fixture
def store(tmp_path_factory):
    """A small finished store (fake runs), copied for each test that damages it."""
    from model.experiment.testing import fake_run

    path = tmp_path_factory.mktemp("store") / "o"
    Experiment(["baseline"], replicates=2, seed=1, region="demo", run_fn=fake_run).run(
        path, executor="serial", progress=False)
    return path


def _cases():
    run = ["run", "baseline", "--region", "demo", "--executor", "serial", "-q", "-o"]
    return [
        # ---- wushe run: arguments and output folders
        ("run-r-huge", [*run, "{out}", "-r", "10000000000"], "-r/--replicates must be 1 to 1,000,000"),
        ("run-r-text", [*run, "{out}", "-r", "ten"], "argument -r/--replicates: invalid int value"),
        ("run-r-5mb", [*run, "{out}", "-r", "9" * 5_000_000 + "x"], "characters left out"),
        ("run-region-escape", [*run, "{out}", "--region", "\x1b[2J\x1b[H"], "\\x1b[2J"),
        ("run-seed-negative", [*run, "{out}", "--seed", "-1"], "--seed must be a whole number from 0 to 2**63 - 1"),
        ("run-seed-huge", [*run, "{out}", "--seed", str(2**64)], "--seed must be a whole number"),
        ("run-workers-zero", [*run, "{out}", "--workers", "0"], "--workers must be 1 to 1024"),
        ("run-workers-huge", [*run, "{out}", "--workers", "100000"], "--workers must be 1 to 1024"),
        ("run-chunk-zero", [*run, "{out}", "--chunk", "0"], "--chunk must be at least 1"),
        ("run-executor-bogus", ["run", "baseline", "-o", "{out}", "--executor", "cloud"], "invalid choice: 'cloud'"),
        ("run-out-under-a-file", [*run, "{file}/out"], "is a file, not a folder"),
        ("run-out-is-a-file", [*run, "{file}"], "a_file is a file, not a folder"),
        ("run-out-in-proc", [*run, "/proc/wushe-test-out"], "/proc/wushe-test-out: cannot write there"),
        ("run-out-in-sys", [*run, "/sys/wushe-test-out"], "/sys/wushe-test-out: cannot write there"),
        ("run-out-name-too-long", [*run, "{tmp}/" + "o" * 300], "the folder name is too long (300 bytes; at most 255)"),
        ("run-out-not-empty", [*run, "{notempty}"], "is not empty and holds no experiment"),
        ("run-out-read-only", [*run, "{rostore}/new"], "cannot write in"),
        ("run-region-unknown", [*run, "{out}", "--region", "atlantis"], '--region: "atlantis" is not a region'),
        ("run-scenario-missing-file", ["run", "{tmp}/nope.toml", "-o", "{out}"], "nope.toml: no such file"),
        ("run-scenario-unknown", ["run", "basline", "-o", "{out}"], 'did you mean "baseline"?'),
        ("run-scenario-folder", ["run", "{folder}.toml", "-o", "{out}"], "is a folder; expected a TOML scenario"),
        ("run-scenario-5mb-value", ["run", "{huge}", "-o", "{out}"], "characters left out"),
        ("run-scenario-control-chars", ["run", "{escape}", "-o", "{out}"], "\\x1b]0;owned\\x07"),
        ("run-scheduler-unreachable", ["run", "baseline", "--region", "demo", "-q", "-o", "{out}",
                                       "--scheduler", "tcp://127.0.0.1:9"],
         "--scheduler tcp://127.0.0.1:9: cannot reach a Dask scheduler there"),
        ("run-store-other-experiment", ["run", "baseline", "--region", "demo", "-r", "3", "-o", "{store}",
                                        "--executor", "serial", "-q"], "holds a different experiment"),
        ("run-store-bad-manifest", [*run, "{badstore}"], "manifest.json:1: not valid JSON"),
        # ---- wushe check
        ("check-missing-file", ["check", "{tmp}/nope.toml"], "nope.toml: no such file"),
        ("check-folder", ["check", "{folder}.toml"], "is a folder"),
        ("check-binary", ["check", "{binary}"], "not a UTF-8 text file"),
        ("check-5mb-value", ["check", "{huge}"], "characters left out"),
        # ---- wushe report
        ("report-not-a-store", ["report", "{tmp}"], "is not an experiment store (no manifest.json)"),
        ("report-missing-folder", ["report", "{tmp}/nowhere"], "is not an experiment store"),
        ("report-manifest-not-json", ["report", "{badstore}"], "manifest.json:1: not valid JSON"),
        ("report-manifest-a-list", ["report", "{liststore}"], "a JSON list; expected an object"),
        ("report-manifest-a-folder", ["report", "{dirstore}"], "is not an experiment store (no manifest.json)"),
        ("report-baseline-unknown", ["report", "{store}", "--baseline", "nope"],
         '--baseline: "nope" is not a scenario of this store; valid ones are: baseline'),
        ("report-lang-unknown", ["report", "{store}", "--lang", "fr"], "invalid choice: 'fr'"),
        ("report-read-only", ["report", "{rostore}"], "cannot write"),
        # ---- wushe baseline
        ("baseline-seed-negative", ["baseline", "--region", "demo", "--seed", "-1"], "--seed must be a whole number"),
        ("baseline-region-missing-file", ["baseline", "--region", "{tmp}/nope.toml"], "nope.toml: no such file"),
        ("baseline-region-unknown", ["baseline", "--region", "atlantis"], '"atlantis" is not a region'),
        ("baseline-region-no-urbanisation", ["baseline", "--region", str(REGIONS / "no_urbanisation.toml")],
         'missing "urbanisation"'),
        ("baseline-region-text-number", ["baseline", "--region", str(REGIONS / "population_text.toml")],
         "population: expected a number ≥ 1; got 'many'"),
        ("baseline-region-no-counties", ["baseline", "--region", str(REGIONS / "counties_zero.toml")],
         "counties: expected a whole number in [1, 10000]; got 0"),
        ("baseline-region-bad-month", ["baseline", "--region", str(REGIONS / "initial_bad_month.toml")],
         'initial."2018-13": expected a month "YYYY-MM"'),
        ("baseline-region-county-names", ["baseline", "--region", str(REGIONS / "county_names_en_long.toml")],
         "county_names_en: expected a list of 1 names"),
        ("baseline-region-not-toml", ["baseline", "--region", str(REGIONS / "not_toml.toml")], "not valid TOML"),
        ("baseline-targets-missing-file", ["baseline", "--region", "demo", "--targets", "{tmp}/nope.toml"],
         "no such file"),
        ("baseline-targets-unknown", ["baseline", "--region", "demo", "--targets", "hubei-48"],
         '"hubei-48" is not a target set'),
        ("baseline-targets-none", ["baseline", "--region", "demo", "--targets", str(TARGETS / "no_targets.toml")],
         "no targets"),
        ("baseline-targets-bad-date", ["baseline", "--region", "demo", "--targets", str(TARGETS / "bad_date.toml")],
         "date: expected a date"),
        ("baseline-targets-text-number", ["baseline", "--region", "demo", "--targets",
                                          str(TARGETS / "text_number.toml")], "value: expected a finite number"),
        ("baseline-targets-not-utf8", ["baseline", "--region", "demo", "--targets", str(TARGETS / "not_utf8.toml")],
         "not a UTF-8 text file"),
        ("baseline-start-early", ["baseline", "--region", "demo", "--start", "2017-01"], "start 2017-01 is before 2018-01"),
        ("baseline-end-late", ["baseline", "--region", "demo", "--end", "2031-01"], "end 2031-01 is after 2030-12"),
        ("baseline-end-garbage", ["baseline", "--region", "demo", "--end", "soon"], 'must be a month like "2024-01"'),
        # ---- wushe dashboard (refused before the server starts)
        ("dashboard-port-huge", ["dashboard", "--port", "99999"], "expected a port number 0 to 65535; got 99999"),
        ("dashboard-port-negative", ["dashboard", "--port", "-1"], "expected a port number 0 to 65535"),
        ("dashboard-port-text", ["dashboard", "--port", "http"], "expected a port number 0 to 65535; got 'http'"),
        ("dashboard-port-in-use", ["dashboard", "--port", "{busyport}"], "cannot listen on 127.0.0.1:"),
        ("dashboard-host-unknown", ["dashboard", "--host", "no-such-host.invalid"], "not an address of this machine"),
        ("dashboard-region-unknown", ["dashboard", "--region", "atlantis"], "invalid choice: 'atlantis'"),
        # ---- anything else
        ("list-unknown", ["list", "everything"], '"everything" is not something to list'),
        ("command-unknown", ["frobnicate"], "invalid choice: 'frobnicate'"),
    ]


CASES = _cases()


@pytest.fixture
def places(tmp_path, store):
    """The files and folders the cases name, made fresh in ``tmp_path``."""
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "notempty").mkdir()
    (tmp_path / "notempty" / "keep.txt").write_text("mine")
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "binary.toml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    base = 'title = "t"\nregion = "demo"\ntargets = "demo"\nstart = "2021-01"\nend = "2025-12"\n'
    (tmp_path / "huge.toml").write_text(f'name = "t"\n{base}[params]\nfiscal_squeeze = "{"9" * 5_000_000}"\n')
    (tmp_path / "escape.toml").write_text(f'name = "t"\n{base}[params]\n"\\u001b]0;owned\\u0007" = 1\n')
    stores = {}
    for name, manifest in (("badstore", b"{ not json"), ("liststore", b"[1, 2]"), ("dirstore", None),
                           ("rostore", "keep"), ("store", "keep")):
        path = tmp_path / name
        shutil.copytree(store, path)
        if manifest is None:
            (path / "manifest.json").unlink()
            (path / "manifest.json").mkdir()
        elif manifest != "keep":
            (path / "manifest.json").write_bytes(manifest)
        stores[name] = str(path)
    return {"tmp": str(tmp_path), "out": str(tmp_path / "out"), "file": str(tmp_path / "a_file"),
            "notempty": str(tmp_path / "notempty"), "folder": str(tmp_path / "folder"),
            "binary": str(tmp_path / "binary.toml"), "huge": str(tmp_path / "huge.toml"),
            "escape": str(tmp_path / "escape.toml"), **stores}


@pytest.mark.parametrize("argv, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_arguments_and_files_are_refused_in_one_line_and_nothing_is_written(argv, message, places, tmp_path,
                                                                                   capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from model.experiment import executors

    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", "2s")  # the refusal, not the wait, is under test
    listener = None
    if any("{busyport}" in a for a in argv):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        places = {**places, "busyport": str(listener.getsockname()[1])}
    if any("{rostore}" in a for a in argv):
        os.chmod(places["rostore"], 0o555)
        if os.access(places["rostore"], os.W_OK):  # root ignores modes: a read-only file system stands in
            monkeypatch.setattr(os, "access", lambda path, mode, **kw: False)
    argv = [a.format(**places) for a in argv]
    before = _snapshot(tmp_path)
    try:
        err = _refused(argv, capsys)
    finally:
        if listener is not None:
            listener.close()
        os.chmod(places["rostore"], 0o755)
    assert message in err, err
    assert _snapshot(tmp_path) == before, "something was written"
    assert not Path("/proc/wushe-test-out").exists()


def test_there_are_at_least_sixty_hostile_cases_with_the_malformed_files():
    scenario_files = list(MALFORMED.glob("*.toml"))
    assert len(CASES) + len(scenario_files) + len(API_CASES) >= 60 + 40


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path, capsys):
    text = (Path(__file__).parents[1] / "scenarios" / "purchase_3yr.toml").read_text(encoding="utf-8")
    bom = tmp_path / "bom.toml"
    bom.write_text(text, encoding="utf-8-sig")
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_scenario(bom).params == load_scenario("purchase_3yr").params
    assert main(["check", str(bom)]) == 0
    targets = tmp_path / "targets.toml"
    targets.write_text((TARGETS / "label_script.toml").read_text(encoding="utf-8"), encoding="utf-8-sig")
    assert len(model.load_targets(targets)) == 1
    assert model.load_region(REGIONS / "bom.toml").population == model.load_region("demo").population


# ---- the Python API ------------------------------------------------------------------------------

API_CASES = [
    ("simulate-params-text", lambda: model.simulate(region="demo", params="x"), TypeError, "params must be a mapping"),
    ("simulate-params-pairs", lambda: model.simulate(region="demo", params=[("contract_years", 3)]), TypeError,
     "params must be a mapping"),
    ("simulate-params-key-int", lambda: model.simulate(region="demo", params={3: 1}), TypeError,
     "a parameter name must be a string"),
    ("simulate-changes-list", lambda: model.simulate(region="demo", changes=[("2024-01", {})]), TypeError,
     "changes must be a mapping of month to levers"),
    ("simulate-change-not-mapping", lambda: model.simulate(region="demo", changes={"2024-01": 0.2}), TypeError,
     "must be a mapping"),
    ("simulate-change-uncertainty", lambda: model.simulate(region="demo", changes={"2024-01": {"exam_pass_prob": .2}}),
     ParameterError, "is an uncertainty, not a lever"),
    ("simulate-change-structural", lambda: model.simulate(region="demo", changes={"2024-01": {"case_hours": 4}}),
     ParameterError, "is a structural, not a lever"),
    ("simulate-seed-negative", lambda: model.simulate(region="demo", seed=-1), ValueError,
     "seed must be a whole number ≥ 0 or a sequence of them; got -1"),
    ("simulate-seed-text", lambda: model.simulate(region="demo", seed="1"), TypeError, "got str '1'"),
    ("simulate-region-number", lambda: model.simulate(region=5), TypeError, "region must be a region name or a path"),
    ("simulate-region-missing", lambda: model.simulate(region="nowhere.toml"), RegionError, "no such file"),
    ("simulate-param-5mb", lambda: model.simulate(region="demo", params={"fiscal_squeeze": "9" * 5_000_000}),
     ParameterError, "characters left out"),
    ("simulate-param-escape", lambda: model.simulate(region="demo", params={"\x1b[2J": 1}), ParameterError,
     '"\\x1b[2J" is not a parameter'),
    ("simulate-param-numpy-out-of-range", lambda: model.simulate(region="demo", params={"contract_years": np.int64(7)}),
     ParameterError, "out of range"),
    ("parameters-kind-typo", lambda: model.parameters(kind="lever s"), ValueError, 'did you mean "lever"'),
    ("parameters-kind-number", lambda: model.parameters(kind=1), TypeError, "kind must be one of"),
    ("experiment-replicates-huge", lambda: Experiment(["baseline"], replicates=10_000_000_000), ValueError,
     "replicates must be 1 to 1,000,000"),
    ("experiment-replicates-text", lambda: Experiment(["baseline"], replicates="10"), TypeError,
     "replicates must be a whole number"),
    ("experiment-seed-negative", lambda: Experiment(["baseline"], seed=-1), ValueError,
     "the root seed must be a whole number from 0"),
    ("load-targets-none", lambda: model.load_targets(TARGETS / "no_targets.toml"), TargetError, "no targets"),
    ("load-targets-deep", lambda: model.load_targets(TARGETS / "deep.toml"), TargetError, "nested more than 32 deep"),
    ("load-targets-bad-op", lambda: model.load_targets(TARGETS / "bad_op.toml"), TargetError, "op: expected one of"),
    ("load-targets-duplicate", lambda: model.load_targets(TARGETS / "duplicate_id.toml"), TargetError,
     "ids must be unique"),
    ("load-scenario-long-name", lambda: load_scenario(MALFORMED / "long_name.toml"), ScenarioError, "at most 64"),
    ("store-manifest-missing", lambda: Store("/nonexistent/store").manifest, StoreError, "is not an experiment store"),
]


@pytest.mark.parametrize("call, error, message", [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES])
def test_the_python_api_refuses_with_the_documented_exception_in_one_line(call, error, message):
    with pytest.raises(error) as info:
        call()
    text = str(info.value)
    assert message in text, text
    assert "\n" not in text and "\x1b" not in text and len(text) < 2_200


def test_numpy_numbers_are_accepted_wherever_python_numbers_are(tmp_path):
    from model.experiment.testing import fake_run

    exp = Experiment(["baseline"], replicates=np.int64(2), seed=np.uint32(5), region="demo", run_fn=fake_run)
    report = exp.run(tmp_path / "o", executor="serial", workers=np.int64(1), progress=False)
    assert report.ok == 2 and json.loads((tmp_path / "o" / "manifest.json").read_text())["seeds"]["root"] == 5


def test_a_target_label_from_a_users_file_is_text_in_the_dashboard(tmp_path, monkeypatch):
    import solara
    import solara.widgets

    from model.dashboard.app import Dashboard
    from model.dashboard.session import Session

    (tmp_path / "scenarios").mkdir()
    shutil.copy(TARGETS / "label_script.toml", tmp_path / "scenarios" / "script_targets.toml")
    (tmp_path / "scenarios" / "script.toml").write_text(
        'name = "script"\ntitle = { zh = "<b>粗</b>", en = "<img src=x onerror=alert(2)>" }\nregion = "demo"\n'
        'targets = "script_targets.toml"\nstart = "2021-01"\nend = "2022-12"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    session = Session("demo", seed=0)
    _, rc = solara.render(solara.AppLayout(children=[Dashboard(session=session, lang="en")]), handle_error=False)
    import ipyvuetify as v

    (select,) = [w for w in rc.find(v.Select).widgets if "wushe-scenario" in (w.class_ or "").split()]
    select.v_model = "script"
    pages = [w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets]
    checklist = [h for h in pages if "wushe-checklist" in h]
    assert checklist and "&lt;img src=x onerror=alert(1)&gt;" in checklist[0]
    assert not any("<img src=x" in h or "<script>" in h for h in pages)


def test_a_region_file_edited_after_loading_is_read_again(tmp_path):
    """``load_region`` keeps an unchanged file's Region, and reads a file again once it changes."""
    import os

    from model.regions import REGIONS_DIR, load_region

    path = tmp_path / "mine.toml"
    text = (REGIONS_DIR / "demo.toml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_region(path)
    assert load_region(path) is first  # unchanged: not read again
    changed = text.replace('name = "demo"', 'name = "mine"', 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a later time, even on a coarse clock
    again = load_region(path)
    assert again is not first and again.name == "mine" and first.name == "demo"

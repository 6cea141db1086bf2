"""Scenario files: the shipped ones are valid and sourced; malformed ones are refused in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from model.cli import main
from model.params import SCHEMA
from model.scenarios import (
    SCENARIOS_DIR,
    Scenario,
    ScenarioError,
    available_scenarios,
    load_scenario,
    load_scenarios,
    scenario_from_dict,
)

MALFORMED = Path(__file__).parent / "malformed"
BAD_FILES = sorted(MALFORMED.glob("*.toml"))
REQUIRED = {
    "baseline", "purchase_1yr", "purchase_3yr", "direct_employment", "incubator_first",
    "charity_matching", "volunteer_incentives", "balanced_linkage", "fiscal_squeeze_2024",
}


def _expected(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


def test_the_nine_strategies_are_shipped_and_valid():
    names = available_scenarios()
    assert REQUIRED <= set(names)
    scenarios = load_scenarios(names)
    assert [s.name for s in scenarios] == [Path(s.path).stem for s in scenarios]
    assert len({s.name for s in scenarios}) == len(scenarios)
    for s in scenarios:
        assert s.title["zh"] and s.title["en"] and s.description["zh"] and s.description["en"]


def test_every_shipped_lever_value_is_sourced_or_an_assumption():
    from model.sources import citations

    for s in load_scenarios(available_scenarios()):
        keys = set(s.params) | {k for change in s.changes.values() for k in change}
        for key in keys:
            assert key in s.sources, f"{s.name}: {key} has no source"
            text = s.sources[key]
            # a figure of model/data/sources.toml by key (§1c.key_county_pilots), the seed, or an assumption
            assert citations(text) or "assumption" in text or "seed" in text, (s.name, key, text)


def test_scenarios_differ_from_baseline_in_what_they_say():
    base = load_scenario("baseline")
    assert base.params == {} and base.changes == {}
    assert load_scenario("purchase_3yr").params["contract_years"] == 3
    assert load_scenario("purchase_1yr").params["contract_years"] == 1
    assert load_scenario("direct_employment").params["procurement_mode"] == "direct"
    assert load_scenario("fiscal_squeeze_2024").changes == {"2024-01": {"fiscal_squeeze": 0.13}}
    assert load_scenario("charity_matching").params["charity_match_ratio"] > 0


def test_values_are_coerced_by_the_schema():
    s = load_scenario("balanced_linkage")
    assert isinstance(s.params["contract_years"], int)
    assert isinstance(s.params["exam_training_yuan"], float)
    for k, v in s.params.items():
        assert SCHEMA[k].coerce(v) == v


def test_region_override_keeps_the_rest():
    s = load_scenario("purchase_3yr")
    d = load_scenario("purchase_3yr", region="demo")
    assert d.region == "demo" and s.region == "hubei"
    assert d.params == s.params and d.changes == s.changes and d.name == s.name
    with pytest.raises(ScenarioError, match="not a region"):
        s.with_region("atlantis")


def test_definition_round_trips_through_the_manifest_form():
    for s in load_scenarios(available_scenarios()):
        again = scenario_from_dict({k: v for k, v in s.to_dict().items() if k != "path"}, s.path)
        assert again == s


def test_a_toml_date_is_read_as_its_month(tmp_path):
    f = tmp_path / "dated.toml"
    f.write_text('name = "dated"\ntitle = "t"\nregion = "demo"\ntargets = "demo"\n'
                 "start = 2021-01-01\nend = 2023-12-31\n[[changes]]\ndate = 2022-07-01\nfiscal_squeeze = 0.1\n")
    s = load_scenario(f)
    assert (s.start, s.end, list(s.changes)) == ("2021-01", "2023-12", ["2022-07"])


def test_a_name_that_is_not_a_scenario_lists_the_valid_ones():
    with pytest.raises(ScenarioError, match='"basline" is not a scenario \\(did you mean "baseline"\\?\\)'):
        load_scenario("basline")


def test_there_are_at_least_twenty_malformed_files():
    assert len(BAD_FILES) >= 20


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_malformed_file_is_refused_by_check_in_one_line(path, capsys):
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"wushe: error: {path}")
    assert _expected(path) in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_malformed_file_is_refused_by_run_and_nothing_is_written(path, tmp_path, capsys):
    out_dir = tmp_path / "out"
    code = main(["run", "baseline", str(path), "-r", "2", "-o", str(out_dir), "--executor", "serial"])
    out, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and _expected(path) in err
    assert not out_dir.exists()


def test_duplicate_names_are_refused(tmp_path, capsys):
    a, b = sorted((MALFORMED / "duplicate").glob("*.toml"))
    assert main(["check", str(a)]) == 0 and main(["check", str(b)]) == 0
    capsys.readouterr()
    assert main(["check", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'duplicate scenario name "same"' in err and str(b) in err
    code = main(["run", str(a), str(b), "-o", str(tmp_path / "out"), "--executor", "serial"])
    assert code == 2 and not (tmp_path / "out").exists()
    assert 'duplicate scenario name "same"' in capsys.readouterr().err


def test_the_installed_command_prints_no_traceback():
    cmd = [sys.executable, "-m", "model.cli", "check", *map(str, BAD_FILES)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == len(BAD_FILES)
    assert "Traceback" not in proc.stderr


def test_shipped_files_pass_check(capsys):
    files = sorted(str(p) for p in SCENARIOS_DIR.glob("*.toml"))
    assert main(["check", *files]) == 0
    out = capsys.readouterr().out
    assert out.count("\nok  ") + out.startswith("ok  ") == len(files)


def test_a_scenario_has_one_form_from_file_to_manifest_to_analysis():
    """The manifest holds ``to_dict``; analysis reads it back as the same Scenario, values in force included."""
    import json

    for name in available_scenarios():
        sc = load_scenario(name)
        back = Scenario.from_manifest(json.loads(json.dumps(sc.to_dict())))
        assert back == sc, name
    squeeze = load_scenario("fiscal_squeeze_2024")
    (date, levers), = squeeze.changes.items()
    before, after = squeeze.values_at("2023-12"), squeeze.values_at(date)
    for lever, value in levers.items():
        assert after[lever] == value and before[lever] == squeeze.params.get(lever, SCHEMA[lever].default)


def test_the_dashboard_starts_from_a_scenario():
    from model.dashboard.session import start_scenario

    sc = start_scenario("fiscal_squeeze_2024", "demo")
    assert isinstance(sc, Scenario) and sc.region == "demo"
    assert sc.changes == load_scenario("fiscal_squeeze_2024", region="demo").changes

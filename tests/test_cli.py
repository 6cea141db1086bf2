"""The ``wushe`` command: help that teaches, list, check, run, and one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest

from model.cli import main
from model.params import SCHEMA
from model.regions import available_regions
from model.scenarios import available_scenarios


@pytest.mark.parametrize("command", ["run", "check", "list"])
def test_each_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert f"wushe {command} " in out.split("examples:")[1]


def test_top_level_help_names_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "check", "list"):
        assert f"    {command} " in out
    assert "wushe COMMAND --help" in out


def test_list_shows_scenarios_regions_target_sets_and_parameters_with_units_and_ranges(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in available_scenarios() + available_regions() + list(SCHEMA):
        assert name in out
    assert "hubei-47" in out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("station_budget_yuan "))
    assert "150000" in line and "80000 .. 400000" in line and "yuan / station-year" in line
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("procurement_mode "))
    assert "purchase | direct | mixed" in line


def test_list_filters_by_kind_and_speaks_chinese(capsys):
    assert main(["list", "params", "--kind", "uncertainty", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "sw_turnover_base" in out and "社工基础年离职率" in out
    assert "station_budget_yuan" not in out and "scenarios" not in out


@pytest.mark.parametrize("argv, message", [
    (["run", "baseline", "-o", "X", "-r", "0"], "-r/--replicates must be 1 to 1,000,000; got 0"),
    (["run", "baseline", "-o", "X", "--seed", "-1"], "--seed must be a whole number from 0 to 2**63 - 1; got -1"),
    (["run", "baseline", "-o", "X", "--workers", "0"], "--workers must be 1 to 1024; got 0"),
    (["run", "baseline", "-o", "X", "--region", "atlantis"], '--region: "atlantis" is not a region'),
    (["run", "basline", "-o", "X"], '"basline" is not a scenario (did you mean "baseline"?)'),
    (["run", "baseline", "-o", "X", "--executor", "serial", "--scheduler", "tcp://h:1"], "--scheduler needs"),
    (["list", "everything"], '"everything" is not something to list'),
])
def test_bad_input_is_one_line_with_exit_code_2_and_nothing_written(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "X").exists()


@pytest.mark.parametrize("argv", [["run"], ["run", "baseline"], ["run", "baseline", "-o", "X", "-r", "many"],
                                  ["frobnicate"]])
def test_usage_errors_are_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err and "--help" in err


def test_run_then_the_same_command_again_runs_nothing(tmp_path, capsys):
    argv = ["run", "baseline", "charity_matching", "-r", "2", "--seed", "3", "--region", "demo",
            "-o", str(tmp_path / "o"), "--executor", "serial", "-q"]
    assert main(argv) == 0
    assert "4 runs done (4 ok, 0 failed)" in capsys.readouterr().out
    runs = pd.read_parquet(tmp_path / "o" / "runs.parquet")
    assert list(zip(runs.scenario, runs.replicate, strict=True)) == [
        ("baseline", 0), ("baseline", 1), ("charity_matching", 0), ("charity_matching", 1)]
    assert main(argv) == 0
    assert "0 runs done (0 ok, 0 failed), 4 already in the store" in capsys.readouterr().out


def test_run_on_a_store_of_another_experiment_is_refused(tmp_path, capsys):
    base = ["run", "baseline", "-r", "1", "--region", "demo", "-o", str(tmp_path / "o"), "--executor", "serial", "-q"]
    assert main(base) == 0
    capsys.readouterr()
    before = (tmp_path / "o" / "manifest.json").read_bytes()
    assert main([*base, "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a different experiment (seed 0 there, 1 now)" in err
    assert (tmp_path / "o" / "manifest.json").read_bytes() == before

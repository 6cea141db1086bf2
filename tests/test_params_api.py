"""The Python API's parameter checks: numpy numbers accepted, wrong types refused with a TypeError."""

import numpy as np
import pytest

import model
from model.params import SCHEMA, ParameterError, validate


def test_numpy_scalars_count_as_the_python_numbers_they_hold():
    got = validate({"contract_years": np.int64(3), "digital_platform": np.True_, "fiscal_squeeze": np.float32(0.25),
                    "sw_pay_ratio": np.float64(1.0), "procurement_mode": np.str_("direct"),
                    "exam_training_yuan": np.int32(500)})
    assert got == {"contract_years": 3, "digital_platform": True, "fiscal_squeeze": 0.25, "sw_pay_ratio": 1.0,
                   "procurement_mode": "direct", "exam_training_yuan": 500.0}
    assert [type(v) for v in got.values()] == [int, bool, float, float, str, float]


def test_numpy_scalars_give_the_same_run_as_python_numbers():
    plain = model.simulate(region="demo", seed=2, end="2021-06", params={"contract_years": 3, "fiscal_squeeze": 0.5})
    numpy = model.simulate(region="demo", seed=2, end="2021-06",
                           params={"contract_years": np.int64(3), "fiscal_squeeze": np.float32(0.5)})
    assert plain.equals(numpy)


def test_numpy_values_out_of_range_or_of_the_wrong_kind_are_still_refused():
    with pytest.raises(ParameterError, match="out of range"):
        validate({"contract_years": np.int64(9)})
    with pytest.raises(ParameterError, match="whole number"):
        validate({"contract_years": np.float64(2.5)})
    with pytest.raises(ParameterError, match="must be true or false"):
        validate({"digital_platform": np.float32(0.5)})


@pytest.mark.parametrize("params, message", [
    ("x", "params must be a mapping of parameter name to value"),
    ([("contract_years", 3)], "params must be a mapping of parameter name to value"),
    (3, "params must be a mapping"),
    ({1: 2}, "a parameter name must be a string"),
])
def test_params_of_the_wrong_type_raise_a_type_error_saying_what_is_expected(params, message):
    with pytest.raises(TypeError, match=message):
        model.simulate(region="demo", end="2021-03", params=params)


def test_parameters_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match='kind \'lever s\' is not a kind of parameter \\(did you mean "lever"\\?\\)'):
        model.parameters(kind="lever s")
    with pytest.raises(TypeError):
        model.parameters(kind=3)
    assert set(model.parameters(kind="lever")["kind"]) == {"lever"}


def test_dated_changes_take_levers_only_when_asked():
    with pytest.raises(ParameterError, match="is an uncertainty, not a lever"):
        validate({"sw_turnover_base": 0.2}, kinds=("lever",))
    assert validate({"fiscal_squeeze": 0.2}, kinds=("lever",)) == {"fiscal_squeeze": 0.2}


def test_a_huge_or_hostile_value_is_not_echoed_back_whole():
    with pytest.raises(ParameterError) as err:
        validate({"fiscal_squeeze": "9" * 5_000_000 + "x"})
    assert len(str(err.value)) < 400 and "characters left out" in str(err.value)
    with pytest.raises(ParameterError) as err:
        validate({"\x1b[31mred": 1})
    assert "\x1b" not in str(err.value) and "\\x1b" in str(err.value)
    assert all(SCHEMA[n].coerce(SCHEMA[n].default) == SCHEMA[n].default for n in SCHEMA)


@pytest.mark.parametrize("changes, error, message", [
    ([("2024-01", {"fiscal_squeeze": 0.1})], TypeError, "changes must be a mapping of month to levers"),
    ({"2024-01": "x"}, TypeError, "the change dated '2024-01' must be a mapping"),
    ({"2024-01": [("fiscal_squeeze", 0.1)]}, TypeError, "must be a mapping"),
    ({"2024-01": {"sw_turnover_base": 0.2}}, ParameterError, '"sw_turnover_base" is an uncertainty, not a lever'),
    ({"2024-01": {"sw_cost_yuan": 60_000}}, ParameterError, '"sw_cost_yuan" is a structural, not a lever'),
    ({"2030-01": {"fiscal_squeeze": 0.1}}, ValueError, "outside the run"),
    ({"not a month": {"fiscal_squeeze": 0.1}}, ValueError, 'change date must be a month like "2024-01"'),
])
def test_dated_changes_through_the_python_api_are_refused_as_scenario_files_refuse_them(changes, error, message):
    with pytest.raises(error, match=message):
        model.simulate(region="demo", end="2024-03", changes=changes)


def test_set_params_moves_levers_only():
    m = model.FiveSocietyModel(region="demo", end="2021-03")
    with pytest.raises(ParameterError, match="not a lever"):
        m.set_params({"exam_pass_prob": 0.3})
    assert m.set_params({"contract_years": np.int64(2)}) == {"contract_years": 2}

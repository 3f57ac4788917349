"""Bad input raises a Python exception carrying the location the CLI prints; the interpreter never dies."""

from __future__ import annotations

import pytest

import sprintlab
from conftest import ROOT, cli

BAD_DT = """[athlete]
height_m = 1.80
mass_kg = 75.0

[controller]
kind = "hold-posture"

[run]
duration = 0.1

[world]
dt = -0.001
"""


def test_bad_scenario_raises_with_file_line_column_and_dotted_path(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(BAD_DT)
    with pytest.raises(sprintlab.ScenarioError) as e:
        sprintlab.load(f)
    err = e.value
    assert (err.file, err.line, err.column, err.path) == (str(f), 12, 6, "world.dt")
    assert err.msg and isinstance(err, sprintlab.SprintlabError) and isinstance(err, Exception)
    # The same text as the CLI's `error: …` line.
    r = cli("check", str(f), check=False)
    assert r.returncode == 1
    assert f"error: {err}" in r.stderr


def test_malformed_toml_and_missing_file_raise(tmp_path):
    f = tmp_path / "broken.toml"
    f.write_text("[world\ndt = 1\n")
    with pytest.raises(sprintlab.ScenarioError) as e:
        sprintlab.load(f)
    assert e.value.file == str(f) and e.value.line == 1
    with pytest.raises(sprintlab.SprintlabError) as e:
        sprintlab.load(tmp_path / "nope.toml")
    assert e.value.file == str(tmp_path / "nope.toml")


def test_with_values_validates_as_a_file_would():
    s = sprintlab.load("scenarios/drop_5cm.toml")
    with pytest.raises(sprintlab.ScenarioError) as e:
        s.with_values({"world.dt": -1.0})
    # `world.dt` is not written in drop_5cm.toml: the whole file, not a position in the edited text.
    assert (e.value.file, e.value.line, e.value.column, e.value.path) == ("scenarios/drop_5cm.toml", 1, 1, "world.dt")
    assert "given to with_values" in e.value.msg
    # Written in the file: its own line and column there.
    z = sprintlab.load("scenarios/zero_g_verification.toml")
    with pytest.raises(sprintlab.ScenarioError) as e:
        z.with_values({"world.dt": 5.0})
    assert (e.value.line, e.value.column, e.value.path) == (9, 6, "world.dt")
    with pytest.raises(sprintlab.ScenarioError) as e:
        s.with_values({"world.no_such_field": 1.0})
    assert "no_such_field" in str(e.value)
    with pytest.raises(sprintlab.ScenarioError) as e:
        s.with_values({"not a path!": 1.0})
    assert e.value.path == "not a path!"
    with pytest.raises(TypeError, match="must be a number"):
        s.with_values({"strength.push": "1.2"})
    with pytest.raises(TypeError, match="bool"):
        s.with_values({"strength.push": True})


def test_malformed_table_raises_data_error_with_its_line(tmp_path):
    d = tmp_path / "run"
    d.mkdir()
    (d / "timeseries.csv").write_text("t,a\n0,1\n0.5,zz\n")
    with pytest.raises(sprintlab.DataError) as e:
        sprintlab.read_run(d).timeseries
    assert (e.value.file, e.value.line) == (str(d / "timeseries.csv"), 3)
    assert "`zz`" in str(e.value)


def test_sweep_plan_of_a_scenario_without_sweep_raises():
    with pytest.raises(sprintlab.ScenarioError) as e:
        sprintlab.sweep_plan("scenarios/drop_5cm.toml")
    assert e.value.file == "scenarios/drop_5cm.toml"


def test_a_panic_in_the_library_raises_and_the_interpreter_goes_on():
    with pytest.raises(sprintlab.SprintlabError, match="internal error .*a test of the panic boundary"):
        sprintlab._native._panic_for_test()
    assert sprintlab.load("scenarios/drop_5cm.toml").params.empty

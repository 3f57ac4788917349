"""Rollouts from Python are the CLI's run folders, byte for byte; their tables arrive as DataFrames."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import pytest

import sprintlab
from conftest import ROOT, assert_same_folder, cli, folder_files


def test_simulate_writes_the_cli_run_folder_byte_for_byte(tmp_path):
    cli("simulate", "scenarios/quickstart.toml", "--out", str(tmp_path / "cli"))
    run = sprintlab.load("scenarios/quickstart.toml").simulate(tmp_path / "py")
    assert_same_folder(tmp_path / "cli", run.dir)
    # 9 stances, a time series and a summary: the comparison above covered real content.
    assert len(folder_files(run.dir)) >= 5
    assert len(run.steps) >= 5


def test_simulate_without_out_then_save_is_the_cli_folder(tmp_path):
    cli("simulate", "scenarios/drop_5cm.toml", "--out", str(tmp_path / "cli"))
    run = sprintlab.load("scenarios/drop_5cm.toml").simulate()
    tmp = run.dir
    assert tmp.is_dir()
    saved = run.save(tmp_path / "saved")
    assert_same_folder(tmp_path / "cli", saved.dir)
    with pytest.raises(sprintlab.SprintlabError, match="exists"):
        run.save(tmp_path / "saved")
    del run
    assert not tmp.exists(), "the temporary run folder outlived its Run"


def test_timeseries_columns_are_the_csv_values_without_copies(tmp_path):
    run = sprintlab.load("scenarios/drop_5cm.toml").simulate(tmp_path / "r")
    ts = run.timeseries
    text = (run.dir / "timeseries.csv").read_text().splitlines()
    assert list(ts.columns) == text[0].split(",")
    assert len(ts) == len(text) - 1
    # Shortest round-trip text parses back to the same doubles: compare every field of two rows.
    for k in (1, len(text) - 1):
        want = [float(x) for x in text[k].split(",")]
        got = ts.iloc[k - 1].to_numpy()
        assert np.array_equal(got, np.array(want), equal_nan=True)
    t = ts["t"].to_numpy()
    assert t.dtype == np.float64 and np.all(np.diff(t) > 0)
    # A view of the Rust vector (read-only, owned elsewhere), not a copy.
    assert not t.flags.writeable and not t.flags.owndata


def test_steps_and_summary_match_their_files(tmp_path):
    run = sprintlab.load("scenarios/quickstart.toml").simulate(tmp_path / "r")
    ref = pd.read_csv(run.dir / "steps.csv")
    assert list(run.steps.columns) == list(ref.columns)
    for c in ref.columns:
        if ref[c].dtype.kind in "fi":
            assert np.array_equal(run.steps[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float), equal_nan=True), c
        else:
            assert list(run.steps[c]) == list(ref[c]), c
    assert run.summary == json.loads((run.dir / "summary.json").read_text())
    assert run.summary["run"]["outcome"] == "completed"
    assert run.manifest["seed"] == 0 or "seed" in run.manifest


def test_read_run_of_a_committed_folder(root):
    """Committed folders keep steps and summary (time series are not committed): each table reads on its own."""
    run = sprintlab.read_run(root / "results/sprint_stage4")
    assert run.summary["measures"]["stances"]
    assert len(run.steps) == len(run.summary["measures"]["stances"])
    with pytest.raises(sprintlab.SprintlabError) as e:
        run.timeseries
    assert e.value.file == str(root / "results/sprint_stage4/timeseries.csv")
    with pytest.raises(sprintlab.SprintlabError, match="not a run folder"):
        sprintlab.read_run(root / "results")


def test_with_values_equals_the_edited_scenario_file(tmp_path, root):
    """An overlay from Python gives the rollout of the same scenario written with those values."""
    text = (root / "scenarios/drop_5cm.toml").read_text()
    s = sprintlab.load(root / "scenarios/drop_5cm.toml")
    v = s.with_values({"strength.push": 1.5, "run.seed": 3})
    values = tomllib.loads(v.source)
    assert values["strength"]["push"] == 1.5 and values["run"]["seed"] == 3
    assert v.source != text and s.source == text, "with_values must not change the original"
    edited = tmp_path / "edited.toml"  # drop_5cm names no other file: it loads from anywhere
    edited.write_text(v.source)
    cli("simulate", str(edited), "--out", str(tmp_path / "cli"))
    run = v.simulate(tmp_path / "py")
    a, b = folder_files(tmp_path / "cli"), folder_files(run.dir)
    # scenario.toml's first comment names the scenario file; everything else is identical.
    first_line_off = lambda x: x.split(b"\n", 1)[1]
    assert first_line_off(a.pop("scenario.toml")) == first_line_off(b.pop("scenario.toml"))
    assert a == b

"""Sweep plans, sweeps and studies as DataFrames: the same rows as the CLI and the committed files."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pandas as pd

import sprintlab
from conftest import ROOT, cli


def test_sweep_plan_is_the_cli_plan():
    plan = sprintlab.sweep_plan("scenarios/sweep_drop.toml")
    ref = pd.read_csv(io.StringIO(cli("sweep", "scenarios/sweep_drop.toml", "--plan").stdout))
    assert list(plan.columns) == list(ref.columns)
    assert len(plan) == 12
    for c in ref.columns:
        assert np.array_equal(plan[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float)), c
    assert plan["seed"].dtype == np.uint64


def test_read_sweep_and_study_of_the_committed_plateau(root):
    sweep = sprintlab.read_sweep(root / "results/plateau")
    ref = pd.read_csv(root / "results/plateau/sweep.csv", keep_default_na=False, na_values=["NaN", ""])
    assert list(sweep.columns) == list(ref.columns) and len(sweep) == len(ref) == 45
    assert list(sweep["status"]) == list(ref["status"])
    assert np.array_equal(sweep["cost"].to_numpy(), ref["cost"].to_numpy(dtype=float), equal_nan=True)
    study = sprintlab.read_study(root / "results/plateau")
    assert list(study.tables) == ["plateau"]
    ref = pd.read_csv(root / "results/plateau/plateau.csv")
    assert np.array_equal(study.table.to_numpy(dtype=float), ref.to_numpy(dtype=float), equal_nan=True)
    assert study.summary == __import__("json").loads((root / "results/plateau/plateau_summary.json").read_text())


def test_plateau_and_figures_regenerate_the_committed_study_files(tmp_path, root):
    """As tools/golden.sh does with the CLI: the study's table, summary and figure from the API are the committed
    bytes."""
    d = tmp_path / "plateau"
    shutil.copytree(root / "results/plateau", d)
    for f in ("plateau.csv", "plateau_summary.json"):
        (d / f).unlink()
    shutil.rmtree(d / "figures")
    report = sprintlab.plateau(d)
    assert "plateau.csv" in report
    sprintlab.figures(d)
    for f in ("plateau.csv", "plateau_summary.json", "figures/plateau.png", "figures/plateau.svg"):
        assert (d / f).read_bytes() == (root / "results/plateau" / f).read_bytes(), f


def test_read_study_of_contributions_and_strength_mix(root):
    c = sprintlab.read_study(root / "results/contributions")
    assert list(c.tables) == ["contributions"] and "condition" in c.table.columns
    m = sprintlab.read_study(root / "results/strength_mix")
    assert list(m.tables) == ["mixes"] and len(m.table) >= 1

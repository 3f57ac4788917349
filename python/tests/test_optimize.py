"""optimize from Python: the CLI's folder byte for byte, progress per generation, and an interrupted run (an
exception in the progress callback, or Ctrl-C) that resumes to the same result."""

from __future__ import annotations

import os
import signal
import threading

import pytest

import sprintlab
from conftest import ROOT, assert_same_folder, cli

SCENARIO = "scenarios/stance_push.toml"  # relative, as the CLI is given it (files name it)
EVALS = 48  # 4 generations of 12, as tools/golden.sh


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "opt"
    cli("optimize", "scenarios/stance_push.toml", "--out", str(out), "--max-evals", str(EVALS), "--threads", "2")
    return out


def test_optimize_is_the_cli_folder_and_reports_every_generation(tmp_path, cli_run):
    rows = []
    opt = sprintlab.load(SCENARIO).optimize(tmp_path / "py", max_evals=EVALS, threads=2, progress=rows.append)
    assert_same_folder(cli_run, opt.dir)
    assert [r["generation"] for r in rows] == [1, 2, 3, 4]
    assert rows[-1]["evaluations"] == EVALS and rows[-1]["max_evals"] == EVALS
    h = opt.history
    assert list(h["best"]) == [r["best"] for r in rows] and list(h["sigma"]) == [r["sigma"] for r in rows]
    assert set(opt.best) == set(sprintlab.load(SCENARIO).params["name"])
    # The best scenario has every free parameter fixed at its best value.
    assert opt.scenario.params.empty
    assert all(f"{v!r}" in opt.scenario.source or str(v) in opt.scenario.source for v in opt.best.values())


def test_optimize_on_one_thread_is_bit_identical(tmp_path, cli_run):
    opt = sprintlab.load(SCENARIO).optimize(tmp_path / "py1", max_evals=EVALS, threads=1)
    assert_same_folder(cli_run, opt.dir)


class Stop(Exception):
    pass


def test_exception_in_progress_stops_cleanly_and_resume_finishes_identically(tmp_path, cli_run):
    s = sprintlab.load(SCENARIO)
    out = tmp_path / "py"

    def stop_after_two(row):
        if row["generation"] == 2:
            raise Stop("enough")

    with pytest.raises(Stop):
        s.optimize(out, max_evals=EVALS, threads=2, progress=stop_after_two)
    assert (out / "checkpoint.json").is_file()
    assert len((out / "history.csv").read_text().splitlines()) == 1 + 2
    assert not (out / "summary.json").exists()
    with pytest.raises(sprintlab.SprintlabError, match="exists"):
        s.optimize(out, max_evals=EVALS, threads=2)
    opt = s.optimize(out, max_evals=EVALS, threads=2, resume=True)
    assert_same_folder(cli_run, opt.dir)


def test_ctrl_c_raises_interrupted_and_resume_finishes_identically(tmp_path, cli_run):
    """SIGINT arrives while a generation runs with the GIL released (sent from a timer thread), as a Ctrl-C does."""
    s = sprintlab.load(SCENARIO)
    out = tmp_path / "py"
    timers = []

    def ctrl_c_soon(row):
        if row["generation"] == 1:
            timers.append(threading.Timer(0.01, os.kill, (os.getpid(), signal.SIGINT)))
            timers[-1].start()

    with pytest.raises(sprintlab.Interrupted) as e:
        s.optimize(out, max_evals=EVALS, threads=2, progress=ctrl_c_soon)
    assert isinstance(e.value, KeyboardInterrupt) and isinstance(e.value.__cause__, KeyboardInterrupt)
    assert e.value.dir == str(out) and 1 <= e.value.generation < 4
    assert "resume" in str(e.value)
    assert (out / "checkpoint.json").is_file() and not (out / "summary.json").exists()
    opt = s.optimize(out, max_evals=EVALS, threads=2, resume=True)
    assert_same_folder(cli_run, opt.dir)


def test_tqdm_progress_bar(tmp_path, cli_run, capsys):
    opt = sprintlab.load(SCENARIO).optimize(tmp_path / "py", max_evals=EVALS, threads=2, progress="tqdm")
    assert f"{EVALS}/{EVALS}" in capsys.readouterr().err
    assert_same_folder(cli_run, opt.dir)

"""sprintlab from Python: scenarios, rollouts, optimisations, sweeps and studies as pandas DataFrames.

Every number comes from the Rust library (``sprintlab._native``); this module only turns what it returns into
DataFrames and small objects. Units follow the run folder's files (README, "Run folders"): SI throughout —
time in s, positions in m, angles in rad, angular velocities in rad/s, torques in N·m, forces in N, vertical
ground forces in body weights (BW) where the column says ``_bw``.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from . import _native
from ._native import DataError, Interrupted, ScenarioError, SprintlabError

__version__ = _native.__version__

__all__ = [
    "DataError",
    "Interrupted",
    "Optimization",
    "Run",
    "Scenario",
    "ScenarioError",
    "SprintlabError",
    "Study",
    "figures",
    "load",
    "plateau",
    "read_run",
    "read_study",
    "read_sweep",
    "sweep_plan",
]

PathLike = str | os.PathLike


def _frame(table: tuple[list[str], list[Any]]) -> pd.DataFrame:
    """A DataFrame over the native columns: numeric ones are NumPy views of the Rust vectors (no copy)."""
    names, cols = table
    data = {n: (np.frombuffer(c, dtype=c.dtype) if isinstance(c, _native.Column) else c) for n, c in zip(names, cols)}
    return pd.DataFrame(data, columns=names, copy=False)


def _read_csv(path: Path, numeric: bool = False) -> pd.DataFrame:
    return _frame(_native.read_table(os.fspath(path), numeric))


def _read_json(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Scenario:
    """A scenario loaded and validated by the library (immutable).

    ``params`` lists the free parameters (``{ init, min, max, std }`` ranges) in the parameter's own unit.
    """

    def __init__(self, native: _native.Scenario):
        self._s = native

    @property
    def path(self) -> Path:
        """The scenario file (the base of relative model paths)."""
        return Path(self._s.path)

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) of the scenario text."""
        return self._s.sha256

    @property
    def source(self) -> str:
        """The scenario text as written."""
        return self._s.source

    @property
    def params(self) -> pd.DataFrame:
        """Free parameters: ``name``, ``init``, ``min``, ``max``, ``std`` (one row each, document order)."""
        return pd.DataFrame(self._s.params, columns=["name", "init", "min", "max", "std"])

    def resolved_toml(self) -> str:
        """The resolved scenario (every default filled in), as a run folder's ``scenario.toml``."""
        return self._s.resolved_toml()

    def with_values(self, values: Mapping[str, float]) -> "Scenario":
        """The scenario with numbers set at dotted paths (``{"strength.push": 1.2}``: × prior; ``{"world.dt":
        1e-4}``: s; integers such as ``run.seed`` exactly), written where they stand in the text (or inserted) and
        validated as a file would be: ``ScenarioError`` (file, line, column, path) or ``TypeError``."""
        return Scenario(self._s.with_values(dict(values)))

    def simulate(self, out: PathLike | None = None) -> "Run":
        """One rollout as a run folder (``sprintlab simulate``). Without ``out`` the folder is temporary (removed
        with the returned Run); ``Run.save(dir)`` keeps it."""
        if out is not None:
            return Run(self._s.simulate(os.fspath(out)))
        tmp = tempfile.TemporaryDirectory(prefix="sprintlab-")
        return Run(self._s.simulate(os.path.join(tmp.name, "run")), _tmp=tmp)

    def optimize(
        self,
        out: PathLike | None = None,
        *,
        max_evals: int | None = None,
        threads: int | None = None,
        seed: int | None = None,
        resume: bool = False,
        progress: Callable[[dict], Any] | str | None = None,
    ) -> "Optimization":
        """``sprintlab optimize`` with the GIL released: CMA-ES over the free parameters, ``max_evals`` rollouts
        (default: the scenario's ``optimize.max_evals``) on ``threads`` workers (default: all cores; results do not
        depend on it), ``seed`` (default ``run.seed``), into ``out`` (default a fresh folder under results/).

        ``progress(row)`` is called on this thread after every generation with ``generation``, ``evaluations``,
        ``max_evals``, ``best`` and ``median`` (cost, the scenario's objective units), ``sigma`` (CMA-ES step size
        in z = (p − init)/std, dimensionless); ``"tqdm"`` shows a tqdm bar (needs tqdm); the CLI's progress lines
        still go to stderr. Ctrl-C raises ``Interrupted`` (a KeyboardInterrupt) after the generation in flight; an
        exception raised by ``progress`` is re-raised after it. Either way the checkpoint is written and
        ``resume=True`` continues to the result an uninterrupted run gives (bit for bit)."""
        bar = None
        if progress == "tqdm":
            from tqdm.auto import tqdm

            bar = tqdm(unit="eval")

            def progress(row: dict) -> None:
                bar.total = row["max_evals"]
                bar.update(row["evaluations"] - bar.n)
                bar.set_postfix(best=row["best"], sigma=row["sigma"], refresh=False)

        try:
            folder, best, scenario = self._s.optimize(
                None if out is None else os.fspath(out),
                max_evals=max_evals,
                threads=threads,
                seed=seed,
                resume=resume,
                progress=progress,
            )
        finally:
            if bar is not None:
                bar.close()
        return Optimization(Path(folder), best, Scenario(scenario))

    def sweep_plan(self) -> pd.DataFrame:
        """The points of the ``[sweep]`` plan: ``point``, ``design``, ``replicate``, one column per varied path,
        ``seed``."""
        return _frame(self._s.sweep_plan())

    def __repr__(self) -> str:
        return repr(self._s)


class Run:
    """A run folder (``simulate``, ``optimize``'s best rollout, or any folder read with ``read_run``)."""

    def __init__(self, dir: PathLike, _tmp: tempfile.TemporaryDirectory | None = None):
        self.dir = Path(dir)
        self._tmp = _tmp

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """``timeseries.csv``, one row per sample; float64 columns that view the library's vectors (read-only, no
        copy): ``t`` (s), pelvis pose (m, quaternion), per DOF angle (rad), ``_vel`` (rad/s), ``_torque`` (N·m),
        ``com_*`` (m), ``grf_<foot>_*`` (N), ``cop_<foot>_*`` (m, NaN when unloaded), activations (0–1), segment
        poses (m, quaternions), free moments (N·m)."""
        return _read_csv(self.dir / "timeseries.csv", numeric=True)

    @cached_property
    def steps(self) -> pd.DataFrame | None:
        """``steps.csv``, one row per stance: times (s), step length (m), frequency (Hz), speed (m/s), vertical
        GRF (BW), impulses (N·s), peak torques (N·m/kg). None for runs without stances."""
        p = self.dir / "steps.csv"
        return _read_csv(p) if p.exists() else None

    @cached_property
    def summary(self) -> dict:
        """``summary.json``: outcome, end time (s), steps, mass (kg), weight (N), GRF measures (BW), measures."""
        return _read_json(self.dir / "summary.json")

    @cached_property
    def manifest(self) -> dict:
        """``manifest.json``: versions, command, scenario hash, seed, times."""
        return _read_json(self.dir / "manifest.json")

    def save(self, dir: PathLike) -> "Run":
        """Copies the run folder to ``dir`` (must not exist; appears whole or not at all); returns that Run."""
        return Run(_native.copy_run(os.fspath(self.dir), os.fspath(dir)))

    def __repr__(self) -> str:
        return f"Run({os.fspath(self.dir)!r})"


class Optimization:
    """A finished optimisation folder: the best values, the scenario with them, the history and the best rollout."""

    def __init__(self, dir: Path, best: dict[str, float], scenario: Scenario):
        self.dir = dir
        self.best = best
        self.scenario = scenario
        self.run = Run(dir)

    @cached_property
    def history(self) -> pd.DataFrame:
        """``history.csv``: ``generation``, ``evaluations``, ``best``, ``median`` (cost), ``sigma``
        (dimensionless)."""
        return _read_csv(self.dir / "history.csv")

    def __repr__(self) -> str:
        return f"Optimization({os.fspath(self.dir)!r}, {len(self.best)} parameters)"


class Study:
    """A study folder: its tables (``plateau``, ``contributions`` or ``mixes``) and summary."""

    def __init__(self, dir: Path, tables: dict[str, pd.DataFrame], summary: dict):
        self.dir = dir
        self.tables = tables
        self.summary = summary

    @property
    def table(self) -> pd.DataFrame:
        """The study's one table."""
        (t,) = self.tables.values()
        return t

    def __repr__(self) -> str:
        return f"Study({os.fspath(self.dir)!r}, tables={list(self.tables)})"


def load(path: PathLike) -> Scenario:
    """Loads and validates a scenario file; ``ScenarioError`` carries file, line, column and dotted path."""
    return Scenario(_native.load(os.fspath(path)))


def read_run(dir: PathLike) -> Run:
    """A run folder from disk (files are read when first used)."""
    d = Path(dir)
    if not any((d / f).is_file() for f in ("timeseries.csv", "summary.json")):
        raise SprintlabError(f"{d}: not a run folder (no timeseries.csv or summary.json)")
    return Run(d)


def read_sweep(dir: PathLike) -> pd.DataFrame:
    """A merged sweep's ``sweep.csv`` (``sprintlab merge`` first), one row per point: the plan's columns,
    ``status``, then every metric (units as in ``steps.csv`` and ``summary.json``)."""
    return _read_csv(Path(dir) / "sweep.csv")


def read_study(dir: PathLike) -> Study:
    """A study folder's tables (``plateau.csv``, ``contributions.csv``, ``mixes.csv``) and summary JSON."""
    d = Path(dir)
    tables = {Path(n).stem: _read_csv(d / n) for n in _native.STUDY_TABLES if (d / n).is_file()}
    # A study made from a sweep (plateau) keeps the sweep's own table beside its result: that one is read_sweep's.
    if len(tables) > 1:
        tables.pop("sweep", None)
    if not tables:
        raise SprintlabError(f"{d}: not a study folder (none of {', '.join(_native.STUDY_TABLES)})")
    summary = {}
    for n in ("plateau_summary.json", "summary.json"):
        if (d / n).is_file():
            summary = _read_json(d / n)
            break
    return Study(d, tables, summary)


def sweep_plan(scenario: Scenario | PathLike) -> pd.DataFrame:
    """The plan of a scenario's ``[sweep]`` section as a DataFrame (as ``sprintlab sweep --plan``)."""
    s = scenario if isinstance(scenario, Scenario) else load(scenario)
    return s.sweep_plan()


def figures(dir: PathLike) -> None:
    """``sprintlab figures DIR``: figures, stride viewer and OpenSim files from a run or study folder's files."""
    _native.figures(os.fspath(dir))


def plateau(sweep_dir: PathLike) -> str:
    """``sprintlab plateau SWEEP_DIR``: writes ``plateau.csv`` and ``plateau_summary.json``; returns the report."""
    return _native.plateau(os.fspath(sweep_dir))

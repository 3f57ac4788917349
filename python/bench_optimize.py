"""Benchmark (not a test): `optimize` on 2 threads from Python against the CLI on the same scenario, budget and
seed. Alternates CLI and Python runs (so load drifts hit both), prints each wall time, the medians and the ratio
Python / CLI (1.0 = as fast). The CLI time includes its process start and scenario load, as a user sees it.

    python python/bench_optimize.py [--evals 240] [--rounds 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import sprintlab

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/stance_push.toml")
    ap.add_argument("--evals", type=int, default=240)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    os.chdir(ROOT)
    binary = os.environ.get("SPRINTLAB_BIN", str(ROOT / "target/release/sprintlab"))
    scenario = sprintlab.load(a.scenario)
    cli_t, py_t = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds):
            out = Path(tmp) / f"cli{r}"
            t0 = time.perf_counter()
            subprocess.run(
                [binary, "optimize", a.scenario, "--out", str(out), "--max-evals", str(a.evals),
                 "--threads", str(a.threads)],
                check=True, capture_output=True,
            )
            cli_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            scenario.optimize(Path(tmp) / f"py{r}", max_evals=a.evals, threads=a.threads)
            py_t.append(time.perf_counter() - t0)
            same = (out / "history.csv").read_bytes() == (Path(tmp) / f"py{r}" / "history.csv").read_bytes()
            print(f"round {r + 1}: CLI {cli_t[-1]:.3f} s, Python {py_t[-1]:.3f} s, history.csv identical: {same}")
    c, p = statistics.median(cli_t), statistics.median(py_t)
    print(f"{a.scenario}, {a.evals} rollouts, {a.threads} threads, load {os.getloadavg()[0]:.1f}")
    print(f"median wall time: CLI {c:.3f} s, Python {p:.3f} s; ratio Python / CLI = {p / c:.3f}")


if __name__ == "__main__":
    main()

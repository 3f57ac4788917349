#!/usr/bin/env python3
"""Touchdown and braking of probe arms (issue 17, docs/sprint.md "Which limit binds" and "The touchdown, tested"):
per arm, the means over its best rollout's stances from step index K on (default 2, after the start's first two) of
contact time, peak and stance-averaged vertical force, braking and propulsive impulse, braking share, touchdown
distance (ankle ahead of the COM) and the ankle's forward speed just before touchdown.

Without RUN_DIRs: the ablation arms, each replayed from results/ablation/<arm>/best.toml with `sprintlab simulate`
into a temporary folder (their committed steps.csv files predate the touchdown columns). With RUN_DIRs: each folder's
own steps.csv (written with the touchdown columns).

    tools/ablation_touchdown.py [--from K] [--bin target/release/sprintlab] [RUN_DIR ...]
"""
import argparse
import csv
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from ablation_table import ARMS  # noqa: E402  (one list of arms)

COLS = [
    ("contact_time", "contact (s)", 3),
    ("peak_vertical_grf_bw", "peak vGRF (BW)", 1),
    ("mean_vertical_grf_bw", "mean vGRF (BW)", 2),
    ("braking_impulse", "braking (N·s)", 1),
    ("propulsive_impulse", "propulsive (N·s)", 1),
    ("braking_share", "braking share", 2),
    ("touchdown_distance", "touchdown distance (m)", 2),
    ("foot_touchdown_speed", "ankle speed before touchdown (m/s)", 2),
]


def row(name, steps, first):
    rows = list(csv.DictReader(open(steps)))[first:]
    cells = [f"{statistics.mean(float(r[k]) for r in rows):.{p}f}" for k, _, p in COLS]
    print(f"| {name} | {len(rows)} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="first", type=int, default=2)
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "sprintlab"))
    ap.add_argument("dirs", nargs="*")
    a = ap.parse_args()
    print(f"| arm | stances (from step {a.first}) | " + " | ".join(c[1] for c in COLS) + " |")
    print("|---|---|" + "---|" * len(COLS))
    for d in a.dirs:
        row(pathlib.Path(d).name, pathlib.Path(d) / "steps.csv", a.first)
    if a.dirs:
        return
    with tempfile.TemporaryDirectory() as tmp:
        for arm in ARMS:
            best = ROOT / "results" / "ablation" / arm / "best.toml"
            if not best.is_file():
                continue
            out = pathlib.Path(tmp) / arm
            scenario = ROOT / "scenarios" / "ablation" / f"{arm}.toml"
            cmd = [a.bin, "simulate", str(scenario), "--params", str(best), "--out", str(out)]
            subprocess.run(cmd, check=True, capture_output=True)
            row(arm, out / "steps.csv", a.first)


if __name__ == "__main__":
    main()

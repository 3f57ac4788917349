#!/usr/bin/env python3
"""Touchdown and braking of each ablation arm's best rollout (issue 17 item 5, docs/sprint.md "Which limit
binds"): replays results/ablation/<arm>/best.toml with `sprintlab simulate` into a temporary folder (the committed
steps.csv files predate the touchdown columns) and prints, per arm, the means over the stances from step index 2
on (after the start's first two) of contact time, stance-averaged vertical force, braking and propulsive impulse,
braking share, touchdown distance (ankle ahead of the COM) and the ankle's forward speed just before touchdown.

    tools/ablation_touchdown.py [target/release/sprintlab]
"""
import csv
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "sprintlab")
sys.path.insert(0, str(ROOT / "tools"))
from ablation_table import ARMS  # noqa: E402  (one list of arms)

COLS = [
    ("contact_time", "contact (s)", 3),
    ("mean_vertical_grf_bw", "mean vGRF (BW)", 2),
    ("braking_impulse", "braking (N·s)", 1),
    ("propulsive_impulse", "propulsive (N·s)", 1),
    ("braking_share", "braking share", 2),
    ("touchdown_distance", "touchdown distance (m)", 2),
    ("foot_touchdown_speed", "ankle speed before touchdown (m/s)", 2),
]

print("| arm | stances (from step 2) | " + " | ".join(c[1] for c in COLS) + " |")
print("|---|---|" + "---|" * len(COLS))
with tempfile.TemporaryDirectory() as tmp:
    for arm in ARMS:
        best = ROOT / "results" / "ablation" / arm / "best.toml"
        if not best.is_file():
            continue
        out = pathlib.Path(tmp) / arm
        subprocess.run(
            [BIN, "simulate", str(ROOT / "scenarios" / "ablation" / f"{arm}.toml"), "--params", str(best), "--out", str(out)],
            check=True,
            capture_output=True,
        )
        rows = list(csv.DictReader(open(out / "steps.csv")))[2:]
        cells = [f"{statistics.mean(float(r[k]) for r in rows):.{p}f}" for k, _, p in COLS]
        print(f"| {arm} | {len(rows)} | " + " | ".join(cells) + " |")

#!/usr/bin/env python3
"""The ablation table of issue 17 item 5 (docs/sprint.md) from the committed run folders results/ablation/<arm>/:
per arm, the best of its 3 runs and the spread over them — cost, mean and final forward speed of each run's best
rollout over the probe's 1.2 s from a 9 m/s touchdown, balance. Reads each run's summary.json (the best rollout of
that run). Other probe arms (best-of-3 run folders, e.g. results/sprint_elastic_touchdown9) by path.

    tools/ablation_table.py                 # prints the markdown table of the ablation arms
    tools/ablation_table.py RUN_DIR ...     # the same columns for these run folders
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "results" / "ablation"
ARMS = [
    "all_on", "rigid_tendons", "no_two_joint", "no_toe", "untrained", "previous_body",
    # which limit binds: the causal arms
    "push_strong", "fast_muscles", "hamstrings_knee_ref", "swing_strong", "all_strong",
]


def fmt(xs, p=2):
    return f"{min(xs):.{p}f}–{max(xs):.{p}f}"


def main():
    dirs = [pathlib.Path(d) for d in sys.argv[1:]] or [ROOT / arm for arm in ARMS]
    print("| arm | runs done | best cost (best run) | cost, 3 runs | mean speed of the best run (m/s) | mean speed, 3 runs | final speed, 3 runs | runs that kept balance |")
    print("|---|---|---|---|---|---|---|---|")
    for folder in dirs:
        arm = folder.name
        runs = sorted((folder / "runs").glob("run-*"))
        done = [r for r in runs if (r / "summary.json").is_file()]
        if not done:
            print(f"| {arm} | 0 | — | — | — | — | — | — |")
            continue
        ms = [json.loads((r / "summary.json").read_text())["measures"] for r in done]
        costs = [m["cost"] for m in ms]
        k = costs.index(min(costs))
        mean = [m["mean_speed"] for m in ms]
        final = [m["final_speed"] for m in ms]
        kept = sum(m["balance_lost"] is None for m in ms)
        print(f"| {arm} | {len(done)} of 3 | {costs[k]:.2f} | {fmt(costs)} | {mean[k]:.2f} | {fmt(mean)} | {fmt(final)} | {kept} of {len(done)} |")


if __name__ == "__main__":
    main()

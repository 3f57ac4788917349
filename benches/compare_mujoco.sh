#!/usr/bin/env bash
# sprintlab vs MuJoCo on the identical body (sprinter12), back to back on this machine, as ratios.
# Needs a Python with mujoco==4.0.0: set PYTHON (default: $HOME/.venvs/peers/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$HOME/.venvs/peers/bin/python}
mj1=$("$PY" benches/peers/mujoco_step.py)
# STEP_BENCH / SPRINT_BENCH: already-built bench executables to time instead of `cargo bench` (e.g. a saved build).
{
  if [ -n "${STEP_BENCH:-}" ]; then "$STEP_BENCH" --bench --warm-up-time 2 --measurement-time 10 2>&1
  else cargo bench --bench step -- --warm-up-time 2 --measurement-time 10 2>&1; fi
  if [ -n "${SPRINT_BENCH:-}" ]; then "$SPRINT_BENCH" --bench --warm-up-time 2 --measurement-time 20 2>&1
  else cargo bench --bench sprint -- --warm-up-time 2 --measurement-time 20 2>&1; fi
} | tee /tmp/sprintlab_step_bench.txt | grep -E "^sprinter12|^sprint_running|time:"
mj2=$("$PY" benches/peers/mujoco_step.py)
python3 - "$mj1" "$mj2" <<'PY'
import json, re, sys, statistics
mj = [json.loads(a) for a in sys.argv[1:3]]
txt = open("/tmp/sprintlab_step_bench.txt").read()
ours = {}
for name in ("standing", "flight"):
    m = re.search(r"sprinter12_step_1ms/%s\s+time:\s+\[\S+ \S+ (\S+) (\S+)" % name, txt)
    v, unit = float(m.group(1)), m.group(2)
    ours[name] = v * {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3}[unit]
for name in ("standing", "flight"):
    base = statistics.mean(x[f"{name}_us_per_step"] for x in mj)
    print(f"{name:9s} sprintlab {ours[name]:8.1f} us/step   MuJoCo {base:6.1f} us/step (before {mj[0][name + '_us_per_step']:.1f}, after {mj[1][name + '_us_per_step']:.1f})   ratio {ours[name] / base:5.2f}x")
# The 3D sprinter running: one simulated second per iteration, 1 ms steps.
m = re.search(r"sprint_running/one_simulated_second\s+time:\s+\[\S+ \S+ (\S+) (\S+)", txt)
sec = float(m.group(1)) * {"ms": 1e-3, "s": 1.0, "µs": 1e-6, "us": 1e-6}[m.group(2)]
mj_rate = 1e-3 / (statistics.mean(x["standing_us_per_step"] for x in mj) * 1e-6)
print(f"sprinting sprintlab {1.0 / sec:6.2f} simulated s per CPU s ({sec * 1e3:.1f} ms per simulated s)   "
      f"MuJoCo sprinter12 standing at 1 ms: {mj_rate:6.1f} simulated s per CPU s   ratio {mj_rate * sec:5.2f}x")
PY

#!/usr/bin/env bash
# Before/after timing of the criterion benches in ONE run, alternating rounds (the machine is shared and noisy:
# only ratios from the same run mean anything). BEFORE is a folder holding the baseline's bench executables
# (copied from the parent commit's target/release/deps: step-*, sprint-*, study-*; `cargo bench --no-run --bench
# step ...` prints their paths: tests/sprint.rs builds a sprint-* too), AFTER the same for this commit.
# Prints, per benchmark, the median over the rounds of criterion's point estimate, and the ratio.
#   benches/before_after.sh BEFORE AFTER [ROUNDS=3] [BENCHES="step sprint study"]
# Extra criterion arguments: CRITERION_ARGS (default: --warm-up-time 1 --measurement-time 5).
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?usage: benches/before_after.sh BEFORE AFTER [ROUNDS] [BENCHES]}
AFTER=${2:?usage: benches/before_after.sh BEFORE AFTER [ROUNDS] [BENCHES]}
ROUNDS=${3:-3}
BENCHES=${4:-step sprint study}
ARGS=${CRITERION_ARGS:---warm-up-time 1 --measurement-time 5}
LOG=$(mktemp -d)
newest() { ls -t "$1"/"$2"-* 2>/dev/null | grep -E -- "-[0-9a-f]{16}$" | head -1; }
for b in $BENCHES; do
  after=$(newest "$AFTER" "$b")
  before=$(newest "$BEFORE" "$b")
  [ -x "$after" ] && [ -x "$before" ] || { echo "missing bench executable for $b" >&2; exit 1; }
  for r in $(seq "$ROUNDS"); do
    for side in before after; do
      exe=$before; [ "$side" = after ] && exe=$after
      echo "# $b round $r $side $(uptime | sed 's/.*load/load/')" >>"$LOG/$b.$side.txt"
      # shellcheck disable=SC2086
      CRITERION_HOME="$LOG/criterion-$side" "$exe" --bench $ARGS >>"$LOG/$b.$side.txt" 2>&1
    done
  done
done
python3 - "$LOG" $BENCHES <<'PY'
import re, statistics, sys, glob, os
log, benches = sys.argv[1], sys.argv[2:]
unit = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
def medians(path):
    out = {}
    name = None
    for line in open(path):
        m = re.match(r"^(\S+/\S+)\s*(time:.*)?$", line.rstrip())
        if m and not line.startswith("#") and not line.startswith(" "):
            name = m.group(1)
        t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+)", line)
        if t and name:
            out.setdefault(name, []).append(float(t.group(1)) * unit[t.group(2)])
    return out
loads = [l.split("load average:")[1].strip() for f in glob.glob(os.path.join(log, "*.txt"))
         for l in open(f) if l.startswith("#")]
print(f"{'benchmark':50s} {'before (µs)':>14s} {'after (µs)':>14s} {'after/before':>12s}   rounds")
for b in benches:
    bef, aft = medians(os.path.join(log, f"{b}.before.txt")), medians(os.path.join(log, f"{b}.after.txt"))
    for name in bef:
        if name in aft:
            x, y = statistics.median(bef[name]), statistics.median(aft[name])
            print(f"{name:50s} {x:14.1f} {y:14.1f} {y / x:12.3f}   {len(bef[name])}/{len(aft[name])}")
print("load averages at the start of each run:", "; ".join(loads))
print("raw criterion output:", log)
PY

#!/usr/bin/env bash
# Byte-identity check of the committed outputs (issue 13: "every committed result regenerates byte for byte").
# Runs a fixed set of commands with target/release/sprintlab into OUT and prints one SHA-256 per output file
# (manifest.json, timing.csv, wall-time fields and best.toml's `# Replay:` line excluded: they record the session
# and the output folder, not the result).
#   tools/golden.sh OUT > sums.txt      # then: diff before.txt after.txt
#   tools/golden.sh --hash-only OUT     # the sums of an existing OUT
set -euo pipefail
cd "$(dirname "$0")/.."
HASH_ONLY=""
if [ "${1:-}" = --hash-only ]; then HASH_ONLY=1; shift; fi
OUT=${1:?usage: tools/golden.sh [--hash-only] OUT}
BIN=${SPRINTLAB_BIN:-target/release/sprintlab}
if [ -z "$HASH_ONLY" ]; then
rm -rf "$OUT"; mkdir -p "$OUT"
run() { "$BIN" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; }
run simulate scenarios/quickstart.toml --out "$OUT/quickstart"
run figures "$OUT/quickstart"
run simulate scenarios/sprint.toml --out "$OUT/sprint"
run simulate scenarios/drop_5cm.toml --out "$OUT/drop"
run optimize scenarios/stance_push.toml --out "$OUT/stance_push" --max-evals 48 --threads 2
run figures "$OUT/stance_push"
run sweep scenarios/sweep_drop.toml --out "$OUT/sweep" --threads 2
run merge "$OUT/sweep"
cp -r results/plateau "$OUT/plateau"
rm -rf "$OUT/plateau/figures" "$OUT/plateau/plateau.csv" "$OUT/plateau/plateau_summary.json"
run plateau "$OUT/plateau"
run induced "$OUT/sprint"
fi
cd "$OUT"
find . -type f ! -name README.md ! -name manifest.json ! -name timing.csv ! -name '*.json.partial*' ! -path './plateau/points/*' \
  ! -name 'shard-*' ! -name 'sweep.meta.json' ! -path './sweep/points/*/manifest.json' | LC_ALL=C sort |
while read -r f; do
  case "$f" in
    # best.toml's replay hint names the folder it was written to (OUT), so it is left out like the session fields.
    *best.toml) printf '%s  %s\n' "$(grep -v '^# Replay: ' "$f" | sha256sum | cut -d' ' -f1)" "$f" ;;
    *.json) printf '%s  %s\n' "$(grep -v -e '"wall' -e '_wall' -e 'wall_s' -e '"git' "$f" | sha256sum | cut -d' ' -f1)" "$f" ;;
    *) sha256sum "$f" ;;
  esac
done

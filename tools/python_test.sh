#!/usr/bin/env bash
# The Python API's tests (issue 20), as CI runs them: a fresh virtual environment, `pip install ./python[test]`
# (maturin builds the binding into this repository's target/, so the library's dependencies are not compiled
# again), then pytest over python/tests/ and the example notebooks (`--nbval-lax`: every cell must run).
# Needs python3 (3.11 or newer) with venv, and target/release/sprintlab (the CLI the tests compare with; built
# here if missing). Extra arguments go to pytest (e.g. `tools/python_test.sh -k optimize`).
#   SPRINTLAB_VENV=DIR   reuse (or create) the venv at DIR instead of a fresh temporary one
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="$PWD/target"
t0=$SECONDS
venv=${SPRINTLAB_VENV:-}
if [ -z "$venv" ]; then
  venv="$(mktemp -d)/venv"
  trap 'rm -rf "$(dirname "$venv")"' EXIT
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install -q --disable-pip-version-check "./python[test]"
echo "tools/python_test.sh: venv and package ready in $((SECONDS - t0)) s" >&2
[ -x target/release/sprintlab ] || cargo build --release
"$venv/bin/python" -m pytest python/tests examples --nbval-lax -p no:cacheprovider --rootdir "$PWD" "$@"
echo "tools/python_test.sh: $((SECONDS - t0)) s in all" >&2

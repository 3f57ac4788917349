#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs every test (unit, integration, benches in
# test mode) in release mode. Needs only a Rust toolchain and, on a machine without Chromium, a Debian/Ubuntu
# package manager (as root, or through sudo) for headless Chromium, which the stride-viewer test drives.
# Extra arguments go to `cargo test` (e.g. `tools/test.sh --test suite sprint::`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "tools/test.sh: installing headless Chromium (Debian package \`chromium\`) for tests/suite/viewer.rs" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "error: /usr/bin/chromium is missing and this user cannot install it; run as root:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends chromium" >&2
      exit 1
    }
    SUDO=sudo
  fi
  command -v apt-get >/dev/null 2>&1 || {
    echo "error: /usr/bin/chromium is missing and there is no apt-get; install Chromium at /usr/bin/chromium" >&2
    exit 1
  }
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q --no-install-recommends chromium >&2
fi
exec cargo test --release --all-targets "$@"

#!/usr/bin/env bash
# Sets up and runs the test suite; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The browser tests drive the distribution's Chromium: Playwright's own browser download needs more than a package index.
if ! command -v chromium >/dev/null; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update && $sudo apt-get install -y chromium
fi
exec .venv/bin/python -m pytest "$@"

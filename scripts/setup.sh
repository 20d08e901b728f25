#!/usr/bin/env bash
# Creates .venv and installs hjemmel with its test extras. torch comes first, pinned: its CPU build lies on
# this machine's disk, while an unpinned torch would pull a multi-gigabyte CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"

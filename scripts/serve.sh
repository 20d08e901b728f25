#!/usr/bin/env bash
# The main job on a fresh machine: install, index the corpus into the embedded index, serve on HJEMMEL_PORT (8000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/hjemmel ingest
exec .venv/bin/hjemmel serve

#!/usr/bin/env bash
# The main job on a fresh machine: install, index the corpus into the embedded index, serve on HJEMMEL_PORT (8000).
# Each step says what it does and how long a first run takes on 2 cores; later runs take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "hjemmel: step 1/3: install into .venv (first run ~3 min, quiet)" >&2
bash scripts/setup.sh
echo "hjemmel: step 2/3: build the embedding model and index the corpus (first run ~10–16 min on a recent Intel or AMD CPU, up to an hour on an older one; unchanged sources are skipped)" >&2
.venv/bin/hjemmel ingest
echo "hjemmel: step 3/3: serve on http://${HJEMMEL_HOST:-127.0.0.1}:${HJEMMEL_PORT:-8000} (Ctrl-C stops)" >&2
exec .venv/bin/hjemmel serve

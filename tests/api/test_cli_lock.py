"""A second process on the embedded index is refused before it loads the heavy libraries, so the refusal is
immediate (the figures are in the README; this checks the order, not the time)."""

import subprocess
import sys

import pytest

from corpus.settings import Settings
from tests.commands import hjemmel_env

HEAVY = ("torch", "haystack", "sentence_transformers", "qdrant_edge")


@pytest.mark.parametrize("command", [["search", "taushetsplikt"], ["ask", "taushetsplikt"], ["ingest"], ["serve"]])
def test_refusal_comes_before_the_heavy_imports(server: str, index_settings: Settings, command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "api", *command],
        env=hjemmel_env(index_settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    imports = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    (refusal,) = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
    assert result.returncode == 2 and "in use" in refusal
    loaded = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in imports}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))

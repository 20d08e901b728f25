"""The `hjemmel` command end to end, in its own small index (the server's index is owned by the server)."""

import json
from pathlib import Path

from corpus.settings import Settings
from tests.commands import hjemmel, hjemmel_env


def test_ingest_then_search_json(test_settings: Settings, tmp_path: Path) -> None:
    env = hjemmel_env(test_settings.model_copy(update={"index_dir": tmp_path / "index"}))
    ingest = hjemmel("ingest", "--source", "LOV-1999-07-02-63", "--source", "LOV-2020-05-07-37", "--no-progress", env=env)
    assert ingest.returncode == 0, ingest.stderr
    assert "2 documents: 2 indexed" in ingest.stdout

    result = hjemmel("search", "pbrl § 3-2", "--json", "--top-k", "3", env=env)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)["results"]
    assert len(results) == 3
    assert results[0]["id"] == "LOV-1999-07-02-63/§3-2"

    again = hjemmel("ingest", "--source", "LOV-1999-07-02-63", "--no-progress", env=env)
    assert "1 skipped (unchanged)" in again.stdout


def test_bad_filter_is_one_line(test_settings: Settings, tmp_path: Path) -> None:
    env = hjemmel_env(test_settings.model_copy(update={"index_dir": tmp_path / "index"}))
    result = hjemmel("search", "x", "--filter", "colour=blue", env=env)
    assert result.returncode == 2 and "bad filter" in result.stderr and "Traceback" not in result.stderr

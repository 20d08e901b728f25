"""Shared fixtures: the real corpus folder beside the project."""

from pathlib import Path

import pytest

from corpus.settings import Settings, get_settings


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    path = get_settings().corpus_dir
    if not path.is_dir():
        pytest.fail(f"corpus folder {path} not found; set HJEMMEL_CORPUS_DIR")
    return path


@pytest.fixture(scope="session")
def test_settings(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The user's settings with a throw-away index; the converted model stays cached between runs."""
    return get_settings().model_copy(update={"index_dir": tmp_path_factory.mktemp("index"), "corpus_dir": corpus_dir})

"""Shared fixtures: the real corpus folder beside the project."""

from pathlib import Path

import pytest

from corpus.settings import get_settings


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    path = get_settings().corpus_dir
    if not path.is_dir():
        pytest.fail(f"corpus folder {path} not found; set HJEMMEL_CORPUS_DIR")
    return path

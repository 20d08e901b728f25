"""Passage precision: bfloat16 vectors stand in for float32 ones, and the embedding cache keeps the two apart."""

import numpy as np
import pytest
from haystack import Document

from corpus.registry import get_registry
from corpus.settings import Settings
from index.embedders import PassageEmbedder, passage_model_key
from ingest.readers import read_source

PJL = "LOV-2014-06-20-42"  # pasientjournalloven


@pytest.fixture(scope="module")
def provisions(test_settings: Settings) -> list[str]:
    source = get_registry().source(PJL)
    parsed = next(iter(read_source(test_settings.corpus_dir / (source.file or ""), source)))
    return [unit.text for unit in parsed.units if unit.paragraphs][:6]


def _vectors(settings: Settings, texts: list[str]) -> np.ndarray:
    embedder = PassageEmbedder(settings)
    embedder.warm_up()
    documents = embedder.run(documents=[Document(content=text) for text in texts])["documents"]
    return np.array([document.embedding for document in documents], dtype=np.float32)


def test_bfloat16_passages_point_where_float32_ones_do(test_settings: Settings, provisions: list[str]) -> None:
    exact = _vectors(test_settings.model_copy(update={"passage_precision": "float32"}), provisions)
    fast = _vectors(test_settings.model_copy(update={"passage_precision": "bfloat16"}), provisions)
    assert fast.dtype == np.float32 and fast.shape == exact.shape
    cosines = (exact * fast).sum(axis=1) / np.linalg.norm(exact, axis=1) / np.linalg.norm(fast, axis=1)
    assert cosines.min() > 0.999
    # Each provision's nearest float32 neighbour among the bfloat16 vectors is itself.
    assert list((exact @ fast.T).argmax(axis=1)) == list(range(len(provisions)))


def test_the_cache_keeps_each_precision_apart(test_settings: Settings) -> None:
    exact = passage_model_key(test_settings.model_copy(update={"passage_precision": "float32"}))
    fast = passage_model_key(test_settings.model_copy(update={"passage_precision": "bfloat16"}))
    assert exact == test_settings.embedding_model
    assert fast != exact

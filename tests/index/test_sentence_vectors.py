"""Sentence vectors stored at ingest: every quotable sentence of the provisions, read back by the answerer instead of
embedding them at answer time, with the same answers."""

from pathlib import Path

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from corpus.registry import get_registry
from corpus.sentences import quotable
from corpus.settings import Settings
from index.embedders import model_path
from index.sentence_vectors import SentenceVectors
from index.store import open_store
from ingest.pipeline import Ingestor
from ingest.readers import read_source
from search.answer import Answerer
from search.searcher import Searcher

PJL = "LOV-2014-06-20-42"  # pasientjournalloven
QUESTION = "Hvem har ansvar for å føre tilgangskontroll og logg i behandlingsrettede helseregistre?"


class NoPassageModel:
    """Stands in for the answerer's model: a sentence embedding means a sentence was not found among the stored vectors.
    Token states, which the alignment check takes of the question and the best sentence, come from the real model."""

    def __init__(self, model: SentenceTransformer) -> None:
        self.model = model
        self.tokenizer = model.tokenizer
        self.max_seq_length = model.max_seq_length

    def encode(self, texts: list[str], **kwargs: object) -> np.ndarray:
        if kwargs.get("output_value") == "token_embeddings":
            return self.model.encode(texts, **kwargs)
        raise AssertionError(f"embedded at answer time: {texts[:2]}")


@pytest.fixture(scope="module")
def with_vectors(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, int]:
    scratch = tmp_path_factory.mktemp("sentences")
    settings = test_settings.model_copy(
        update={"index_dir": scratch / "index", "embedding_cache": scratch / "embeddings.sqlite", "sentence_vectors": True}
    )
    store = open_store(settings)
    ingestor = Ingestor(store, get_registry(), settings)
    report = ingestor.run(settings.corpus_dir, progress=False, only={PJL})
    ingestor.close()
    store.close()
    assert not report.failed
    return settings, report.sources[0].sentences


def _quotable_sentences(corpus_dir: Path) -> set[str]:
    source = get_registry().source(PJL)
    return {
        s.text
        for parsed in read_source(corpus_dir / (source.file or ""), source)
        for unit in parsed.units
        if unit.paragraphs
        for s in quotable(unit.text)
    }


def test_ingest_stores_a_vector_for_every_quotable_sentence_of_the_act(with_vectors: tuple[Settings, int]) -> None:
    settings, embedded = with_vectors
    expected = _quotable_sentences(settings.corpus_dir)
    assert embedded == len(expected) > 50
    assert set(SentenceVectors(settings).get(sorted(expected))) == expected


def test_the_answerer_quotes_from_stored_vectors_without_embedding_and_gives_the_same_answer(
    with_vectors: tuple[Settings, int],
) -> None:
    settings, _ = with_vectors
    store = open_store(settings)
    searcher = Searcher(store, get_registry(), settings)
    model = NoPassageModel(SentenceTransformer(model_path(settings), device="cpu"))
    stored = Answerer(searcher, settings, model=model).answer(QUESTION)
    embedding = Answerer(searcher, settings.model_copy(update={"embedding_cache": Path("/nonexistent.sqlite")}))
    fresh = embedding.answer(QUESTION)
    store.close()
    assert not stored.refused and stored.quotes
    assert [(q.unit_id, q.text) for q in stored.quotes] == [(q.unit_id, q.text) for q in fresh.quotes]

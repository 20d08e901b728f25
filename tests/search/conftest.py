"""An extractive answerer over a real small index of two health acts, shared by the answer tests."""

import shutil
from collections.abc import Iterator

import pytest

from corpus.registry import get_registry
from corpus.settings import Settings, get_settings
from index.store import open_store
from ingest.pipeline import Ingestor
from search.answer import Answerer
from search.searcher import Searcher

SOURCES = {
    "LOV-1999-07-02-64",  # helsepersonelloven
    "LOV-1999-07-02-63",  # pasient- og brukerrettighetsloven
}


@pytest.fixture(scope="session")
def answerer(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Answerer]:
    scratch = tmp_path_factory.mktemp("answer")
    cache = scratch / "embeddings.sqlite"
    # Start from the user's embedding cache when there is one (keyed by model and text, so reuse is exact): the
    # test then embeds only what changed instead of two whole acts.
    if get_settings().embedding_cache.is_file():
        shutil.copyfile(get_settings().embedding_cache, cache)
    settings = test_settings.model_copy(update={"index_dir": scratch / "index", "embedding_cache": cache})
    store = open_store(settings)
    ingestor = Ingestor(store, get_registry(), settings)
    report = ingestor.run(settings.corpus_dir, progress=False, only=SOURCES)
    ingestor.close()
    assert not report.failed
    yield Answerer(Searcher(store, get_registry(), settings), settings)
    store.close()

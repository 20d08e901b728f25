"""An extractive answerer over a real small index of two health acts, shared by the answer tests."""

from collections.abc import Callable, Iterator

import pytest

from corpus.registry import get_registry
from corpus.settings import Settings
from index.store import open_store
from search.answer import Answerer
from search.searcher import Searcher

SOURCES = {
    "LOV-1999-07-02-64",  # helsepersonelloven
    "LOV-1999-07-02-63",  # pasient- og brukerrettighetsloven
}


@pytest.fixture(scope="session")
def answerer(small_index: Callable[[set[str]], Settings]) -> Iterator[Answerer]:
    settings = small_index(SOURCES)
    store = open_store(settings)
    yield Answerer(Searcher(store, get_registry(), settings), settings)
    store.close()

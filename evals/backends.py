"""The engine an evaluation runs on: the embedded index, or the server code path (qdrant-client), so both can be
checked to rank alike.

`server` uses HJEMMEL_QDRANT_URL / HJEMMEL_QDRANT_PATH when set; otherwise it copies the embedded index, vectors and
payloads as they are, into qdrant-client's local mode in memory (no server needed), and searches that copy.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from haystack.document_stores.types import DuplicatePolicy

from corpus.registry import get_registry
from corpus.settings import Settings, get_settings
from evals.retrievers import needed_modes
from index.edge_store import EdgeDocumentStore
from index.store import EMBEDDING_DIM, PAYLOAD_INDEXES, DocumentStore, server_store
from search.searcher import Searcher

Backend = Literal["embedded", "server"]
BACKENDS: tuple[Backend, ...] = ("embedded", "server")


def copy_to_server(settings: Settings, path: str = ":memory:") -> DocumentStore:
    """The embedded index's documents, with their dense and sparse vectors, in a local-mode Qdrant collection."""
    source = EdgeDocumentStore(path=settings.index_dir, embedding_dim=EMBEDDING_DIM, payload_fields_to_index=PAYLOAD_INDEXES)
    try:
        documents = source.filter_documents()
    finally:
        source.close()
    target = server_store(settings.model_copy(update={"qdrant_url": None}), path)
    target.write_documents(documents, policy=DuplicatePolicy.OVERWRITE)
    return target


@contextmanager
def backend_searcher(backend: Backend, retrievers: list[str], searcher: Searcher | None = None) -> Iterator[Searcher | None]:
    """`searcher` as given for the embedded engine (None: the evaluation opens the index); for `server`, a Searcher
    with the retrievers' modes over the server store."""
    if backend == "embedded" or searcher is not None:
        yield searcher
        return
    settings = get_settings()
    modes = needed_modes(retrievers)  # refuses unknown names before the copy and the model load
    store = server_store(settings) if settings.qdrant_url or settings.qdrant_path else copy_to_server(settings)
    try:
        yield Searcher(store, get_registry(), settings, modes=modes)
    finally:
        store.close()

"""The embedded engine and the server code path (qdrant-client, local mode) rank alike: the same service search on
the same small real index, copied vector for vector, gives the same units with the same scores."""

from collections.abc import Callable, Iterator

import pytest

from corpus.registry import get_registry
from corpus.settings import Settings
from evals.backends import copy_to_server
from index.hybrid import HybridRetriever, engine, ranked
from index.store import HYBRID_PREFETCH, RRF_K, RRF_WEIGHTS, open_store
from search.filters import SearchFilters
from search.searcher import Searcher

SOURCES = {
    "LOV-1999-07-02-64",  # helsepersonelloven
    "LOV-2014-06-20-42",  # pasientjournalloven
    "LOV-2018-06-15-38",  # personopplysningsloven: the GDPR's text again, so equal scores occur
}
QUERIES = [
    ("Kan helsepersonell gi pasientopplysninger til en KI-leverandør uten samtykke?", None),
    ("taushetsplikt", None),
    ("rett til innsyn i journal", None),
    ("behandling av særlige kategorier av personopplysninger", None),
    ("may health personnel share patient data with an AI vendor", None),
    ("data protection impact assessment", None),
    ("hpl § 29 dispensasjon", None),
    ("plikt til å føre journal", SearchFilters(document_id="hpl")),
    ("tilgangsstyring og logging", SearchFilters(kind="lov")),
]


@pytest.fixture(scope="module")
def searchers(small_index: Callable[[set[str]], Settings]) -> Iterator[tuple[Searcher, Searcher]]:
    settings = small_index(SOURCES)
    server = copy_to_server(settings)
    server_searcher = Searcher(server, get_registry(), settings)
    embedded = open_store(settings)
    yield Searcher(embedded, get_registry(), settings), server_searcher
    embedded.close()
    server.close()


@pytest.mark.parametrize(("query", "filters"), QUERIES)
def test_both_engines_rank_alike(searchers: tuple[Searcher, Searcher], query: str, filters: SearchFilters | None) -> None:
    embedded, server = searchers
    here = [(r.id, r.score) for r in embedded.search(query, top_k=50, filters=filters)]
    there = [(r.id, r.score) for r in server.search(query, top_k=50, filters=filters)]
    assert here and here == there


def test_server_path_fuses_more_than_twenty_candidates(searchers: tuple[Searcher, Searcher]) -> None:
    """qdrant-haystack's own retriever leaves each prefetch at the server's default 10, so at most 20 chunks."""
    _, server = searchers
    retriever = HybridRetriever(engine(server.store), RRF_K, RRF_WEIGHTS, HYBRID_PREFETCH)
    embedding = server.pipelines["hybrid"].get_component("embedder").run(texts=["taushetsplikt"])["embeddings"][0]
    sparse = server.pipelines["hybrid"].get_component("sparse").run(text="taushetsplikt")["sparse_embedding"]
    found = retriever.run(query_embedding=embedding.tolist(), query_sparse_embedding=sparse, top_k=100)["documents"]
    assert len(found) == 100 and len({d.id for d in found}) == 100


def test_tied_scores_are_cut_and_ordered_by_id_whatever_order_the_engine_returns_them_in() -> None:
    top = [(f"top{i}", 9.0 - i) for i in range(5)]
    tied = [(f"tie{i:02}", 2.0) for i in range(20)]
    for engine_order in (tied, list(reversed(tied))):
        asked: list[int] = []

        def fetch(limit: int, engine_order: list[tuple[str, float]] = engine_order) -> list[tuple[str, float]]:
            asked.append(limit)
            return (top + engine_order + [("low", 1.0)])[:limit]

        assert ranked(fetch, 8) == top + [("tie00", 2.0), ("tie01", 2.0), ("tie02", 2.0)]
        assert asked == [16, 64]  # the first answer ended inside the tied group, so it asked again

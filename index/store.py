"""Opens the index: the embedded qdrant-edge engine by default, a Qdrant server when a URL is set; one layout for both."""

from typing import Literal

from haystack.utils import Secret
from haystack_integrations.components.retrievers.qdrant import (
    QdrantEmbeddingRetriever,
    QdrantHybridRetriever,
    QdrantSparseEmbeddingRetriever,
)
from haystack_integrations.document_stores.qdrant import QdrantDocumentStore

from corpus.settings import Settings
from index.edge_retrievers import EdgeEmbeddingRetriever, EdgeHybridRetriever, EdgeSparseEmbeddingRetriever
from index.edge_store import EdgeDocumentStore

EMBEDDING_DIM = 384
HYBRID_PREFETCH = 200
RRF_K = 60
# [sparse, dense]: the stemmed-term list is the noisier of the two on the dev set, so it counts half.
RRF_WEIGHTS = [0.5, 1.0]
KEYWORD_FIELDS = ("unit_id", "document_id", "source_id", "kind", "language", "agencies", "content_hash")
PAYLOAD_INDEXES = [{"field_name": f"meta.{name}", "field_schema": "keyword"} for name in KEYWORD_FIELDS] + [
    {"field_name": "meta.order", "field_schema": "integer"}
]

DocumentStore = EdgeDocumentStore | QdrantDocumentStore
RetrievalMode = Literal["hybrid", "dense", "sparse"]
_RETRIEVERS = {
    EdgeDocumentStore: {"hybrid": EdgeHybridRetriever, "dense": EdgeEmbeddingRetriever, "sparse": EdgeSparseEmbeddingRetriever},
    QdrantDocumentStore: {"hybrid": QdrantHybridRetriever, "dense": QdrantEmbeddingRetriever, "sparse": QdrantSparseEmbeddingRetriever},
}


def open_store(settings: Settings) -> DocumentStore:
    if settings.qdrant_url:
        return QdrantDocumentStore(
            url=settings.qdrant_url,
            api_key=Secret.from_token(settings.qdrant_api_key) if settings.qdrant_api_key else None,
            index=settings.collection,
            embedding_dim=EMBEDDING_DIM,
            use_sparse_embeddings=True,
            sparse_idf=True,
            payload_fields_to_index=PAYLOAD_INDEXES,
            progress_bar=False,
        )
    store = EdgeDocumentStore(path=settings.index_dir, embedding_dim=EMBEDDING_DIM, payload_fields_to_index=PAYLOAD_INDEXES)
    store.count_documents()  # opens the shard now, so a locked index is reported here and not mid-query
    return store


def retriever(store: DocumentStore, mode: RetrievalMode):
    """The retriever of the store's own family (edge or qdrant-haystack) for a retrieval mode.

    Hybrid fuses with RRF k=60, the usual constant: Qdrant's default k=2 lets one list's top hit win outright,
    where k=60 favours provisions that both lists rank well; the sparse list weighs half. The edge hybrid retriever
    also prefetches deeper
    than Qdrant's default 10 per side, so one-hit-per-unit and top_k up to 100 have candidates;
    qdrant-haystack's retriever has no such setting.
    """
    if mode == "hybrid" and isinstance(store, EdgeDocumentStore):
        return EdgeHybridRetriever(
            document_store=store, rrf_k=RRF_K, rrf_weights=RRF_WEIGHTS, prefetch_limit=HYBRID_PREFETCH
        )
    if mode == "hybrid":
        return QdrantHybridRetriever(document_store=store, rrf_k=RRF_K, rrf_weights=RRF_WEIGHTS)
    return _RETRIEVERS[type(store)][mode](document_store=store)

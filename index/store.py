"""Opens the index: the embedded qdrant-edge engine by default, a Qdrant server when a URL is set; one layout for both."""

from typing import Literal

from haystack.utils import Secret
from haystack_integrations.components.retrievers.qdrant import (
    QdrantEmbeddingRetriever,
    QdrantSparseEmbeddingRetriever,
)
from haystack_integrations.document_stores.qdrant import QdrantDocumentStore

from corpus.settings import Settings
from index.edge_retrievers import EdgeEmbeddingRetriever, EdgeSparseEmbeddingRetriever
from index.edge_store import EdgeDocumentStore
from index.hybrid import HybridRetriever, engine

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
    EdgeDocumentStore: {"dense": EdgeEmbeddingRetriever, "sparse": EdgeSparseEmbeddingRetriever},
    QdrantDocumentStore: {"dense": QdrantEmbeddingRetriever, "sparse": QdrantSparseEmbeddingRetriever},
}


def open_store(settings: Settings) -> DocumentStore:
    if settings.qdrant_url or settings.qdrant_path:
        return server_store(settings)
    store = EdgeDocumentStore(path=settings.index_dir, embedding_dim=EMBEDDING_DIM, payload_fields_to_index=PAYLOAD_INDEXES)
    store.count_documents()  # opens the shard now, so a locked index is reported here and not mid-query
    return store


def server_store(settings: Settings, path: str | None = None) -> QdrantDocumentStore:
    """A Qdrant server or cluster (qdrant_url), else qdrant-client's local mode (qdrant_path, or `path`).

    The cluster settings apply when the collection is created: shards spread it over the nodes, replicas keep each
    shard on several, and scalar quantization keeps int8 copies of the dense vectors in RAM (originals on disk
    when `qdrant_on_disk`) and rescores the top hits with the originals.
    """
    quantization = (
        {"scalar": {"type": "int8", "always_ram": True}} if settings.qdrant_scalar_quantization else None
    )
    location = path or (str(settings.qdrant_path) if settings.qdrant_path else None)
    return QdrantDocumentStore(
        url=settings.qdrant_url,
        location=location if location == ":memory:" else None,
        path=location if location not in (None, ":memory:") else None,
        api_key=Secret.from_token(settings.qdrant_api_key) if settings.qdrant_api_key else None,
        index=settings.collection,
        embedding_dim=EMBEDDING_DIM,
        use_sparse_embeddings=True,
        sparse_idf=True,
        payload_fields_to_index=PAYLOAD_INDEXES,
        progress_bar=False,
        shard_number=settings.qdrant_shard_number,
        replication_factor=settings.qdrant_replication_factor,
        write_consistency_factor=settings.qdrant_write_consistency_factor,
        on_disk=settings.qdrant_on_disk,
        quantization_config=quantization,
    )


def retriever(store: DocumentStore, mode: RetrievalMode):
    """The retriever for a retrieval mode: the store family's own for dense and sparse, and for hybrid the one
    contract both engines share (index/hybrid.py).

    Hybrid fuses with RRF k=60, the usual constant: Qdrant's default k=2 lets one list's top hit win outright,
    where k=60 favours provisions that both lists rank well; the sparse list weighs half. Each list is 200 deep,
    not Qdrant's default 10, so one-hit-per-unit and top_k up to 100 have candidates.
    """
    if mode == "hybrid":
        return HybridRetriever(engine(store), rrf_k=RRF_K, rrf_weights=RRF_WEIGHTS, prefetch_limit=HYBRID_PREFETCH)
    return _RETRIEVERS[type(store)][mode](document_store=store)

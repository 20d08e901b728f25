"""The service's hybrid retrieval, one contract for both engines: a sparse and a dense list from the engine, each
cut and ordered the same way (score, then point id), fused here by weighted RRF with Qdrant's formula.

Fusing inside the engine ranked tied candidates in the engine's storage order: qdrant-edge and a Qdrant server
(or qdrant-client's local mode) agree on scores but not on the order of equal ones, and stemmed-term scores tie
often, so the same index ranked differently on the two. Here only ids and scores come from the engine.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

import numpy as np
from haystack import Document, component
from haystack.dataclasses.sparse_embedding import SparseEmbedding
from haystack_integrations.document_stores.qdrant import QdrantDocumentStore
from haystack_integrations.document_stores.qdrant.converters import (
    DENSE_VECTORS_NAME,
    SPARSE_VECTORS_NAME,
)
from haystack_integrations.document_stores.qdrant.filters import convert_filters_to_qdrant
from qdrant_client.http import models as rest
from qdrant_edge import Query, QueryRequest, SearchParams

from index.edge_store import EdgeDocumentStore, convert_filters_to_edge

Hit = tuple[str, float]  # point id, score


class Engine(Protocol):
    def dense(self, vector: list[float], filters: dict[str, Any] | None, limit: int) -> list[Hit]: ...

    def sparse(self, vector: SparseEmbedding, filters: dict[str, Any] | None, limit: int) -> list[Hit]: ...

    def payloads(self, ids: list[str]) -> dict[str, dict[str, Any]]: ...


def _key(hit: Hit) -> tuple[float, str]:
    # float32: the precision qdrant-edge scores in; qdrant-client's local mode scores in float64.
    return (-float(np.float32(hit[1])), hit[0])


def ranked(fetch: Callable[[int], list[Hit]], limit: int) -> list[Hit]:
    """The first `limit` hits by score, then point id. Which of several equal scores at the limit an engine
    returns is its own choice, so it is asked for more until the tied group at the limit is complete."""
    asked = limit + max(8, limit // 4)
    while True:
        hits = sorted(fetch(asked), key=_key)
        if len(hits) < asked or len(hits) <= limit or _key(hits[limit - 1])[0] != _key(hits[-1])[0]:
            return hits[:limit]
        asked *= 4


def rrf(lists: list[list[Hit]], k: int, weights: list[float]) -> list[tuple[str, float]]:
    """Weighted RRF as Qdrant computes it, 1 / ((rank + 1) / weight + k - 1) summed over lists; best first, ties
    by point id."""
    scores: dict[str, float] = {}
    for hits, weight in zip(lists, weights):
        for rank, (point_id, _) in enumerate(hits):
            scores[point_id] = scores.get(point_id, 0.0) + 1 / ((rank + 1) / weight + k - 1)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class EdgeEngine:
    def __init__(self, store: EdgeDocumentStore) -> None:
        self.store = store

    def _hits(self, query: Query, filters: dict[str, Any] | None, limit: int, exact: bool | None = None) -> list[Hit]:
        request = QueryRequest(
            limit=limit,
            query=query,
            filter=convert_filters_to_edge(filters),
            params=SearchParams(exact=exact) if exact is not None else None,
            with_payload=False,
            with_vector=False,
        )
        return [(str(p.id), p.score) for p in self.store._get_shard().query(request)]

    def dense(self, vector: list[float], filters: dict[str, Any] | None, limit: int) -> list[Hit]:
        return self._hits(Query.Nearest(vector, using=DENSE_VECTORS_NAME), filters, limit, exact=self.store.exact)

    def sparse(self, vector: SparseEmbedding, filters: dict[str, Any] | None, limit: int) -> list[Hit]:
        query = Query.Nearest(self.store._sparse_vector(vector), using=SPARSE_VECTORS_NAME)
        return self._hits(query, filters, limit)

    def payloads(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        records = self.store._get_shard().retrieve(ids, with_payload=True, with_vector=False)
        return {str(record.id): record.payload or {} for record in records}


class ServerEngine:
    """A Qdrant server or cluster, or qdrant-client's local mode, through qdrant-haystack's store."""

    def __init__(self, store: QdrantDocumentStore, exact: bool = True) -> None:
        self.store = store
        self.exact = exact

    @property
    def _client(self):
        self.store._initialize_client()
        return self.store._client

    def _hits(self, query: Any, using: str, filters: dict[str, Any] | None, limit: int, exact: bool | None = None) -> list[Hit]:
        points = self._client.query_points(
            collection_name=self.store.index,
            query=query,
            using=using,
            query_filter=convert_filters_to_qdrant(filters),
            search_params=rest.SearchParams(exact=exact) if exact is not None else None,
            limit=limit,
            with_payload=False,
        ).points
        return [(str(p.id), p.score) for p in points]

    def dense(self, vector: list[float], filters: dict[str, Any] | None, limit: int) -> list[Hit]:
        return self._hits(vector, DENSE_VECTORS_NAME, filters, limit, exact=self.exact)

    def sparse(self, vector: SparseEmbedding, filters: dict[str, Any] | None, limit: int) -> list[Hit]:
        query = rest.SparseVector(indices=list(vector.indices), values=[float(v) for v in vector.values])
        return self._hits(query, SPARSE_VECTORS_NAME, filters, limit)

    def payloads(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        records = self._client.retrieve(collection_name=self.store.index, ids=ids, with_payload=True, with_vectors=False)
        return {str(r.id): r.payload or {} for r in records}


def engine(store: EdgeDocumentStore | QdrantDocumentStore) -> Engine:
    return EdgeEngine(store) if isinstance(store, EdgeDocumentStore) else ServerEngine(store)


@component
class HybridRetriever:
    """Sparse and dense lists `prefetch_limit` deep, fused by weighted RRF (weights [sparse, dense]); the top_k
    chunks with their fused scores. Same inputs as the engines' own hybrid retrievers.

    Its steps are methods too, so a caller that fuses several searches can reuse one sparse list for several dense
    ones and fetch the payloads of all its lists at once."""

    def __init__(self, engine: Engine, rrf_k: int, rrf_weights: list[float], prefetch_limit: int) -> None:
        self.engine = engine
        self.rrf_k = rrf_k
        self.rrf_weights = rrf_weights
        self.prefetch_limit = prefetch_limit

    def sparse_hits(self, vector: SparseEmbedding, filters: dict[str, Any] | None) -> list[Hit]:
        return ranked(lambda limit: self.engine.sparse(vector, filters, limit), self.prefetch_limit)

    def dense_hits(self, vector: list[float], filters: dict[str, Any] | None) -> list[Hit]:
        return ranked(lambda limit: self.engine.dense(vector, filters, limit), self.prefetch_limit)

    def fuse(self, sparse: list[Hit], dense: list[Hit], top_k: int) -> list[Hit]:
        return rrf([sparse, dense], self.rrf_k, self.rrf_weights)[:top_k]

    def payloads(self, hits: list[Hit]) -> dict[str, dict[str, Any]]:
        """The payloads of the hits' points, by point id; ids the engine no longer holds are left out."""
        return self.engine.payloads(list(dict.fromkeys(point_id for point_id, _ in hits)))

    @component.output_types(documents=list[Document])
    def run(
        self,
        query_embedding: list[float],
        query_sparse_embedding: SparseEmbedding,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
    ) -> dict[str, list[Document]]:
        sparse = self.sparse_hits(query_sparse_embedding, filters)
        dense = self.dense_hits(list(query_embedding), filters)
        top = self.fuse(sparse, dense, top_k)
        found = self.payloads(top)
        return {"documents": [document(found[point_id], score) for point_id, score in top if point_id in found]}


def document(payload: dict[str, Any], score: float) -> Document:
    """The Document a payload holds (both stores write `Document.to_dict(flatten=False)` minus the vectors).

    Built directly: `Document.from_dict` looks up the dataclass's fields on every call, which was a third of a
    search's time once the query was embedded; a payload with anything else goes through it.
    """
    if set(payload) <= {"id", "content", "meta", "blob", "score"} and payload.get("blob") is None:
        return Document(id=payload["id"], content=payload.get("content"), meta=payload.get("meta") or {}, score=score)
    return replace(Document.from_dict(dict(payload)), score=score)

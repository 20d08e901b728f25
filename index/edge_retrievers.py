"""Haystack retrievers for EdgeDocumentStore, twins of qdrant-haystack's Qdrant*Retriever components.

Same init parameters, run() inputs and outputs, filter policy and serialisation, so a pipeline switches between the
embedded index and a Qdrant server by swapping classes only.
"""

from typing import Any, TypeVar

from haystack import Document, component, default_from_dict, default_to_dict
from haystack.dataclasses.sparse_embedding import SparseEmbedding
from haystack.document_stores.types import FilterPolicy
from haystack.document_stores.types.filter_policy import apply_filter_policy
from qdrant_edge import Filter

from index.edge_store import EdgeDocumentStore

FILTER_POLICY_MERGE_ERROR_MESSAGE = (
    "Native qdrant-edge filters cannot be used with filter_policy set to MERGE. "
    "Set filter_policy to REPLACE or use Haystack filters instead."
)

EdgeFilters = dict[str, Any] | Filter | None
_Retriever = TypeVar("_Retriever")


def _checked_store(document_store: object) -> EdgeDocumentStore:
    if not isinstance(document_store, EdgeDocumentStore):
        raise ValueError("document_store must be an instance of EdgeDocumentStore")
    return document_store


def _policy(filter_policy: str | FilterPolicy) -> FilterPolicy:
    return filter_policy if isinstance(filter_policy, FilterPolicy) else FilterPolicy.from_str(filter_policy)


def _resolve_filters(policy: FilterPolicy, init_filters: EdgeFilters, runtime_filters: EdgeFilters) -> EdgeFilters:
    """Apply the filter policy; native edge filters can be replaced but not merged (as in qdrant-haystack)."""
    if policy == FilterPolicy.MERGE and (isinstance(init_filters, Filter) or isinstance(runtime_filters, Filter)):
        raise ValueError(FILTER_POLICY_MERGE_ERROR_MESSAGE)
    return apply_filter_policy(
        filter_policy=policy,
        init_filters=init_filters,  # type: ignore[arg-type]
        runtime_filters=runtime_filters,  # type: ignore[arg-type]
    )


def _from_dict(cls: type[_Retriever], data: dict[str, Any]) -> _Retriever:
    """Shared from_dict: rebuild the store and the filter policy, then the component (``data`` is left as it was)."""
    init = dict(data["init_parameters"])
    data = {**data, "init_parameters": init}
    init["document_store"] = EdgeDocumentStore.from_dict(init["document_store"])
    if filter_policy := init.get("filter_policy"):
        init["filter_policy"] = FilterPolicy.from_str(filter_policy)
    return default_from_dict(cls, data)


class _SingleVectorRetriever:
    """What the dense and the sparse retriever share: qdrant-haystack's init parameters, serialisation, overrides."""

    def __init__(
        self,
        document_store: EdgeDocumentStore,
        filters: EdgeFilters = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        filter_policy: str | FilterPolicy = FilterPolicy.REPLACE,
        score_threshold: float | None = None,
        group_by: str | None = None,
        group_size: int | None = None,
    ) -> None:
        """Same parameters as qdrant-haystack's retrievers; ``group_by`` raises at run time (no grouping in edge)."""
        self._document_store = _checked_store(document_store)
        self._filters = filters
        self._top_k = top_k
        self._scale_score = scale_score
        self._return_embedding = return_embedding
        self._filter_policy = _policy(filter_policy)
        self._score_threshold = score_threshold
        self._group_by = group_by
        self._group_size = group_size

    def to_dict(self) -> dict[str, Any]:
        """Serialise, with the store as a nested dict."""
        return default_to_dict(
            self,
            document_store=self._document_store.to_dict(),
            filters=self._filters,
            top_k=self._top_k,
            filter_policy=self._filter_policy.value,
            scale_score=self._scale_score,
            return_embedding=self._return_embedding,
            score_threshold=self._score_threshold,
            group_by=self._group_by,
            group_size=self._group_size,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        """Rebuild from ``to_dict`` output."""
        return _from_dict(cls, data)

    def close(self) -> None:
        """Release the store's shard."""
        self._document_store.close()

    def _options(
        self,
        filters: EdgeFilters,
        top_k: int | None,
        scale_score: bool | None,
        return_embedding: bool | None,
        score_threshold: float | None,
        group_by: str | None,
        group_size: int | None,
    ) -> dict[str, Any]:
        """The store call's keyword arguments: run-time values override init ones."""
        return {
            "filters": _resolve_filters(self._filter_policy, self._filters, filters),
            "top_k": top_k or self._top_k,
            "scale_score": scale_score if scale_score is not None else self._scale_score,
            "return_embedding": return_embedding if return_embedding is not None else self._return_embedding,
            "score_threshold": score_threshold if score_threshold is not None else self._score_threshold,
            "group_by": group_by or self._group_by,
            "group_size": group_size or self._group_size,
        }


@component
class EdgeEmbeddingRetriever(_SingleVectorRetriever):
    """Dense retrieval from an EdgeDocumentStore (twin of ``QdrantEmbeddingRetriever``)."""

    @component.output_types(documents=list[Document])
    def run(
        self,
        query_embedding: list[float],
        filters: EdgeFilters = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
        return_embedding: bool | None = None,
        score_threshold: float | None = None,
        group_by: str | None = None,
        group_size: int | None = None,
    ) -> dict[str, list[Document]]:
        """Return the ``top_k`` documents nearest to ``query_embedding``; run-time arguments override init ones."""
        options = self._options(filters, top_k, scale_score, return_embedding, score_threshold, group_by, group_size)
        return {"documents": self._document_store._query_by_embedding(query_embedding=query_embedding, **options)}


@component
class EdgeSparseEmbeddingRetriever(_SingleVectorRetriever):
    """Sparse retrieval from an EdgeDocumentStore (twin of ``QdrantSparseEmbeddingRetriever``)."""

    @component.output_types(documents=list[Document])
    def run(
        self,
        query_sparse_embedding: SparseEmbedding,
        filters: EdgeFilters = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
        return_embedding: bool | None = None,
        score_threshold: float | None = None,
        group_by: str | None = None,
        group_size: int | None = None,
    ) -> dict[str, list[Document]]:
        """Return the ``top_k`` best sparse matches; run-time arguments override init ones."""
        options = self._options(filters, top_k, scale_score, return_embedding, score_threshold, group_by, group_size)
        return {
            "documents": self._document_store._query_by_sparse(query_sparse_embedding=query_sparse_embedding, **options)
        }

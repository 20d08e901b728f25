"""Haystack document store on qdrant-edge: Qdrant's engine in-process, one folder on disk.

It is a twin of qdrant-haystack's ``QdrantDocumentStore`` (used for a Qdrant server) so the rest of the code can
swap one for the other: same vector names (``text-dense`` / ``text-sparse`` with IDF), same payload
(``Document.to_dict(flatten=False)`` minus embeddings), same uuid5 point ids, same Haystack filter translation and
the same ``_query_*`` methods the retrievers call.
"""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from math import exp
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from haystack import default_from_dict, default_to_dict, logging
from haystack.dataclasses import Document
from haystack.dataclasses.sparse_embedding import SparseEmbedding
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy
from haystack.errors import FilterError
from haystack_integrations.document_stores.qdrant.converters import DENSE_VECTORS_NAME, SPARSE_VECTORS_NAME, convert_id
from haystack_integrations.document_stores.qdrant.document_store import QdrantStoreError
from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    MatchValue,
    Modifier,
    PayloadSchemaType,
    PayloadSelector,
    Point,
    Query,
    QueryRequest,
    RangeDateTime,
    RangeFloat,
    Record,
    ScoredPoint,
    ScrollRequest,
    SearchParams,
    SparseVector,
    UpdateOperation,
)

from index.lock import IndexLockedError, lock_holder

logger = logging.getLogger(__name__)

_SCROLL_PAGE = 10_000
_Condition = FieldCondition | Filter


class EdgeStoreError(QdrantStoreError):
    """Subclasses QdrantStoreError so callers that catch the server store's errors catch ours too."""


# ---------------------------------------------------------------------------------------------------------------
# Haystack filters -> qdrant-edge filters. Mirrors qdrant-haystack's filters.py rule for rule (including its NOT,
# which is must_not over all conditions, i.e. NOT(c1 OR c2)), so both stores select the same documents.
# ---------------------------------------------------------------------------------------------------------------


def convert_filters_to_edge(filters: dict[str, Any] | Filter | None) -> Filter | None:
    """Translate a Haystack filter dict (native edge ``Filter`` passes through) into a qdrant-edge ``Filter``."""
    if isinstance(filters, Filter):
        return filters
    if not filters:
        return None
    condition = _convert_item(filters)
    if condition is None:
        return None
    return condition if isinstance(condition, Filter) else Filter(must=[condition])


def _convert_item(item: dict[str, Any]) -> _Condition | None:
    operator = item.get("operator")
    if operator is None:
        raise FilterError("Operator not found in filters")
    if operator in _LOGICAL:
        conditions = item.get("conditions")
        if not conditions:
            raise FilterError(f"'conditions' not found for '{operator}'")
        nested = [c for c in (_convert_item(sub) for sub in conditions) if c is not None]
        return _LOGICAL[operator](nested) if nested else None
    if operator in _COMPARISON:
        field, value = item.get("field"), item.get("value")
        if field is None or value is None:
            raise FilterError(f"'field' or 'value' not found for '{operator}'")
        return _COMPARISON[operator](field, value)
    raise FilterError(f"Unknown operator {operator} used in filters")


def _match(field: str, value: Any) -> FieldCondition:
    """Exact match; on a list-valued field Qdrant matches when any element equals the value."""
    if isinstance(value, bool):
        # qdrant-edge 0.9.0 reads a Python bool as the integer 1/0 (bool subclasses int), which never matches a
        # stored JSON true/false; numpy.bool_ is not an int, so it reaches the engine's Bool variant.
        return FieldCondition(key=field, match=MatchValue(np.bool_(value)))
    if isinstance(value, (str, int)):
        return FieldCondition(key=field, match=MatchValue(value))
    raise FilterError(f"Value {value!r} for '{field}' is not a string, integer or boolean; Qdrant cannot match it")


def _listed(field: str, value: Any) -> list[FieldCondition]:
    if not isinstance(value, list):
        raise FilterError(f"Value {value} is not a list")
    return [_match(field, v) for v in value]


def _range(bound: str) -> Callable[[str, Any], FieldCondition]:
    def build(field: str, value: Any) -> FieldCondition:
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
            if moment is not None:
                return FieldCondition(key=field, range=RangeDateTime(**{bound: moment.isoformat()}))
        if isinstance(value, (int, float)):
            return FieldCondition(key=field, range=RangeFloat(**{bound: float(value)}))
        raise FilterError(f"Value {value} is not an int or float or datetime string")

    return build


_LOGICAL: dict[str, Callable[[list[_Condition]], Filter]] = {
    "AND": lambda conditions: Filter(must=conditions),
    "OR": lambda conditions: Filter(should=conditions),
    "NOT": lambda conditions: Filter(must_not=conditions),
}
_COMPARISON: dict[str, Callable[[str, Any], _Condition]] = {
    "==": _match,
    "!=": lambda field, value: Filter(must_not=[_match(field, value)]),
    "in": lambda field, value: Filter(should=_listed(field, value)),
    "not in": lambda field, value: Filter(must_not=_listed(field, value)),
    ">": _range("gt"),
    ">=": _range("gte"),
    "<": _range("lt"),
    "<=": _range("lte"),
}


# ---------------------------------------------------------------------------------------------------------------
# One open shard per folder per process. The engine flocks the folder's WAL, so a second EdgeShard.load of the same
# folder fails even inside this process; stores on the same folder (e.g. one rebuilt by a retriever's from_dict)
# share the shard instead, and the last close() releases it.
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _OpenShard:
    shard: EdgeShard
    layout: tuple[Any, ...]
    users: int


_OPEN_SHARDS: dict[Path, _OpenShard] = {}
_OPEN_SHARDS_LOCK = threading.Lock()


def _acquire_shard(path: Path, layout: tuple[Any, ...], open_shard: Callable[[], EdgeShard]) -> EdgeShard:
    with _OPEN_SHARDS_LOCK:
        entry = _OPEN_SHARDS.get(path)
        if entry is None:
            entry = _OPEN_SHARDS[path] = _OpenShard(open_shard(), layout, 0)
        elif entry.layout != layout:
            raise ValueError(f"index {path} is already open in this process with layout {entry.layout}, not {layout}")
        entry.users += 1
        return entry.shard


def _release_shard(path: Path) -> None:
    with _OPEN_SHARDS_LOCK:
        entry = _OPEN_SHARDS[path]
        entry.users -= 1
        if entry.users == 0:
            del _OPEN_SHARDS[path]
            entry.shard.close()  # every write already flushed


def _payload_index(entry: dict[str, Any]) -> tuple[str, PayloadSchemaType]:
    """Parse one qdrant-haystack ``payload_fields_to_index`` entry; the schema is a type name or qdrant_client enum."""
    schema = entry["field_schema"]
    name = str(getattr(schema, "value", schema))
    schema_type = getattr(PayloadSchemaType, name.capitalize(), None)
    if not isinstance(schema_type, PayloadSchemaType):
        raise ValueError(f"Unsupported field_schema {schema!r} for {entry['field_name']}; use a name like 'keyword'")
    return entry["field_name"], schema_type


def _batches(items: list[Document], size: int) -> Iterator[list[Document]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class EdgeDocumentStore:
    """
    A Haystack document store on an in-process qdrant-edge shard, laid out exactly like qdrant-haystack's collection.

    The shard is opened lazily on first use (created if the folder holds none) and is safe to share between threads:
    the engine synchronises reads and writes itself, so only opening and closing are locked here.
    """

    SIMILARITY: ClassVar[dict[str, Distance]] = {
        "cosine": Distance.Cosine,
        "dot_product": Distance.Dot,
        "l2": Distance.Euclid,
    }

    def __init__(
        self,
        path: str | Path,
        embedding_dim: int = 384,
        use_sparse_embeddings: bool = True,
        sparse_idf: bool = True,
        similarity: str = "cosine",
        payload_fields_to_index: list[dict] | None = None,
        exact: bool = True,
        write_batch_size: int = 256,
    ) -> None:
        """
        Create the store; nothing touches the disk until the first call that needs the shard.

        :param path: Folder of the shard (created if missing).
        :param embedding_dim: Size of the dense vectors.
        :param use_sparse_embeddings: Named ``text-dense`` + ``text-sparse`` vectors (as qdrant-haystack); if False,
            one unnamed dense vector.
        :param sparse_idf: Let the engine weight sparse terms by IDF (Qdrant's ``Modifier.IDF``).
        :param similarity: ``cosine``, ``dot_product`` or ``l2``, as in qdrant-haystack.
        :param payload_fields_to_index: qdrant-haystack's format, e.g.
            ``[{"field_name": "meta.kind", "field_schema": "keyword"}]``.
        :param exact: Brute-force dense search instead of HNSW; our index is small and HNSW recall on it is unverified.
        :param write_batch_size: Points per upsert.
        """
        if similarity not in self.SIMILARITY:
            msg = f"Provided similarity '{similarity}' is not supported; choose one of {', '.join(self.SIMILARITY)}"
            raise EdgeStoreError(msg)
        self.path = Path(path)
        self.embedding_dim = embedding_dim
        self.use_sparse_embeddings = use_sparse_embeddings
        self.sparse_idf = use_sparse_embeddings and sparse_idf
        self.similarity = similarity
        self.payload_fields_to_index = payload_fields_to_index
        self.exact = exact
        self.write_batch_size = write_batch_size
        self._payload_indexes = [_payload_index(entry) for entry in payload_fields_to_index or []]
        self._key = self.path.expanduser().resolve()
        self._shard: EdgeShard | None = None
        self._open_lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def _get_shard(self) -> EdgeShard:
        """The open shard, opening it on first use."""
        shard = self._shard
        if shard is None:
            with self._open_lock:
                if self._shard is None:
                    layout = (self.embedding_dim, self.similarity, self.use_sparse_embeddings, self.sparse_idf)
                    shard = _acquire_shard(self._key, layout, self._open_shard)
                    try:
                        self._create_payload_indexes(shard)
                    except Exception:
                        _release_shard(self._key)
                        raise
                    self._shard = shard
                shard = self._shard
        return shard

    def _open_shard(self) -> EdgeShard:
        """Load the folder's shard, or create one there; ``load`` with a config also checks it fits the data."""
        dense = EdgeVectorParams(size=self.embedding_dim, distance=self.SIMILARITY[self.similarity])
        if self.use_sparse_embeddings:
            sparse = EdgeSparseVectorParams(modifier=Modifier.Idf if self.sparse_idf else None)
            config = EdgeConfig(vectors={DENSE_VECTORS_NAME: dense}, sparse_vectors={SPARSE_VECTORS_NAME: sparse})
        else:
            config = EdgeConfig(vectors=dense)
        self._key.mkdir(parents=True, exist_ok=True)
        try:
            shard = EdgeShard.load(str(self._key), config)
        except Exception as e:
            # The engine raises a bare Exception; its WAL flock failing shows as "Kind(WouldBlock)".
            if "WouldBlock" in str(e):
                raise IndexLockedError(self._key, lock_holder(self._key / "wal")) from e
            raise
        return shard

    def _create_payload_indexes(self, shard: EdgeShard) -> None:
        """Create the declared payload indexes that the shard lacks (also on an existing shard, unlike the server)."""
        existing = shard.info().payload_schema
        missing = [(name, kind) for name, kind in self._payload_indexes if name not in existing]
        for field_name, schema_type in missing:
            shard.update(UpdateOperation.create_field_index(field_name, schema_type))
        if missing:
            shard.flush()

    def close(self) -> None:
        """Release the shard; the folder's lock goes with the last store using it in this process."""
        with self._open_lock:
            if self._shard is not None:
                self._shard = None
                _release_shard(self._key)

    # -- serialisation -------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Serialise the constructor arguments."""
        return default_to_dict(
            self,
            path=str(self.path),
            embedding_dim=self.embedding_dim,
            use_sparse_embeddings=self.use_sparse_embeddings,
            sparse_idf=self.sparse_idf,
            similarity=self.similarity,
            payload_fields_to_index=self.payload_fields_to_index,
            exact=self.exact,
            write_batch_size=self.write_batch_size,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EdgeDocumentStore":
        """Rebuild a store from ``to_dict`` output."""
        return default_from_dict(cls, data)

    # -- DocumentStore protocol ----------------------------------------------------------------------------------

    def count_documents(self) -> int:
        """Number of documents in the index."""
        return self._get_shard().count(CountRequest(exact=True))

    def count_documents_by_filter(self, filters: dict[str, Any]) -> int:
        """Number of documents matching Haystack ``filters``."""
        return self._get_shard().count(CountRequest(exact=True, filter=convert_filters_to_edge(filters)))

    def filter_documents(self, filters: dict[str, Any] | Filter | None = None) -> list[Document]:
        """All documents matching ``filters``, with their embeddings, in point-id order (as the server scrolls)."""
        self._validate_filters(filters)
        shard = self._get_shard()
        edge_filter = convert_filters_to_edge(filters)
        documents: list[Document] = []
        offset = None
        while True:
            request = ScrollRequest(
                offset=offset, limit=_SCROLL_PAGE, filter=edge_filter, with_payload=True, with_vector=True
            )
            records, offset = shard.scroll(request)
            documents.extend(self._to_document(record) for record in records)
            if offset is None:
                return documents

    def get_documents_by_id(self, ids: list[str]) -> list[Document]:
        """Documents with the given Haystack ids (missing ones are left out)."""
        records = self._get_shard().retrieve([convert_id(_id) for _id in ids], with_payload=True, with_vector=True)
        return [self._to_document(record) for record in records]

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.OVERWRITE) -> int:
        """
        Upsert ``documents`` and flush, so they survive the process.

        FAIL raises if any id exists, SKIP drops existing ids; OVERWRITE and NONE upsert (as qdrant-haystack).
        Note: qdrant-haystack's own default policy is FAIL.

        :returns: The number of documents written.
        """
        for doc in documents:
            if not isinstance(doc, Document):
                msg = f"DocumentStore.write_documents() expects a list of Documents but got an element of {type(doc)}."
                raise ValueError(msg)
        if not documents:
            logger.warning("Calling EdgeDocumentStore.write_documents() with empty list")
            return 0
        shard = self._get_shard()
        if policy in (DuplicatePolicy.SKIP, DuplicatePolicy.FAIL):
            first_by_id: dict[str, Document] = {}
            for doc in documents:
                first_by_id.setdefault(doc.id, doc)
            documents = list(first_by_id.values())
            ids_only = PayloadSelector.Include(["id"])  # existence check: skip vectors and content
            point_ids = [convert_id(doc.id) for doc in documents]
            existing = {r.payload["id"] for r in shard.retrieve(point_ids, with_payload=ids_only, with_vector=False)}
            if existing and policy == DuplicatePolicy.FAIL:
                raise DuplicateDocumentError(f"Document with ids '{', '.join(sorted(existing))}' already exists")
            documents = [doc for doc in documents if doc.id not in existing]
        for batch in _batches(documents, self.write_batch_size):
            shard.update(UpdateOperation.upsert_points([self._to_point(doc) for doc in batch]))
        shard.flush()
        return len(documents)

    def delete_documents(self, document_ids: list[str]) -> None:
        """Delete documents by Haystack id; unknown ids are ignored."""
        shard = self._get_shard()
        shard.update(UpdateOperation.delete_points([convert_id(_id) for _id in document_ids]))
        shard.flush()

    def delete_by_filter(self, filters: dict[str, Any]) -> int:
        """Delete the documents matching ``filters``; returns how many. An empty filter deletes nothing."""
        edge_filter = convert_filters_to_edge(filters)
        if edge_filter is None:
            return 0
        shard = self._get_shard()
        deleted = shard.count(CountRequest(exact=True, filter=edge_filter))
        shard.update(UpdateOperation.delete_points_by_filter(edge_filter))
        shard.flush()
        return deleted

    # -- queries used by the retrievers (same signatures as QdrantDocumentStore) ----------------------------------

    def _query_by_embedding(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | Filter | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        score_threshold: float | None = None,
        group_by: str | None = None,
        group_size: int | None = None,
    ) -> list[Document]:
        """Dense nearest neighbours of ``query_embedding``, exact unless the store was built with ``exact=False``."""
        self._reject_grouping(group_by)
        query = Query.Nearest(list(query_embedding), using=self._dense_name)
        return self._nearest(query, filters, top_k, scale_score, return_embedding, score_threshold, exact=self.exact)

    def _query_by_sparse(
        self,
        query_sparse_embedding: SparseEmbedding,
        filters: dict[str, Any] | Filter | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        score_threshold: float | None = None,
        group_by: str | None = None,
        group_size: int | None = None,
    ) -> list[Document]:
        """Sparse (IDF-weighted when ``sparse_idf``) dot-product search."""
        self._require_sparse()
        self._reject_grouping(group_by)
        query = Query.Nearest(self._sparse_vector(query_sparse_embedding), using=SPARSE_VECTORS_NAME)
        return self._nearest(query, filters, top_k, scale_score, return_embedding, score_threshold)

    def _nearest(
        self,
        query: Query,
        filters: dict[str, Any] | Filter | None,
        top_k: int,
        scale_score: bool,
        return_embedding: bool,
        score_threshold: float | None,
        exact: bool | None = None,
    ) -> list[Document]:
        """One single-vector query; `exact` applies to dense vectors only."""
        edge_filter = convert_filters_to_edge(filters)
        points = self._top_points(
            lambda limit: QueryRequest(
                limit=limit,
                query=query,
                filter=edge_filter,
                params=SearchParams(exact=exact) if exact is not None else None,
                score_threshold=score_threshold,
                with_payload=True,
                with_vector=return_embedding,
            ),
            top_k,
        )
        return self._scored_documents(points, scale_score)

    # -- conversions ---------------------------------------------------------------------------------------------

    @property
    def _dense_name(self) -> str | None:
        return DENSE_VECTORS_NAME if self.use_sparse_embeddings else None

    @staticmethod
    def _sparse_vector(embedding: SparseEmbedding) -> SparseVector:
        return SparseVector(list(embedding.indices), [float(v) for v in embedding.values])

    def _to_point(self, document: Document) -> Point:
        """The point qdrant-haystack would upsert for ``document``."""
        # Same payload as to_dict() minus the vectors, without to_dict() deep-copying every float (10x faster).
        payload = replace(document, embedding=None, sparse_embedding=None).to_dict(flatten=False)
        del payload["embedding"], payload["sparse_embedding"]
        dense, sparse = document.embedding, document.sparse_embedding
        vector: dict[str, Any] | list[float]
        if self.use_sparse_embeddings:
            vector = {}
            if dense is not None:
                vector[DENSE_VECTORS_NAME] = [float(v) for v in dense]
            if sparse is not None:
                vector[SPARSE_VECTORS_NAME] = self._sparse_vector(sparse)
        else:
            vector = [float(v) for v in dense] if dense is not None else {}
        return Point(convert_id(document.id), vector, payload)

    def _to_document(self, point: Record | ScoredPoint) -> Document:
        """Rebuild the Document from the payload, adding the score and any returned vectors."""
        data = dict(point.payload or {})
        data["score"] = getattr(point, "score", None)
        vector = point.vector
        if not self.use_sparse_embeddings:
            data["embedding"] = vector or None
        elif isinstance(vector, dict):
            data["embedding"] = vector.get(DENSE_VECTORS_NAME)
            sparse = vector.get(SPARSE_VECTORS_NAME)
            if sparse is not None:
                data["sparse_embedding"] = {"indices": list(sparse.indices), "values": list(sparse.values)}
        return Document.from_dict(data)

    def _top_points(self, request: Callable[[int], QueryRequest], top_k: int) -> list[ScoredPoint]:
        """The ``top_k`` best points, ties in point-id order, the same in every process.

        The engine returns equal scores (common among stemmed-term scores) in whatever order its threads finish, and when a group of
        equal scores straddles the limit, which of them come back differs between runs and processes. So the query
        asks for a quarter more than ``top_k`` and drops the tied group at the end of a full answer: every point
        scoring above that group is certainly in the answer. When too few are left, it asks again for more. (Asking
        for twice ``top_k`` made a search 10 ms slower: every point comes back with its payload.)
        """
        limit = top_k + max(8, top_k // 4)
        while True:
            points = sorted(self._get_shard().query(request(limit)), key=lambda point: (-point.score, str(point.id)))
            if len(points) < limit:
                return points[:top_k]
            cut = points[-1].score
            decided = [point for point in points if point.score != cut]
            if len(decided) >= top_k:
                return decided[:top_k]
            limit *= 4

    def _scored_documents(self, points: list[ScoredPoint], scale_score: bool) -> list[Document]:
        """Documents with scores; ``scale_score`` maps them to [0, 1] with qdrant-haystack's formulas."""
        documents = [self._to_document(point) for point in points]
        if not scale_score:
            return documents
        if self.similarity == "cosine":
            return [replace(doc, score=(doc.score + 1) / 2) for doc in documents]
        return [replace(doc, score=float(1 / (1 + exp(-doc.score / 100)))) for doc in documents]

    # -- guards --------------------------------------------------------------------------------------------------

    def _require_sparse(self) -> None:
        if not self.use_sparse_embeddings:
            msg = (
                "You are trying to query using sparse embeddings, but the Document Store "
                "was initialized with `use_sparse_embeddings=False`. "
            )
            raise EdgeStoreError(msg)

    @staticmethod
    def _reject_grouping(group_by: str | None) -> None:
        """qdrant-edge 0.9.0 has no grouped query; fail loudly rather than return ungrouped hits."""
        if group_by:
            raise EdgeStoreError("group_by/group_size are not supported by EdgeDocumentStore (qdrant-edge)")

    @staticmethod
    def _validate_filters(filters: dict[str, Any] | Filter | None) -> None:
        if filters and not isinstance(filters, (dict, Filter)):
            raise ValueError("Filter must be a dictionary or an instance of `qdrant_edge.Filter`")
        if filters and isinstance(filters, dict) and "operator" not in filters:
            raise ValueError(
                "Invalid filter syntax. See https://docs.haystack.deepset.ai/docs/metadata-filtering for details."
            )

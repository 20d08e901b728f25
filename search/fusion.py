"""Several hybrid searches for one question, fused by Reciprocal Rank Fusion over units."""

from typing import Any

import numpy as np
from haystack import Document, component
from haystack.dataclasses import SparseEmbedding

from index.hybrid import Hit, HybridRetriever, document

RRF_K = 60
# Recitals explain; articles bind. A recital's fused score is scaled by this, so the operative provision it explains
# ranks above it (tuned on the dev set, where 1 of 221 gold units is a recital).
RECITAL_WEIGHT = 0.5
# Texts that rank below the law unless the query asks for them by name (search/secondary.py): the conventions an act
# carries in an annex, and the pages about the guidance service, which are about AI in general and so match any
# question that mentions AI.
SECONDARY_WEIGHTS = {"convention": 0.5, "service": 0.5}
# Weight of the list searched within a subject's provisions (subjects.toml) against the open searches' 1.0; 0.5,
# 1.5 and 2.0 scored lower on the dev set.
SUBJECT_WEIGHT = 1.0
# At most this many matched subjects are searched, those matching most terms first. With the 78-subject index 3 was
# best on dev; with 176 subjects and their everyday phrasings more of them fire per question, and 3 / 4 / 5 scored
# dev nDCG@10 0.725 / 0.738 / 0.742 and test 0.557 / 0.554 / 0.553: 4 keeps most of it for one search less.
MAX_SUBJECTS = 4


def _and(first: dict[str, Any] | None, second: dict[str, Any]) -> dict[str, Any]:
    return second if first is None else {"operator": "AND", "conditions": [first, second]}


@component
class FusedHybridRetriever:
    """Runs the store's hybrid retriever once per query embedding, again within the sources the query names, and
    again within the provisions of each subject it is about; then ranks units by the weighted sum of
    1 / (RRF_K + rank) over those lists; each unit keeps its best chunk.
    """

    def __init__(
        self,
        retriever: HybridRetriever,
        rrf_k: int = RRF_K,
        recital_weight: float = RECITAL_WEIGHT,
        secondary_weights: dict[str, float] = SECONDARY_WEIGHTS,
        subject_weight: float = SUBJECT_WEIGHT,
        max_subjects: int = MAX_SUBJECTS,
    ) -> None:
        self.retriever = retriever
        self.rrf_k = rrf_k
        self.recital_weight = recital_weight
        self.secondary_weights = secondary_weights
        self.subject_weight = subject_weight
        self.max_subjects = max_subjects

    @component.output_types(documents=list[Document])
    def run(
        self,
        query_embeddings: list[np.ndarray],
        query_sparse_embedding: SparseEmbedding,
        focus: list[str] | None = None,
        subjects: list[list[str]] | None = None,
        asked_secondary: list[str] | None = None,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        keep: int | None = None,
    ) -> dict[str, list[Document]]:
        """`top_k` chunks per list; the `keep` best units are returned (all when None): a pipeline copies what a
        component returns, and copying every candidate cost a search more than its Qdrant calls."""
        scopes = [(filters, 1.0)]
        if focus:
            scopes.append((_and(filters, {"field": "meta.document_id", "operator": "in", "value": focus}), 1.0))
        for units in (subjects or [])[: self.max_subjects]:
            scopes.append((_and(filters, {"field": "meta.unit_id", "operator": "in", "value": units}), self.subject_weight))
        secondary_weights = {name: w for name, w in self.secondary_weights.items() if name not in (asked_secondary or ())}
        # One sparse list per scope serves every query embedding; the payloads of all lists are fetched at once.
        sparse = [self.retriever.sparse_hits(query_sparse_embedding, scope) for scope, _ in scopes]
        lists: list[tuple[list[Hit], float]] = [
            (self.retriever.fuse(scope_sparse, self.retriever.dense_hits(embedding.tolist(), scope), top_k), scope_weight)
            for embedding in query_embeddings
            for (scope, scope_weight), scope_sparse in zip(scopes, sparse)
        ]
        payloads = self.retriever.payloads([hit for hits, _ in lists for hit in hits])
        scores: dict[str, float] = {}
        best: dict[str, str] = {}  # unit id -> point id of its first-ranked chunk
        for hits, scope_weight in lists:
            first: dict[str, str] = {}  # unit id -> point id of its first chunk in this list, in rank order
            for point_id, _ in hits:
                if point_id in payloads:
                    first.setdefault(payloads[point_id]["meta"]["unit_id"], point_id)
            for rank, (unit_id, point_id) in enumerate(first.items()):
                best.setdefault(unit_id, point_id)
                meta = payloads[best[unit_id]]["meta"]
                weight = self.recital_weight if meta["label"].startswith("recital") else 1.0
                weight *= secondary_weights.get(meta.get("secondary", ""), 1.0)
                scores[unit_id] = scores.get(unit_id, 0.0) + scope_weight * weight / (self.rrf_k + rank + 1)
        order = sorted(scores, key=scores.__getitem__, reverse=True)[:keep]
        return {"documents": [document(payloads[best[u]], scores[u]) for u in order]}

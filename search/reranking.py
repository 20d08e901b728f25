"""An optional cross-encoder pass over the fused candidates (HJEMMEL_RERANKER_MODEL, e.g. BAAI/bge-reranker-v2-m3).

The cross-encoder only reorders. Each hit keeps its fused score, since the answerer's refusal thresholds and the
applicability threshold are calibrated on fused scores; the cross-encoder's own score is `rerank_score`.
"""

from dataclasses import replace

from haystack import Document, component
from haystack_integrations.components.rankers.sentence_transformers import SentenceTransformersSimilarityRanker


@component
class CrossEncoderReorder:
    """Reorders the best `depth` candidates by a cross-encoder's score; the rest follow in fused order."""

    def __init__(self, model: str, depth: int) -> None:
        self.depth = depth
        self.ranker = SentenceTransformersSimilarityRanker(model=model, top_k=depth, scale_score=True)

    def warm_up(self) -> None:
        self.ranker.warm_up()

    @component.output_types(documents=list[Document])
    def run(self, query: str, documents: list[Document], top_k: int = 10) -> dict[str, list[Document]]:
        head, tail = documents[: self.depth], documents[self.depth :]
        if not head:
            return {"documents": []}
        fused = {document.id: document for document in head}
        ranked = self.ranker.run(query=query, documents=head, top_k=len(head))["documents"]
        reordered = [
            replace(fused[r.id], meta={**fused[r.id].meta, "rerank_score": r.score}) for r in ranked
        ]
        return {"documents": (reordered + tail)[:top_k]}

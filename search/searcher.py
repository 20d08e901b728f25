"""Hybrid search as a Haystack pipeline: query embedder → sparse embedder → retriever → one hit per unit."""

from haystack import Document, Pipeline, component

from corpus.registry import Registry
from corpus.settings import Settings
from index.embedders import text_embedder
from index.sparse import SparseTextEmbedder
from index.store import DocumentStore, RetrievalMode, retriever
from search.filters import SearchFilters, to_haystack
from search.results import SearchResult

# Chunks fetched per wanted unit: long provisions come back as several chunks, and only the best counts.
OVERFETCH = 4


@component
class OneHitPerUnit:
    """Keeps each unit's best-scoring chunk, in rank order, so a long provision cannot fill the result list."""

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document], top_k: int = 10) -> dict[str, list[Document]]:
        seen: set[str] = set()
        kept = []
        for document in documents:
            unit_id = document.meta["unit_id"]
            if unit_id not in seen:
                seen.add(unit_id)
                kept.append(document)
        return {"documents": kept[:top_k]}


def build_pipeline(store: DocumentStore, settings: Settings, mode: RetrievalMode = "hybrid") -> Pipeline:
    pipeline = Pipeline()
    pipeline.add_component("retriever", retriever(store, mode))
    pipeline.add_component("units", OneHitPerUnit())
    pipeline.connect("retriever.documents", "units.documents")
    if mode in ("hybrid", "dense"):
        pipeline.add_component("embedder", text_embedder(settings))
        pipeline.connect("embedder.embedding", "retriever.query_embedding")
    if mode in ("hybrid", "sparse"):
        pipeline.add_component("sparse", SparseTextEmbedder())
        pipeline.connect("sparse.sparse_embedding", "retriever.query_sparse_embedding")
    return pipeline


class Searcher:
    """Answers queries over one index; the pipelines are built once and warmed, since loading the model is slow."""

    def __init__(self, store: DocumentStore, registry: Registry, settings: Settings, modes: tuple[RetrievalMode, ...] = ("hybrid",)) -> None:
        self.store = store
        self.registry = registry
        self.pipelines = {mode: build_pipeline(store, settings, mode) for mode in modes}
        for pipeline in self.pipelines.values():
            pipeline.warm_up()

    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None, mode: RetrievalMode = "hybrid") -> list[SearchResult]:
        pipeline = self.pipelines[mode]
        inputs: dict[str, dict] = {
            "retriever": {"filters": to_haystack(filters, self.registry), "top_k": top_k * OVERFETCH},
            "units": {"top_k": top_k},
        }
        for name in ("embedder", "sparse"):
            if name in pipeline.graph.nodes:
                inputs[name] = {"text": query}
        documents = pipeline.run(inputs)["units"]["documents"]
        return [SearchResult.from_document(d) for d in documents]

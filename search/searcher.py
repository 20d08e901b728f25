"""Hybrid search as a Haystack pipeline: query embedder → sparse embedder → retriever → one hit per unit."""

from typing import Literal

from haystack import Document, Pipeline, component

from corpus.registry import Registry
from corpus.settings import Settings
from corpus.glossary import get_glossary
from corpus.subjects import get_subjects
from index.embedders import MultiTextEmbedder, query_batch_embedder, text_embedder
from index.sparse import SparseTextEmbedder
from index.store import DocumentStore, retriever
from search.citations import CitationParser
from search.expansion import QueryExpander
from search.fusion import FusedHybridRetriever
from search.filters import SearchFilters, to_haystack
from search.lookup import Lookup
from search.reranking import CrossEncoderReorder
from search.results import SearchResult
from search.terms import TermMatcher

# Chunks fetched per wanted unit: long provisions come back as several chunks, and only the best counts.
OVERFETCH = 4
# Fewest units a search asks for, whatever top_k is: fusion ranks need the same candidates for top_k 5 and 20.
MIN_DEPTH = 20
# Weight of words that name the project's context (KI, AI) in the sparse query; tuned on the dev set.
CONTEXT_WEIGHT = 0.3


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


SearchMode = Literal["hybrid", "expanded", "plain-hybrid", "dense", "sparse"]


def build_pipeline(store: DocumentStore, settings: Settings, registry: Registry, mode: SearchMode = "hybrid") -> Pipeline:
    """`hybrid` expands the query (other language, named sources, subjects) and fuses several searches; `expanded` is
    the same without the subject index; `plain-hybrid` is one dense + sparse search fused in Qdrant; `dense` and
    `sparse` are single-vector baselines for evaluation. With a reranker configured, `hybrid` and `expanded` end with
    it.
    """
    pipeline = Pipeline()
    pipeline.add_component("units", OneHitPerUnit())
    if mode in ("hybrid", "expanded"):
        glossary = get_glossary()
        subjects = TermMatcher(get_subjects() if mode == "hybrid" else ())
        pipeline.add_component("expander", QueryExpander(glossary, CitationParser(registry), subjects))
        pipeline.add_component("embedder", MultiTextEmbedder(query_batch_embedder(settings)))
        pipeline.add_component("sparse", SparseTextEmbedder(light=glossary.context, light_weight=CONTEXT_WEIGHT))
        pipeline.add_component("retriever", FusedHybridRetriever(retriever(store, "hybrid")))
        pipeline.connect("expander.queries", "embedder.texts")
        pipeline.connect("expander.sparse_text", "sparse.text")
        pipeline.connect("expander.focus", "retriever.focus")
        pipeline.connect("expander.subjects", "retriever.subjects")
        pipeline.connect("expander.asked_secondary", "retriever.asked_secondary")
        pipeline.connect("embedder.embeddings", "retriever.query_embeddings")
        pipeline.connect("sparse.sparse_embedding", "retriever.query_sparse_embedding")
        pipeline.connect("retriever.documents", "units.documents")
        if settings.reranker_model:
            pipeline.add_component("reranker", CrossEncoderReorder(settings.reranker_model, settings.reranker_depth))
            pipeline.connect("units.documents", "reranker.documents")
        return pipeline
    pipeline.add_component("retriever", retriever(store, "hybrid" if mode == "plain-hybrid" else mode))
    pipeline.connect("retriever.documents", "units.documents")
    if mode in ("plain-hybrid", "dense"):
        pipeline.add_component("embedder", text_embedder(settings))
        pipeline.connect("embedder.embedding", "retriever.query_embedding")
    if mode in ("plain-hybrid", "sparse"):
        pipeline.add_component("sparse", SparseTextEmbedder())
        pipeline.connect("sparse.sparse_embedding", "retriever.query_sparse_embedding")
    return pipeline


# Score given to a provision the query cites outright; fused search scores stay far below it.
CITED_SCORE = 1.0


class Searcher:
    """Answers queries over one index; the pipelines are built once and warmed, since loading the model is slow."""

    def __init__(
        self,
        store: DocumentStore,
        registry: Registry,
        settings: Settings,
        modes: tuple[SearchMode, ...] = ("hybrid",),
    ) -> None:
        self.store = store
        self.registry = registry
        self.settings = settings
        self.lookup = Lookup(store, registry)
        self.citations = CitationParser(registry)
        self.pipelines = {mode: build_pipeline(store, settings, registry, mode) for mode in modes}
        for pipeline in self.pipelines.values():
            pipeline.warm_up()

    def cited(self, query: str, filters: dict | None = None) -> list[SearchResult]:
        """The provisions a query cites («hpl § 29», «GDPR art. 9(2)(h)») that the index holds, in citation order."""
        results = []
        for citation in self.citations.find(query):
            view = self.lookup.unit(citation.unit_id, filters)
            if view is not None and view.unit.id not in {r.id for r in results}:
                results.append(view.unit.model_copy(update={"score": CITED_SCORE}))
        return results

    def search(
        self, query: str, top_k: int = 10, filters: SearchFilters | None = None, mode: SearchMode = "hybrid"
    ) -> list[SearchResult]:
        """Cited provisions first, then the retrieved ones."""
        haystack_filters = to_haystack(filters, self.registry)
        cited = self.cited(query, haystack_filters)
        pipeline = self.pipelines[mode]
        reranked = "reranker" in pipeline.graph.nodes
        depth = max(top_k, self.settings.reranker_depth) if reranked else top_k
        inputs: dict[str, dict] = {
            "retriever": {"filters": haystack_filters, "top_k": max(depth, MIN_DEPTH) * OVERFETCH},
            "units": {"top_k": depth},
        }
        if mode in ("hybrid", "expanded"):
            inputs["retriever"]["keep"] = depth
        if reranked:
            inputs["reranker"] = {"query": query, "top_k": top_k}
        for name in ("expander",) if mode in ("hybrid", "expanded") else ("embedder", "sparse"):
            if name in pipeline.graph.nodes:
                inputs[name] = {"text": query}
        output = pipeline.run(inputs)
        found = [SearchResult.from_document(d) for d in output["reranker" if reranked else "units"]["documents"]]
        seen = {r.id for r in cited}
        return (cited + [r for r in found if r.id not in seen])[:top_k]


class SearcherWrapper:
    """What a wrapper that changes how `search` runs (one fixed mode, a request's deadline) passes through: the
    Answerer and the ApplicabilityAnalyzer read these besides calling `search`."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher

    @property
    def lookup(self) -> Lookup:
        return self.searcher.lookup

    @property
    def citations(self) -> CitationParser:
        return self.searcher.citations

    @property
    def registry(self) -> Registry:
        return self.searcher.registry

    @property
    def pipelines(self) -> dict[SearchMode, Pipeline]:
        """The Searcher's: the Answerer borrows the model its query embedder has loaded."""
        return self.searcher.pipelines

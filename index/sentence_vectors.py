"""Vectors of every quotable sentence, embedded at ingest into the embedding cache, so an answer scores the sentences
of its provisions against the question without a model call.

Embedding the ~40 sentences of five provisions took an answer 0.6 s (p50) to 1.9 s (p95) of model time on 2 cores,
and under load that time queued behind every other request's. Ingest embeds them once (about 26,000 distinct
sentences over the full corpus); the answerer reads them from the same SQLite file by text.
"""

import threading

import numpy as np
from haystack import Document, component
from haystack_integrations.components.embedders.sentence_transformers import SentenceTransformersDocumentEmbedder

from corpus.sentences import quotable
from corpus.settings import Settings
from index.embedders import passage_model_key
from index.embedding_cache import EmbeddingCache


def sentence_model(settings: Settings) -> str:
    """The cache's model key for sentence vectors: apart from the chunks', which are embedded with their headings."""
    return f"{passage_model_key(settings)}|sentence|{settings.passage_prefix}"


@component
class SentenceEmbedder:
    """Embeds the quotable sentences of the documents' provision texts that the cache lacks; passes the documents on."""

    def __init__(self, embedder: SentenceTransformersDocumentEmbedder, cache: EmbeddingCache, model: str) -> None:
        self.embedder = embedder
        self.cache = cache
        self.model = model

    def warm_up(self) -> None:
        """Nothing: the model loads only when some sentence is not cached."""

    @component.output_types(embedded=int)
    def run(self, documents: list[Document]) -> dict[str, int]:
        texts = dict.fromkeys(s.text for d in documents for s in quotable(d.meta.get("text") or ""))
        keys = {EmbeddingCache.key(self.model, t): t for t in texts}
        cached = self.cache.get(list(keys))
        missing = [t for k, t in keys.items() if k not in cached]
        if missing:
            self.embedder.warm_up()
            fresh = self.embedder.run(documents=[Document(content=t) for t in missing])["documents"]
            self.cache.put({EmbeddingCache.key(self.model, d.content or ""): d.embedding for d in fresh})
        return {"embedded": len(missing)}


class SentenceVectors:
    """Reads sentence vectors from the embedding cache; one connection, shared by the server's threads."""

    def __init__(self, settings: Settings) -> None:
        self.model = sentence_model(settings)
        self._cache = EmbeddingCache(settings.embedding_cache) if settings.embedding_cache.is_file() else None
        self._lock = threading.Lock()

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The vectors held for these texts; the others are left out."""
        if self._cache is None or not texts:
            return {}
        keys = {EmbeddingCache.key(self.model, t): t for t in texts}
        with self._lock:
            found = self._cache.get(list(keys))
        return {keys[k]: np.asarray(v, dtype=np.float32) for k, v in found.items()}

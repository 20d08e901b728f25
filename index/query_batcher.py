"""Query embeddings shared between concurrent requests: the texts that arrive within a few milliseconds of each other
are embedded in one model call, and a text embedded recently is not embedded again.

Written by hand: sentence-transformers batches one caller's texts, not several threads' calls.
"""

import queue
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field

from haystack import Document
from haystack_integrations.components.embedders.sentence_transformers import SentenceTransformersDocumentEmbedder
from prometheus_client import Counter, Histogram

BATCH_TEXTS = Histogram(
    "hjemmel_query_batch_texts",
    "Query texts embedded per model call (several requests' texts when they arrive together).",
    buckets=(1, 2, 3, 4, 6, 8, 12, 16, 24, 32),
)
CACHE_HITS = Counter("hjemmel_query_cache_hits_total", "Query texts whose embedding was reused instead of computed.")


@dataclass
class _Request:
    texts: list[str]
    result: Future = field(default_factory=Future)


class QueryBatcher:
    """Stands where the query embedder stood (same `run(documents=...)` and `warm_up`); one thread runs the model.

    A lone request is embedded exactly as before (its own texts, one call), so sequential runs rank as before, and
    without the wait: the batcher waits for more only while requests have been arriving together.
    """

    def __init__(
        self, embedder: SentenceTransformersDocumentEmbedder, max_wait: float, max_texts: int, cache_size: int
    ) -> None:
        self.embedder = embedder
        self.max_wait = max_wait
        self.max_texts = max_texts
        self.cache_size = cache_size
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._requests: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    @property
    def embedding_backend(self):
        """The loaded model, for the Answerer to share (it looks here, as on the plain embedder)."""
        return getattr(self.embedder, "embedding_backend", None)

    def warm_up(self) -> None:
        self.embedder.warm_up()
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="query-batcher", daemon=True)
                self._thread.start()

    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        texts = [document.content or "" for document in documents]
        vectors = self.embed(texts)
        return {"documents": [Document(content=t, embedding=v) for t, v in zip(texts, vectors)]}

    def embed(self, texts: list[str]) -> list[list[float]]:
        with self._cache_lock:
            cached = {t: self._cache[t] for t in texts if t in self._cache}
            for text in cached:
                self._cache.move_to_end(text)
        CACHE_HITS.inc(sum(t in cached for t in texts))
        missing = list(dict.fromkeys(t for t in texts if t not in cached))
        if missing:
            if self._thread is None:
                self.warm_up()
            request = _Request(missing)
            self._requests.put(request)
            cached.update(zip(missing, request.result.result()))
        return [cached[t] for t in texts]

    def _serve(self) -> None:
        shared = False  # whether the last call served more than one request: only then is waiting worth it
        while True:
            batch = [self._requests.get()]
            size = len(batch[0].texts)
            until = time.monotonic() + (self.max_wait if shared else 0.0)
            while size < self.max_texts:
                try:
                    request = self._requests.get(timeout=max(0.0, until - time.monotonic()))
                except queue.Empty:
                    break
                batch.append(request)
                size += len(request.texts)
            self._embed(batch)
            shared = len(batch) > 1

    def _embed(self, batch: list[_Request]) -> None:
        texts = list(dict.fromkeys(t for request in batch for t in request.texts))
        try:
            documents = self.embedder.run(documents=[Document(content=t) for t in texts])["documents"]
        except Exception as exc:  # every waiting request gets the model's error, not a hang
            for request in batch:
                request.result.set_exception(exc)
            return
        BATCH_TEXTS.observe(len(texts))
        vectors = {t: d.embedding for t, d in zip(texts, documents)}
        with self._cache_lock:
            for text, vector in vectors.items():
                self._cache[text] = vector
                self._cache.move_to_end(text)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        for request in batch:
            request.result.set_result([vectors[t] for t in request.texts])

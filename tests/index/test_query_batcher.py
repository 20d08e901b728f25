"""The query micro-batcher on the real model: requests that arrive together share one model call and each gets the
vectors it would have got alone; a repeated text is served from the cache."""

import threading
from collections.abc import Iterator

import numpy as np
import pytest
from prometheus_client import REGISTRY

from corpus.settings import get_settings
from index.embedders import query_batch_embedder
from index.query_batcher import QueryBatcher

TEXTS = [
    ["taushetsplikt for helsepersonell", "duty of confidentiality for health personnel"],
    ["innsyn i egen journal"],
    ["medisinsk utstyr som programvare", "medical device software"],
    ["konsekvensvurdering av personvern"],
]


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


@pytest.fixture(scope="module")
def batcher() -> Iterator[QueryBatcher]:
    settings = get_settings().model_copy(update={"query_batch_wait": 0.2, "query_cache_size": 0})
    batcher = query_batch_embedder(settings)
    batcher.warm_up()
    yield batcher


def test_concurrent_requests_share_a_model_call_and_get_their_own_vectors(batcher: QueryBatcher) -> None:
    alone = {t: np.asarray(v) for texts in TEXTS for t, v in zip(texts, batcher.embed(texts))}
    calls, texts_embedded = sample("hjemmel_query_batch_texts_count"), sample("hjemmel_query_batch_texts_sum")
    results: dict[int, list[list[float]]] = {}
    start = threading.Barrier(len(TEXTS))

    def embed(i: int) -> None:
        start.wait()
        results[i] = batcher.embed(TEXTS[i])

    threads = [threading.Thread(target=embed, args=(i,)) for i in range(len(TEXTS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sample("hjemmel_query_batch_texts_sum") - texts_embedded == sum(map(len, TEXTS))
    assert sample("hjemmel_query_batch_texts_count") - calls < len(TEXTS)  # fewer model calls than requests
    for i, texts in enumerate(TEXTS):
        for text, vector in zip(texts, results[i]):
            np.testing.assert_allclose(vector, alone[text], atol=1e-5)


def test_a_repeated_text_comes_from_the_cache() -> None:
    batcher = query_batch_embedder(get_settings().model_copy(update={"query_batch_wait": 0.0}))
    first = batcher.embed(["rett til nødvendig helsehjelp"])
    hits, calls = sample("hjemmel_query_cache_hits_total"), sample("hjemmel_query_batch_texts_count")
    assert batcher.embed(["rett til nødvendig helsehjelp"]) == first
    assert sample("hjemmel_query_cache_hits_total") == hits + 1
    assert sample("hjemmel_query_batch_texts_count") == calls

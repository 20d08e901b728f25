"""The optional cross-encoder: plumbed through the search pipeline, checked against the model's own scores. The model
is a tiny BERT cross-encoder with random weights that the test builds, since no reranker ships offline."""

import string
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from sentence_transformers import CrossEncoder
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

from corpus.registry import get_registry
from corpus.settings import Settings
from index.store import open_store
from search.searcher import Searcher
from tests.search.conftest import SOURCES

QUERY = "Kan helsepersonell dele journalen med en leverandør?"


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cross-encoder")
    letters = string.ascii_lowercase + "æøå" + string.digits
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *letters, *(f"##{c}" for c in letters), *string.punctuation, "§"]
    (folder / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=512, num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def searchers(small_index: Callable[[set[str]], Settings], tiny_cross_encoder: Path) -> Iterator[tuple[Searcher, Searcher]]:
    settings = small_index(SOURCES)
    store = open_store(settings)
    reranked = settings.model_copy(update={"reranker_model": str(tiny_cross_encoder), "reranker_depth": 12})
    yield Searcher(store, get_registry(), settings), Searcher(store, get_registry(), reranked)
    store.close()


def test_the_cross_encoder_reorders_the_fused_candidates(searchers: tuple[Searcher, Searcher], tiny_cross_encoder: Path) -> None:
    plain, reranked = searchers
    fused = plain.search(QUERY, 12)
    hits = reranked.search(QUERY, 5)
    assert len(hits) == 5 and {h.id for h in hits} <= {f.id for f in fused}
    # Each hit keeps its fused score, and its rerank score is the model's own, on the indexed chunk's text.
    fused_scores = {f.id: f.score for f in fused}
    assert all(h.score == fused_scores[h.id] for h in hits)
    model = CrossEncoder(str(tiny_cross_encoder))
    store = plain.store
    expected = {}
    for hit in fused:
        (chunk, *more) = store.filter_documents({"field": "meta.unit_id", "operator": "==", "value": hit.id})
        if not more:
            expected[hit.id] = float(model.predict([(QUERY, chunk.content)])[0])
    ranked = sorted(expected, key=expected.__getitem__, reverse=True)
    single = [h for h in hits if h.id in expected]
    assert single and all(h.rerank_score == pytest.approx(expected[h.id], abs=1e-4) for h in single)
    assert [h.id for h in single] == [i for i in ranked if i in {h.id for h in single}]
    assert [h.rerank_score for h in hits] == sorted((h.rerank_score for h in hits), reverse=True)


def test_without_a_reranker_nothing_has_a_rerank_score(searchers: tuple[Searcher, Searcher]) -> None:
    plain, _ = searchers
    assert all(hit.rerank_score is None for hit in plain.search(QUERY, 5))

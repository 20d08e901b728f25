"""The evaluation harness on a real index: two small laws ingested with the real embedder, a tiny bilingual dataset."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corpus.registry import get_registry
from corpus.settings import Settings
from evals.command import main_eval
from evals.dataset import DatasetError, load_dataset
from evals.harness import EvalResult, evaluate, intrusions
from evals.metrics import score
from evals.retrievers import RetrieverError
from index.store import open_store
from search.searcher import Searcher

MDL = "LOV-2020-05-07-37"  # lov om medisinsk utstyr
HTL = "LOV-2017-12-15-107"  # helsetilsynsloven
GHOST = f"{HTL}/§99"  # not in the law, so not in the index

QUERIES = [
    {"_id": "nb-reprosessering", "text": "Reprosessering av medisinsk engangsutstyr", "lang": "nb"},
    {"_id": "nb-varsel", "text": "varsel til tilsynsmyndigheten om alvorlige hendelser", "lang": "nb"},
    {"_id": "nb-internkontroll", "text": "plikt til å opprette internkontrollsystem", "lang": "nb"},
    {"_id": "nn-klage", "text": "Kan eg klage på vedtak frå tilsynsmyndigheita?", "lang": "nn"},
    {"_id": "en-advertising", "text": "Are there rules on advertising medical devices?", "lang": "en", "metadata": {"x": 1}},
    {"_id": "en-penalty", "text": "criminal penalties for breaking the medical device act", "lang": "en"},
    {"_id": "unjudged", "text": "ikke vurdert", "lang": "nb"},  # no judgements: not evaluated
]
QRELS = [
    ("nb-reprosessering", f"{MDL}/§6", 2),
    ("nb-varsel", f"{HTL}/§6", 2),
    ("nb-internkontroll", f"{HTL}/§5", 2),
    ("nn-klage", f"{HTL}/§11", 2),
    ("nn-klage", GHOST, 2),
    ("en-advertising", f"{MDL}/§5", 2),
    ("en-advertising", f"{MDL}/§6", 0),  # judged not relevant: validated, then dropped
    ("en-penalty", f"{MDL}/§14", 2),
    ("en-penalty", f"{MDL}/§13", 1),
]
RETRIEVERS = ["bm25", "dense", "hybrid"]
METRICS = ["ndcg@10", "recall@10", "recall@100", "mrr@10"]


def write_dataset(folder: Path, queries: list[dict] = QUERIES, qrels: list[tuple] = QRELS, header: str = "query-id\tcorpus-id\tscore") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "queries.jsonl").write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), encoding="utf-8")
    lines = [header] + ["\t".join(map(str, row)) for row in qrels]
    (folder / "qrels.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def searcher(small_index: Callable[[set[str]], Settings]) -> Iterator[Searcher]:
    settings = small_index({MDL, HTL})
    store = open_store(settings)
    yield Searcher(store, get_registry(), settings, modes=("hybrid", "dense", "sparse"))
    store.close()


@pytest.fixture(scope="module")
def outcome(searcher: Searcher, tmp_path_factory: pytest.TempPathFactory) -> tuple[EvalResult, Path]:
    root = tmp_path_factory.mktemp("dataset")
    out = root / "report"
    return evaluate(write_dataset(root / "tiny"), RETRIEVERS, k=10, out_dir=out, searcher=searcher), out


def test_json_summary_has_exactly_the_agreed_shape(outcome: tuple[EvalResult, Path]) -> None:
    result, _ = outcome
    summary = json.loads(result.to_json())
    assert summary == result.to_dict()
    assert list(summary) == ["retrievers", "missing_gold", "queries"]
    assert summary["queries"] == 6
    assert list(summary["retrievers"]) == RETRIEVERS
    for entry in summary["retrievers"].values():
        assert list(entry) == METRICS + ["p50_ms", "p95_ms", "by_lang", "intrusions@3"]
        assert entry["intrusions@3"] == 0  # the index holds no convention or service page
        assert all(0.0 <= entry[m] <= 1.0 for m in METRICS)
        assert entry["recall@10"] <= entry["recall@100"]
        assert 0 < entry["p50_ms"] <= entry["p95_ms"]
        assert list(entry["by_lang"]) == ["en", "nb", "nn"]
        for scores in entry["by_lang"].values():
            assert list(scores) == METRICS and all(0.0 <= scores[m] <= 1.0 for m in METRICS)
        assert all(round(entry[m], 4) == entry[m] for m in METRICS)


def test_a_perfectly_answered_query_scores_one(outcome: tuple[EvalResult, Path]) -> None:
    result, _ = outcome
    # The query is the heading of § 6 word for word: the exact-match retriever puts it first.
    assert result.runs["bm25"]["nb-reprosessering"][0] == f"{MDL}/§6"
    assert result.retrievers["bm25"].per_query["ndcg@10"]["nb-reprosessering"] == 1.0
    assert result.retrievers["bm25"].per_query["mrr@10"]["nb-reprosessering"] == 1.0
    for name in RETRIEVERS:
        ranked = result.runs[name]
        assert all(len(ids) == len(set(ids)) <= 100 for ids in ranked.values())
        assert max(len(ids) for ids in ranked.values()) > 10  # fetched deeper than k, for Recall@100


def test_missing_gold_is_reported_and_scored_as_a_miss(outcome: tuple[EvalResult, Path]) -> None:
    result, _ = outcome
    assert result.missing_gold == [GHOST]
    for name in RETRIEVERS:
        (miss,) = [m for m in result.retrievers[name].misses if m.query_id == "nn-klage"]
        assert (GHOST, None) in miss.missing and miss.text.startswith("Kan eg klage") and len(miss.top) == 3
        assert result.retrievers[name].per_query["recall@100"]["nn-klage"] <= 0.5


def test_misses_are_exactly_the_queries_whose_answer_is_not_in_the_top_10(outcome: tuple[EvalResult, Path]) -> None:
    result, _ = outcome
    answers = {qid: {uid for qid2, uid, grade in QRELS if qid2 == qid and grade == 2} for qid, *_ in QRELS}
    for name in RETRIEVERS:
        ranked = result.runs[name]
        expected = {qid for qid, gold in answers.items() if not gold <= set(ranked[qid][:10])}
        misses = {m.query_id: m for m in result.retrievers[name].misses}
        assert set(misses) == expected
        for qid, miss in misses.items():
            assert miss.top == ranked[qid][:3]
            for uid, rank in miss.missing:
                assert uid in answers[qid] and uid not in ranked[qid][:10]
                assert rank is None or ranked[qid][rank - 1] == uid


def test_intrusions_are_convention_units_and_service_pages_in_the_top_3_of_questions_not_about_them() -> None:
    convention = "LOV-2017-06-16-51/rdke/a10"
    service = "guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020"
    other_service = "guidance/helsedirektoratet_rammer-og-retning-for-ki-2024"
    kinds = {convention: "convention", service: "service", other_service: "service"}
    law = f"{HTL}/§6"
    qrels = {
        "convention-first": {law: 2},
        "convention-fourth": {law: 2},
        "about-the-service": {service: 2},  # another service page in its top 3 is no intrusion
        "about-the-service-convention": {service: 2},  # but a convention unit is
        "gold-convention": {convention: 2},
    }
    ranked = {
        "convention-first": [convention, law],
        "convention-fourth": [law, f"{HTL}/§5", f"{HTL}/§4", convention],
        "about-the-service": [other_service, service],
        "about-the-service-convention": [service, law, convention],
        "gold-convention": [convention],
    }
    assert intrusions(qrels, ranked, kinds) == ["convention-first", "about-the-service-convention"]


def test_report_files(outcome: tuple[EvalResult, Path]) -> None:
    _, out = outcome
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "![metrics per retriever](report.png)" in text
    assert "| Retriever | nDCG@10 | Recall@10 | Recall@100 | MRR@10 | p50 ms | p95 ms |" in text
    assert "## By language" in text and "| hybrid | nn | 1 |" in text
    assert f"- `{GHOST}`" in text and "not in top 100" in text and "nn-klage" in text
    assert "- hybrid: 0 of 6 queries (none)" in text
    png = (out / "report.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_unknown_retriever_is_refused_with_the_known_names(searcher: Searcher, tmp_path: Path) -> None:
    with pytest.raises(RetrieverError, match="unknown retriever 'splade'; known: bm25, dense, plain-hybrid, expanded, hybrid"):
        evaluate(write_dataset(tmp_path / "d"), ["bm25", "splade"], searcher=searcher)


def test_main_eval_prints_json_and_writes_the_report(searcher: Searcher, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dataset = write_dataset(tmp_path / "d")
    assert main_eval(dataset, ["hybrid"], 10, True, tmp_path / "out", searcher=searcher) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert list(summary["retrievers"]) == ["hybrid"] and summary["missing_gold"] == [GHOST]
    assert GHOST in captured.err and (tmp_path / "out" / "report.md").is_file() and (tmp_path / "out" / "report.png").is_file()
    assert main_eval(dataset, ["bm25"], 10, False, None, searcher=searcher) == 0
    assert capsys.readouterr().out.startswith("| Retriever | nDCG@10 |")


def test_main_eval_reports_errors_with_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dataset = write_dataset(tmp_path / "d")
    assert main_eval(dataset, ["hybrid", "colbert"], 10, False, None) == 2
    assert "unknown retriever 'colbert'" in capsys.readouterr().err
    assert main_eval(tmp_path / "nowhere", ["hybrid"], 10, True, None) == 2
    assert "dataset folder not found" in capsys.readouterr().err


def test_scores_keep_the_retriever_order_and_average_per_language() -> None:
    qrels = {"a": {"x": 2, "y": 1}, "b": {"z": 1}}
    runs = {"r": {"a": ["y", "x"], "b": ["w", "z"]}}  # ranx would sort equal scores by id; the order must hold
    scores = score(qrels, runs, {"a": "nb", "b": "en"}, k=10)
    assert scores.per_query["r"]["mrr@10"] == {"a": 1.0, "b": 0.5}
    assert scores.by_lang["r"]["en"]["mrr@10"] == 0.5 and scores.overall["r"]["mrr@10"] == 0.75
    # nDCG with linear gain: ideal = 2 + 1/log2(3); got = 1 + 2/log2(3).
    assert scores.per_query["r"]["ndcg@10"]["a"] == pytest.approx((1 + 2 / 1.5849625) / (2 + 1 / 1.5849625), rel=1e-6)


def test_a_retriever_that_finds_nothing_scores_zero() -> None:
    # BM25 over Norwegian text returns nothing for many English queries; a run can be empty throughout.
    scores = score({"a": {"x": 2}}, {"empty": {"a": []}, "r": {"a": ["x"]}}, {"a": "en"}, k=10)
    assert scores.overall["empty"] == dict.fromkeys(scores.metrics, 0.0) and scores.overall["r"]["ndcg@10"] == 1.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"header": "qid\tdocid\trel"}, "qrels.tsv:1: expected the header line query-id<TAB>corpus-id<TAB>score"),
        ({"qrels": QRELS + [("no-such-query", f"{MDL}/§1", 1)]}, "judgements for query ids not in queries.jsonl: no-such-query"),
        ({"qrels": QRELS + [("nb-varsel", f"{MDL}/§1", 3)]}, r"qrels.tsv:11: score must be one of 0, 1, 2, got '3'"),
        ({"qrels": QRELS + [("nb-varsel", f"{MDL}/§1")]}, r"qrels.tsv:11: expected 3 tab-separated fields"),
        ({"qrels": QRELS + [("nb-varsel", f"{HTL}/§6", 1)]}, r"qrels.tsv:11: .* is judged twice for query 'nb-varsel'"),
        ({"queries": QUERIES + [{"_id": "nb-varsel", "text": "igjen"}]}, r"queries.jsonl:8: duplicate query id 'nb-varsel'"),
        ({"queries": QUERIES + [{"_id": "tom", "text": " "}]}, r"queries.jsonl:8: query 'tom' has a missing or empty text"),
    ],
)
def test_dataset_errors_name_the_file_and_line(tmp_path: Path, change: dict, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_dataset(write_dataset(tmp_path / "d", **change))


def test_dataset_errors_for_unreadable_files(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d")
    (folder / "queries.jsonl").write_text('{"_id": "a", "text": "ok"}\n{"_id": "b", "text": \n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"queries.jsonl:2: not valid JSON"):
        load_dataset(folder)
    (folder / "queries.jsonl").unlink()
    with pytest.raises(DatasetError, match=r"queries.jsonl: not found"):
        load_dataset(folder)


def test_queries_without_lang_are_undetermined(tmp_path: Path) -> None:
    dataset = load_dataset(write_dataset(tmp_path / "d", queries=[{"_id": 7, "text": "x"}], qrels=[("7", f"{MDL}/§1", 1)]))
    assert dataset.queries["7"].lang == "und" and dataset.gold_ids == [f"{MDL}/§1"]

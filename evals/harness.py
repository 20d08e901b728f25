"""Retrieval evaluation: run a BEIR-style dataset through several retrievers and score them side by side.

    evaluate(Path("evals/datasets/dev"), ["bm25", "dense", "hybrid"], out_dir=Path("evals/reports/dev"))

Each query is run once per retriever with top_k = max(k, 100) and timed; the ranked unit ids are scored with ranx
(nDCG@k, Recall@k, Recall@100, MRR@k, overall and per query language). Gold ids that the index does not hold are
listed, and still scored (as misses): the numbers stay comparable, and the list says what to fix.
"""

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus.registry import get_registry
from corpus.settings import get_settings
from evals import report, retrievers as retriever_registry
from evals.dataset import Dataset, DatasetError, load_dataset
from evals.metrics import SIGNIFICANCE_P, Scores, score
from index.edge_store import IndexLockedError
from index.store import open_store
from search.searcher import Searcher

RECALL_DEPTH = 100
TOP_SHOWN = 3  # returned ids listed with a miss
REPORTS_DIR = Path(__file__).parent / "reports"


class EvalError(ValueError):
    """A run that cannot be scored (bad k, empty index); the message says which."""


@dataclass(frozen=True)
class Miss:
    """A query whose grade-2 gold unit(s) are not in the top k: which ones, their rank if fetched at all, what came first."""

    query_id: str
    text: str
    lang: str
    missing: list[tuple[str, int | None]]  # gold unit id, 1-based rank within the fetched depth or None
    top: list[str]


@dataclass(frozen=True)
class RetrieverResult:
    metrics: dict[str, float]
    by_lang: dict[str, dict[str, float]]
    p50_ms: float
    p95_ms: float
    misses: list[Miss]
    better_than: dict[str, list[str]]  # metric -> retrievers beaten (paired t-test)
    per_query: dict[str, dict[str, float]]  # metric -> query id -> score


@dataclass(frozen=True)
class EvalResult:
    dataset: str
    k: int
    depth: int
    metrics: list[str]
    queries: int
    languages: dict[str, int]  # language -> number of queries
    graded_queries: int  # queries with a grade-2 gold, the ones that can be a miss
    retrievers: dict[str, RetrieverResult]
    missing_gold: list[str]
    runs: dict[str, dict[str, list[str]]] = field(repr=False)  # retriever -> query id -> ranked unit ids
    significance_p: float = SIGNIFICANCE_P

    def to_dict(self) -> dict:
        """The summary: metrics rounded to 4 decimals, latency to 0.1 ms."""
        return {
            "retrievers": {
                name: {
                    **{m: round(r.metrics[m], 4) for m in self.metrics},
                    "p50_ms": round(r.p50_ms, 1),
                    "p95_ms": round(r.p95_ms, 1),
                    "by_lang": {lang: {m: round(v[m], 4) for m in self.metrics} for lang, v in r.by_lang.items()},
                }
                for name, r in self.retrievers.items()
            },
            "missing_gold": list(self.missing_gold),
            "queries": self.queries,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def _dedupe(ids: list[str], limit: int) -> list[str]:
    return list(dict.fromkeys(ids))[:limit]


def _run(retrieve: retriever_registry.Retriever, dataset: Dataset, depth: int) -> tuple[dict[str, list[str]], list[float]]:
    retrieve(next(iter(dataset.queries.values())).text, depth)  # warm-up, untimed: first calls pay one-off costs
    ranked, timings = {}, []
    for query in dataset.queries.values():
        started = time.perf_counter()
        ids = retrieve(query.text, depth)
        timings.append((time.perf_counter() - started) * 1000)
        ranked[query.id] = _dedupe(ids, depth)
    return ranked, timings


def _missing_gold(store, gold_ids: list[str]) -> list[str]:
    return [uid for uid in gold_ids if not store.count_documents_by_filter({"field": "meta.unit_id", "operator": "==", "value": uid})]


def _misses(dataset: Dataset, ranked: dict[str, list[str]], k: int) -> list[Miss]:
    misses = []
    for qid, query in dataset.queries.items():
        ids = ranked[qid]
        answers = [uid for uid, grade in dataset.qrels[qid].items() if grade == 2]
        missing = [(uid, ids.index(uid) + 1 if uid in ids else None) for uid in answers if uid not in ids[:k]]
        if missing:
            misses.append(Miss(qid, query.text, query.lang, missing, ids[:TOP_SHOWN]))
    return misses


def _result(dataset: Dataset, names: list[str], runs, timings, scores: Scores, missing_gold: list[str], k: int, depth: int) -> EvalResult:
    languages: dict[str, int] = {}
    for query in dataset.queries.values():
        languages[query.lang] = languages.get(query.lang, 0) + 1
    return EvalResult(
        dataset=dataset.name,
        k=k,
        depth=depth,
        metrics=scores.metrics,
        queries=len(dataset.queries),
        languages=dict(sorted(languages.items())),
        graded_queries=sum(2 in judged.values() for judged in dataset.qrels.values()),
        retrievers={
            name: RetrieverResult(
                metrics=scores.overall[name],
                by_lang=scores.by_lang[name],
                p50_ms=float(np.percentile(timings[name], 50)),
                p95_ms=float(np.percentile(timings[name], 95)),
                misses=_misses(dataset, runs[name], k),
                better_than=scores.better_than[name],
                per_query=scores.per_query[name],
            )
            for name in names
        },
        missing_gold=missing_gold,
        runs=runs,
    )


def evaluate(
    dataset_dir: Path, retrievers: list[str], k: int = 10, out_dir: Path | None = None, searcher: Searcher | None = None
) -> EvalResult:
    """Scores `retrievers` (names in `evals.retrievers.RETRIEVERS`) on the dataset in `dataset_dir`.

    Without a `searcher`, opens the configured index with the modes the retrievers need and closes it afterwards.
    With `out_dir`, writes report.md and report.png there.
    """
    if k < 1:
        raise EvalError(f"k must be at least 1, got {k}")
    dataset = load_dataset(Path(dataset_dir))
    modes = retriever_registry.needed_modes(retrievers)  # refuses unknown names before the slow model load
    depth = max(k, RECALL_DEPTH)
    own_store = None
    if searcher is None:
        settings = get_settings()
        own_store = open_store(settings)
        searcher = Searcher(own_store, get_registry(), settings, modes=modes)
    try:
        callables = retriever_registry.build(retrievers, searcher)
        if not searcher.store.count_documents():
            raise EvalError("the index is empty; run `hjemmel ingest` first")
        missing_gold = _missing_gold(searcher.store, dataset.gold_ids)
        runs, timings = {}, {}
        for name, retrieve in callables.items():
            runs[name], timings[name] = _run(retrieve, dataset, depth)
    finally:
        if own_store is not None:
            own_store.close()
    langs = {qid: q.lang for qid, q in dataset.queries.items()}
    result = _result(dataset, list(callables), runs, timings, score(dataset.qrels, runs, langs, k), missing_gold, k, depth)
    if out_dir is not None:
        report.write(result, Path(out_dir))
    return result


def default_out_dir(dataset: Path) -> Path:
    """Where the CLI writes reports unless told otherwise: evals/reports/<dataset folder name>/."""
    return REPORTS_DIR / Path(dataset).resolve().name


def main_eval(dataset: Path, retrievers: list[str], k: int, as_json: bool, out: Path | None, *, searcher: Searcher | None = None) -> int:
    """The `hjemmel eval` command: prints the summary table (or the JSON), writes the report to `out` if given.

    Exit codes: 0 done (missing gold ids are a warning on stderr), 2 bad dataset, retriever name, k or index.
    `searcher` is for tests and callers that hold the index open already.
    """
    try:
        result = evaluate(dataset, retrievers, k, out, searcher)
    except (DatasetError, retriever_registry.RetrieverError, EvalError, IndexLockedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.to_json() if as_json else report.summary_table(result))
    if result.missing_gold:
        print(f"warning: {len(result.missing_gold)} gold id(s) not in the index: {', '.join(result.missing_gold)}", file=sys.stderr)
    if out is not None:
        print(f"report: {Path(out) / report.REPORT_MD}", file=sys.stderr)
    return 0

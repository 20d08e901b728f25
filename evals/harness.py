"""Retrieval evaluation: run a BEIR-style dataset through several retrievers and score them side by side.

    evaluate(Path("evals/datasets/dev"), ["bm25", "dense", "hybrid"], out_dir=Path("evals/reports/dev"))

Each query is run once per retriever with top_k = max(k, 100) and timed; the ranked unit ids are scored with ranx
(nDCG@k, Recall@k, Recall@100, MRR@k, overall and per query language). Gold ids that the index does not hold are
listed, and still scored (as misses): the numbers stay comparable, and the list says what to fix.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from evals import report, retrievers as retriever_registry
from evals.dataset import Dataset, load_dataset
from evals.metrics import SIGNIFICANCE_P, Scores, score
from evals.retrievers import EvalError, open_searcher
from evals.summary import Evaluation, RetrieverScores, language_counts, latency, timed
from search.searcher import Searcher

RECALL_DEPTH = 100
TOP_SHOWN = 3  # returned ids listed with a miss
# Issue 9 asks that no annexed convention unit or page about the guidance service reach a top 3 unless the question is
# about it; the question's gold says whether it is (a gold unit of that kind).
SECONDARY_TOP = 3


@dataclass(frozen=True)
class Miss:
    """A query whose grade-2 gold unit(s) are not in the top k: which ones, their rank if fetched at all, what came first."""

    query_id: str
    text: str
    lang: str
    missing: list[tuple[str, int | None]]  # gold unit id, 1-based rank within the fetched depth or None
    top: list[str]


@dataclass(frozen=True, kw_only=True)
class RetrieverResult(RetrieverScores):
    misses: list[Miss]
    per_query: dict[str, dict[str, float]]  # metric -> query id -> score
    intrusions: list[str]  # query ids with a convention unit or service page in the top 3 that they are not about

    def to_dict(self, metrics: list[str]) -> dict[str, Any]:
        return {**super().to_dict(metrics), f"intrusions@{SECONDARY_TOP}": len(self.intrusions)}


@dataclass(frozen=True, kw_only=True)
class EvalResult(Evaluation):
    title: ClassVar[str] = "Retrieval evaluation"
    counted: ClassVar[str] = "queries"

    k: int
    depth: int
    graded_queries: int  # queries with a grade-2 gold, the ones that can be a miss
    retrievers: dict[str, RetrieverResult]
    missing_gold: list[str]
    runs: dict[str, dict[str, list[str]]] = field(repr=False)  # retriever -> query id -> ranked unit ids
    significance_p: float | None = SIGNIFICANCE_P

    def totals(self) -> dict[str, Any]:
        return {"missing_gold": list(self.missing_gold), **super().totals()}

    def intro(self) -> str:
        return (
            f"{self.counted_by_language()}; top {self.depth} units fetched per query; "
            "graded relevance (2 = the answer, 1 = relevant), scored with ranx."
        )

    def details(self) -> list[str]:
        lines = ["## Gold units not in the index", ""]
        if self.missing_gold:
            lines += ["Scored as misses for every retriever; fix the dataset or index the source:", ""]
            lines += [f"- `{uid}`" for uid in self.missing_gold] + [""]
        else:
            lines += ["None.", ""]
        return lines + self._misses() + self._intrusions()

    def _misses(self) -> list[str]:
        lines = [f"## Misses: a grade-2 gold unit not in the top {self.k}", ""]
        for name, r in self.retrievers.items():
            lines += [f"### {name}: {len(r.misses)} of {self.graded_queries} queries with a grade-2 gold", ""]
            if not r.misses:
                lines += ["None.", ""]
                continue
            rows = []
            for miss in r.misses:
                gold = ", ".join(f"{uid} ({'rank ' + str(rank) if rank else f'not in top {self.depth}'})" for uid, rank in miss.missing)
                rows.append([miss.query_id, miss.lang, miss.text, gold, ", ".join(miss.top) or "(no results)"])
            lines += [report.table(["Query", "Lang", "Text", "Missing gold", "Ranked first"], rows, text_columns=5), ""]
        return lines

    def _intrusions(self) -> list[str]:
        lines = [f"## Convention units and service pages in the top {SECONDARY_TOP} of questions not about them", ""]
        for name, r in self.retrievers.items():
            ids = ", ".join(r.intrusions) or "none"
            lines += [f"- {name}: {len(r.intrusions)} of {len(self.runs[name])} queries ({ids})"]
        return lines + [""]

    def warnings(self) -> list[str]:
        if not self.missing_gold:
            return []
        return [f"{len(self.missing_gold)} gold id(s) not in the index: {', '.join(self.missing_gold)}"]


def _dedupe(ids: list[str], limit: int) -> list[str]:
    return list(dict.fromkeys(ids))[:limit]


def _run(retrieve: retriever_registry.Retriever, dataset: Dataset, depth: int) -> tuple[dict[str, list[str]], list[float]]:
    retrieve(next(iter(dataset.queries.values())).text, depth)  # warm-up, untimed: first calls pay one-off costs
    ranked, timings = {}, []
    for query, ids, ms in timed(lambda q: retrieve(q.text, depth), dataset.queries.values()):
        ranked[query.id] = _dedupe(ids, depth)
        timings.append(ms)
    return ranked, timings


def _missing_gold(store, gold_ids: list[str]) -> list[str]:
    return [uid for uid in gold_ids if not store.count_documents_by_filter({"field": "meta.unit_id", "operator": "==", "value": uid})]


def _secondary_kinds(store) -> dict[str, str]:
    """Unit id -> «convention» or «service», as ingest marked them in the index."""
    marked = store.filter_documents({"field": "meta.secondary", "operator": "in", "value": ["convention", "service"]})
    return {d.meta["unit_id"]: d.meta["secondary"] for d in marked}


def intrusions(
    qrels: dict[str, dict[str, int]], ranked: dict[str, list[str]], kinds: dict[str, str], depth: int = SECONDARY_TOP
) -> list[str]:
    """The queries with a unit of a secondary kind in their top `depth` that is not gold, when none of their gold units
    is of that kind."""
    found = []
    for qid, judged in qrels.items():
        about = {kinds[uid] for uid in judged if uid in kinds}
        if any(kinds.get(uid) not in (None, *about) for uid in ranked[qid][:depth]):
            found.append(qid)
    return found


def _misses(dataset: Dataset, ranked: dict[str, list[str]], k: int) -> list[Miss]:
    misses = []
    for qid, query in dataset.queries.items():
        ids = ranked[qid]
        answers = [uid for uid, grade in dataset.qrels[qid].items() if grade == 2]
        missing = [(uid, ids.index(uid) + 1 if uid in ids else None) for uid in answers if uid not in ids[:k]]
        if missing:
            misses.append(Miss(qid, query.text, query.lang, missing, ids[:TOP_SHOWN]))
    return misses


def _retriever_result(
    name: str,
    dataset: Dataset,
    ranked: dict[str, list[str]],
    timings: list[float],
    scores: Scores,
    k: int,
    kinds: dict[str, str],
) -> RetrieverResult:
    p50, p95 = latency(timings)
    return RetrieverResult(
        metrics=scores.overall[name],
        by_lang=scores.by_lang[name],
        p50_ms=p50,
        p95_ms=p95,
        misses=_misses(dataset, ranked, k),
        better_than=scores.better_than[name],
        per_query=scores.per_query[name],
        intrusions=intrusions(dataset.qrels, ranked, kinds),
    )


def _result(
    dataset: Dataset,
    names: list[str],
    runs,
    timings,
    scores: Scores,
    missing_gold: list[str],
    k: int,
    depth: int,
    kinds: dict[str, str],
) -> EvalResult:
    return EvalResult(
        dataset=dataset.name,
        k=k,
        depth=depth,
        metrics=scores.metrics,
        languages=language_counts(q.lang for q in dataset.queries.values()),
        graded_queries=sum(2 in judged.values() for judged in dataset.qrels.values()),
        retrievers={name: _retriever_result(name, dataset, runs[name], timings[name], scores, k, kinds) for name in names},
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
    with open_searcher(modes, searcher) as opened:
        callables = retriever_registry.build(retrievers, opened)
        missing_gold = _missing_gold(opened.store, dataset.gold_ids)
        kinds = _secondary_kinds(opened.store)
        runs, timings = {}, {}
        for name, retrieve in callables.items():
            runs[name], timings[name] = _run(retrieve, dataset, depth)
    langs = {qid: q.lang for qid, q in dataset.queries.items()}
    result = _result(dataset, list(callables), runs, timings, score(dataset.qrels, runs, langs, k), missing_gold, k, depth, kinds)
    if out_dir is not None:
        report.write(result, Path(out_dir))
    return result


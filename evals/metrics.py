"""Scores ranked unit ids against graded judgements with ranx: means overall and per language, and paired t-tests.

nDCG is ranx's `ndcg` (Järvelin & Kekäläinen, linear gain: grade 2 counts twice grade 1, as in trec_eval);
Recall and MRR count any grade >= 1 as relevant.
"""

import warnings
from dataclasses import dataclass

from ranx import Qrels, Run, compare

SIGNIFICANCE_P = 0.05


def metric_names(k: int) -> list[str]:
    return list(dict.fromkeys([f"ndcg@{k}", f"recall@{k}", "recall@100", f"mrr@{k}"]))


@dataclass(frozen=True)
class Scores:
    metrics: list[str]
    overall: dict[str, dict[str, float]]  # retriever -> metric -> mean
    by_lang: dict[str, dict[str, dict[str, float]]]  # retriever -> lang -> metric -> mean
    per_query: dict[str, dict[str, dict[str, float]]]  # retriever -> metric -> query id -> score
    better_than: dict[str, dict[str, list[str]]]  # retriever -> metric -> retrievers it beats (paired t-test)


NO_RESULT = "\x00no-result"  # stands in for an empty result list: ranx fails on a run with no ids at all


def _run(name: str, ranked: dict[str, list[str]]) -> Run:
    # Strictly decreasing scores keep the retriever's own order; ranx would otherwise re-sort ties by id.
    # An unjudged placeholder changes none of the metrics (they count relevant units only).
    return Run.from_dict(
        {qid: {uid: float(len(ids) - rank) for rank, uid in enumerate(ids)} or {NO_RESULT: 0.0} for qid, ids in ranked.items()},
        name=name,
    )


def score(qrels: dict[str, dict[str, int]], runs: dict[str, dict[str, list[str]]], langs: dict[str, str], k: int) -> Scores:
    """`runs`: retriever -> query id -> ranked unit ids, for every query in `qrels`; `langs`: query id -> language."""
    metrics = metric_names(k)
    ranx_runs = [_run(name, ranked) for name, ranked in runs.items()]
    with warnings.catch_warnings():
        # ranx's numba kernels warn about an unsigned-to-signed cast of ranks, harmless at these sizes.
        warnings.simplefilter("ignore")
        report = compare(Qrels.from_dict(qrels), ranx_runs, metrics, stat_test="student", max_p=SIGNIFICANCE_P)
    overall = {name: {m: float(report.results[name][m]) for m in metrics} for name in runs}
    per_query = {run.name: {m: {qid: float(s) for qid, s in run.scores[m].items()} for m in metrics} for run in ranx_runs}
    by_lang: dict[str, dict[str, dict[str, float]]] = {}
    for name in runs:
        by_lang[name] = {}
        for lang in sorted(set(langs[qid] for qid in qrels)):
            ids = [qid for qid in qrels if langs[qid] == lang]
            by_lang[name][lang] = {m: sum(per_query[name][m][qid] for qid in ids) / len(ids) for m in metrics}
    better_than = {
        name: {
            m: [
                other
                for other in runs
                if other != name
                and report.comparisons[name, other][m]["p_value"] < SIGNIFICANCE_P  # NaN (identical scores) compares False
                and overall[name][m] > overall[other][m]
            ]
            for m in metrics
        }
        for name in runs
    }
    return Scores(metrics, overall, by_lang, per_query, better_than)

"""Evaluates POST /applicable (`search.applicable.ApplicabilityAnalyzer`): precision and recall of the laws (document
ids) and agencies (names) found for each project description in `projects.jsonl` (see
evals/datasets/applicable/README.md), once per retriever, micro-averaged (pooled over the projects) and macro
(the mean of the projects' own scores):

    evaluate_applicable(Path("evals/datasets/applicable"), ["hybrid", "dense"], out_dir=Path("evals/reports/applicable"))

Run as a module it sweeps the analyzer's threshold, for calibration (needs HJEMMEL_INDEX_DIR pointing at an index
folder no other process has open):

    python -m evals.applicable_eval [--dataset evals/datasets/applicable] [--threshold 0.3 0.4 0.5]
"""

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from corpus.registry import get_registry
from evals import report
from evals.dataset import UNKNOWN_LANG, read_records
from evals.retrievers import open_searcher, run_modes
from evals.summary import Evaluation, Score, language_counts, scores, timed
from search.applicable import THRESHOLD, Applicability, ApplicabilityAnalyzer
from search.filters import SearchFilters
from search.results import SearchResult
from search.searcher import Searcher

PROJECTS_FILE = "projects.jsonl"
DEFAULT_DATASET = Path(__file__).resolve().parent / "datasets" / "applicable"
METRICS = [
    "laws_precision",
    "laws_recall",
    "agencies_precision",
    "agencies_recall",
    "laws_macro_precision",
    "laws_macro_recall",
    "agencies_macro_precision",
    "agencies_macro_recall",
]


@dataclass(frozen=True)
class Project:
    id: str
    text: str
    lang: str
    flags: tuple[str, ...]
    laws: frozenset[str]
    agencies: frozenset[str]


class _Analyzer(Protocol):
    def analyze(self, description: str, flags: list[str] | None = None) -> Applicability: ...


@dataclass(frozen=True)
class ProjectRow:
    """What the analyzer found for one project under one retriever."""

    project: Project
    laws: frozenset[str]
    agencies: frozenset[str]
    topics: list[str]
    ms: float

    @property
    def lang(self) -> str:
        return self.project.lang


def _project(_where: str, row: dict) -> Project:
    return Project(
        id=str(row["_id"]),
        text=str(row["text"]),
        lang=str(row.get("lang", UNKNOWN_LANG)),
        flags=tuple(row.get("flags", [])),
        laws=frozenset(row["laws"]),
        agencies=frozenset(row["agencies"]),
    )


def load_projects(dataset_dir: Path) -> list[Project]:
    return read_records(Path(dataset_dir) / PROJECTS_FILE, _project, "projects")


def analyze_projects(projects: Sequence[Project], analyzer: _Analyzer) -> list[ProjectRow]:
    rows = []
    for project, result, ms in timed(lambda p: analyzer.analyze(p.text, list(p.flags) or None), projects):
        laws = frozenset(law.document_id for law in result.laws)
        rows.append(ProjectRow(project, laws, frozenset(a.name for a in result.agencies), result.topics, ms))
    return rows


def _ratio(hits: int, total: int) -> float:
    """Nothing to find and nothing found are both perfect: 1.0."""
    return hits / total if total else 1.0


def _precision_recall(what: str, pairs: list[tuple[frozenset[str], frozenset[str]]]) -> dict[str, float]:
    """`pairs`: (found, gold) per project."""
    hits = [len(found & gold) for found, gold in pairs]
    return {
        f"{what}_precision": _ratio(sum(hits), sum(len(found) for found, _ in pairs)),
        f"{what}_recall": _ratio(sum(hits), sum(len(gold) for _, gold in pairs)),
        f"{what}_macro_precision": sum(_ratio(h, len(found)) for h, (found, _) in zip(hits, pairs)) / len(pairs),
        f"{what}_macro_recall": sum(_ratio(h, len(gold)) for h, (_, gold) in zip(hits, pairs)) / len(pairs),
    }


def applicable_metrics(rows: Sequence[ProjectRow]) -> dict[str, Score]:
    measured = _precision_recall("laws", [(r.laws, r.project.laws) for r in rows])
    measured |= _precision_recall("agencies", [(r.agencies, r.project.agencies) for r in rows])
    return {m: measured[m] for m in METRICS}


@dataclass(frozen=True, kw_only=True)
class ApplicableEvalResult(Evaluation):
    title: ClassVar[str] = "Applicability evaluation"
    counted: ClassVar[str] = "projects"

    rows: dict[str, list[ProjectRow]] = field(repr=False)  # retriever -> one row per project

    def intro(self) -> str:
        return (
            f"{self.counted_by_language()}: the laws and agencies found against the gold lists, micro-averaged "
            "(pooled over the projects) and macro (the mean of the projects' scores); latency is per project."
        )

    def details(self) -> list[str]:
        lines = []
        header = ["Project", "Lang", "Topics", "Missed laws", "Extra laws", "Missed agencies", "Extra agencies", "ms"]
        for name, rows in self.rows.items():
            table = [
                [
                    r.project.id,
                    r.lang,
                    ", ".join(r.topics),
                    ", ".join(sorted(r.project.laws - r.laws)),
                    ", ".join(sorted(r.laws - r.project.laws)),
                    ", ".join(sorted(r.project.agencies - r.agencies)),
                    ", ".join(sorted(r.agencies - r.project.agencies)),
                    f"{r.ms:.0f}",
                ]
                for r in rows
            ]
            lines += [f"## Projects: {name}", "", report.table(header, table, text_columns=7), ""]
        return lines


def evaluate_applicable(
    dataset_dir: Path, retrievers: list[str], out_dir: Path | None = None, searcher: Searcher | None = None
) -> ApplicableEvalResult:
    """Scores the analyzer on each retriever's search mode; with `out_dir`, writes report.md and report.png there.

    Without a `searcher`, opens the configured index with the modes needed and closes it afterwards.
    """
    projects = load_projects(Path(dataset_dir))
    rows = run_modes(
        retrievers, searcher, projects[0].text, lambda modal: analyze_projects(projects, ApplicabilityAnalyzer(modal, get_registry()))
    )
    result = ApplicableEvalResult(
        dataset=Path(dataset_dir).resolve().name,
        metrics=METRICS,
        languages=language_counts(p.lang for p in projects),
        retrievers={name: scores(r, applicable_metrics) for name, r in rows.items()},
        rows=rows,
    )
    if out_dir is not None:
        report.write(result, Path(out_dir))
    return result


class CachingSearcher:
    """Memoises searches, so a threshold sweep runs each query once."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._cache: dict[tuple[str, int, str | None], list[SearchResult]] = {}

    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None) -> list[SearchResult]:
        key = (query, top_k, filters.model_dump_json() if filters is not None else None)
        if key not in self._cache:
            self._cache[key] = self.searcher.search(query, top_k=top_k, filters=filters)
        return self._cache[key]


def main(argv: list[str] | None = None) -> None:
    """The threshold sweep: every threshold scored on the same hybrid searches (`hjemmel eval` writes the report)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--threshold", type=float, nargs="*")
    args = parser.parse_args(argv)
    projects = load_projects(args.dataset)
    with open_searcher(("hybrid",)) as searcher:
        cached = CachingSearcher(searcher)
        for threshold in args.threshold or [THRESHOLD]:
            rows = analyze_projects(projects, ApplicabilityAnalyzer(cached, get_registry(), threshold=threshold))
            print(f"threshold {threshold}: " + ", ".join(f"{m} {v:.3f}" for m, v in applicable_metrics(rows).items()))


if __name__ == "__main__":
    main()

"""Evaluate POST /applicable: precision and recall of laws and agencies per project description.

``evaluate_applicable(dataset_dir, analyzer)`` reads ``projects.jsonl`` (see evals/datasets/applicable/README.md),
runs ``analyzer.analyze(text)`` per project and returns micro- and macro-averaged precision and recall for laws
(document ids) and agencies (names), with per-project misses and false alarms. Independent of the CLI:

    python -m evals.applicable_eval [--dataset evals/datasets/applicable] [--out DIR] [--threshold 0.5]

(needs HJEMMEL_INDEX_DIR pointing at an index folder no other process has open).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Protocol

DEFAULT_DATASET = Path(__file__).resolve().parent / "datasets" / "applicable"


class _Analyzer(Protocol):
    def analyze(self, description: str, flags: list[str] | None = None) -> Any: ...


def load_projects(dataset_dir: Path) -> list[dict]:
    with (Path(dataset_dir) / "projects.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _prf(found: set[str], gold: set[str]) -> tuple[int, int, int]:
    return len(found & gold), len(found), len(gold)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 1.0


def _aggregate(rows: list[tuple[int, int, int]]) -> dict[str, float]:
    tp = sum(r[0] for r in rows)
    found = sum(r[1] for r in rows)
    gold = sum(r[2] for r in rows)
    return {
        "micro_precision": round(_ratio(tp, found), 4),
        "micro_recall": round(_ratio(tp, gold), 4),
        "macro_precision": round(sum(_ratio(r[0], r[1]) for r in rows) / len(rows), 4) if rows else 0.0,
        "macro_recall": round(sum(_ratio(r[0], r[2]) for r in rows) / len(rows), 4) if rows else 0.0,
    }


def evaluate_applicable(dataset_dir: Path | str, analyzer: _Analyzer) -> dict:
    projects = load_projects(Path(dataset_dir))
    law_rows, agency_rows, per_project = [], [], []
    for project in projects:
        result = analyzer.analyze(project["text"], project.get("flags"))
        laws = {law.document_id for law in result.laws}
        agencies = {agency.name for agency in result.agencies}
        gold_laws, gold_agencies = set(project["laws"]), set(project["agencies"])
        law_rows.append(_prf(laws, gold_laws))
        agency_rows.append(_prf(agencies, gold_agencies))
        per_project.append(
            {
                "id": project["_id"],
                "missed_laws": sorted(gold_laws - laws),
                "extra_laws": sorted(laws - gold_laws),
                "missed_agencies": sorted(gold_agencies - agencies),
                "extra_agencies": sorted(agencies - gold_agencies),
                "law_scores": {law.document_id: law.score for law in result.laws},
                "topics": list(getattr(result, "topics", [])),
            }
        )
    return {
        "projects": len(projects),
        "laws": _aggregate(law_rows),
        "agencies": _aggregate(agency_rows),
        "per_project": per_project,
    }


def report_markdown(result: dict) -> str:
    lines = ["# /applicable evaluation", "", f"{result['projects']} projects.", "", "| | micro P | micro R | macro P | macro R |", "|---|---|---|---|---|"]
    for what in ("laws", "agencies"):
        m = result[what]
        lines.append(f"| {what} | {m['micro_precision']:.3f} | {m['micro_recall']:.3f} | {m['macro_precision']:.3f} | {m['macro_recall']:.3f} |")
    lines += ["", "## Per project", "", "| id | missed laws | extra laws | missed agencies | extra agencies |", "|---|---|---|---|---|"]
    for p in result["per_project"]:
        lines.append(
            f"| {p['id']} | {', '.join(p['missed_laws'])} | {', '.join(p['extra_laws'])} | "
            f"{', '.join(p['missed_agencies'])} | {', '.join(p['extra_agencies'])} |"
        )
    return "\n".join(lines) + "\n"


class CachingSearcher:
    """Memoises searches, so a threshold sweep runs each query once."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.lookup = getattr(searcher, "lookup", None)
        self._cache: dict[tuple, Any] = {}

    def search(self, query: str, top_k: int = 10, filters: Any = None) -> Any:
        key = (query, top_k, filters.model_dump_json() if filters is not None else None)
        if key not in self._cache:
            self._cache[key] = self.searcher.search(query, top_k=top_k, filters=filters)
        return self._cache[key]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--threshold", type=float, nargs="*")
    args = parser.parse_args(argv)

    from corpus.registry import get_registry
    from corpus.settings import get_settings
    from index.store import open_store
    from search.applicable import THRESHOLD, ApplicabilityAnalyzer
    from search.searcher import Searcher

    settings = get_settings()
    store = open_store(settings)
    try:
        searcher = CachingSearcher(Searcher(store, get_registry(), settings))
        for threshold in args.threshold or [THRESHOLD]:
            result = evaluate_applicable(args.dataset, ApplicabilityAnalyzer(searcher, get_registry(), threshold=threshold))
            print(f"threshold {threshold}: laws {result['laws']} agencies {result['agencies']}")
            if args.out and threshold == (args.threshold or [THRESHOLD])[-1]:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / "applicable.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
                (args.out / "report.md").write_text(report_markdown(result))
    finally:
        store.close()


if __name__ == "__main__":
    main()

"""Evaluates answers on a question set like `evals/datasets/ask`: `search.answer.Answerer`'s extractive ones, or
`search.generated.GeneratedAnswerer`'s when a language model is configured.

`questions.jsonl`: one JSON object a line, `{"_id", "text", "lang", "answerable", "gold": [unit ids]}`.
Independent of the CLI: `evaluate_ask(dataset_dir, answerer)` returns the metrics, `write_report` a report.md.
"""

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

QUESTIONS_FILE = "questions.jsonl"


@dataclass(frozen=True)
class AskQuestion:
    id: str
    text: str
    lang: str
    answerable: bool
    gold: tuple[str, ...]


class _Answerer(Protocol):
    def answer(self, question: str, filters=None, top_k: int = 5) -> Any: ...


def load_questions(dataset_dir: Path) -> list[AskQuestion]:
    path = Path(dataset_dir) / QUESTIONS_FILE
    questions = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                question = AskQuestion(
                    id=str(row["_id"]),
                    text=str(row["text"]),
                    lang=str(row.get("lang", "und")),
                    answerable=bool(row["answerable"]),
                    gold=tuple(row.get("gold", [])),
                )
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{number}: {error}") from error
            if question.answerable and not question.gold:
                raise ValueError(f"{path}:{number}: an answerable question needs gold unit ids")
            questions.append(question)
    return questions


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def evaluate_ask(dataset_dir: Path, answerer: _Answerer, top_k: int = 5) -> dict:
    """Metrics over the question set, plus one row per question under `questions`.

    * quote_verbatim_rate: quotes whose text occurs verbatim in the text of the source it cites (must be 1.0);
    * citation_precision: on answerable questions, quotes whose unit is a gold unit;
    * answerable_cited_gold_rate: answerable questions with at least one quote from a gold unit;
    * refusal_accuracy: unanswerable questions that were refused;
    * false_refusal_rate: answerable questions that were refused.
    """
    questions = load_questions(Path(dataset_dir))
    rows = []
    quotes = verbatim = answerable_quotes = gold_quotes = 0
    started = time.perf_counter()
    for question in questions:
        began = time.perf_counter()
        answer = answerer.answer(question.text, top_k=top_k)
        seconds = time.perf_counter() - began
        texts = {source.id: source.text for source in answer.sources}
        quote_rows = []
        for quote in answer.quotes:
            exact = quote.unit_id in texts and quote.text in texts[quote.unit_id]
            gold = quote.unit_id in question.gold
            quotes += 1
            verbatim += exact
            if question.answerable:
                answerable_quotes += 1
                gold_quotes += gold
            quote_rows.append({"unit_id": quote.unit_id, "citation": quote.citation, "verbatim": exact, "gold": gold})
        rows.append(
            {
                "id": question.id,
                "text": question.text,
                "lang": question.lang,
                "answerable": question.answerable,
                "refused": answer.refused,
                "cited_gold": any(q["gold"] for q in quote_rows),
                "quotes": quote_rows,
                "sources": [s.id for s in answer.sources],
                "seconds": round(seconds, 3),
            }
        )
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    return {
        "dataset": Path(dataset_dir).name,
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "quotes": quotes,
        "quote_verbatim_rate": _share(verbatim, quotes),
        "citation_precision": _share(gold_quotes, answerable_quotes),
        "answerable_cited_gold_rate": _share(sum(r["cited_gold"] for r in answerable), len(answerable)),
        "refusal_accuracy": _share(sum(r["refused"] for r in unanswerable), len(unanswerable)),
        "false_refusal_rate": _share(sum(r["refused"] for r in answerable), len(answerable)),
        "seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
    }


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


METRICS = (
    "quote_verbatim_rate",
    "citation_precision",
    "answerable_cited_gold_rate",
    "refusal_accuracy",
    "false_refusal_rate",
)


def write_report(metrics: dict, out_dir: Path) -> Path:
    """A report.md with the metrics table and one line per question; returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# ask eval — {metrics['dataset']}",
        "",
        (
            f"{metrics['questions']} questions ({metrics['answerable']} answerable, "
            f"{metrics['unanswerable']} unanswerable), {metrics['quotes']} quotes, {metrics['seconds']} s."
        ),
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {name} | {_fmt(metrics[name])} |" for name in METRICS),
        "",
        "| id | lang | answerable | refused | cited gold | quotes |",
        "|---|---|---|---|---|---|",
    ]
    for row in metrics["rows"]:
        cited = ", ".join(q["citation"] + ("" if q["verbatim"] else " (NOT VERBATIM)") for q in row["quotes"]) or "–"
        lines.append(
            f"| {row['id']} | {row['lang']} | {row['answerable']} | {row['refused']} | {row['cited_gold']} | {cited} |"
        )
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

"""Evaluates answers (POST /ask) on a question set like `evals/datasets/ask`: `search.answer.Answerer`'s extractive
ones, or `search.generated.GeneratedAnswerer`'s when a language model is configured.

`questions.jsonl`: one JSON object a line, `{"_id", "text", "lang", "answerable", "gold": [unit ids]}`. The Answerer
runs once per retriever, searching through `ModeSearcher`, so each search mode is scored on the same questions, and
once more with an empty scope table (`<retriever> without scope`), to show what corpus/scope.toml adds:

    evaluate_ask(Path("evals/datasets/ask"), ["hybrid", "dense"], out_dir=Path("evals/reports/ask"))
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from evals import report
from evals.dataset import UNKNOWN_LANG, DatasetError, read_records
from evals.retrievers import ModeSearcher, run_modes
from evals.summary import Evaluation, Score, language_counts, scores, timed
from corpus.settings import get_settings
from search.answer import Answer, Quote
from search.generated import build_answerer
from search.filters import SearchFilters
from search.lookup import Lookup
from search.scope import ScopeMatcher
from search.searcher import Searcher

QUESTIONS_FILE = "questions.jsonl"
TOP_K = 5  # provisions an answer reads, as POST /ask does
WITHOUT_SCOPE = " without scope"
METRICS = [
    "quote_verbatim_rate",  # quotes found verbatim in the unit they cite, fetched from the index by id (must be 1.0)
    "citation_precision",  # on answerable questions, quotes whose unit is a gold unit
    "answerable_cited_gold_rate",  # answerable questions with at least one quote from a gold unit
    "refusal_accuracy",  # unanswerable questions refused
    "false_refusal_rate",  # answerable questions refused
]


@dataclass(frozen=True)
class AskQuestion:
    id: str
    text: str
    lang: str
    answerable: bool
    gold: tuple[str, ...]


class _Answerer(Protocol):
    def answer(self, question: str, filters: SearchFilters | None = None, top_k: int = TOP_K) -> Answer: ...


@dataclass(frozen=True)
class QuoteCheck:
    citation: str
    verbatim: bool
    gold: bool


@dataclass(frozen=True)
class AnswerRow:
    """One question's answer under one retriever."""

    question: AskQuestion
    refused: bool
    quotes: list[QuoteCheck]
    ms: float

    @property
    def lang(self) -> str:
        return self.question.lang

    @property
    def cited_gold(self) -> bool:
        return any(q.gold for q in self.quotes)


def _question(where: str, row: dict) -> AskQuestion:
    question = AskQuestion(
        id=str(row["_id"]),
        text=str(row["text"]),
        lang=str(row.get("lang", UNKNOWN_LANG)),
        answerable=bool(row["answerable"]),
        gold=tuple(row.get("gold", [])),
    )
    if question.answerable and not question.gold:
        raise DatasetError(f"{where}: an answerable question needs gold unit ids")
    return question


def load_questions(dataset_dir: Path) -> list[AskQuestion]:
    return read_records(Path(dataset_dir) / QUESTIONS_FILE, _question, "questions")


def found_verbatim(quote: Quote, lookup: Lookup) -> bool:
    """Whether the quote occurs in the text of the unit it cites, as the index holds it under that id.

    Checked against the unit fetched anew, not against the answer's own sources, which the answerer has already
    filtered by the same test: a quote with a wrong id or an altered text fails here.
    """
    return bool(quote.text) and any(quote.text in text for text in lookup.texts(quote.unit_id))


def answer_questions(questions: Sequence[AskQuestion], answerer: _Answerer, lookup: Lookup) -> list[AnswerRow]:
    """Each question answered and timed; each quote checked against its unit in the index and the gold units."""
    rows = []
    for question, answer, ms in timed(lambda q: answerer.answer(q.text, top_k=TOP_K), questions):
        quotes = [
            QuoteCheck(quote.citation, found_verbatim(quote, lookup), quote.unit_id in question.gold)
            for quote in answer.quotes
        ]
        rows.append(AnswerRow(question, answer.refused, quotes, ms))
    return rows


def _share(hits: int, total: int) -> Score:
    return hits / total if total else None


def ask_metrics(rows: Sequence[AnswerRow]) -> dict[str, Score]:
    """The METRICS; None where the rows hold nothing to count (no unanswerable question, no quote)."""
    answerable = [r for r in rows if r.question.answerable]
    unanswerable = [r for r in rows if not r.question.answerable]
    quotes = [q for r in rows for q in r.quotes]
    answerable_quotes = [q for r in answerable for q in r.quotes]
    return {
        "quote_verbatim_rate": _share(sum(q.verbatim for q in quotes), len(quotes)),
        "citation_precision": _share(sum(q.gold for q in answerable_quotes), len(answerable_quotes)),
        "answerable_cited_gold_rate": _share(sum(r.cited_gold for r in answerable), len(answerable)),
        "refusal_accuracy": _share(sum(r.refused for r in unanswerable), len(unanswerable)),
        "false_refusal_rate": _share(sum(r.refused for r in answerable), len(answerable)),
    }


@dataclass(frozen=True, kw_only=True)
class AskEvalResult(Evaluation):
    title: ClassVar[str] = "Answer evaluation"
    counted: ClassVar[str] = "questions"

    answerable: int
    rows: dict[str, list[AnswerRow]] = field(repr=False)  # retriever -> one row per question

    def totals(self) -> dict[str, Any]:
        return {**super().totals(), "answerable": self.answerable, "unanswerable": self.count - self.answerable}

    def intro(self) -> str:
        return (
            f"{self.counted_by_language()}: {self.answerable} answerable, {self.count - self.answerable} unanswerable. "
            f"Each answer reads the top {TOP_K} provisions the retriever finds; latency is per answer. "
            f"`<retriever>{WITHOUT_SCOPE}` answers the same questions again with an empty scope table "
            "(corpus/scope.toml); it reuses the vectors the first run cached, so its latency compares with nothing."
        )

    def details(self) -> list[str]:
        lines = []
        for name, rows in self.rows.items():
            table = [
                [
                    r.question.id,
                    r.lang,
                    "yes" if r.question.answerable else "no",
                    "yes" if r.refused else "no",
                    "yes" if r.cited_gold else "no",
                    ", ".join(q.citation + ("" if q.verbatim else " (NOT VERBATIM)") for q in r.quotes) or report.UNDEFINED,
                    f"{r.ms:.0f}",
                ]
                for r in rows
            ]
            header = ["Question", "Lang", "Answerable", "Refused", "Cited gold", "Quotes", "ms"]
            lines += [f"## Questions: {name}", "", report.table(header, table, text_columns=6), ""]
        return lines


def evaluate_ask(dataset_dir: Path, retrievers: list[str], out_dir: Path | None = None, searcher: Searcher | None = None) -> AskEvalResult:
    """Scores the Answerer on each retriever's search mode; with `out_dir`, writes report.md and report.png there.

    Without a `searcher`, opens the configured index with the modes needed and closes it afterwards.
    """
    questions = load_questions(Path(dataset_dir))

    def with_and_without_scope(modal: ModeSearcher) -> dict[str, list[AnswerRow]]:
        return {
            suffix: answer_questions(questions, build_answerer(modal, get_settings(), scope), modal.searcher.lookup)
            for suffix, scope in (("", None), (WITHOUT_SCOPE, ScopeMatcher((), modal.citations)))
        }

    by_mode = run_modes(retrievers, searcher, questions[0].text, with_and_without_scope)
    rows = {name + suffix: variant for name, variants in by_mode.items() for suffix, variant in variants.items()}
    result = AskEvalResult(
        dataset=Path(dataset_dir).resolve().name,
        metrics=METRICS,
        languages=language_counts(q.lang for q in questions),
        retrievers={name: scores(r, ask_metrics) for name, r in rows.items()},
        answerable=sum(q.answerable for q in questions),
        rows=rows,
    )
    if out_dir is not None:
        report.write(result, Path(out_dir))
    return result

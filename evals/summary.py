"""What every evaluation reports, whatever it scores (retrieval, answers, applicability): retrievers side by side on
the same metrics, overall and per language, with latency. One shape, so `hjemmel eval --json` prints the same
structure for every dataset and `evals.report` renders every evaluation with the same tables and chart.
"""

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeVar

import numpy as np

# None: the metric is undefined on this set (no unanswerable question in one language, say); JSON null, "–" in a report.
Score = float | None
DECIMALS = 4


def _round(value: Score) -> Score:
    return None if value is None else round(value, DECIMALS)


@dataclass(frozen=True, kw_only=True)
class RetrieverScores:
    metrics: dict[str, Score]
    by_lang: dict[str, dict[str, Score]]
    p50_ms: float
    p95_ms: float
    better_than: dict[str, list[str]] = field(default_factory=dict)  # metric -> retrievers beaten significantly

    def to_dict(self, metrics: list[str]) -> dict[str, Any]:
        """Metrics rounded to 4 decimals, latency to 0.1 ms."""
        return {
            **{m: _round(self.metrics[m]) for m in metrics},
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "by_lang": {lang: {m: _round(scores[m]) for m in metrics} for lang, scores in self.by_lang.items()},
        }


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """A scored run; subclasses name what they count and add the report's detail sections."""

    title: ClassVar[str]
    counted: ClassVar[str]  # what the dataset holds ("queries", "questions", "projects"): the JSON key of the count

    dataset: str
    metrics: list[str]
    languages: dict[str, int]  # language -> number of items
    retrievers: dict[str, RetrieverScores]
    significance_p: float | None = None  # level of the paired test behind `better_than`, when one is run

    @property
    def count(self) -> int:
        return sum(self.languages.values())

    def totals(self) -> dict[str, Any]:
        """What the JSON summary holds after the retrievers."""
        return {self.counted: self.count}

    def to_dict(self) -> dict[str, Any]:
        return {"retrievers": {name: r.to_dict(self.metrics) for name, r in self.retrievers.items()}, **self.totals()}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def counted_by_language(self) -> str:
        """«43 questions (en: 21, nb: 19, nn: 3)»."""
        langs = ", ".join(f"{lang}: {n}" for lang, n in self.languages.items())
        return f"{self.count} {self.counted} ({langs})"

    def intro(self) -> str:
        """The report's opening paragraph: what was run on what."""
        return f"{self.counted_by_language()}."

    def details(self) -> list[str]:
        """Markdown lines after the summary tables."""
        return []

    def warnings(self) -> list[str]:
        """Printed on stderr by the command: things to fix that do not stop the run."""
        return []


T = TypeVar("T")
U = TypeVar("U")


def timed(call: Callable[[T], U], items: Iterable[T]) -> Iterator[tuple[T, U, float]]:
    """(item, call(item), milliseconds it took) for each item, in order."""
    for item in items:
        started = time.perf_counter()
        result = call(item)
        yield item, result, (time.perf_counter() - started) * 1000


def latency(timings_ms: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 in ms."""
    return float(np.percentile(timings_ms, 50)), float(np.percentile(timings_ms, 95))


def language_counts(langs: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(langs).items()))


class Row(Protocol):
    """One dataset item's outcome under one retriever."""

    @property
    def lang(self) -> str: ...

    @property
    def ms(self) -> float: ...


R = TypeVar("R", bound=Row)


def scores(rows: Sequence[R], measure: Callable[[Sequence[R]], dict[str, Score]]) -> RetrieverScores:
    """`measure` over all rows and over each language's rows; latency from the rows' timings."""
    p50, p95 = latency([row.ms for row in rows])
    by_lang = {lang: measure([row for row in rows if row.lang == lang]) for lang in language_counts(r.lang for r in rows)}
    return RetrieverScores(metrics=measure(rows), by_lang=by_lang, p50_ms=p50, p95_ms=p95)

"""Deadlines for model work: a search past its deadline is a 503; /ask and /applicable return what retrieval found,
flagged partial, or a 503; none waits longer.

The Answerer and the ApplicabilityAnalyzer search through a `BudgetedSearcher`. Within a request it keeps what each
search found and, once the request's soft deadline has passed, starts no new search (it returns nothing, so the
analysis finishes on what was found). The hard deadline is enforced by `Capacity.run`.
"""

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import Field

from api.capacity import Busy, Capacity
from search.answer import Answer, answer_language
from search.applicable import Applicability
from search.filters import SearchFilters
from search.results import SearchResult
from search.searcher import SearcherWrapper
from search.stages import timed

# Share of the deadline after which no new search starts: the rest is for the search under way and the answer.
SOFT_SHARE = 0.6
PARTIAL_SOURCES = 5

T = TypeVar("T")

_PARTIAL_ANSWER = {
    "nb": "Rakk ikke å sette sammen et svar innen tidsfristen. Nærmeste kilder: ",
    "en": "Could not compose an answer within the deadline. Nearest sources: ",
}


class AskResponse(Answer):
    partial: bool = Field(False, description="True when the deadline passed: `sources` are what retrieval found.")
    partial_reason: str | None = Field(None, description="Why the response is partial.")


class ApplicableResponse(Applicability):
    partial: bool = Field(False, description="True when the deadline passed before every search had run.")
    partial_reason: str | None = Field(None, description="Why the response is partial.")


@dataclass
class Budget:
    seconds: float
    started: float = field(default_factory=time.monotonic)
    found: list[list[SearchResult]] = field(default_factory=list)
    skipped: int = 0

    @property
    def soft(self) -> float:
        return self.started + SOFT_SHARE * self.seconds

    @property
    def hard(self) -> float:
        return self.started + self.seconds

    def reason(self) -> str:
        return f"deadline of {self.seconds:g} s passed; {self.skipped} of {self.skipped + len(self.found)} searches not run"


_BUDGET: ContextVar[Budget | None] = ContextVar("hjemmel_budget", default=None)


class BudgetedSearcher(SearcherWrapper):
    """A Searcher that keeps to the current request's Budget (outside a request it is the Searcher itself)."""

    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None) -> list[SearchResult]:
        budget = _BUDGET.get()
        if budget is not None and time.monotonic() >= budget.soft:
            budget.skipped += 1
            return []
        results = self.searcher.search(query, top_k, filters)
        if budget is not None:
            budget.found.append(results)
        return results


async def search_within(
    capacity: Capacity, seconds: float, search: Callable[[], list[SearchResult]]
) -> list[SearchResult]:
    """The results, or Busy when the queue is full or `seconds` (queue wait included) pass first."""
    return await capacity.run("search", time.monotonic() + seconds, search)


async def ask_within(capacity: Capacity, seconds: float, question: str, answer: Callable[[], Answer]) -> AskResponse:
    """The answer; when the deadline passes after retrieval, the sources found with a short note; else Busy."""
    budget = Budget(seconds)
    token = _BUDGET.set(budget)
    try:
        done = await capacity.run("ask", budget.hard, _timed("answer", answer))
    except Busy:
        if not budget.found:
            raise
        sources = budget.found[0][:PARTIAL_SOURCES]
        text = _PARTIAL_ANSWER[answer_language(question)] + ("; ".join(r.citation for r in sources) or "–")
        return AskResponse(answer=text, refused=True, quotes=[], sources=sources, partial=True, partial_reason=budget.reason())
    finally:
        _BUDGET.reset(token)
    partial = budget.skipped > 0
    return AskResponse(**done.model_dump(), partial=partial, partial_reason=budget.reason() if partial else None)


async def applicable_within(
    capacity: Capacity, seconds: float, analyze: Callable[[], Applicability]
) -> ApplicableResponse:
    """The analysis, on the searches that ran before the soft deadline (flagged partial if any did not); or Busy."""
    budget = Budget(seconds)
    token = _BUDGET.set(budget)
    try:
        done = await capacity.run("applicable", budget.hard, _timed("applicable", analyze))
    finally:
        _BUDGET.reset(token)
    partial = budget.skipped > 0
    return ApplicableResponse(**done.model_dump(), partial=partial, partial_reason=budget.reason() if partial else None)


def _timed(stage: str, work: Callable[[], T]) -> Callable[[], T]:
    def run() -> T:
        with timed(stage):
            return work()

    return run

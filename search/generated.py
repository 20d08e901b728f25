"""Answers phrased by a language model behind an OpenAI-compatible endpoint, held to the provisions they were given.

The model sees the question and the provisions the extractive answerer found, numbered [1]..[n]. Its reply is used
only when every sentence cites one of those numbers, and the quotes stay verbatim sentences of the cited provisions.
Any other reply, a time-out or an error leaves the extractive answer standing; a refusal never reaches the model.
"""

import logging
import re

from haystack.components.generators.chat import OpenAIChatGenerator
from haystack.dataclasses import ChatMessage
from haystack.utils import Secret

from corpus.sentences import split_sentences
from corpus.settings import Settings
from search.answer import SOURCES_LINE, Answer, Answerer, Quote, answer_language
from search.filters import SearchFilters
from search.results import SearchResult
from search.scope import ScopeMatcher
from search.searcher import Searcher

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer questions about Norwegian health law and EU law for people building AI systems in health care. "
    "Use only the numbered provisions you are given, never other knowledge. "
    "Answer in the language of the question, in a few plain sentences. "
    "End every sentence with the numbers of the provisions that support it in square brackets, e.g. [1] or [2][3]; "
    "cite no other numbers and add no list of sources. "
    "If the provisions do not answer the question, say that you cannot answer it from them."
)
# «[2]», «[1, 3]»: provision numbers in square brackets.
_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# The OpenAI client sends a bearer key whatever the server; keyless local servers (Ollama, vLLM) ignore this one.
NO_API_KEY = "none"


class UnusableReply(ValueError):
    """No answer the service may give: the call failed, or the reply is empty or not held to the given provisions."""


def build_messages(question: str, provisions: list[SearchResult]) -> list[ChatMessage]:
    """The system rules, then the question and the provisions numbered as the reply must cite them."""
    numbered = "\n\n".join(f"[{n}] {p.citation}\n{p.text}" for n, p in enumerate(provisions, 1))
    return [
        ChatMessage.from_system(SYSTEM_PROMPT),
        ChatMessage.from_user(f"Question: {question}\n\nProvisions:\n\n{numbered}"),
    ]


def cited_numbers(reply: str, count: int) -> list[int]:
    """The provision numbers the reply cites, in order of first citation, if every sentence cites one of 1..count."""
    cited: list[int] = []
    for sentence in split_sentences(reply):
        numbers = [int(n) for group in _CITATION.findall(sentence) for n in group.split(",")]
        if not numbers:
            raise UnusableReply(f"a sentence cites no provision: {sentence!r}")
        if unknown := [n for n in numbers if not 1 <= n <= count]:
            raise UnusableReply(f"cites {unknown} but was given provisions 1..{count}: {sentence!r}")
        cited += [n for n in numbers if n not in cited]
    if not cited:
        raise UnusableReply("empty reply")
    return cited


class GeneratedAnswerer:
    """The extractive answerer's provisions, phrased by a language model when its reply cites only what it was given."""

    def __init__(self, extractive: Answerer, generator: OpenAIChatGenerator) -> None:
        self.extractive = extractive
        self.generator = generator
        self.generator.warm_up()  # one client for every request thread, built before the first request races to

    @classmethod
    def from_settings(cls, extractive: Answerer, settings: Settings) -> "GeneratedAnswerer":
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else NO_API_KEY
        generator = OpenAIChatGenerator(
            api_key=Secret.from_token(key),
            model=settings.llm_model,
            api_base_url=settings.llm_url,
            timeout=settings.llm_timeout,
            max_retries=0,  # a retry would double the wait before the extractive answer
        )
        return cls(extractive, generator)

    def answer(self, question: str, filters: SearchFilters | None = None, top_k: int = 5) -> Answer:
        extractive = self.extractive.answer(question, filters, top_k)
        if extractive.refused:
            return extractive
        provisions = extractive.sources
        try:
            reply = self._reply(question, provisions)
            numbers = cited_numbers(reply, len(provisions))
            quotes = self._quotes(question, extractive.quotes, [provisions[n - 1] for n in numbers])
        except UnusableReply as error:
            logger.warning("language model answer not used, answering extractively: %s", error)
            return extractive
        sources_line = "; ".join(f"[{n}] {provisions[n - 1].citation}" for n in numbers)
        return Answer(
            answer=f"{reply}\n\n{SOURCES_LINE[answer_language(question)]}{sources_line}",
            refused=False,
            quotes=quotes,
            sources=provisions,
            generated_by=self.generator.model,
            outside=extractive.outside,
        )

    def _reply(self, question: str, provisions: list[SearchResult]) -> str:
        try:
            replies = self.generator.run(messages=build_messages(question, provisions))["replies"]
        # The endpoint is outside this service: besides time-outs and HTTP errors (OpenAIError), a 200 that is not a
        # chat completion (a web page, broken JSON) surfaces as AssertionError, TypeError or ValueError. None of
        # them may fail the request while the extractive answer is at hand.
        except Exception as error:
            raise UnusableReply(f"{type(error).__name__}: {error}") from error
        return (replies[0].text or "").strip() if replies else ""

    def _quotes(self, question: str, extractive: list[Quote], cited: list[SearchResult]) -> list[Quote]:
        """The extractive quotes from the cited provisions; a cited provision not quoted gives its closest sentence.

        An answer with nothing quoted verbatim is not given, so no quote at all rejects the reply.
        """
        quotes: list[Quote] = []
        for provision in cited:
            own = [q for q in extractive if q.unit_id == provision.id]
            if not own and (best := self.extractive.best_quote(question, provision)) is not None:
                own = [best]
            quotes += own
        if not quotes:
            raise UnusableReply("the cited provisions have no sentence to quote")
        return quotes


def build_answerer(
    searcher: Searcher, settings: Settings, scope: ScopeMatcher | None = None
) -> Answerer | GeneratedAnswerer:
    """The extractive answerer, behind a language model when the settings name an endpoint; `scope` as in Answerer."""
    extractive = Answerer(searcher, settings, scope=scope)
    return GeneratedAnswerer.from_settings(extractive, settings) if settings.llm_url else extractive

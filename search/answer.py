"""Extractive answers: the best sentences of the retrieved provisions, quoted verbatim with pinpoint citations.

Nothing is generated: the answer is the quoted sentences with their citations and a line naming the sources, or a
refusal naming the nearest sources when no sentence is close enough to the question.
"""

import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, Field

from corpus.glossary import query_language
from corpus.scope import get_scope
from corpus.sentences import Sentence, quotable, sentences
from corpus.settings import Settings, get_settings
from index.embedders import passage_precision
from index.query_batcher import QueryBatcher
from index.sentence_vectors import SentenceVectors
from search.alignment import TokenAlignment
from search.definitions import asked_term, defines
from search.figures import asks_for_figure
from search.filters import SearchFilters, to_haystack
from search.results import SearchResult
from search.searcher import CITED_SCORE, Searcher
from search.scope import OutsideArea, ScopeMatcher

# Refusal takes two signals, calibrated on evals/datasets/ask (33 answerable, 10 unanswerable questions) over the
# full index (see that folder's README.md), so the refusal numbers there are in-sample:
# 1. The best sentence's score (cosine similarity of e5 query/passage embeddings, plus the small overlap bonus and
#    rank penalty below) must reach SENTENCE_THRESHOLD. e5 similarities are compressed: unanswerable questions' best
#    sentences scored 0.75–0.86, answerable ones 0.82–0.98, so this alone cannot separate them; it is set just above
#    the marathon question (0.822).
# 2. The top hit's fused retrieval score must reach AGREEMENT_THRESHOLD. The hybrid search sums 1 / (60 + rank) over
#    its lists, so a hit first in one list only scores 1/61 ≈ 0.016, first in two 2/61 ≈ 0.033. Nine of ten
#    unanswerable questions' top hits scored 0.016 (the lists disagree: nothing in the corpus is about the question),
#    the marathon 0.033; answerable ones 0.033–0.098. The cut is 1.5 lists' worth at rank 1.
# When the searches agree strongly (STRONG_AGREEMENT: the top hit first in three lists, as when a subject of the
# subject index is matched and its provision also tops the open searches; no unanswerable question reached it), a best
# sentence down to RELAXED_SENTENCE_THRESHOLD is enough: an English question over Norwegian law scores lower across
# languages (0.824 for a question on sharing with colleagues who treat the patient).
# A question for a figure about the world (search/figures.py: «hvor mange …», «how much did …») is refused even when
# both signals pass; on evals/datasets/ask-near (near-domain questions) it caught 12 of 30 unanswerable and none of
# the answerable ones, nor any question of the dev, test, ask or ask-heldout sets.
# A question about an area of law or a kind of source the registry does not hold (corpus/scope.toml: notice periods,
# HIPAA, case law, preparatory works) is refused with the acts or collections to read named, unless it names a
# registered source too.
# A question the best sentence covers only in part (search/alignment.py: the mean best token cosine under
# ALIGNMENT_THRESHOLD, when question and sentence are in one language) is refused too: the sentence is on the subject
# but not about what is asked. Calibrated on the tuning sets (evals/datasets/ask-train above all).
# A provision the query cites outright (score CITED_SCORE) is answered from whatever the similarity.
ALIGNMENT_THRESHOLD = 0.80
SENTENCE_THRESHOLD = 0.825
AGREEMENT_THRESHOLD = 1.5 / 61
STRONG_AGREEMENT = 3 / 61
RELAXED_SENTENCE_THRESHOLD = 0.80
# Quotes: at most this many, each within QUOTE_MARGIN of the best sentence's score.
MAX_QUOTES = 3
QUOTE_MARGIN = 0.02
# At most this many quotes from one provision, so a long article cannot fill the answer.
MAX_QUOTES_PER_UNIT = 2
# Weight of the share of the question's content words found in a sentence (0–1) added to its similarity.
OVERLAP_WEIGHT = 0.03
# Score taken off per rank of the provision a sentence comes from: ties go to the better-ranked provision.
RANK_PENALTY = 0.003
# Binding law is quoted before guidance that explains it (MDCG documents, agency pages): a guidance sentence ranks as
# if it scored this much lower, for choosing quotes only, not for deciding whether to refuse.
GUIDANCE_PENALTY = 0.02
# Sentences read per provision; a long annex is cut to the sentences sharing most words with the question.
MAX_SENTENCES_PER_UNIT = 40
# Added to a sentence that defines the term a definition question asks about («hva menes med databehandler?»), so
# the definition is quoted rather than a sentence that uses the term or defines a neighbouring one.
DEFINITION_BONUS = 0.1
# Definition provisions added to what retrieval found when the question names no act that defines the term.
MAX_DEFINITIONS = 2
# A sentence ending in a colon is quoted with the list it introduces, up to this many characters in all.
MAX_LIST_CHARS = 1500
# Sources named in a refusal.
NEAREST_SOURCES = 3

ORDINALS = ("første", "andre", "tredje", "fjerde", "femte", "sjette", "sjuende", "åttende", "niende", "tiende")

REFUSAL = {
    "nb": "Fant ikke grunnlag i kildene for å svare på dette. Nærmeste kilder: ",
    "en": "Found no basis in the sources to answer this. Nearest sources: ",
}
SOURCES_LINE = {"nb": "Kilder: ", "en": "Sources: "}
# Said of the areas outside the sources a question concerns: when it is refused for them, and when it is answered
# from the sources for the rest.
OUTSIDE = {
    "nb": "Spørsmålet gjelder noe kildene ikke dekker: ",
    "en": "The question concerns matters the sources do not cover: ",
}
ALSO_OUTSIDE = {
    "nb": "Spørsmålet gjelder også noe kildene ikke dekker: ",
    "en": "The question also concerns matters the sources do not cover: ",
}


class Quote(BaseModel):
    unit_id: str
    citation: str
    text: str


EXTRACTIVE = "extractive"


class Answer(BaseModel):
    answer: str
    refused: bool
    quotes: list[Quote]
    sources: list[SearchResult]
    generated_by: str = Field(
        EXTRACTIVE, description="«extractive», or the language model that phrased the answer (its [n] is sources[n-1])."
    )
    outside: list[OutsideArea] = Field(
        [], description="Areas of law or kinds of source the question concerns that the sources do not hold, with "
        "the acts or collections to read instead. A question about one is refused, unless it names a registered "
        "source or, for a foreign regime, asks about Norwegian or EU law too."
    )


def answer_language(question: str) -> str:
    """«en» for an English question, else «nb»: the language answers, refusals and source lines are written in."""
    return "en" if query_language(question) == "en" else "nb"


# --- citations -----------------------------------------------------------------------------------------------------

_EU_PARAGRAPH = re.compile(r"^(\d+)\.\s")
_ARTICLE_LABEL = re.compile(r"(art\.\s*\d+[a-z]?)")


def pinpoint(result: SearchResult, paragraph: int) -> str:
    """«helsepersonelloven § 29 første ledd», «GDPR art. 9(2)», else the provision's own citation."""
    paragraphs = result.text.split("\n\n")
    if not 0 <= paragraph < len(paragraphs):
        return result.citation
    if "/§" in result.id:
        if len(paragraphs) > 1 and paragraph < len(ORDINALS):
            return f"{result.citation} {ORDINALS[paragraph]} ledd"
        return result.citation
    if re.search(r"/art\d", result.id) and (number := _EU_PARAGRAPH.match(paragraphs[paragraph])):
        cited, count = _ARTICLE_LABEL.subn(rf"\1({number.group(1)})", result.citation, count=1)
        return cited if count else result.citation
    return result.citation


# --- scoring -------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[\wæøåÆØÅ]+", re.UNICODE)


def _content_words(text: str) -> set[str]:
    from corpus.glossary import _stopwords  # the stop-word lists query_language uses

    stop = _stopwords("en") | _stopwords("no")
    return {w[:6] for w in (t.lower() for t in _TOKEN.findall(text)) if len(w) > 2 and w not in stop}


def _overlap(question_words: set[str], sentence: str) -> float:
    if not question_words:
        return 0.0
    return len(question_words & _content_words(sentence)) / len(question_words)


@dataclass(frozen=True)
class _Scored:
    score: float
    similarity: float
    rank: int
    result: SearchResult
    sentence: Sentence


def _preference(candidate: _Scored) -> float:
    return candidate.score - (GUIDANCE_PENALTY if candidate.result.document.kind == "veileder" else 0.0)


def _law_first(candidate: _Scored) -> tuple[float, int, int]:
    return (-_preference(candidate), candidate.rank, candidate.sentence.start)


class Answerer:
    """Answers a question with verbatim quotes from the provisions a `Searcher` finds, or refuses."""

    def __init__(
        self,
        searcher: Searcher,
        settings: Settings | None = None,
        model=None,
        threshold: float = SENTENCE_THRESHOLD,
        agreement: float = AGREEMENT_THRESHOLD,
        cache_size: int = 20000,
        scope: ScopeMatcher | None = None,
    ) -> None:
        self.searcher = searcher
        self.scope = scope if scope is not None else ScopeMatcher(get_scope(), searcher.citations)
        self.settings = settings or get_settings()
        self.threshold = threshold
        self.agreement = agreement
        self.model = model or self._shared_model() or self._load_model()
        self.alignment = TokenAlignment(self.model, self.settings.query_prefix, self.settings.passage_prefix)
        self.stored = SentenceVectors(self.settings)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def _shared_model(self):
        """The sentence-transformers model the searcher's query embedder already loaded, if it can be reached."""
        for pipeline in self.searcher.pipelines.values():
            try:
                embedder = pipeline.get_component("embedder")
            except ValueError:
                continue
            embedder = getattr(embedder, "embedder", embedder)
            backend = getattr(embedder, "embedding_backend", None)
            if backend is not None and getattr(backend, "model", None) is not None:
                return backend.model
        return None

    def _load_model(self):
        from sentence_transformers import SentenceTransformer

        from index.embedders import model_path

        return SentenceTransformer(model_path(self.settings), device="cpu")

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        """From memory, else the vectors ingest stored, else the model; collected locally, since another request's
        thread may evict from the shared memory meanwhile."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        found = {t: v for t in dict.fromkeys(texts) if (v := self._cache.get(t)) is not None}
        new = self.stored.get([t for t in dict.fromkeys(texts) if t not in found])
        missing = [t for t in dict.fromkeys(texts) if t not in found and t not in new]
        if missing:
            with passage_precision(self.settings):
                vectors = self.model.encode(
                    [self.settings.passage_prefix + t for t in missing],
                    batch_size=32,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            new |= {text: np.asarray(vector, dtype=np.float32) for text, vector in zip(missing, vectors)}
        for text, vector in new.items():
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        found |= new
        return np.stack([found[t] for t in texts])

    def _query_batcher(self) -> QueryBatcher | None:
        for pipeline in self.searcher.pipelines.values():
            if "embedder" in pipeline.graph.nodes:
                embedder = getattr(pipeline.get_component("embedder"), "embedder", None)
                if isinstance(embedder, QueryBatcher):
                    return embedder
        return None

    def _embed_query(self, text: str) -> np.ndarray:
        """From the searcher's query batcher when it has one: the search has just embedded the question there, so
        this is a cache hit, not a second model call."""
        if (batcher := self._query_batcher()) is not None:
            return np.asarray(batcher.embed([text])[0], dtype=np.float32)
        vector = self.model.encode(
            [self.settings.query_prefix + text], normalize_embeddings=True, show_progress_bar=False
        )[0]
        return np.asarray(vector, dtype=np.float32)

    def score_sentences(self, question: str, results: list[SearchResult]) -> list[_Scored]:
        """Every candidate sentence of the results, best first."""
        question_words = _content_words(question)
        candidates: list[tuple[int, SearchResult, Sentence]] = []
        for rank, result in enumerate(results):
            sentences = quotable(result.text)
            if len(sentences) > MAX_SENTENCES_PER_UNIT:
                keep = sorted(
                    range(len(sentences)), key=lambda i: (-_overlap(question_words, sentences[i].text), i)
                )[:MAX_SENTENCES_PER_UNIT]
                sentences = [sentences[i] for i in sorted(keep)]
            candidates += [(rank, result, s) for s in sentences]
        if not candidates:
            return []
        similarities = self._embed_passages([s.text for _, _, s in candidates]) @ self._embed_query(question)
        term = asked_term(question)
        scored = [
            _Scored(
                score=float(similarity)
                + OVERLAP_WEIGHT * _overlap(question_words, s.text)
                - RANK_PENALTY * rank
                + (DEFINITION_BONUS if term and defines(s.text, term) else 0.0),
                similarity=float(similarity),
                rank=rank,
                result=result,
                sentence=s,
            )
            for (rank, result, s), similarity in zip(candidates, similarities)
        ]
        return sorted(scored, key=lambda c: (-c.score, c.rank, c.sentence.start))

    def answer(self, question: str, filters: SearchFilters | None = None, top_k: int = 5) -> Answer:
        language = answer_language(question)
        results = self.searcher.search(question, top_k=top_k, filters=filters)
        areas = self.scope.match(question)
        outside = [OutsideArea.of(area, language) for area in areas]
        if self.scope.refuses(question, areas):
            return self._refusal(language, results, outside)
        results += self._definitions(question, results, filters)
        scored = self.score_sentences(question, results)
        if not scored or not (self._cited(results) or self._answers(question, language, scored[0], results)):
            return self._refusal(language, results, outside)
        quotes = self._quotes(sorted(scored, key=_law_first))
        if not quotes:
            return self._refusal(language, results, outside)
        text = self._text(language, quotes, results)
        if outside:
            text += "\n" + _outside(ALSO_OUTSIDE[language], outside)
        return Answer(answer=text, refused=False, quotes=quotes, sources=results, outside=outside)

    def _definitions(self, question: str, results: list[SearchResult], filters: SearchFilters | None) -> list[SearchResult]:
        """The definition provisions that define the term a definition question asks about, when retrieval did not
        bring them: those of the acts the question names if any of them defines it, else any that does."""
        term = asked_term(question)
        if term is None:
            return []
        seen = {r.id for r in results}
        defining = [
            r
            for r in self.searcher.lookup.definitions(to_haystack(filters, self.searcher.registry))
            if r.id not in seen and any(defines(s.text, term) for s in sentences(r.text))
        ]
        named = {s.id for s in self.searcher.citations.sources_named(question)}
        return [r for r in defining if r.document.id in named] or defining[:MAX_DEFINITIONS]

    @staticmethod
    def _cited(results: list[SearchResult]) -> bool:
        return any(r.score == CITED_SCORE for r in results)

    def _answers(self, question: str, language: str, best: _Scored, results: list[SearchResult]) -> bool:
        """Whether the best sentence answers the question: supported, not a question for a figure, and covering it."""
        return self.supported(best, results) and not asks_for_figure(question) and self.covers(question, language, best)

    def supported(self, best: _Scored, results: list[SearchResult]) -> bool:
        """Whether the best sentence is close enough to the question and the searches agree on the top provision."""
        top = results[0].score if results and results[0].score is not None else 0.0
        if top >= STRONG_AGREEMENT:
            return best.score >= RELAXED_SENTENCE_THRESHOLD
        return best.score >= self.threshold and top >= self.agreement

    def covers(self, question: str, language: str, best: _Scored) -> bool:
        """Whether the best sentence speaks to all of the question (in `language`), where token alignment can tell:
        in one language."""
        if answer_language(best.sentence.text) != language:
            return True
        return self.alignment.recall(question, best.sentence.text) >= ALIGNMENT_THRESHOLD

    def _quotes(self, scored: list[_Scored]) -> list[Quote]:
        best = _preference(scored[0])
        quotes: list[Quote] = []
        per_unit: dict[str, int] = {}
        for candidate in scored:
            if len(quotes) == MAX_QUOTES or _preference(candidate) < best - QUOTE_MARGIN:
                break
            result, sentence = candidate.result, candidate.sentence
            if per_unit.get(result.id, 0) >= MAX_QUOTES_PER_UNIT or any(sentence.text in q.text for q in quotes):
                continue
            if (quote := _quote(candidate)) is not None:
                quotes.append(quote)
                per_unit[result.id] = per_unit.get(result.id, 0) + 1
        return quotes

    def best_quote(self, question: str, result: SearchResult) -> Quote | None:
        """The sentence of one provision closest to the question, pinpointed; None when it has no quotable sentence."""
        for candidate in self.score_sentences(question, [result]):
            if (quote := _quote(candidate)) is not None:
                return quote
        return None

    def _text(self, language: str, quotes: list[Quote], results: list[SearchResult]) -> str:
        lines = [f"«{q.text}» [{n}] {q.citation}" for n, q in enumerate(quotes, 1)]
        quoted = list(dict.fromkeys(q.unit_id for q in quotes))
        order = quoted + [r.id for r in results if r.id not in quoted]
        by_id = {r.id: r for r in results}
        return "\n".join(lines) + "\n\n" + SOURCES_LINE[language] + "; ".join(by_id[i].citation for i in order)

    def _refusal(self, language: str, results: list[SearchResult], outside: list[OutsideArea] | None = None) -> Answer:
        nearest = results[:NEAREST_SOURCES]
        names = "; ".join(r.citation for r in nearest) or "–"
        why = _outside(OUTSIDE[language], outside) + " " if outside else ""
        return Answer(
            answer=why + REFUSAL[language] + names, refused=True, quotes=[], sources=nearest, outside=outside or []
        )


def _outside(opening: str, outside: list[OutsideArea]) -> str:
    """«… kildene ikke dekker: «Skatt og merverdiavgift» (skatteloven, merverdiavgiftsloven).»"""
    return opening + "; ".join(f"«{area.name}» ({', '.join(act.name for act in area.acts)})" for area in outside) + "."


# A list item's opening: a dash or bullet, «(a)», «a)», «a.», «(iv)», «1)», «1.».
_LIST_ITEM = re.compile(r"^\s*(?:[—–\-•]|\(?[a-zæøå]{1,2}\)|[a-zæøå]\.|\(?[ivx]{1,5}\)|\(?\d{1,2}\))\s", re.IGNORECASE)


def _with_list(text: str, start: int, end: int) -> int:
    """Where the quote of text[start:end] should end: after the list its sentence introduces when it ends in a
    colon («… an impact that may cause:» and the classes that follow), else at `end`.
    """
    if not text[start:end].rstrip().endswith(":"):
        return end
    stop = end
    position = end
    for line in text[end:].splitlines(keepends=True):
        if line.strip():
            if not _LIST_ITEM.match(line) or position + len(line.rstrip()) - start > MAX_LIST_CHARS:
                break
            stop = position + len(line.rstrip())
        position += len(line)
    return stop


def _quote(candidate: _Scored) -> Quote | None:
    """The candidate sentence, with the list it introduces, as a pinpointed quote, if it occurs verbatim."""
    result, sentence = candidate.result, candidate.sentence
    end = _with_list(result.text, sentence.start, sentence.start + len(sentence.text))
    text = result.text[sentence.start : end]
    quote = Quote(unit_id=result.id, citation=pinpoint(result, sentence.paragraph), text=text)
    return quote if verbatim(quote, result) else None


def verbatim(quote: Quote, result: SearchResult) -> bool:
    """The quote's text occurs, character for character, in the text of the provision it cites."""
    return quote.unit_id == result.id and bool(quote.text) and quote.text in result.text

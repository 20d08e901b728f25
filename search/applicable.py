"""Which laws and which agencies apply to an AI project: POST /applicable.

A project description («Vi vil bruke journaldata … og kjøpe løsningen inn som CE-merket programvare») is matched
against topic probes (``corpus/topics.toml``: trigger terms in nb/nn/en, anchor laws, search queries, agencies and
questions). For each triggered topic the topic's queries are searched together with the description; the hits are
aggregated per document. A document's score combines

* the strength of the topics that name it as an anchor (1.0 when a trigger term or a flag fired, ``WEAK_TOPIC`` when
  only a search of the description itself landed in the topic's laws), weighted ``ANCHOR_WEIGHT``, and
* its retrieval share: over all queries run, how high its best provision ranked (1 at rank 1, falling linearly to 0
  at ``DEPTH``), averaged, weighted ``RETRIEVAL_WEIGHT``.

Documents at or above ``THRESHOLD`` are kept as laws (guidance, kind «veileder», never is), each with its 1–3 best
provisions as ``why``. A law the index does not hold cannot be cited, so it is dropped. The thresholds are calibrated
on ``evals/datasets/applicable`` (see its README): an anchor of a triggered topic always passes, a weakly triggered
anchor needs some retrieval support, and a law no topic names needs to dominate the retrieval.

Agencies are the agencies of the triggered topics that have a role (sources.toml) under at least one kept law;
each carries that role, the laws it acts under, and the question of its strongest topic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from corpus.provenance import Provenance, load_entries, read_toml
from corpus.registry import Registry
from search.filters import SearchFilters
from search.results import SearchResult

TOPICS_PATH = Path(__file__).resolve().parents[1] / "corpus" / "topics.toml"

# Hits looked at per query; a document's best hit at rank r (0-based) counts 1 - r / DEPTH.
DEPTH = 10
# Strength of a topic triggered only because searching the description found its laws.
WEAK_TOPIC = 0.5
# A topic is weakly triggered when at least this many of the description's own hits are in its laws.
WEAK_MIN_HITS = 2
ANCHOR_WEIGHT = 0.6
RETRIEVAL_WEIGHT = 0.6
# Calibrated on evals/datasets/applicable with the full index (see its README).
THRESHOLD = 0.5
MAX_WHY = 3
# Characters of the description appended to each topic query; e5-small sees 512 tokens at most.
DESCRIPTION_CHARS = 400
GENERIC_QUESTION = "Hvilke krav stiller {laws} til prosjektet, og hva må avklares med dere før oppstart?"


class UnknownFlag(ValueError):
    """A flag no topic answers to; ignoring it would silently analyse without what the caller asked for."""


class Topic(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    flags: tuple[str, ...] = ()
    triggers: tuple[str, ...]
    suppressors: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()
    # Topics one of which must also apply for this one's triggers to count: håndteringsforskriften governs how the
    # health service handles medical devices, so «kjøpe inn» says something only when a device is in the project.
    requires: tuple[str, ...] = ()
    documents: tuple[str, ...]
    queries: tuple[str, ...]
    agencies: tuple[str, ...]
    questions: dict[str, str] = Field(default_factory=dict)
    source: Provenance

    def pattern(self) -> re.Pattern[str]:
        """Triggers match at the start of a word («journal» in «journaldata»); short ones («KI», «AI») whole."""
        parts = []
        for trigger in sorted(self.triggers, key=len, reverse=True):
            escaped = re.escape(trigger.casefold())
            parts.append(rf"(?<!\w){escaped}(?!\w)" if len(trigger) <= 3 else rf"(?<!\w){escaped}")
        return re.compile("|".join(parts), re.IGNORECASE)


class Suppression(BaseModel):
    """Phrases that take a project outside several topics at once («the model will only be used for research»: no
    device placed on the market, no AI system put into service), listed once for all of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    topics: tuple[str, ...] = Field(min_length=1)
    phrases: tuple[str, ...] = Field(min_length=1)
    source: Provenance


def load_suppressions(path: Path = TOPICS_PATH, document: dict | None = None) -> tuple[Suppression, ...]:
    document = read_toml(path) if document is None else document
    return load_entries(Suppression, path, "suppression", "id", document) if "suppression" in document else ()


@cache
def load_topics(path: Path = TOPICS_PATH) -> tuple[Topic, ...]:
    """The topics, each with the phrases of the suppressions that name it added to its own suppressors."""
    document = read_toml(path)
    topics = load_entries(Topic, path, "topic", "id", document)
    suppressions = load_suppressions(path, document)
    known = {topic.id for topic in topics}
    for suppression in suppressions:
        if unknown := set(suppression.topics) - known:
            raise ValueError(f"{path}: suppression {suppression.id!r} names unknown topic(s) {sorted(unknown)}")
    shared = {topic.id: tuple(p for s in suppressions if topic.id in s.topics for p in s.phrases) for topic in topics}
    return tuple(topic.model_copy(update={"suppressors": topic.suppressors + shared[topic.id]}) for topic in topics)


class LawHit(BaseModel):
    """A law that applies, with the provisions that show why."""

    document_id: str
    title: str
    score: float
    why: list[SearchResult]


class AgencyHit(BaseModel):
    """An agency to ask: its role under the laws found, which laws, and a concrete question."""

    name: str
    role: str
    question: str
    documents: list[str]
    score: float = 0.0


class Applicability(BaseModel):
    laws: list[LawHit]
    agencies: list[AgencyHit]
    topics: list[str] = Field(default_factory=list, description="Topic probes the description triggered.")


class _Searcher(Protocol):
    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None) -> list[SearchResult]: ...


class ApplicabilityAnalyzer:
    def __init__(
        self,
        searcher: _Searcher,
        registry: Registry,
        topics: tuple[Topic, ...] | None = None,
        threshold: float = THRESHOLD,
    ) -> None:
        self.searcher = searcher
        self.registry = registry
        self.topics = topics if topics is not None else load_topics()
        self.threshold = threshold
        self._patterns = {t.id: t.pattern() for t in self.topics}
        self.known_flags = frozenset(flag.casefold() for t in self.topics for flag in (t.id, *t.flags))
        ids = {t.id for t in self.topics}
        for topic in self.topics:
            if unknown := set(topic.implies) - ids:
                raise ValueError(f"topic {topic.id} implies unknown topic(s) {sorted(unknown)}")
            if unknown := set(topic.requires) - ids:
                raise ValueError(f"topic {topic.id} requires unknown topic(s) {sorted(unknown)}")
            if conditional := [t.id for t in self.topics if t.id in topic.requires and t.requires]:
                raise ValueError(f"topic {topic.id} requires {conditional}, which themselves require topics")
            for doc in topic.documents:
                registry.source(doc)  # a typo in topics.toml should fail at start-up
            for agency in (*topic.agencies, *topic.questions):
                if agency not in registry.agencies:
                    raise ValueError(f"topic {topic.id} names unknown agency {agency!r}")

    # -- topic detection ---------------------------------------------------------------------------------------

    def triggered(self, description: str, flags: list[str] | None = None) -> dict[str, float]:
        """Topic id → strength from trigger terms and flags (1.0), and the topics those imply (health data → GDPR).
        A topic with `requires` fires on its triggers only once one of those topics applies; a flag forces it."""
        wanted = {f.casefold() for f in flags or ()}
        if unknown := sorted(wanted - self.known_flags):
            raise UnknownFlag(f"unknown flag(s) {', '.join(map(repr, unknown))}; known flags: {', '.join(sorted(self.known_flags))}")
        strengths: dict[str, float] = {}
        # The unconditional topics and what they imply first, so the conditional ones can see them.
        for group in ([t for t in self.topics if not t.requires], [t for t in self.topics if t.requires]):
            for topic in group:
                forced = bool(wanted & {topic.id, *topic.flags})
                required = not topic.requires or any(r in strengths for r in topic.requires)
                if forced or (required and self._fires(topic, description)):
                    strengths[topic.id] = 1.0
            for topic in self.topics:
                if topic.id in strengths:
                    strengths.update({implied: 1.0 for implied in topic.implies})
        return strengths

    def _fires(self, topic: Topic, description: str) -> bool:
        return bool(self._patterns[topic.id].search(description)) and not self._suppressed(topic, description)

    @staticmethod
    def _suppressed(topic: Topic, description: str) -> bool:
        text = description.casefold()
        return any(s.casefold() in text for s in topic.suppressors)

    # -- analysis ----------------------------------------------------------------------------------------------

    def analyze(self, description: str, flags: list[str] | None = None) -> Applicability:
        description = " ".join(description.split())
        if not description:
            return Applicability(laws=[], agencies=[])
        strengths = self.triggered(description, flags)
        if not strengths:
            # No probe fires: nothing suggests a health, data or AI question, so retrieval alone is no evidence
            # (a cooking page still has nearest neighbours in the corpus).
            return Applicability(laws=[], agencies=[])
        runs: list[list[SearchResult]] = [self._search(description)]
        # Weak triggers: the description's own hits land in a topic's laws.
        by_doc = defaultdict(int)
        for hit in runs[0]:
            by_doc[hit.document.id] += 1
        for topic in self.topics:
            # A conditional topic is about what the project does with the subject it requires («kjøpe inn» a device),
            # which only the project's words tell, so its laws turning up in the search is no trigger.
            if topic.id in strengths or topic.requires or self._suppressed(topic, description):
                continue
            if sum(by_doc[d] for d in topic.documents) >= WEAK_MIN_HITS:
                strengths[topic.id] = WEAK_TOPIC
        context = description[:DESCRIPTION_CHARS]
        for topic in self.topics:
            if topic.id in strengths:
                runs.extend(self._search(f"{query} {context}") for query in topic.queries)

        anchor: dict[str, float] = defaultdict(float)
        anchor_topic: dict[str, Topic] = {}
        for topic in self.topics:
            for doc in topic.documents:
                if strengths.get(topic.id, 0.0) > anchor[doc]:
                    anchor[doc] = strengths[topic.id]
                    anchor_topic[doc] = topic

        share: dict[str, float] = defaultdict(float)
        unit_score: dict[str, float] = defaultdict(float)
        units: dict[str, SearchResult] = {}
        for hits in runs:
            best: dict[str, float] = {}
            for rank, hit in enumerate(hits[:DEPTH]):
                weight = 1.0 - rank / DEPTH
                best[hit.document.id] = max(best.get(hit.document.id, 0.0), weight)
                unit_score[hit.id] += weight
                units.setdefault(hit.id, hit)
            for doc, weight in best.items():
                share[doc] += weight / len(runs)

        laws: list[LawHit] = []
        for doc in set(anchor) | set(share):
            source = self.registry.sources.get(doc)
            if source is None or source.kind == "veileder":
                continue
            score = ANCHOR_WEIGHT * anchor.get(doc, 0.0) + RETRIEVAL_WEIGHT * share.get(doc, 0.0)
            if score < self.threshold:
                continue
            why = sorted((u for u in units.values() if u.document.id == doc), key=lambda u: -unit_score[u.id])[:MAX_WHY]
            if not why:
                topic = anchor_topic.get(doc)
                query = f"{topic.queries[0] if topic else ''} {context}".strip()
                why = self._search(query, SearchFilters(document_id=doc), top_k=MAX_WHY)
            if not why:
                continue  # not in the index: nothing to cite
            why = [w.model_copy(update={"score": round(unit_score.get(w.id, 0.0), 4)}) for w in why]
            laws.append(LawHit(document_id=doc, title=source.title, score=round(min(score, 1.0), 4), why=why))
        laws.sort(key=lambda law: (-law.score, law.document_id))
        return Applicability(
            laws=laws, agencies=self._agencies(laws, strengths), topics=sorted(strengths, key=lambda t: -strengths[t])
        )

    def _search(self, query: str, filters: SearchFilters | None = None, top_k: int = DEPTH) -> list[SearchResult]:
        try:
            return self.searcher.search(query, top_k=top_k, filters=filters)
        except Exception:  # an index without this document (filter unknown) or a failed search: no evidence
            if filters is None:
                raise
            return []

    def _agencies(self, laws: list[LawHit], strengths: dict[str, float]) -> list[AgencyHit]:
        # Agency id -> (strength, topic) of its strongest triggered topic.
        asked: dict[str, tuple[float, Topic]] = {}
        for topic in self.topics:
            strength = strengths.get(topic.id)
            if strength is None:
                continue
            for agency in topic.agencies:
                if agency not in asked or strength > asked[agency][0]:
                    asked[agency] = (strength, topic)
        hits: list[AgencyHit] = []
        for agency_id, (strength, topic) in asked.items():
            agency = self.registry.agencies[agency_id]
            documents, roles, score = [], [], 0.0
            for law in laws:
                for role in self.registry.source(law.document_id).agencies:
                    if role.agency == agency_id:
                        documents.append(law.document_id)
                        roles.append(role.role)
                        score += law.score
            if not documents:
                continue
            # The role under the strongest topic's own law reads best; else under the best-scored law.
            role = next(
                (r for d, r in zip(documents, roles) if d in topic.documents),
                roles[0],
            )
            question = topic.questions.get(agency_id) or GENERIC_QUESTION.format(
                laws=", ".join(self.registry.source(d).name for d in documents[:3])
            )
            hits.append(
                AgencyHit(name=agency.name, role=role, question=question, documents=documents, score=round(score * strength, 4))
            )
        hits.sort(key=lambda a: (-a.score, a.name))
        return hits

"""Ingest: registry sources → units → chunks → dense + sparse vectors → the index.

Incremental and crash-safe: every chunk carries its source's content hash and chunk count. A source counts as
indexed only when the index holds exactly that many chunks of it, all with the current hash; anything else (a
changed file, a run killed half-way) is written again, and stale chunks are deleted only after the new ones are in.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from haystack import Document, Pipeline
from haystack.components.writers import DocumentWriter
from haystack.document_stores.types import DuplicatePolicy
from tqdm import tqdm

from corpus.registry import Registry, Source
from corpus.settings import Settings
from index.embedders import PassageEmbedder, passage_model_key
from index.embedding_cache import CachedDocumentEmbedder, EmbeddingCache
from index.sentence_vectors import SentenceEmbedder, sentence_model
from index.sparse import SparseDocumentEmbedder
from index.store import DocumentStore
from ingest.chunking import to_documents
from ingest.failures import ReadFailure
from ingest.readers import READERS, read_source

# Bump when parsing or chunking changes, so unchanged files are re-indexed all the same.
INGEST_VERSION = "8"


@dataclass
class SourceReport:
    source_id: str
    file: str
    units: int = 0
    chunks: int = 0
    embedded: int = 0
    sentences: int = 0  # sentence vectors embedded (not found in the cache)
    skipped: bool = False
    failed: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    sources: list[SourceReport]
    seconds: float
    points: int
    pruned: int = 0

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.failed]

    def table(self) -> str:
        """One line per source: what a user checks after adding or changing files."""
        rows = [f"{'source':<58} {'units':>6} {'chunks':>6} {'embedded':>8} {'status':<8} {'s':>6}"]
        for s in self.sources:
            status = "failed" if s.failed else "skipped" if s.skipped else "indexed"
            rows.append(
                f"{s.source_id[:58]:<58} {s.units:>6} {s.chunks:>6} {s.embedded:>8} {status:<8} {s.seconds:>6.1f}"
            )
        return "\n".join(rows)

    def summary(self) -> str:
        indexed = [s for s in self.sources if not s.skipped and not s.failed]
        pruned = f", {self.pruned} points of unregistered sources pruned" if self.pruned else ""
        return (
            f"{len(self.sources)} documents: {len(indexed)} indexed, "
            f"{sum(s.skipped for s in self.sources)} skipped (unchanged), {len(self.failed)} failed; "
            f"{sum(s.units for s in indexed)} units, {sum(s.chunks for s in indexed)} chunks written, "
            f"{sum(s.embedded for s in indexed)} embedded, {sum(s.sentences for s in indexed)} sentences embedded; "
            f"{self.points} points in the index{pruned}; {self.seconds:.1f} s"
        )


def _eq(field_name: str, value: object) -> dict:
    return {"field": f"meta.{field_name}", "operator": "==", "value": value}


def _size(path: Path) -> int:
    """Bytes on disk of a source's file or folder; 0 when missing (reading then reports it)."""
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size
    except OSError:
        return 0


def _content(path: Path) -> bytes:
    """The bytes that decide whether a source changed; a folder source (one file per article) hashes all its files."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        return b"".join(p.relative_to(path).as_posix().encode() + b"\0" + p.read_bytes() for p in files)
    return path.read_bytes()


# Sentences run from 5 to 500 tokens, and a batch is padded to its longest: at 128 the corpus's 0.93 M sentence tokens
# were embedded as 1.9 M, at 16 as 1.15 M. Measured on 2 AMD Zen 4 cores, 1,200 corpus sentences: 47 per second at
# 128, 98 at 16, 85–92 at 24 and 32 in bfloat16; 28.5 at 128 and 52 at 16 in float32. (On 2 AMX cores: 149 per
# second at 128 in bfloat16; 16 was not measured there.) A full ingest from scratch on Zen 4: 796 s at 128, 605 s at 16.
SENTENCE_BATCH = 16
# Chunks embedded and written per pipeline run: the progress bar moves this often.
WRITE_BATCH = 64


@dataclass
class _Plan:
    """A source read for ingest: its report so far and, when it must be (re)written, its chunks."""

    source: Source
    report: SourceReport
    content_hash: str = ""
    documents: list[Document] | None = None


class Ingestor:
    """Writes registry sources into a document store; one Haystack pipeline embeds and writes each source's chunks."""

    def __init__(self, store: DocumentStore, registry: Registry, settings: Settings) -> None:
        self.store = store
        self.registry = registry
        self.settings = settings
        self.cache = EmbeddingCache(settings.embedding_cache)
        self.pipeline = Pipeline()
        self.pipeline.add_component("sparse", SparseDocumentEmbedder())
        self.pipeline.add_component(
            "dense", CachedDocumentEmbedder(PassageEmbedder(settings), self.cache, passage_model_key(settings))
        )
        self.pipeline.add_component("writer", DocumentWriter(store, policy=DuplicatePolicy.OVERWRITE))
        self.pipeline.connect("sparse.documents", "dense.documents")
        self.pipeline.connect("dense.documents", "writer.documents")
        if settings.sentence_vectors:
            self.pipeline.add_component(
                "sentences",
                SentenceEmbedder(PassageEmbedder(settings, SENTENCE_BATCH), self.cache, sentence_model(settings)),
            )
            self.pipeline.connect("dense.documents", "sentences.documents")

    def readable_sources(self) -> list[Source]:
        return [s for s in self.registry.sources.values() if s.file and s.format in READERS]

    def _hash(self, data: bytes) -> str:
        # With sentence vectors switched on, sources indexed without them are written again.
        settings = self.settings
        version = f"{INGEST_VERSION}|{passage_model_key(settings)}|{settings.chunk_chars}|{settings.sentence_vectors}|".encode()
        return hashlib.sha256(version + data).hexdigest()

    def _is_current(self, source: Source, content_hash: str) -> bool:
        same = {"operator": "AND", "conditions": [_eq("source_id", source.id), _eq("content_hash", content_hash)]}
        first = self.store.filter_documents({"operator": "AND", "conditions": [*same["conditions"], _eq("chunk", 0)]})
        if not first:
            return False
        expected = first[0].meta["source_chunks"]
        everything = self.store.count_documents_by_filter(_eq("source_id", source.id))
        return self.store.count_documents_by_filter(same) == expected == everything

    def _documents(self, source: Source, path: Path, content_hash: str, report: SourceReport) -> list[Document] | None:
        documents: list[Document] = []
        for parsed in read_source(path, source):
            if isinstance(parsed, ReadFailure):
                report.failed = f"{parsed.origin}: {parsed.reason}"
                return None
            report.warnings.extend(parsed.warnings)
            for unit in parsed.units:
                if not unit.paragraphs:
                    continue
                report.units += 1
                documents.extend(
                    to_documents(unit, parsed.info, source, self.registry, content_hash, self.settings.chunk_chars)
                )
        if not documents:
            report.failed = f"{path}: no provisions or text found"
            return None
        for document in documents:
            document.meta["source_chunks"] = len(documents)
        return documents

    def _plan(self, source: Source, corpus_dir: Path) -> _Plan:
        """Read and chunk a source unless the index already holds its current version."""
        started = time.perf_counter()
        plan = _Plan(source, SourceReport(source.id, source.file or ""))
        path = corpus_dir / (source.file or "")
        try:
            plan.content_hash = self._hash(_content(path))
        except OSError as exc:
            plan.report.failed = f"{path}: unreadable ({exc.strerror or exc})"
            return plan
        if self._is_current(source, plan.content_hash):
            plan.report.skipped = True
        else:
            plan.documents = self._documents(source, path, plan.content_hash, plan.report)
        plan.report.seconds = time.perf_counter() - started
        return plan

    def _write(self, plan: _Plan, advance: Callable[[int], object]) -> None:
        """Embed and write a planned source's chunks a batch at a time (so progress moves inside the big acts),
        then delete its chunks of an older version."""
        assert plan.documents is not None
        started = time.perf_counter()
        for at in range(0, len(plan.documents), WRITE_BATCH):
            batch = plan.documents[at : at + WRITE_BATCH]
            result = self.pipeline.run({"sparse": {"documents": batch}}, include_outputs_from={"dense"})
            plan.report.embedded += result["dense"]["embedded"]
            plan.report.sentences += result.get("sentences", {}).get("embedded", 0)
            advance(len(batch))
        plan.report.chunks = len(plan.documents)
        # New chunks are in before the old go, so a search never sees the source missing.
        old_hash = {"field": "meta.content_hash", "operator": "!=", "value": plan.content_hash}
        self.store.delete_by_filter({"operator": "AND", "conditions": [_eq("source_id", plan.source.id), old_hash]})
        plan.report.seconds += time.perf_counter() - started

    def prune(self) -> int:
        """Delete what the index holds of sources no longer in the registry."""
        unregistered = {"field": "meta.source_id", "operator": "not in", "value": list(self.registry.sources)}
        return self.store.delete_by_filter(unregistered)

    def run(
        self, corpus_dir: Path, progress: bool = True, only: set[str] | None = None, prune: bool = False
    ) -> IngestReport:
        """Ingest the readable sources, or just the ids in `only`; with `prune`, drop unregistered sources."""
        started = time.perf_counter()
        sources = [s for s in self.readable_sources() if only is None or s.id in only]
        # Two steps, each with a bar in the unit its work grows with: reading (bytes; seconds in all) tells how
        # many chunks need embedding, and embedding them (the minutes of a first run) then counts chunks.
        sizes = [_size(corpus_dir / (s.file or "")) for s in sources]
        plans = []
        with tqdm(total=sum(sizes), desc="ingest 1/2: read", unit="B", unit_scale=True, disable=not progress) as bar:
            for source, size in zip(sources, sizes):
                bar.set_postfix_str(source.short_title[:40])
                plans.append(self._plan(source, corpus_dir))
                bar.update(size)
        todo = [plan for plan in plans if plan.documents]
        total = sum(len(plan.documents or ()) for plan in todo)
        with tqdm(total=total, desc="ingest 2/2: embed", unit="chunk", disable=not progress) as bar:
            for plan in todo:
                bar.set_postfix_str(plan.source.short_title[:40])
                self._write(plan, bar.update)
        pruned = self.prune() if prune else 0
        reports = [plan.report for plan in plans]
        return IngestReport(reports, time.perf_counter() - started, self.store.count_documents(), pruned)

    def close(self) -> None:
        self.cache.close()

"""Ingest: registry sources → units → chunks → dense + sparse vectors → the index, skipping what has not changed."""

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from haystack import Document, Pipeline
from haystack.components.writers import DocumentWriter
from haystack.document_stores.types import DuplicatePolicy
from tqdm import tqdm

from corpus.registry import Registry, Source
from corpus.settings import Settings
from corpus.units import ParsedDocument
from index.embedders import document_embedder
from index.sparse import SparseDocumentEmbedder
from index.store import DocumentStore
from ingest.chunking import to_documents
from ingest.lovdata import ReadFailure, read_lovdata

# Bump when parsing or chunking changes, so unchanged files are re-indexed all the same.
INGEST_VERSION = "2"

Reader = Callable[[Path], Iterator[ParsedDocument | ReadFailure]]
READERS: dict[str, Reader] = {"lovdata-xml": read_lovdata}


@dataclass
class SourceReport:
    source_id: str
    file: str
    units: int = 0
    chunks: int = 0
    skipped: bool = False
    failed: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    sources: list[SourceReport]
    seconds: float
    points: int

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.failed]

    def summary(self) -> str:
        indexed = [s for s in self.sources if not s.skipped and not s.failed]
        return (
            f"{len(self.sources)} documents: {len(indexed)} indexed, "
            f"{sum(s.skipped for s in self.sources)} skipped (unchanged), {len(self.failed)} failed; "
            f"{sum(s.units for s in indexed)} units, {sum(s.chunks for s in indexed)} chunks written; "
            f"{self.points} points in the index; {self.seconds:.1f} s"
        )


def _filter(source_id: str, content_hash: str, same: bool) -> dict:
    return {
        "operator": "AND",
        "conditions": [
            {"field": "meta.source_id", "operator": "==", "value": source_id},
            {"field": "meta.content_hash", "operator": "==" if same else "!=", "value": content_hash},
        ],
    }


class Ingestor:
    """Writes registry sources into a document store; one Haystack pipeline embeds and writes each source's chunks."""

    def __init__(self, store: DocumentStore, registry: Registry, settings: Settings) -> None:
        self.store = store
        self.registry = registry
        self.settings = settings
        self.pipeline = Pipeline()
        self.pipeline.add_component("sparse", SparseDocumentEmbedder())
        self.pipeline.add_component("dense", document_embedder(settings))
        self.pipeline.add_component("writer", DocumentWriter(store, policy=DuplicatePolicy.OVERWRITE))
        self.pipeline.connect("sparse.documents", "dense.documents")
        self.pipeline.connect("dense.documents", "writer.documents")

    def readable_sources(self) -> list[Source]:
        return [s for s in self.registry.sources.values() if s.file and s.format in READERS]

    def _hash(self, data: bytes) -> str:
        version = f"{INGEST_VERSION}|{self.settings.embedding_model}|{self.settings.chunk_chars}|".encode()
        return hashlib.sha256(version + data).hexdigest()

    def ingest_source(self, source: Source, corpus_dir: Path) -> SourceReport:
        started = time.perf_counter()
        report = SourceReport(source.id, source.file or "")
        path = corpus_dir / (source.file or "")
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.failed = f"{path}: unreadable ({exc.strerror or exc})"
            return report
        content_hash = self._hash(data)
        if self.store.count_documents_by_filter(_filter(source.id, content_hash, same=True)):
            report.skipped = True
        else:
            documents: list[Document] = []
            for parsed in READERS[source.format](path):
                if isinstance(parsed, ReadFailure):
                    report.failed = f"{parsed.origin}: {parsed.reason}"
                    return report
                report.warnings.extend(parsed.warnings)
                for unit in parsed.units:
                    if not unit.paragraphs:
                        continue
                    report.units += 1
                    documents.extend(
                        to_documents(unit, parsed.info, source, self.registry, content_hash, self.settings.chunk_chars)
                    )
            self.pipeline.run({"sparse": {"documents": documents}})
            # New chunks are in before the old go, so a search never sees the document missing.
            self.store.delete_by_filter(_filter(source.id, content_hash, same=False))
            report.chunks = len(documents)
        report.seconds = time.perf_counter() - started
        return report

    def run(self, corpus_dir: Path, progress: bool = True, only: set[str] | None = None) -> IngestReport:
        """Ingest the readable sources, or just the ids in `only`."""
        started = time.perf_counter()
        sources = [s for s in self.readable_sources() if only is None or s.id in only]
        reports = []
        with tqdm(sources, desc="ingest", unit="doc", disable=not progress) as bar:
            for source in bar:
                bar.set_postfix_str(source.short_title)
                reports.append(self.ingest_source(source, corpus_dir))
        return IngestReport(reports, time.perf_counter() - started, self.store.count_documents())

"""Units to indexable chunks: long provisions split on ledd boundaries, each chunk led by its citation heading."""

import re

from haystack import Document

from corpus.registry import Registry, Source
from corpus.units import DocumentInfo, Unit

_SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-ZÆØÅ0-9«(])")


def _pieces(text: str, max_chars: int) -> list[str]:
    """A ledd longer than a chunk is cut at list items, then at sentence ends; never inside a sentence."""
    if len(text) <= max_chars:
        return [text]
    lines = text.split("\n")
    if len(lines) > 1:
        return [piece for part in _pack(lines, max_chars, "\n") for piece in _pieces(part, max_chars)]
    sentences = _SENTENCE_END.split(text)
    return _pack(sentences, max_chars, " ") if len(sentences) > 1 else [text]


def _pack(parts: list[str], max_chars: int, joiner: str) -> list[str]:
    chunks: list[str] = []
    for part in parts:
        if chunks and len(chunks[-1]) + len(joiner) + len(part) <= max_chars:
            chunks[-1] += joiner + part
        else:
            chunks.append(part)
    return chunks


def chunk_bodies(unit: Unit, max_chars: int) -> list[str]:
    """Whole ledd packed together up to `max_chars`."""
    pieces = [piece for paragraph in unit.paragraphs for piece in _pieces(paragraph, max_chars)]
    return _pack(pieces, max_chars, "\n\n") if pieces else []


def citation(source: Source, unit: Unit) -> str:
    """«helsepersonelloven § 29», «MDR art. 2 (OJ L 117, p. 15)»; a guidance document is cited by its name."""
    cited = f"{source.name} {unit.label}" if unit.label else source.name
    return f"{cited} ({unit.location})" if unit.location else cited


def _secondary(unit: Unit, owner: Source) -> str:
    """Why a unit ranks below the operative law unless a query asks for it: «convention» for a treaty an act carries in
    an annex, «service» for a page about the guidance service; empty for the law itself."""
    if unit.kind == "konvensjon":
        return "convention"
    return "service" if owner.about_service else ""


def to_documents(
    unit: Unit,
    info: DocumentInfo,
    origin: Source,
    registry: Registry,
    content_hash: str,
    max_chars: int,
) -> list[Document]:
    """Haystack documents for one unit; `origin` is the registry source whose file held it (for hashing and pruning)."""
    owner = registry.source(unit.document_id)
    agencies = [(registry.agencies[role.agency], role.role) for role in owner.agencies]
    heading = f"{citation(owner, unit)}. {unit.title}".rstrip(". ") if unit.title else citation(owner, unit)
    section = unit.heading.rsplit(" > ", 1)[-1]
    prefix = f"{heading}\n{section}\n\n" if section else f"{heading}\n\n"
    bodies = chunk_bodies(unit, max_chars)
    return [
        Document(
            # The source is part of the id: the GDPR's articles come both from EUR-Lex and from personopplysningsloven.
            id=f"{origin.id}|{unit.id}#{number}",
            content=prefix + body,
            meta={
                "unit_id": unit.id,
                "chunk": number,
                "chunks": len(bodies),
                "text": unit.text if unit.whole else body,
                "citation": citation(owner, unit),
                "label": unit.label,
                "title": unit.title,
                "heading": unit.heading,
                "url": unit.url,
                "order": unit.order,
                "notes": list(unit.notes),
                "footnotes": list(unit.footnotes),
                "document_id": owner.id,
                "document_title": owner.title,
                "document_short_title": owner.short_title,
                "kind": unit.kind or owner.kind,
                "secondary": _secondary(unit, owner),
                "language": unit.language or origin.language,
                # Lovdata's key information (consolidation date, in force, ministry) belongs to the Norwegian act,
                # not to EU text carried inside it.
                "last_changed": info.last_changed if owner.id == info.id else "",
                "last_changed_by": info.last_changed_by if owner.id == info.id else "",
                "in_force": info.in_force if owner.id == info.id else "",
                "ministries": list(info.ministries) if owner.id == info.id else [],
                "agencies": [agency.name for agency, _ in agencies],
                "agency_roles": [{"name": agency.name, "role": role} for agency, role in agencies],
                "source_id": origin.id,
                "content_hash": content_hash,
            },
        )
        for number, body in enumerate(bodies)
    ]


"""Reading provisions and documents straight from the index: exact lookups, no ranking."""

from haystack import Document
from pydantic import BaseModel, ConfigDict

from corpus.registry import Registry, Source
from index.store import DocumentStore
from search.results import AgencyRef, SearchResult


class UnitRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    citation: str
    title: str
    heading: str = ""


class UnitView(BaseModel):
    """A provision with where it sits (chapter heading, neighbours) and what Lovdata says about it (amendments, footnotes)."""

    unit: SearchResult
    heading: str
    notes: list[str]
    footnotes: list[str]
    previous: UnitRef | None
    next: UnitRef | None


class SourceView(BaseModel):
    id: str
    title: str
    name: str
    short_title: str
    abbreviations: list[str]
    kind: str
    language: str
    url: str
    licence: str
    attribution: str
    agencies: list[AgencyRef]
    units: int
    chunks: int
    last_changed: str = ""


class DocumentView(SourceView):
    """A source with its provisions in order and Lovdata's key information (empty where the source has none)."""

    last_changed_by: str = ""
    in_force: str = ""
    ministries: list[str] = []
    provisions: list[UnitRef]


# A document's dates are on each of its provisions; the first two by order are read, since fetching all is slow and a
# Lovdata file's first article can be a heading without text.
FIRST_ORDERS = 2


def _eq(field: str, value: object) -> dict:
    return {"field": f"meta.{field}", "operator": "==", "value": value}


def _and(*conditions: dict) -> dict:
    return {"operator": "AND", "conditions": list(conditions)}


def _swap_letter_case(unit_id: str) -> str:
    document, _, section = unit_id.partition("/§")
    return f"{document}/§{section.swapcase()}" if section else unit_id


def _ref(document: Document) -> UnitRef:
    meta = document.meta
    return UnitRef(id=meta["unit_id"], citation=meta["citation"], title=meta["title"], heading=meta.get("heading", ""))


# Titles the corpus gives its definition provisions (GDPR art. 4, AI Act art. 3, MDR art. 2, pbrl § 1-3, …).
DEFINITION_TITLES = [
    "Definitions", "Definisjoner", "Definisjon", "Definisjonar", "Spesielle definisjoner", "Alminnelige definisjoner",
    "(definisjoner)", "(definisjoner).",
]


class Lookup:
    def __init__(self, store: DocumentStore, registry: Registry) -> None:
        self.store = store
        self.registry = registry

    def texts(self, unit_id: str) -> list[str]:
        """Every text the index holds under a unit id: the GDPR's articles in English and in Norwegian (inside
        personopplysningsloven) share their ids, and a long guidance section's chunks each carry their own part."""
        found = self.store.filter_documents(_eq("unit_id", unit_id))
        return list(dict.fromkeys(d.meta["text"] for d in sorted(found, key=lambda d: (d.meta["source_id"], d.meta["chunk"]))))

    def definitions(self, filters: dict | None = None) -> list[SearchResult]:
        """Every definition provision of the index (within `filters`), for quoting the definition a question asks for."""
        conditions = [_eq("chunk", 0), {"field": "meta.title", "operator": "in", "value": DEFINITION_TITLES}]
        found = self.store.filter_documents(_and(*conditions, *([filters] if filters else [])))
        return [SearchResult.from_document(d) for d in sorted(found, key=lambda d: d.meta["unit_id"])]

    def unit(self, unit_id: str, filters: dict | None = None) -> UnitView | None:
        """The provision with this id (within `filters`, if given); a letter's case is forgiven («§4a-1» finds §4A-1)."""
        conditions = [_eq("chunk", 0), *([filters] if filters else [])]
        found = self.store.filter_documents(_and(_eq("unit_id", unit_id), *conditions))
        if not found and unit_id != (swapped := _swap_letter_case(unit_id)):
            found = self.store.filter_documents(_and(_eq("unit_id", swapped), *conditions))
        if not found:
            return None
        head = found[0]
        order = head.meta["order"]
        around = self.store.filter_documents(
            _and(
                _eq("document_id", head.meta["document_id"]),
                _eq("chunk", 0),
                {"field": "meta.order", "operator": "in", "value": [order - 1, order + 1]},
            )
        )
        by_order = {d.meta["order"]: d for d in around}
        return UnitView(
            unit=SearchResult.from_document(head),
            heading=head.meta["heading"],
            notes=head.meta.get("notes", []),
            footnotes=head.meta.get("footnotes", []),
            previous=_ref(by_order[order - 1]) if order - 1 in by_order else None,
            next=_ref(by_order[order + 1]) if order + 1 in by_order else None,
        )

    def _source_view(self, source: Source) -> dict:
        first = self.store.filter_documents(
            _and(
                _eq("document_id", source.id),
                _eq("chunk", 0),
                {"field": "meta.order", "operator": "<", "value": FIRST_ORDERS},
            )
        )
        return {
            "id": source.id,
            "title": source.title,
            "name": source.name,
            "short_title": source.short_title,
            "abbreviations": list(source.abbreviations),
            "kind": source.kind,
            "language": source.language,
            "url": source.url,
            "licence": source.licence,
            "attribution": source.attribution,
            "agencies": [AgencyRef(name=self.registry.agencies[r.agency].name, role=r.role) for r in source.agencies],
            "units": self.store.count_documents_by_filter(_and(_eq("document_id", source.id), _eq("chunk", 0))),
            "chunks": self.store.count_documents_by_filter(_eq("document_id", source.id)),
            "last_changed": first[0].meta.get("last_changed", "") if first else "",
        }

    def sources(self) -> list[SourceView]:
        return [SourceView(**self._source_view(s)) for s in self.registry.sources.values()]

    def document(self, document_id: str) -> DocumentView | None:
        source = self.registry.sources.get(document_id) or self.registry.lookup_name(document_id)
        if source is None:
            return None
        heads = sorted(
            self.store.filter_documents(_and(_eq("document_id", source.id), _eq("chunk", 0))),
            key=lambda d: d.meta["order"],
        )
        meta = heads[0].meta if heads else {}
        return DocumentView(
            **self._source_view(source),
            last_changed_by=meta.get("last_changed_by", ""),
            in_force=meta.get("in_force", ""),
            ministries=meta.get("ministries", []),
            provisions=[_ref(d) for d in heads],
        )

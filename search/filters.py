"""User filters (agency, kind, document, language) into Haystack filter syntax, with agencies' former names resolved."""

from typing import get_args

from pydantic import BaseModel, ConfigDict

from corpus.registry import Kind, Language, Registry

# The values the index holds for the plain filters: anything else would match nothing and look like «no results».
KNOWN_VALUES = {"kind": get_args(Kind), "language": get_args(Language)}


class UnknownFilterValue(ValueError):
    """A filter value that matches nothing the service knows; the message says which and what is known."""


class SearchFilters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    agency: str | None = None
    kind: str | None = None
    document_id: str | None = None
    language: str | None = None


def to_haystack(filters: SearchFilters | None, registry: Registry) -> dict | None:
    if filters is None:
        return None
    conditions = []
    if filters.agency:
        agency = registry.agency(filters.agency)
        if agency is None:
            known = ", ".join(sorted(a.name for a in registry.agencies.values()))
            raise UnknownFilterValue(f"unknown agency {filters.agency!r}; known agencies: {known}")
        conditions.append({"field": "meta.agencies", "operator": "==", "value": agency.name})
    if filters.document_id:
        source = registry.sources.get(filters.document_id) or registry.lookup_name(filters.document_id)
        if source is None:
            raise UnknownFilterValue(f"unknown document {filters.document_id!r}; use an id such as LOV-1999-07-02-64 or a name such as hpl")
        conditions.append({"field": "meta.document_id", "operator": "==", "value": source.id})
    for field, known in KNOWN_VALUES.items():
        if value := getattr(filters, field):
            if value not in known:
                raise UnknownFilterValue(f"unknown {field} {value!r}; known values: {', '.join(known)}")
            conditions.append({"field": f"meta.{field}", "operator": "==", "value": value})
    if not conditions:
        return None
    return {"operator": "AND", "conditions": conditions}

"""The result contract the web page, the evals and outside clients rely on."""

from haystack import Document
from pydantic import BaseModel, ConfigDict


class AgencyRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    role: str


class DocumentRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    short_title: str
    kind: str
    last_changed: str


class SearchResult(BaseModel):
    """One provision, citable as it stands: canonical id, citation, its own text and a link to the official source."""

    model_config = ConfigDict(frozen=True)

    id: str
    citation: str
    title: str
    document: DocumentRef
    text: str
    url: str
    agencies: list[AgencyRef]
    score: float | None = None
    # The cross-encoder's score, when one reordered the hits (HJEMMEL_RERANKER_MODEL).
    rerank_score: float | None = None

    @classmethod
    def from_document(cls, document: Document) -> "SearchResult":
        meta = document.meta
        return cls(
            id=meta["unit_id"],
            citation=meta["citation"],
            title=meta["title"],
            document=DocumentRef(
                id=meta["document_id"],
                title=meta["document_title"],
                short_title=meta["document_short_title"],
                kind=meta["kind"],
                last_changed=meta.get("last_changed", ""),
            ),
            text=meta["text"],
            url=meta["url"],
            agencies=[AgencyRef(**a) for a in meta.get("agency_roles", [])],
            score=document.score,
            rerank_score=meta.get("rerank_score"),
        )

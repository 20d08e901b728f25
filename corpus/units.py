"""Domain types every stage shares: a legal document and its provisions (units)."""

from dataclasses import dataclass, field

from corpus.registry import Kind, Language


@dataclass(frozen=True)
class DocumentInfo:
    """What a source file says about itself (Lovdata's key-info block), beside what the registry says."""

    id: str
    title: str
    short_title: str = ""
    dokid: str = ""
    ministries: tuple[str, ...] = ()
    in_force: str = ""
    last_changed: str = ""
    last_changed_by: str = ""
    language: str = "nb"


@dataclass(frozen=True)
class Unit:
    """One citable provision (a §, an article, an annex) with its paragraphs (ledd) kept apart.

    `document_id` can differ from the file's own id: personopplysningsloven carries the GDPR, whose
    articles belong to the GDPR (32016R0679), not to the Norwegian act.
    """

    id: str
    document_id: str
    label: str
    title: str
    paragraphs: tuple[str, ...]
    url: str
    heading: str = ""
    order: int = 0
    notes: tuple[str, ...] = ()
    footnotes: tuple[str, ...] = ()
    # Printed locator cited after the label, e.g. "OJ L 117, p. 15" for a provision read from the Official Journal PDF.
    location: str = ""
    # False for long guidance documents without legal units: a hit then shows its own section, not the whole document.
    whole: bool = True
    # Set when the unit differs from its document: a convention article annexed to an act, in its own language.
    kind: Kind | None = None
    language: Language | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class ParsedDocument:
    """A source file read into units, before chunking and embedding."""

    info: DocumentInfo
    units: tuple[Unit, ...] = field(default=())
    warnings: tuple[str, ...] = ()

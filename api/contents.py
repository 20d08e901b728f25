"""An act's table of contents by chapter, from each provision's heading path.

Headings are paths («KAPITTEL III … > Avsnitt 1 …»); a root every heading shares (the GDPR's full title heads each
of its chapters) is dropped, since the page already shows the title. Provisions without a heading are the EU acts'
recitals and annexes, grouped by what they are.
"""

from dataclasses import dataclass
from typing import Literal

from search.lookup import UnitRef

SEPARATOR = " > "
SectionKind = Literal["chapter", "recitals", "annexes", "other"]


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    label: str  # the heading path without the shared root, " › " between levels; "" for the other kinds
    provisions: tuple[UnitRef, ...]

    def holds(self, unit_id: str) -> bool:
        return any(p.id == unit_id for p in self.provisions)


def shared_root(headings: list[str]) -> int:
    """How many leading heading levels every non-empty heading shares, if each still has a level of its own."""
    paths = [h.split(SEPARATOR) for h in headings if h]
    if not paths:
        return 0
    depth = 0
    while all(len(p) > depth + 1 for p in paths) and len({p[depth] for p in paths}) == 1:
        depth += 1
    return depth


def heading_path(heading: str, root: int) -> list[str]:
    """A heading's levels below the shared root, for a breadcrumb."""
    return heading.split(SEPARATOR)[root:] if heading else []


def _kind(provision: UnitRef) -> SectionKind:
    if provision.heading:
        return "chapter"
    tail = provision.id.rsplit("/", 1)[-1]
    if tail.startswith("rec"):
        return "recitals"
    if tail.startswith("annex"):
        return "annexes"
    return "other"


def table_of_contents(provisions: list[UnitRef]) -> list[Section]:
    """Consecutive provisions under one heading (or of one headless kind) as one section, in document order."""
    root = shared_root([p.heading for p in provisions])
    groups: list[tuple[SectionKind, str, list[UnitRef]]] = []
    for provision in provisions:
        kind, label = _kind(provision), " › ".join(heading_path(provision.heading, root))
        if groups and groups[-1][:2] == (kind, label):
            groups[-1][2].append(provision)
        else:
            groups.append((kind, label, [provision]))
    return [Section(kind, label, tuple(members)) for kind, label, members in groups]

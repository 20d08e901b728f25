"""Which areas of law and kinds of source outside the registry (corpus/scope.toml) a question concerns, and whether
that alone refuses it."""

import re

from pydantic import BaseModel

from corpus.scope import Area
from search.citations import CitationParser
from search.terms import TermMatcher

# Words that bring a question about a foreign regime home («we have FDA clearance; do we need CE marking in
# Norway?»): Norwegian and EU law is what the sources hold. Written by hand: a closed set of names in nb, nn and en.
_HOME = re.compile(
    r"\b(?:norg\w*|noreg\w*|norsk\w*|norway|norwegian|eu|eøs|eea|europ\w*)\b", re.IGNORECASE
)


class ActLink(BaseModel):
    name: str
    url: str


class OutsideArea(BaseModel):
    """An area of law or kind of source the question concerns that the sources do not hold, and where to read
    instead."""

    id: str
    name: str
    acts: list[ActLink]

    @classmethod
    def of(cls, area: Area, language: str) -> "OutsideArea":
        english = language == "en"
        return cls(
            id=area.id,
            name=area.name_en if english else area.name,
            acts=[ActLink(name=a.name_en if english else a.name, url=a.url) for a in area.acts],
        )


class ScopeMatcher:
    """An area counts unless the question names a registered source as well: a question about arbeidsmiljøloven
    beside helsepersonelloven is one the sources can answer in part."""

    def __init__(self, areas: tuple[Area, ...], citations: CitationParser) -> None:
        self.terms = TermMatcher(areas)
        self.citations = citations

    def match(self, question: str) -> list[Area]:
        if self.citations.sources_named(question):
            return []
        return self.terms.match(question)

    def outside(self, question: str, language: str) -> list[OutsideArea]:
        """The areas the question concerns, named in `language` («nb» or «en»), for a note beside search results."""
        return [OutsideArea.of(area, language) for area in self.match(question)]

    @staticmethod
    def refuses(question: str, areas: list[Area]) -> bool:
        """An area of Norwegian law refuses the question; a foreign regime does unless the question also asks about
        Norwegian or EU law, which the sources then answer with the regime noted."""
        return any(not area.foreign for area in areas) or (bool(areas) and not _HOME.search(question))

"""Which areas outside the sources (corpus/scope.toml) a question concerns, and whether that alone refuses it."""

import re

from corpus.scope import Area
from search.citations import CitationParser
from search.terms import TermMatcher

# Words that bring a question about a foreign regime home («we have FDA clearance; do we need CE marking in
# Norway?»): Norwegian and EU law is what the sources hold. Written by hand: a closed set of names in nb, nn and en.
_HOME = re.compile(
    r"\b(?:norg\w*|noreg\w*|norsk\w*|norway|norwegian|eu|eøs|eea|europ\w*)\b", re.IGNORECASE
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

    @staticmethod
    def refuses(question: str, areas: list[Area]) -> bool:
        """An area of Norwegian law refuses the question; a foreign regime does unless the question also asks about
        Norwegian or EU law, which the sources then answer with the regime noted."""
        return any(not area.foreign for area in areas) or (bool(areas) and not _HOME.search(question))

"""Finds the entries of a curated table (the subject index, the areas outside the sources) a query names, by the
stems of their terms."""

from typing import Generic, Protocol, TypeVar

from index.sparse import stems

LANGUAGES = ("nb", "en")


class HasTerms(Protocol):
    @property
    def terms(self) -> tuple[str, ...]: ...


Entry = TypeVar("Entry", bound=HasTerms)


class TermMatcher(Generic[Entry]):
    """A term matches when all its stems occur in the query, in any order, in Norwegian or English stemming;
    «taushetsplikten» then matches «taushetsplikt», and «share … patient records» matches «share patient records».
    """

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        # Stop-words stay: «uten samtykke» must not match every question about consent.
        self._terms = [
            [
                {language: frozenset(stems(term, language, keep_stopwords=True)) for language in LANGUAGES}
                for term in entry.terms
            ]
            for entry in entries
        ]

    def match(self, text: str) -> list[Entry]:
        """The entries the query names, those matching most terms first."""
        query = {language: set(stems(text, language, keep_stopwords=True)) for language in LANGUAGES}
        hits = []
        for entry, terms in zip(self.entries, self._terms):
            count = sum(
                any(term[language] and term[language] <= query[language] for language in LANGUAGES) for term in terms
            )
            if count:
                hits.append((count, entry))
        return [entry for _, entry in sorted(hits, key=lambda hit: -hit[0])]

"""Finds the subjects of the subject index a query is about, by the stems of their terms."""

from corpus.subjects import Subject
from index.sparse import stems

LANGUAGES = ("nb", "en")


class SubjectMatcher:
    """A term matches when all its stems occur in the query, in any order, in Norwegian or English stemming;
    «taushetsplikten» then matches «taushetsplikt», and «share … patient records» matches «share patient records».
    """

    def __init__(self, subjects: tuple[Subject, ...]) -> None:
        self.subjects = subjects
        # Stop-words stay: «uten samtykke» must not match every question about consent.
        self._terms = [
            [
                {language: frozenset(stems(term, language, keep_stopwords=True)) for language in LANGUAGES}
                for term in subject.terms
            ]
            for subject in subjects
        ]

    def match(self, text: str) -> list[Subject]:
        """The subjects the query names, those matching most terms first."""
        query = {language: set(stems(text, language, keep_stopwords=True)) for language in LANGUAGES}
        hits = []
        for subject, terms in zip(self.subjects, self._terms):
            count = sum(
                any(term[language] and term[language] <= query[language] for language in LANGUAGES) for term in terms
            )
            if count:
                hits.append((count, subject))
        return [subject for _, subject in sorted(hits, key=lambda hit: -hit[0])]

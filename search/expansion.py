"""Query expansion: the query in the other language (glossary), the sources it names, its subjects, and the
secondary texts it asks for."""

from haystack import component

from corpus.glossary import Glossary
from corpus.subjects import Subject
from search.citations import CitationParser
from search.secondary import SecondaryMatcher
from search.terms import TermMatcher


@component
class QueryExpander:
    """Norwegian law answers English questions and EU law Norwegian ones only if the query exists in both languages;
    a source named in the query («etter KI-forordningen») is searched on its own as well, so it is not drowned out;
    so is each subject of the subject index the query is about, within the provisions the index gives for it.
    """

    def __init__(self, glossary: Glossary, citations: CitationParser, subjects: TermMatcher[Subject]) -> None:
        self.glossary = glossary
        self.citations = citations
        self.subjects = subjects
        self.secondary = SecondaryMatcher()

    @component.output_types(
        queries=list[str], sparse_text=str, focus=list[str], subjects=list[list[str]], asked_secondary=list[str]
    )
    def run(self, text: str) -> dict[str, list[str] | str | list[list[str]]]:
        translated = self.glossary.translate(text)
        queries = [text, translated] if translated else [text]
        return {
            "queries": queries,
            "sparse_text": " ".join(queries),
            "focus": [source.id for source in self.citations.sources_named(text)],
            "subjects": [list(subject.units) for subject in self.subjects.match(text)],
            "asked_secondary": self.secondary.asked(text),
        }

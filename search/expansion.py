"""Query expansion: the query in the other language (glossary), and the sources it names."""

from haystack import component

from corpus.glossary import Glossary
from search.citations import CitationParser


@component
class QueryExpander:
    """Norwegian law answers English questions and EU law Norwegian ones only if the query exists in both languages;
    a source named in the query («etter KI-forordningen») is searched on its own as well, so it is not drowned out.
    """

    def __init__(self, glossary: Glossary, citations: CitationParser) -> None:
        self.glossary = glossary
        self.citations = citations

    @component.output_types(queries=list[str], sparse_text=str, focus=list[str])
    def run(self, text: str) -> dict[str, list[str] | str]:
        translated = self.glossary.translate(text)
        queries = [text, translated] if translated else [text]
        return {
            "queries": queries,
            "sparse_text": " ".join(queries),
            "focus": [source.id for source in self.citations.sources_named(text)],
        }

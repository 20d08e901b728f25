"""Which secondary texts a query asks for by name. An annexed convention or a page about the guidance service ranks
below the law unless the query names it («konvensjonen», «veiledning», «which agency …»).

Written by hand: the words are few, the names of those texts themselves, in nb, nn and en.
"""

from index.sparse import stems

LANGUAGES = ("nb", "en")
# The words that name each; for the service pages, also the agencies that give it and how to reach them, since
# «hvem kan veilede oss?» and «which agency should we ask?» are what those pages answer.
NAMED_BY = {
    "convention": ("konvensjon", "konvensjonen", "convention", "traktat", "treaty"),
    "service": (
        "veileder", "veiledning", "veilede", "rettleiing", "rettleie", "rettleiar", "guidance", "guide",
        "koordineringsprosjekt", "koordineringsprosjektet", "coordination", "hvem", "kven", "who", "etat", "etatar",
        "etatene", "agency", "agencies", "myndighetene", "styresmaktene", "authorities", "kontakte", "kontakt", "contact",
        "epost", "email",
    ),
}


class SecondaryMatcher:
    """A query word names a text when its stem is, or ends with, a naming stem: a Norwegian compound puts its head
    last, so «rasediskrimineringskonvensjonen» names a convention and «helseetaten» an agency."""

    def __init__(self, named_by: dict[str, tuple[str, ...]] = NAMED_BY) -> None:
        self._stems = {
            name: {language: {s for word in words for s in stems(word, language, keep_stopwords=True)} for language in LANGUAGES}
            for name, words in named_by.items()
        }

    def asked(self, text: str) -> list[str]:
        query = {language: set(stems(text, language, keep_stopwords=True)) for language in LANGUAGES}
        return [
            name
            for name, named in self._stems.items()
            if any(q.endswith(stem) for language in LANGUAGES for q in query[language] for stem in named[language])
        ]

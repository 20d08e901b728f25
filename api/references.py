"""What a page lets a reader copy or jump to: a provision's ledd with their pinpoint citations, a full reference with
the official URL, and the ledd a quote or a citation points at."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from search.answer import ORDINALS, pinpoint
from search.results import SearchResult

OFFICIAL_SITES = {"lovdata.no": "Lovdata", "eur-lex.europa.eu": "EUR-Lex"}


@dataclass(frozen=True)
class Ledd:
    """One paragraph of a provision; `number` is printed for Norwegian ledd («(2)»), EU text numbers its own."""

    number: int
    text: str
    citation: str
    printed: bool

    @property
    def anchor(self) -> str:
        return f"ledd-{self.number}"


def ledd(result: SearchResult) -> list[Ledd]:
    """The provision's paragraphs with the citation each is copied as («helsepersonelloven § 29 første ledd»)."""
    paragraphs = result.text.split("\n\n")
    cited = [pinpoint(result, i) for i in range(len(paragraphs))]
    printed = "/§" in result.id and len(paragraphs) > 1
    return [Ledd(i + 1, text, cited[i], printed) for i, text in enumerate(paragraphs)]


def full_reference(citation: str, result: SearchResult) -> str:
    """The citation, the act's title and the official URL: «… § 29 første ledd, Lov om helsepersonell …, https://…»."""
    title = result.document.title
    return f"{citation}, {title}, {result.url}" if title and title != citation else f"{citation}, {result.url}"


def official_site(url: str) -> str:
    """«Lovdata», «EUR-Lex», else the host («helsedirektoratet.no»), for the link to the authentic text."""
    host = urlsplit(url).hostname or url
    host = host.removeprefix("www.")
    return OFFICIAL_SITES.get(host, host)


def quote_anchor(result: SearchResult, text: str) -> str:
    """The #ledd-n fragment of the paragraph a verbatim quote comes from, or "" if it spans paragraphs."""
    for number, paragraph in enumerate(result.text.split("\n\n"), 1):
        if text in paragraph:
            return f"#ledd-{number}"
    return ""


def cited_anchor(label: str) -> str:
    """The #ledd-n fragment a citation's label names («§ 29 første ledd» → #ledd-1), or ""."""
    words = label.split()
    for ordinal, word in zip(words, words[1:]):
        if word == "ledd" and ordinal in ORDINALS:
            return f"#ledd-{ORDINALS.index(ordinal) + 1}"
    return ""

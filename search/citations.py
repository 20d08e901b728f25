"""Citations in free text («hpl § 29 første ledd», «GDPR art. 9(2)(h)», «AI Act annex III») to canonical unit ids.

Names and abbreviations come from the registry; the grammar of a citation is written here, since no library knows
Norwegian legal citation style.
"""

import re
from dataclasses import dataclass

from corpus.registry import Registry, Source

_ORDINALS = (
    "første", "fyrste", "andre", "annen", "annet", "tredje", "fjerde", "femte", "sjette", "sjuende", "syvende",
    "sjuande", "åttende", "åttande", "niende", "niande", "tiende", "tiande", "first", "second", "third", "fourth",
    "fifth",
)
# One step of a pinpoint below a section or an article: «første ledd», «2. punktum», «nr. 2», «bokstav b», «(2)»,
# «paragraph 2», «point (h)», and the Danish «stk. 2, litra h» that «artikel» comes with.
_POINT = (
    rf"(?:(?:{'|'.join(_ORDINALS)})|\d+\.)\s+(?:ledd|punktum|paragraph|subparagraph|sentence)"
    r"|(?:nr|no|stk)\.?\s*\d+"
    r"|(?:bokstav|litra|letter|point|punkt|paragraph)\s*\(?\s*[a-z0-9]{1,3}\s*\)?(?![\w-])"
    r"|\(\s*\w{1,4}\s*\)"
)
_PINPOINT = rf"(?:,?\s*(?:{_POINT}))*"
# «til», «to» or a dash between the ends of a range. A hyphen also joins chapter and section («§ 3-2»); it is read
# as a range only after «§§» (see _section_ends), and an en dash, «til» or «to» always is.
_TO = r"\s*(?:[-–—]|\b(?:til|to|through)\b)\s*"
_EXPLICIT_TO = re.compile(r"\s*(?:[–—]|\b(?:til|to|through)\b)\s*", re.IGNORECASE)
# A section number with its letter («29 c», «4A»), but not «29 i» as in «§ 29 i helsepersonelloven».
_NUMBER = r"\d+(?:\s*(?!i\b)[A-Za-z](?!\w))?"
_SECTIONS = rf"{_NUMBER}(?:{_TO}{_NUMBER}){{0,3}}"
_SECTION = (
    rf"§(?P<plural>§)?\s*(?P<section>{_SECTIONS})"
    rf"(?(plural)(?P<listed>(?:\s*(?:,|\bog\b|\band\b|\beller\b|\bor\b)\s*{_SECTIONS})*))"
    rf"(?P<paragraph>{_PINPOINT})"
)
_ARTICLE = (
    r"(?:articles?|artikl(?:ene|er)|artikkel(?:en)?|artikel|artikla|art\.?)\s*"
    rf"(?P<article>\d+)(?:{_TO}(?P<article_last>\d+))?(?P<points>{_PINPOINT})"
)
# A lone lower-case «i» is the preposition («vedlegg i KI-forordningen»), not annex I.
_ROMAN = r"(?:(?-i:[IVXLC]+)|(?!i\b)[ivxlc]+)\b"
_ANNEX_POINT = (
    r",?\s*(?:point|punkt|section|avsnitt|chapter|kapittel|part|del|rule|regel|nr\.?)\s*"
    r"(?:\d+(?:\.\d+)*|[IVX]+|[A-Z])\b(?:\s*\(\s*\w{1,4}\s*\))*"
)
_ANNEX = rf"(?:annex|vedlegg|anneks)\s+(?P<annex>{_ROMAN})(?P<annex_points>(?:{_ANNEX_POINT})*)"
_RECITAL = r"(?:recital|fortale(?:n)?\s*(?:punkt|avsnitt)?|betraktning)\s*\(?\s*(?P<recital>\d+)\b\)?"
_LOCATOR = rf"(?:{_SECTION}|{_ARTICLE}|{_ANNEX}|{_RECITAL})"
_ORDER = re.compile(r"/(§|art)(\d+)([A-Za-z]?)(?:-(\d+)([A-Za-z]?))?$")


@dataclass(frozen=True)
class Citation:
    """What was understood: the source, the provision's canonical id, and the text that cited it.

    A range («§§ 21–29») resolves to its first provision; `range_end` is the id of its last, and `covers` tells which
    of a document's provisions fall within it, so a caller can list them.
    """

    source: Source
    unit_id: str
    label: str
    text: str
    range_end: str | None = None

    @property
    def understood(self) -> str:
        return f"{self.source.name} {self.label}"

    def covers(self, unit_id: str) -> bool:
        """Whether the provision is the one cited or lies within the cited range; «§§ 21–29» covers § 21 a, which
        Lovdata orders between § 21 and § 22, but not § 29 a."""
        if self.range_end is None:
            return unit_id == self.unit_id
        first, last, key = _order(self.unit_id), _order(self.range_end), _order(unit_id)
        if first is None or last is None or key is None or not unit_id.startswith(f"{self.source.id}/"):
            return False
        return first <= key <= last and first[0] == key[0]


def _order(unit_id: str) -> tuple[str, int, str, int, str] | None:
    """Sort key of a section or article id in the document's own order: § 4-10, § 4A-1, § 29, § 29 a, § 30."""
    match = _ORDER.search(unit_id)
    if match is None:
        return None
    kind, number, letter, sub, sub_letter = match.groups()
    return kind, int(number), letter.casefold(), int(sub or 0), (sub_letter or "").casefold()


class CitationParser:
    """Finds citations of registry sources in a query; longest names first so «lov om medisinsk utstyr» beats «MDR»."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        names = sorted(
            {name for s in registry.sources.values() for name in s.lookup_names if len(name) > 1},
            key=len,
            reverse=True,
        )
        # Any run of spaces between a name's words, as the registry's lookup ignores spacing too.
        alternatives = "|".join(r"\s+".join(re.escape(word) for word in n.split()) for n in names)
        name = rf"(?<![\w-])(?P<name>{alternatives})(?![\w-])"
        self._name = re.compile(name, re.IGNORECASE)
        # «hpl § 29», «pjl. § 19» (an abbreviation's period), and «§ 29 i helsepersonelloven», «article 9 of the GDPR».
        self._patterns = (
            re.compile(rf"{name}\.?[\s,]*{_LOCATOR}", re.IGNORECASE),
            re.compile(rf"{_LOCATOR}\s*(?:i|in|of)?\s*(?:the\s+)?{name}", re.IGNORECASE),
        )

    def find(self, text: str) -> list[Citation]:
        """Citations in order of appearance; the name-first reading wins where both readings overlap."""
        found: list[tuple[int, Citation]] = []
        taken: list[range] = []
        for pattern in self._patterns:
            for match in pattern.finditer(text):
                span = range(*match.span())
                source = self.registry.lookup_name(match["name"])
                if source is None or any(span.start in t or t.start in span for t in taken):
                    continue
                taken.append(span)
                unit_id, label, range_end = self._unit_id(source, match)
                found.append((span.start, Citation(source, unit_id, label, match.group(0).strip(), range_end)))
        return [citation for _, citation in sorted(found, key=lambda pair: pair[0])]

    def sources_named(self, text: str) -> list[Source]:
        """The sources a text names, cited or not («hva sier KI-forordningen om …»), in order of first mention."""
        named: list[Source] = []
        for match in self._name.finditer(text):
            source = self.registry.lookup_name(match["name"])
            if source is not None and source not in named:
                named.append(source)
        return named

    @staticmethod
    def _unit_id(source: Source, match: re.Match[str]) -> tuple[str, str, str | None]:
        """The canonical id, the label as cited, pinpoint included («§ 29 første ledd», «art. 9(2)(h)»), and for a
        range the id of its last provision."""
        if match["section"]:
            first, last = _section_ends(match["section"], bool(match["plural"]), bool(match["listed"]))
            pinpoint = _pinpoint(match["paragraph"])
            if last is None:
                return f"{source.id}/§{first}", f"§ {_printed(first)}{pinpoint}", None
            label = f"§§ {_printed(first)}–{_printed(last)}{pinpoint}"
            return f"{source.id}/§{first}", label, f"{source.id}/§{last}"
        if match["article"]:
            points = _pinpoint(match["points"])
            if match["article_last"]:
                label = f"art. {match['article']}–{match['article_last']}{points}"
                return f"{source.id}/art{match['article']}", label, f"{source.id}/art{match['article_last']}"
            return f"{source.id}/art{match['article']}", f"art. {match['article']}{points}", None
        if match["annex"]:
            annex = match["annex"].upper()
            return f"{source.id}/annex{annex}", f"annex {annex}{_pinpoint(match['annex_points'])}", None
        return f"{source.id}/rec{match['recital']}", f"recital {match['recital']}", None


def _section_ends(text: str, plural: bool, listed: bool) -> tuple[str, str | None]:
    """The first section cited and, for a range, the last: «21–29», «3-1 til 3-3», and after «§§» also «21-29» and
    «3-1-3-3»; in a list («§§ 9 og 33», «§§ 2-1 a og 2-1 b») a hyphen is the chapter's, and the first item is cited."""
    ends = _EXPLICIT_TO.split(text)
    if len(ends) == 2:
        return _section(ends[0]), _section(ends[1])
    parts = re.split(r"\s*-\s*", ends[0])
    if plural and not listed and len(parts) in (2, 4):
        half = len(parts) // 2
        return _section("-".join(parts[:half])), _section("-".join(parts[half:]))
    return _section("-".join(parts[:2])), None


def _section(text: str) -> str:
    """A section's id as Lovdata writes it: no spaces («29 c» → «29c»), a chapter's letter in capitals («4A-1»)."""
    section = re.sub(r"\s+", "", text)
    return re.sub(r"^(\d+)([a-z])-", lambda m: f"{m[1]}{m[2].upper()}-", section)


def _printed(section: str) -> str:
    """A section as printed in a citation: «29c» → «29 c», «4A-1» stays."""
    return re.sub(r"(\d)([a-z])\b", r"\1 \2", section)


def _pinpoint(text: str) -> str:
    """A pinpoint spaced as printed: «(2) (h)» → «(2)(h)», «første  ledd» → « første ledd», «, 2. ledd» stays."""
    text = " ".join(text.split())
    text = re.sub(r"\(\s*(\w+)\s*\)", r"(\1)", text)
    text = re.sub(r"\)\s+\(", ")(", text)
    return text if not text or text[0] in ",(" else f" {text}"

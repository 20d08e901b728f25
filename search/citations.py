"""Citations in free text («hpl § 29 første ledd», «GDPR art. 9(2)(h)», «AI Act annex III») to canonical unit ids.

Names and abbreviations come from the registry; the grammar of a citation is written here, since no library knows
Norwegian legal citation style.
"""

import re
from dataclasses import dataclass

from corpus.registry import Registry, Source

_ROMAN = r"[IVXLC]+"
_ORDINALS = (
    "første", "fyrste", "andre", "annen", "annet", "tredje", "fjerde", "femte", "sjette", "sjuende", "syvende",
    "åttende", "niende", "tiende", "first", "second", "third", "fourth", "fifth",
)
_PARAGRAPH = rf"(?:\s+(?:(?:{'|'.join(_ORDINALS)})\s+(?:ledd|punktum|paragraph)|nr\.?\s*\d+|bokstav\s+[a-z]))*"
_SECTION = rf"§\s*(?P<section>\d+(?:\s*[A-Za-z]\b)?(?:\s*-\s*\d+(?:\s*[a-z]\b)?)?)(?P<paragraph>{_PARAGRAPH})"
_ARTICLE = r"(?:art\.?|artikkel|artikel|article)\s*(?P<article>\d+)(?P<points>(?:\s*\(\s*\w+\s*\))*)"
_ANNEX = rf"(?:annex|vedlegg|anneks)\s+(?P<annex>{_ROMAN})\b"
_RECITAL = r"(?:recital|fortale(?:n)?\s*(?:punkt|avsnitt)?|betraktning)\s*(?P<recital>\d+)"
_LOCATOR = rf"(?:{_SECTION}|{_ARTICLE}|{_ANNEX}|{_RECITAL})"


@dataclass(frozen=True)
class Citation:
    """What was understood: the source, the provision's canonical id, and the text that cited it."""

    source: Source
    unit_id: str
    label: str
    text: str

    @property
    def understood(self) -> str:
        return f"{self.source.name} {self.label}"


class CitationParser:
    """Finds citations of registry sources in a query; longest names first so «lov om medisinsk utstyr» beats «MDR»."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        names = sorted(
            {name for s in registry.sources.values() for name in s.lookup_names if len(name) > 1},
            key=len,
            reverse=True,
        )
        alternatives = "|".join(re.escape(n) for n in names)
        name = rf"(?<![\w-])(?P<name>{alternatives})(?![\w-])"
        self._name = re.compile(name, re.IGNORECASE)
        # «hpl § 29», «pbrl. § 3-2» (an abbreviation's period) and «§ 29 i helsepersonelloven», «article 9 of the GDPR».
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
                unit_id, label = self._unit_id(source, match)
                found.append((span.start, Citation(source, unit_id, label, match.group(0).strip())))
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
    def _unit_id(source: Source, match: re.Match[str]) -> tuple[str, str]:
        """The canonical id and the label as cited, pinpoint included («§ 29 første ledd», «art. 9(2)(h)»)."""
        if match["section"]:
            section = re.sub(r"\s+", "", match["section"])
            printed = re.sub(r"(\d)([a-z])\b", r"\1 \2", section)
            return f"{source.id}/§{section}", " ".join(f"§ {printed}{match['paragraph']}".split())
        if match["article"]:
            points = re.sub(r"\s+", "", match["points"] or "")
            return f"{source.id}/art{match['article']}", f"art. {match['article']}{points}"
        if match["annex"]:
            return f"{source.id}/annex{match['annex'].upper()}", f"annex {match['annex'].upper()}"
        return f"{source.id}/rec{match['recital']}", f"recital {match['recital']}"

"""The bilingual glossary (glossary.toml): Norwegian law is in Norwegian, EU law in English, users ask in both."""

import re
from functools import cache
from pathlib import Path

import stopwordsiso
from pydantic import BaseModel, ConfigDict

from corpus.provenance import Provenance, load_entries, read_toml

GLOSSARY_PATH = Path(__file__).resolve().parent / "glossary.toml"
_WORD = re.compile(r"[\w']+")


class Term(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    nb: tuple[str, ...]
    nn: tuple[str, ...] = ()
    en: tuple[str, ...]
    source: Provenance


def query_language(text: str) -> str:
    """«en» or «nb»: which stop-word list the query's words hit more often; Norwegian wins ties (the law's language)."""
    words = [w.lower() for w in _WORD.findall(text)]
    english = sum(w in _stopwords("en") for w in words)
    norwegian = sum(w in _stopwords("no") for w in words)
    return "en" if english > norwegian else "nb"


@cache
def _stopwords(code: str) -> frozenset[str]:
    return frozenset(stopwordsiso.stopwords(code))


class Glossary:
    """Rewrites a query's domain terms into the other language, longest terms first («KI-forordningen» before «KI»)."""

    def __init__(self, terms: list[Term], context: tuple[str, ...] = ()) -> None:
        self.terms = terms
        self.context = context
        self._patterns = {language: self._pattern(language) for language in ("nb", "en")}

    def _pattern(self, language: str) -> tuple[re.Pattern[str], dict[str, str]]:
        target: dict[str, str] = {}
        for term in self.terms:
            forms = (*term.nb, *term.nn) if language == "nb" else term.en
            other = term.en[0] if language == "nb" else term.nb[0]
            for form in forms:
                target.setdefault(form.casefold(), other)
        alternatives = "|".join(re.escape(f) for f in sorted(target, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w])", re.IGNORECASE), target

    def translate(self, text: str) -> str | None:
        """The query with its known terms in the other language, or None when it has none."""
        pattern, target = self._patterns[query_language(text)]
        translated, count = pattern.subn(lambda m: target[m.group(0).casefold()], text)
        return translated if count else None


@cache
def get_glossary(path: Path = GLOSSARY_PATH) -> Glossary:
    document = read_toml(path)
    return Glossary(list(load_entries(Term, path, "term", "nb", document)), tuple(document.get("context", ())))

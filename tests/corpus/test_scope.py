"""The areas outside the sources (scope.toml), checked against the registry and the parsed corpus, not against
themselves: no act they name is registered, and no term of theirs occurs in any provision the corpus holds."""

from pathlib import Path

import pytest

from corpus.registry import Source, get_registry
from corpus.scope import get_scope
from corpus.units import ParsedDocument
from index.sparse import stems
from search.terms import LANGUAGES


def test_no_area_names_a_registered_act() -> None:
    registry = get_registry()
    registered = [
        (area.id, name) for area in get_scope() for act in area.acts for name in (act.name, act.name_en)
        if registry.lookup_name(name) is not None
    ]
    assert not registered


def test_area_ids_are_unique() -> None:
    ids = [area.id for area in get_scope()]
    assert len(ids) == len(set(ids))


def test_no_term_occurs_in_a_provision_of_the_corpus(parsed_corpus: list[tuple[Source, ParsedDocument]]) -> None:
    """A term whose stems all occur in one unit (title and chapter heading included) names something the corpus has
    rules on, and would refuse a question the sources can answer; the matcher's own stemming, applied to the text."""
    units = [
        {language: frozenset(stems(f"{unit.title or ''} {unit.heading or ''} {unit.text}", language, keep_stopwords=True)) for language in LANGUAGES}
        for _, document in parsed_corpus
        for unit in document.units
    ]
    found = []
    for area in get_scope():
        for term in area.terms:
            needles = {language: frozenset(stems(term, language, keep_stopwords=True)) for language in LANGUAGES}
            hits = sum(any(needles[lang] and needles[lang] <= unit[lang] for lang in LANGUAGES) for unit in units)
            if hits:
                found.append(f"{area.id}: {term!r} occurs in {hits} units")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('acts = [{ name = "a", name_en = "a", url = "https://x.no" }]\nterms = ["t"]', "has no `source`"),
        ('acts = [{ name = "a", name_en = "a", url = "https://x.no" }]\nterms = ["t"]\nsource = ["lovdata"]', "source"),
        ('acts = [{ name = "a", name_en = "a" }]\nterms = ["t"]\nsource = ["https://x.no"]', "url"),
        ('acts = []\nterms = ["t"]\nsource = ["https://x.no"]', "acts"),
    ],
)
def test_an_area_without_its_public_sources_or_acts_is_refused(tmp_path: Path, entry: str, complaint: str) -> None:
    path = tmp_path / "scope.toml"
    path.write_text(f'[[area]]\nid = "broken"\nname = "B"\nname_en = "B"\n{entry}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=complaint) as error:
        get_scope(path)
    assert "broken" in str(error.value)

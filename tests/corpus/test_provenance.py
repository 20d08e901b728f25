"""Provenance of the curated knowledge: every subject, glossary term and topic cites a corpus text that carries its words.

A reference resolves when its unit is in the parsed corpus (and its point in that unit's text) or it is the registry id
of a guidance document. An entry is supported when one of its words (subjects: terms; glossary: any form; topics:
triggers) occurs, as a run of Snowball stems, in the title, chapter heading or cited text of one of its references, in
that text's language. Citing an entry's own governing provisions therefore supports it only if its words are in them.
"""

import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from corpus.glossary import Term, get_glossary
from corpus.provenance import Reference
from corpus.registry import Source
from corpus.subjects import Subject, get_subjects
from corpus.units import ParsedDocument, Unit
from index.sparse import stems
from search.applicable import Suppression, Topic, load_suppressions, load_topics

# Entries the corpus gives no source for (`source = []` in their TOML), and why. The test fails when an entry not
# listed here has no source, or a listed one gets one, so the list stays exact: 1 entry today.
NO_SOURCE_FOUND = {
    ("glossary", "hvem skal vi kontakte"): (
        "users' phrasing of «whom do we ask»; the coordination project's guidance says «hvem man kan ta kontakt med», "
        "which none of the nb or en forms matches"
    ),
}


@dataclass(frozen=True)
class Entry:
    """A row of one of the tables, reduced to its provenance: what it cites and its words per stemming language."""

    table: str
    name: str
    source: tuple[Reference, ...]
    words: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Passage:
    language: str
    unit: Unit


@dataclass(frozen=True)
class Corpus:
    """The parsed corpus as references see it: units by id (the GDPR's once in English, once in Norwegian inside
    personopplysningsloven) and guidance documents by registry id."""

    units: dict[str, list[Passage]]
    guidance: dict[str, list[Passage]]


def subject_entries(subjects: tuple[Subject, ...]) -> list[Entry]:
    return [Entry("subjects", s.name, s.source, {"nb": s.terms, "en": s.terms}) for s in subjects]


def glossary_entries(terms: list[Term]) -> list[Entry]:
    return [Entry("glossary", t.nb[0], t.source, {"nb": (*t.nb, *t.nn), "en": t.en}) for t in terms]


def topic_entries(topics: tuple[Topic, ...]) -> list[Entry]:
    return [Entry("topics", t.id, t.source, {"nb": t.triggers, "en": t.triggers}) for t in topics]


def suppression_entries(suppressions: tuple[Suppression, ...]) -> list[Entry]:
    return [Entry("suppressions", s.id, s.source, {"nb": s.phrases, "en": s.phrases}) for s in suppressions]


def all_entries() -> list[Entry]:
    return (
        subject_entries(get_subjects())
        + glossary_entries(get_glossary().terms)
        + topic_entries(load_topics())
        + suppression_entries(load_suppressions())
    )


@pytest.fixture(scope="module")
def corpus(parsed_corpus: list[tuple[Source, ParsedDocument]]) -> Corpus:
    units: dict[str, list[Passage]] = defaultdict(list)
    guidance: dict[str, list[Passage]] = defaultdict(list)
    for source, document in parsed_corpus:
        for unit in document.units:
            passage = Passage("en" if (unit.language or source.language) == "en" else "nb", unit)
            units[unit.id].append(passage)
            if source.kind == "veileder":
                guidance[source.id].append(passage)
    return Corpus(dict(units), dict(guidance))


def cited(reference: Reference, corpus: Corpus) -> tuple[list[tuple[str, str]], str | None]:
    """The (language, text) pairs a reference points at — each unit's title, heading and cited text — or why it is
    wrong."""
    passages = corpus.units.get(reference.target) or corpus.guidance.get(reference.target)
    if not passages:
        return [], f"{reference}: no unit or guidance document with this id in the corpus"
    texts = []
    for passage in passages:
        text = reference.passage(passage.unit.text)
        if text is not None:
            texts += [(passage.language, field) for field in (passage.unit.title, passage.unit.heading, text)]
    if not texts:
        return [], f"{reference}: the unit's text has no point ({reference.point})"
    return texts, None


@cache
def _stems(text: str, language: str) -> tuple[str, ...]:
    return tuple(stems(text, language, keep_stopwords=True))


def occurs(word: str, text: str, language: str) -> bool:
    """The word's stems appear in the text as a run, so «taushetsplikten» occurs in «Hovedregel om taushetsplikt»."""
    needle, hay = _stems(word, language), _stems(text, language)
    return bool(needle) and any(hay[i : i + len(needle)] == needle for i in range(len(hay) - len(needle) + 1))


def problems(entry: Entry, corpus: Corpus) -> list[str]:
    """What is wrong with an entry's provenance: references that do not resolve, or none of its words in what the
    others cite."""
    found, texts = [], []
    for reference in entry.source:
        resolved, error = cited(reference, corpus)
        texts += resolved
        if error:
            found.append(error)
    if texts and not any(occurs(word, text, language) for language, text in texts for word in entry.words[language]):
        found.append("none of its words occurs in the title, heading or text of a cited source")
    return [f"{entry.table} {entry.name!r}: {problem}" for problem in found]


def test_every_entry_cites_a_source_or_is_allow_listed() -> None:
    without = {(e.table, e.name) for e in all_entries() if not e.source}
    assert without == set(NO_SOURCE_FOUND), {
        "no source and not allow-listed": sorted(without - set(NO_SOURCE_FOUND)),
        "allow-listed but sourced (or gone)": sorted(set(NO_SOURCE_FOUND) - without),
    }
    listed = "; ".join(f"{table} {name!r}: {why}" for (table, name), why in NO_SOURCE_FOUND.items())
    warnings.warn(f"{len(NO_SOURCE_FOUND)} entries have no source in the corpus: {listed}", stacklevel=1)


def test_every_reference_resolves_and_supports_its_entry(corpus: Corpus) -> None:
    found = [problem for entry in all_entries() for problem in problems(entry, corpus)]
    assert not found, "\n".join(found)


SMALL_SUBJECTS = """
[[subject]]
name = "sound"
terms = ["taushetsplikt"]
units = ["LOV-1999-07-02-64/§21"]
source = ["LOV-1999-07-02-64/§21", "32024R1689/art3 (4)"]

[[subject]]
name = "no such unit"
terms = ["taushetsplikt"]
units = ["LOV-1999-07-02-64/§21"]
source = ["LOV-1999-07-02-64/§21", "LOV-1999-07-02-64/§999"]

[[subject]]
name = "no such point"
terms = ["deployer"]
units = ["32024R1689/art26"]
source = ["32024R1689/art3 (999)"]

[[subject]]
name = "a law is not guidance"
terms = ["taushetsplikt"]
units = ["LOV-1999-07-02-64/§21"]
source = ["LOV-1999-07-02-64"]

[[subject]]
name = "term not in the cited text"
terms = ["snoking"]
units = ["LOV-1999-07-02-64/§39"]
source = ["LOV-1999-07-02-64/§39"]

[[subject]]
name = "term only in another point"
terms = ["importer"]
units = ["32024R1689/art23"]
source = ["32024R1689/art3 (1)"]
"""


@pytest.fixture
def small_subjects(tmp_path: Path) -> dict[str, Entry]:
    path = tmp_path / "subjects.toml"
    path.write_text(SMALL_SUBJECTS, encoding="utf-8")
    return {entry.name: entry for entry in subject_entries(get_subjects(path))}


def test_a_wrong_reference_fails(corpus: Corpus, small_subjects: dict[str, Entry]) -> None:
    assert problems(small_subjects["sound"], corpus) == []
    for name, why in [
        ("no such unit", "LOV-1999-07-02-64/§999: no unit"),
        ("no such point", "has no point (999)"),
        ("a law is not guidance", "LOV-1999-07-02-64: no unit"),
    ]:
        assert any(why in problem for problem in problems(small_subjects[name], corpus)), name


def test_an_unsupported_term_fails(corpus: Corpus, small_subjects: dict[str, Entry]) -> None:
    for name in ("term not in the cited text", "term only in another point"):
        assert problems(small_subjects[name], corpus) == [
            f"subjects {name!r}: none of its words occurs in the title, heading or text of a cited source"
        ]


def test_glossary_forms_are_matched_in_their_own_language(corpus: Corpus) -> None:
    """The GDPR's definitions carry both languages under one id; a Norwegian form must not pass on the English text."""
    definition = (Reference.model_validate("32016R0679/art4 (1)"),)
    bilingual = Entry("glossary", "personopplysninger", definition, {"nb": ("personopplysninger",), "en": ("personal data",)})
    swapped = Entry("glossary", "personal data", definition, {"nb": ("personal data",), "en": ("personopplysninger",)})
    assert problems(bilingual, corpus) == []
    assert problems(swapped, corpus)


@pytest.mark.parametrize(
    ("loader", "toml", "name"),
    [
        (get_subjects, '[[subject]]\nname = "Uten kilde"\nterms = ["x"]\nunits = ["LOV-1999-07-02-64/§21"]\n', "Uten kilde"),
        (get_glossary, '[[term]]\nnb = ["uten kilde"]\nen = ["no source"]\n', "uten kilde"),
        (load_topics, '[[topic]]\nid = "no-source"\ntriggers = ["x"]\ndocuments = []\nqueries = []\nagencies = []\n', "no-source"),
        (load_suppressions, '[[suppression]]\nid = "no-source"\ntopics = ["ai-act"]\nphrases = ["x"]\n', "no-source"),
    ],
)
def test_an_entry_without_source_fails_at_load(loader: Callable[[Path], object], toml: str, name: str, tmp_path: Path) -> None:
    path = tmp_path / "table.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=f"'{name}' has no `source`"):
        loader(path)


def test_a_malformed_reference_fails_at_load(tmp_path: Path) -> None:
    path = tmp_path / "subjects.toml"
    path.write_text('[[subject]]\nname = "Skrivefeil"\nterms = ["x"]\nunits = ["u"]\nsource = ["LOV-1999-07-02-64/§21 4"]\n')
    with pytest.raises(ValueError, match="invalid subject 'Skrivefeil'"):
        get_subjects(path)

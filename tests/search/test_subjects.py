from corpus.subjects import get_subjects
from search.subjects import SubjectMatcher

MATCHER = SubjectMatcher(get_subjects())


def names(query: str) -> list[str]:
    return [subject.name for subject in MATCHER.match(query)]


def test_inflected_norwegian_terms_match() -> None:
    assert "Taushetsplikt for helsepersonell" in names("Bryter det taushetsplikten?")


def test_term_words_match_in_any_order() -> None:
    assert "Dele eller utlevere pasientopplysninger" in names("Can we share the records of a patient with a vendor?")


def test_every_word_of_a_term_is_needed_stop_words_included() -> None:
    assert "Samtykke til å gi informasjon (unntak fra taushetsplikt)" in names("Kan vi gjøre det uten samtykke?")
    assert "Samtykke til å gi informasjon (unntak fra taushetsplikt)" not in names("Hva er et gyldig samtykke?")


def test_subjects_matching_more_terms_come_first() -> None:
    assert names("Trenger vi en personvernkonsekvensvurdering (DPIA) før vi tar i bruk verktøyet?")[0] == (
        "Personvernkonsekvensvurdering (DPIA) og forhåndsdrøfting"
    )


def test_context_words_alone_name_no_subject() -> None:
    assert names("KI AI kunstig intelligens maskinlæring") == []

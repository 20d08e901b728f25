from corpus.subjects import get_subjects
from search.terms import TermMatcher

MATCHER = TermMatcher(get_subjects())


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


def test_questions_that_only_describe_a_project_name_no_subject() -> None:
    """Terms name legal questions; words for what an AI project is or does (screening, updates, statistics, hardware,
    children as patients) would send every such question into one subject's provisions."""
    for question in (
        "Kan vi bruke KI i helsetjenesten?",
        "What rules apply to our AI model?",
        "Vi lager en screeningmodell og oppdaterer den hver måned med ny statistikk.",
        "Our screening model runs on new hardware and we publish statistics on it every month.",
        "Modellen skal hjelpe foreldre med å følge med på barna sine.",
    ):
        assert names(question) == [], question

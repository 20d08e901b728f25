import pytest

from search.answer import Answerer
from search.figures import asks_for_figure


@pytest.mark.parametrize(
    "question",
    [
        "Hvor mange KI-verktøy er i dag godkjent for klinisk bruk på norske sykehus?",
        "Kor mange pasientar døydde av sjukehusinfeksjonar i fjor?",
        "How many AI-based medical devices have received CE marking so far?",
        "Hvor mye kostet prosjektet?",
        "Hva er gjennomsnittlig ventetid for en hofteoperasjon?",
    ],
)
def test_questions_for_a_figure_about_the_world_are_recognised(question: str) -> None:
    assert asks_for_figure(question)


@pytest.mark.parametrize(
    "question",
    [
        "Hvor mange uker har pasienten på seg til å klage?",
        "How much can the fine be for a banned AI practice?",
        "Hvor mye koster det å få kopi av journalen?",
        "Hvor mange opplysninger kan vi dele med leverandøren?",
        "Kan helsepersonell dele opplysninger med leverandøren?",
        "What is a medical device?",
    ],
)
def test_questions_for_a_rule_are_not(question: str) -> None:
    assert not asks_for_figure(question)


def test_a_figure_question_is_refused_while_its_rule_twin_is_answered(answerer: Answerer) -> None:
    """Both find helsepersonelloven's confidentiality provisions; only the rule is in them."""
    assert answerer.answer("Hvor mange helsepersonell bryter taushetsplikten hvert år?").refused
    assert not answerer.answer("Kan helsepersonell bryte taushetsplikten for å avverge alvorlig skade?").refused

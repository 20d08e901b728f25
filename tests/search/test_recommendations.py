import pytest

from search.answer import Answerer
from search.recommendations import asks_for_product


@pytest.mark.parametrize(
    "question",
    [
        "Hvilken skyleverandør bør vi velge for pasientdata?",
        "Kva for ein leverandør bør vi velje til talegjenkjenning?",
        "Which vendor do you recommend for speech-to-text in the clinic?",
        "Which tool is best for a data protection impact assessment?",
        "Hvilket journalsystem er best for et lite legekontor?",
    ],
)
def test_questions_for_a_product_to_buy_or_choose_are_recognised(question: str) -> None:
    assert asks_for_product(question)


@pytest.mark.parametrize(
    "question",
    [
        "Hvilke krav må vi stille til leverandøren?",
        "Which systems must be CE-marked?",
        "Which AI systems should be classified as high-risk?",
        "Hvilket rettslig grunnlag bør vi velge?",
        "Kan vi kjøpe inn et KI-system uten konkurranse?",
        "What is the best way to train for a marathon?",
    ],
)
def test_questions_for_a_rule_are_not(question: str) -> None:
    assert not asks_for_product(question)


def test_a_product_question_is_refused_while_its_rule_twin_is_answered(answerer: Answerer) -> None:
    """Both find helsepersonelloven's provisions on the patient record; only the rule is in them."""
    assert answerer.answer("Hvilket journalsystem bør legekontoret kjøpe?").refused
    assert not answerer.answer("Hva skal journalen inneholde?").refused

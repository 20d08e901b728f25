"""Token alignment on the service's own e5 model: how much of a question a sentence covers."""

from search.alignment import TokenAlignment
from search.answer import Answerer

QUESTION = "Må sykepleierne få opplæring før de tar i bruk nytt medisinsk utstyr på avdelingen?"
ANSWERS = "Virksomheten skal sørge for at brukere av medisinsk utstyr får opplæring før utstyret tas i bruk."
ON_THE_SUBJECT = "Virksomheten er ansvarlig for å anskaffe medisinsk utstyr som samsvarer med kravene i forskriften."


def test_a_sentence_that_answers_covers_more_of_the_question_than_one_on_its_subject(answerer: Answerer) -> None:
    alignment: TokenAlignment = answerer.alignment
    answering, on_subject = alignment.recall(QUESTION, ANSWERS), alignment.recall(QUESTION, ON_THE_SUBJECT)
    assert on_subject < answering
    assert alignment.recall(QUESTION, QUESTION) > 0.95 > answering

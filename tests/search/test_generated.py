"""Answers phrased by a language model: a real scripted OpenAI-compatible server on loopback, a real small index."""

import re
import time

import pytest

from corpus.settings import Settings
from search.answer import Answer, Answerer
from search.generated import GeneratedAnswerer, UnusableReply, build_answerer, cited_numbers
from tests.llm_server import ScriptedLLM

QUESTION = "Kan departementet gi dispensasjon fra taushetsplikten slik at opplysninger fra pasientjournaler kan brukes til forskning?"
MODEL = "scripted-model"
CITED = "Departementet kan etter søknad gi dispensasjon fra taushetsplikten for forskning [1]. Dispensasjonen kan knyttes til vilkår [1][2]."


def _generated(answerer: Answerer, llm_url: str, timeout: float = 10.0) -> GeneratedAnswerer:
    settings = answerer.settings.model_copy(update={"llm_url": llm_url, "llm_model": MODEL, "llm_timeout": timeout})
    return GeneratedAnswerer.from_settings(answerer, settings)


def _assert_verbatim(answer: Answer) -> None:
    texts = {s.id: s.text for s in answer.sources}
    assert answer.quotes
    for quote in answer.quotes:
        assert quote.text in texts[quote.unit_id]


def _assert_extractive(answer: Answer) -> None:
    """The extractive answer: the quotes themselves, «verbatim», then the sources; nothing of the model's reply."""
    assert answer.generated_by == "extractive" and not answer.refused
    _assert_verbatim(answer)
    assert answer.answer.startswith(f"«{answer.quotes[0].text}» [1] {answer.quotes[0].citation}")
    assert answer.answer.splitlines()[-1].startswith("Kilder: ")


def test_a_fully_cited_reply_is_the_answer_and_its_quotes_are_verbatim_sentences_of_the_cited_units(
    answerer: Answerer, llm: ScriptedLLM
) -> None:
    llm.reply(CITED)
    answer = _generated(answerer, llm.url).answer(QUESTION)
    assert answer.generated_by == MODEL and not answer.refused
    first, second = answer.sources[0], answer.sources[1]
    assert answer.answer == f"{CITED}\n\nKilder: [1] {first.citation}; [2] {second.citation}"
    _assert_verbatim(answer)
    assert {q.unit_id for q in answer.quotes} == {first.id, second.id}
    assert len(llm.requests) == 1


def test_a_cited_unit_the_extractive_answer_did_not_quote_gets_its_own_verbatim_sentence(
    answerer: Answerer, llm: ScriptedLLM
) -> None:
    extractive = answerer.answer(QUESTION)
    quoted = {q.unit_id for q in extractive.quotes}
    number = next(n for n, s in enumerate(extractive.sources, 1) if s.id not in quoted)
    llm.reply(f"Se også denne bestemmelsen [{number}].")
    answer = _generated(answerer, llm.url).answer(QUESTION)
    assert answer.generated_by == MODEL
    assert {q.unit_id for q in answer.quotes} == {answer.sources[number - 1].id}
    _assert_verbatim(answer)


def test_the_prompt_carries_the_question_and_the_numbered_provisions(answerer: Answerer, llm: ScriptedLLM) -> None:
    llm.reply(CITED)
    answer = _generated(answerer, llm.url).answer(QUESTION)
    (request,) = llm.requests
    assert request["model"] == MODEL and not request.get("stream")
    system, user = request["messages"]
    assert system["role"] == "system" and "language of the question" in system["content"]
    assert user["role"] == "user" and QUESTION in user["content"]
    for n, source in enumerate(answer.sources, 1):
        assert f"[{n}] {source.citation}\n{source.text}" in user["content"]
    assert f"[{len(answer.sources) + 1}]" not in user["content"]


def test_a_sentence_without_a_citation_falls_back_to_the_extractive_answer(answerer: Answerer, llm: ScriptedLLM) -> None:
    llm.reply("Departementet kan gi dispensasjon [1]. Det er ofte lurt å spørre en jurist.")
    _assert_extractive(_generated(answerer, llm.url).answer(QUESTION))
    assert len(llm.requests) == 1


def test_a_citation_beyond_the_given_provisions_falls_back(answerer: Answerer, llm: ScriptedLLM) -> None:
    llm.reply("Departementet kan gi dispensasjon [1]. Forskningen må godkjennes av REK [9].")
    _assert_extractive(_generated(answerer, llm.url).answer(QUESTION))


def test_an_empty_reply_falls_back(answerer: Answerer, llm: ScriptedLLM) -> None:
    llm.reply("   ")
    _assert_extractive(_generated(answerer, llm.url).answer(QUESTION))


def test_a_server_error_falls_back_without_retrying(answerer: Answerer, llm: ScriptedLLM) -> None:
    llm.reply(CITED, status=500)
    _assert_extractive(_generated(answerer, llm.url).answer(QUESTION))
    assert len(llm.requests) == 1


def test_a_reply_that_is_not_a_chat_completion_falls_back(answerer: Answerer, llm: ScriptedLLM) -> None:
    llm.reply(page="<html><body>Sign in</body></html>")
    _assert_extractive(_generated(answerer, llm.url).answer(QUESTION))
    assert len(llm.requests) == 1


def test_a_server_slower_than_the_timeout_falls_back_within_about_the_timeout(
    answerer: Answerer, llm: ScriptedLLM
) -> None:
    generated = _generated(answerer, llm.url, timeout=1.0)
    answerer.answer(QUESTION)  # warm the embedding caches so the time below is the model's
    llm.reply(CITED, delay=30)
    started = time.monotonic()
    answer = generated.answer(QUESTION)
    elapsed = time.monotonic() - started
    _assert_extractive(answer)
    assert len(llm.requests) == 1
    assert 1.0 <= elapsed < 5.0


def test_an_unreachable_server_falls_back(answerer: Answerer, llm: ScriptedLLM) -> None:
    closed = re.sub(r":\d+/", ":9/", llm.url)  # the discard port: nothing listens there
    _assert_extractive(_generated(answerer, closed).answer(QUESTION))


def test_a_refusal_never_reaches_the_model(answerer: Answerer, llm: ScriptedLLM) -> None:
    llm.reply(CITED)
    answer = _generated(answerer, llm.url).answer("Hvordan lager jeg pizzadeig?")
    assert answer.refused and answer.generated_by == "extractive"
    assert llm.requests == []


def test_the_model_is_off_by_default(answerer: Answerer, llm: ScriptedLLM) -> None:
    assert Settings.model_fields["llm_url"].default is None
    llm.reply(CITED)
    default = build_answerer(answerer.searcher, answerer.settings.model_copy(update={"llm_url": None}))
    assert type(default) is Answerer
    assert default.answer(QUESTION).generated_by == "extractive"
    assert llm.requests == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Ja [2]. Men bare etter søknad [1, 3].", [2, 1, 3]),
        ("Opplysningene kan gis, jf. § 21 [1][2]. Dette gjelder bl.a. journaler [2].", [1, 2]),
        ("Første punkt [1].\nAndre punkt [3]", [1, 3]),
    ],
)
def test_cited_numbers_are_read_per_sentence(reply: str, expected: list[int]) -> None:
    assert cited_numbers(reply, 3) == expected


@pytest.mark.parametrize(
    "reply",
    ["", "Ja [1]. Nei.", "Ja [4].", "Ja [0].", "Svar:\nJa [1].", "Ja [1, 7]."],
)
def test_replies_not_held_to_the_given_provisions_are_rejected(reply: str) -> None:
    with pytest.raises(UnusableReply):
        cited_numbers(reply, 3)

"""The pages under the API's back-pressure, through real servers: refused by a full queue or a deadline, a page is a
503 with Retry-After that says, in the reader's language, that the service is busy and when to try again; past the
deadline after retrieval, it shows what was found with a notice."""

import re
import shutil
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from corpus.settings import Settings
from tests.api.conftest import serving
from tests.api.test_capacity import LONG_PROJECT

SLOW_QUESTION = "Hvilke krav gjelder for tilgangsstyring, logging og informasjonssikkerhet i pasientjournalen?"
RETRY = {"nb": re.compile(r"Prøv igjen om (\d+) sekund"), "en": re.compile(r"Try again in (\d+) second")}
PARTIAL = {
    "answer": "Tidsfristen gikk ut før svaret var ferdig",
    "check": "Tidsfristen gikk ut før alle søk var kjørt",
}


def _serve_copy(index_settings: Settings, folder: str, tmp_path_factory: pytest.TempPathFactory, **env: str) -> Iterator[str]:
    # The session's server owns its index folder, so this one serves a copy. With no embedding cache, an answer
    # embeds its sentences: stored sentence vectors would make it too quick to hold a worker or miss a deadline.
    scratch = tmp_path_factory.mktemp(folder)
    shutil.copytree(index_settings.index_dir, scratch / "index")
    settings = index_settings.model_copy(update={"index_dir": scratch / "index", "embedding_cache": scratch / "none.sqlite"})
    with serving(settings, **env) as url:
        yield url


@pytest.fixture(scope="module")
def crowded(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One model worker and no queue: one request at work fills the service."""
    env = {"HJEMMEL_MODEL_WORKERS": "1", "HJEMMEL_QUEUE_SIZE": "0", "HJEMMEL_ANSWER_DEADLINE": "1"}
    yield from _serve_copy(index_settings, "crowded", tmp_path_factory, **env)


@pytest.fixture(scope="module")
def hurried(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Deadlines that a search cannot meet and an answer can meet only by giving up after retrieval."""
    env = {"HJEMMEL_SEARCH_DEADLINE": "0.001", "HJEMMEL_ANSWER_DEADLINE": "0.15"}
    yield from _serve_copy(index_settings, "hurried", tmp_path_factory, **env)


def _metric(server: str, name: str, **labels: str) -> float:
    text = httpx.get(f"{server}/metrics").text
    samples = (s for family in text_string_to_metric_families(text) for s in family.samples)
    return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())


def _wait_for_workers_busy(server: str, busy: float) -> None:
    deadline = time.monotonic() + 60
    while _metric(server, "hjemmel_model_workers_busy") != busy:
        assert time.monotonic() < deadline, f"model workers never {busy}"
        time.sleep(0.01)


def _assert_busy_page(response: httpx.Response, lang: str) -> None:
    assert response.status_code == 503 and response.headers["content-type"].startswith("text/html"), response.text
    assert f'<html lang="{lang}">' in response.text
    retry_after = int(response.headers["Retry-After"])
    said = RETRY[lang].search(response.text)
    assert retry_after >= 1 and said and int(said.group(1)) == retry_after, response.text


def test_pages_refused_by_a_full_queue_say_busy_and_when_to_retry(crowded: str) -> None:
    # An /ask of the JSON API takes the only worker; the pages must queue behind it, and the queue holds none.
    occupant = threading.Thread(target=httpx.post, args=(f"{crowded}/ask",), kwargs={"json": {"question": SLOW_QUESTION}, "timeout": 60})
    rejected = {route: _metric(crowded, "hjemmel_rejected_total", route=route, reason="queue_full") for route in ("search", "ask", "applicable")}
    occupant.start()
    _wait_for_workers_busy(crowded, 1)
    search = httpx.get(f"{crowded}/", params={"q": "taushetsplikt"})
    answer = httpx.get(f"{crowded}/answer", params={"q": "Hva er taushetsplikt?", "lang": "en"})
    check = httpx.get(f"{crowded}/check", params={"description": "Vi vil trene en modell på journaldata."})
    occupant.join()

    _assert_busy_page(search, "nb")
    assert '<a href="/?q=taushetsplikt">Prøv igjen</a>' in search.text
    _assert_busy_page(answer, "en")
    _assert_busy_page(check, "nb")
    for route in rejected:
        assert _metric(crowded, "hjemmel_rejected_total", route=route, reason="queue_full") == rejected[route] + 1, route

    _wait_for_workers_busy(crowded, 0)
    free = httpx.get(f"{crowded}/", params={"q": "taushetsplikt"}, timeout=60)
    assert free.status_code == 200 and "article class=\"result\"" in free.text


def test_a_check_past_its_deadline_shows_the_laws_found_with_a_notice(crowded: str) -> None:
    # Many topic searches over a long description take longer than the 0.6 s after which none is started.
    _wait_for_workers_busy(crowded, 0)
    response = httpx.get(f"{crowded}/check", params={"description": LONG_PROJECT[:2000]}, timeout=60)
    if response.status_code == 503:  # a machine so loaded that even the analysis of what was found missed 1 s
        _assert_busy_page(response, "nb")
        return
    assert response.status_code == 200 and PARTIAL["check"] in response.text
    assert "Regelverk som gjelder" in response.text


def test_a_search_page_past_its_deadline_is_busy(hurried: str) -> None:
    _assert_busy_page(httpx.get(f"{hurried}/", params={"q": "taushetsplikt", "lang": "en"}), "en")


def test_an_answer_past_its_deadline_shows_the_sources_found_with_a_notice(hurried: str) -> None:
    response = httpx.get(f"{hurried}/answer", params={"q": SLOW_QUESTION}, timeout=60)
    if response.status_code == 503:  # the deadline passed before retrieval was done
        _assert_busy_page(response, "nb")
        return
    assert response.status_code == 200 and PARTIAL["answer"] in response.text
    assert "Nærmeste kilder" in response.text and 'article class="result"' in response.text

"""Back-pressure and deadlines on the real app over a real small index: a full queue is refused at once with 503,
Retry-After and problem+json; a deadline that passes gives what retrieval found, flagged partial, or a 503; the
stages are timed. Metrics are read from prometheus-client's default registry, where the app records them."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from api.http import create_app
from corpus.settings import Settings

SOURCES = {"LOV-1999-07-02-64", "LOV-2014-06-20-42", "LOV-2018-06-15-38"}
# A project description of the maximum length that fires many topics: many searches, each over long text.
LONG_PROJECT = (
    "Vi vil bruke journaldata og helseopplysninger fra pasientjournaler til å trene en KI-modell som varsler "
    "forverring, kjøpe den inn som CE-merket medisinsk utstyr, dele data med en leverandør i USA, drive forskning "
    "med samtykke og uten, og behandle personopplysninger i et kvalitetsregister. "
) * 17


@pytest.fixture(scope="module")
def settings(small_index: Callable[[set[str]], Settings]) -> Settings:
    return small_index(SOURCES)


@contextmanager
def app_client(settings: Settings, **overrides: object) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update=overrides))) as client:
        yield client


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_full_queue_is_refused_at_once_with_retry_after(settings: Settings) -> None:
    with app_client(settings, model_workers=1, queue_size=0, answer_deadline=60.0) as client:
        rejected = sample("hjemmel_rejected_total", route="search", reason="queue_full")
        slow = threading.Thread(target=client.post, args=("/applicable",), kwargs={"json": {"description": LONG_PROJECT[:5000]}})
        slow.start()
        while sample("hjemmel_model_workers_busy") < 1:
            time.sleep(0.01)
        response = client.post("/search", json={"query": "taushetsplikt"})
        slow.join()
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) >= 1
        assert response.json()["status"] == 503 and "queue" in response.json()["detail"]
        assert sample("hjemmel_rejected_total", route="search", reason="queue_full") == rejected + 1
        assert client.post("/search", json={"query": "taushetsplikt"}).status_code == 200  # free again


def test_a_request_that_would_wait_past_its_deadline_is_refused_at_once(settings: Settings) -> None:
    with app_client(settings, model_workers=1, queue_size=8, answer_deadline=60.0, search_deadline=1.0) as client:
        # Measured times first: the long /applicable takes longer than the search's 1 s deadline.
        project = {"json": {"description": LONG_PROJECT[:5000]}}
        assert client.post("/applicable", **project).status_code == 200
        client.post("/search", json={"query": "taushetsplikt"})
        rejected = sample("hjemmel_rejected_total", route="search", reason="would_miss_deadline")
        slow = threading.Thread(target=client.post, args=("/applicable",), kwargs=project)
        slow.start()
        while sample("hjemmel_model_workers_busy") < 1:
            time.sleep(0.01)
        response = client.post("/search", json={"query": "taushetsplikt"})
        slow.join()
        # Refused on arrival; one held until its deadline would say "the request's deadline passed before it was done".
        assert response.status_code == 503 and "past its deadline" in response.json()["detail"]
        assert int(response.headers["retry-after"]) >= 1
        assert sample("hjemmel_rejected_total", route="search", reason="would_miss_deadline") == rejected + 1
        assert client.post("/search", json={"query": "taushetsplikt"}).status_code == 200  # nothing ahead: admitted


def test_applicable_past_its_deadline_returns_what_the_searches_found_or_503(settings: Settings) -> None:
    with app_client(settings, answer_deadline=1.0) as client:
        response = client.post("/applicable", json={"description": LONG_PROJECT[:5000]})
    if response.status_code == 503:
        assert "deadline" in response.json()["detail"] and int(response.headers["retry-after"]) >= 1
        return
    body = response.json()
    assert response.status_code == 200 and body["partial"] is True
    assert "deadline of 1 s passed" in body["partial_reason"]


def test_ask_past_its_deadline_returns_the_sources_retrieval_found_or_503(settings: Settings) -> None:
    question = "Hvilke krav gjelder for tilgangsstyring, logging og informasjonssikkerhet i pasientjournalen?"
    with app_client(settings, answer_deadline=0.05) as client:
        response = client.post("/ask", json={"question": question})
        assert response.status_code in (200, 503)
        if response.status_code == 200:
            body = response.json()
            assert body["partial"] is True and body["sources"] and not body["quotes"]
        with app_client(settings) as roomy:
            full = roomy.post("/ask", json={"question": question}).json()
    assert full["partial"] is False and full["partial_reason"] is None


def test_search_stages_and_queue_wait_are_timed(settings: Settings) -> None:
    stages = ("queue", "expander", "embedder", "sparse", "retriever", "units")
    before = {s: sample("hjemmel_stage_seconds_count", stage=s) for s in stages}
    with app_client(settings) as client:
        assert client.post("/search", json={"query": "innsyn i journal"}).status_code == 200
    for stage in stages:
        assert sample("hjemmel_stage_seconds_count", stage=stage) == before[stage] + 1, stage
    assert sample("hjemmel_queue_depth") == 0

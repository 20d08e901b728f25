"""Input that would match nothing, or mean nothing, gets a 422 that says why, instead of 200 with no or arbitrary
results."""

import httpx
import pytest

from api.problems import PROBLEM


def _problem(response: httpx.Response) -> str:
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, response.text
    return response.json()["detail"]


@pytest.mark.parametrize(
    ("filters", "named", "known"),
    [({"kind": "xyz"}, "'xyz'", "forskrift"), ({"kind": "LOV"}, "'LOV'", "lov"), ({"language": "xx"}, "'xx'", "nn")],
)
def test_unknown_filter_value_lists_the_known_ones(client: httpx.Client, filters: dict, named: str, known: str) -> None:
    detail = _problem(client.post("/search", json={"query": "taushetsplikt", "filters": filters}))
    assert named in detail and known in detail
    assert named in _problem(client.post("/ask", json={"question": "taushetsplikt", "filters": filters}))


def test_unknown_flag_lists_the_known_ones(client: httpx.Client) -> None:
    body = {"description": "Vi vil trene en KI-modell på journaldata.", "flags": ["research", "forskning-x"]}
    detail = _problem(client.post("/applicable", json=body))
    assert "'forskning-x'" in detail and "research" in detail.split("known flags:")[1]
    assert "'research'" not in detail.split("known flags:")[0]


@pytest.mark.parametrize("text", ["   ", "\x00", "\t\n", "?!…", "§ – «»"])
@pytest.mark.parametrize(("path", "field"), [("/search", "query"), ("/ask", "question"), ("/applicable", "description")])
def test_text_with_no_words_is_422(client: httpx.Client, path: str, field: str, text: str) -> None:
    assert "has no words" in _problem(client.post(path, json={field: text}))


def test_a_citation_alone_has_words(client: httpx.Client) -> None:
    response = client.post("/search", json={"query": "§ 29"})
    assert response.status_code == 200, response.text


"""The deployment guards through a real server with all of them set: API keys, CORS, a body limit, a rate limit."""

import shutil
from collections.abc import Iterator

import httpx
import pytest

from api.problems import PROBLEM
from corpus.settings import Settings
from tests.api.conftest import serving

KEY, RATE_KEY = "key-alpha-1", "key-bravo-2"
ORIGIN = "https://app.example.no"
MAX_BODY = 4096
# Per client (here: per key) in a moving minute. The tests with KEY send fewer; the rate test spends RATE_KEY's.
PER_MINUTE = 8


@pytest.fixture(scope="module")
def guarded(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # The session's server owns its index folder, so this one serves a copy.
    folder = tmp_path_factory.mktemp("guarded") / "index"
    shutil.copytree(index_settings.index_dir, folder)
    env = {
        "HJEMMEL_API_KEYS": f"{KEY}, {RATE_KEY}",
        "HJEMMEL_CORS_ORIGINS": ORIGIN,
        "HJEMMEL_MAX_BODY_BYTES": str(MAX_BODY),
        "HJEMMEL_RATE_LIMIT": f"{PER_MINUTE}/minute",
    }
    with serving(index_settings.model_copy(update={"index_dir": folder}), **env) as url:
        yield url


def _is_problem(response: httpx.Response, status: int) -> bool:
    return response.status_code == status and response.headers["content-type"] == PROBLEM and response.json()["status"] == status


def test_no_key_is_401_with_www_authenticate(guarded: str) -> None:
    for response in (httpx.post(f"{guarded}/search", json={"query": "taushetsplikt"}), httpx.get(f"{guarded}/sources")):
        assert _is_problem(response, 401), response.text
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert httpx.get(f"{guarded}/metrics").status_code == 401
    assert httpx.get(f"{guarded}/", params={"q": "taushetsplikt"}).status_code == 401


def test_wrong_key_is_403(guarded: str) -> None:
    for headers in ({"X-API-Key": "key-alpha-2"}, {"Authorization": "Bearer key-alpha"}, {"X-API-Key": KEY + "x"}):
        assert _is_problem(httpx.get(f"{guarded}/sources", headers=headers), 403)


def test_health_checks_and_assets_need_no_key(guarded: str) -> None:
    assert httpx.get(f"{guarded}/healthz").status_code == 200
    assert httpx.get(f"{guarded}/readyz", timeout=60).status_code == 200
    assert httpx.get(f"{guarded}/static/style.css").status_code == 200


def test_a_key_in_either_header_is_let_through(guarded: str) -> None:
    bearer = httpx.post(f"{guarded}/search", json={"query": "taushetsplikt"}, headers={"Authorization": f"Bearer {KEY}"}, timeout=60)
    assert bearer.status_code == 200 and bearer.json()["results"]
    header = httpx.get(f"{guarded}/cite", params={"ref": "hpl § 29"}, headers={"X-API-Key": KEY}, timeout=60)
    assert header.status_code == 200 and header.json()["unit"]["id"] == "LOV-1999-07-02-64/§29"


def test_openapi_declares_the_guards_where_they_apply(guarded: str) -> None:
    schema = httpx.get(f"{guarded}/openapi.json", headers={"X-API-Key": KEY}).json()
    search = schema["paths"]["/search"]["post"]
    assert {"401", "403", "413", "429"} <= set(search["responses"]) and search["security"]
    assert "Retry-After" in search["responses"]["429"]["headers"]
    assert "413" not in schema["paths"]["/sources"]["get"]["responses"]
    health = schema["paths"]["/healthz"]["get"]
    assert "security" not in health and "401" not in health["responses"]
    assert set(schema["components"]["securitySchemes"]) == {"bearer", "apiKey"}


def test_body_over_the_limit_is_413_before_it_is_parsed(guarded: str) -> None:
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    # Not even JSON: a 413 and not a 422 shows that the limit came before the parser.
    declared = httpx.post(f"{guarded}/search", content=b"{" * (MAX_BODY + 1), headers=headers)
    assert _is_problem(declared, 413) and str(MAX_BODY) in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: httpx sends it chunked
        for _ in range(MAX_BODY // 512 + 2):
            yield b"{" * 512

    chunked = httpx.post(f"{guarded}/search", content=chunks(), headers=headers)
    assert "content-length" not in chunked.request.headers
    assert _is_problem(chunked, 413)


def test_cors_answers_allowed_origins_only(guarded: str) -> None:
    preflight = httpx.options(
        f"{guarded}/search",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"},
    )
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == ORIGIN
    # Refusals carry CORS headers too, so the browser shows the client the 401 instead of a CORS error.
    refused = httpx.get(f"{guarded}/sources", headers={"Origin": ORIGIN})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == ORIGIN
    assert "X-Request-ID" in refused.headers["access-control-expose-headers"]
    foreign = httpx.get(f"{guarded}/sources", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


def test_rate_limit_is_429_with_retry_after_per_client(guarded: str) -> None:
    with httpx.Client(base_url=guarded, headers={"X-API-Key": RATE_KEY}) as client:
        statuses = [client.get("/units/nothing").status_code for _ in range(PER_MINUTE)]
        assert statuses == [404] * PER_MINUTE
        refused = client.get("/units/nothing")
        assert _is_problem(refused, 429)
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert client.get("/healthz").status_code == 200  # the health checks are not counted
    # Another client's allowance is its own.
    assert httpx.get(f"{guarded}/units/nothing", headers={"X-API-Key": KEY}).status_code == 404

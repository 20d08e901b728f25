"""/metrics, /readyz, request ids and JSON logs, through the session's real server (and one over an unreachable
Qdrant for «not ready»)."""

import json
import re
from datetime import datetime
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.problems import PROBLEM
from corpus.settings import Settings
from tests.api.conftest import _free_port, serving

UNIT = "/units/LOV-1999-07-02-64/§29"
UNIT_TEMPLATE = "/units/{unit_id:path}"


def _samples(client: httpx.Client) -> list[tuple[str, dict[str, str], float]]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(response.text) for s in family.samples]


def test_metrics_count_requests_by_route_template_and_status(client: httpx.Client) -> None:
    assert client.get(UNIT).status_code == 200
    assert client.get("/units/LOV-1999-07-02-64/§999").status_code == 404
    samples = _samples(client)
    counts = {(l["route"], l["status"]): v for name, l, v in samples if name == "hjemmel_http_requests_total"}
    assert counts[(UNIT_TEMPLATE, "200")] >= 1 and counts[(UNIT_TEMPLATE, "404")] >= 1
    # Raw paths never become label values: that would be one series per id.
    assert not any("§" in value for _, labels, _ in samples for value in labels.values())
    latency = {l["route"]: v for name, l, v in samples if name == "hjemmel_http_request_duration_seconds_count"}
    assert latency[UNIT_TEMPLATE] >= 2
    buckets = [l["le"] for name, l, _ in samples if name == "hjemmel_http_request_duration_seconds_bucket" and l["route"] == UNIT_TEMPLATE]
    assert "+Inf" in buckets and len(buckets) > 5


def test_metrics_report_the_index_size(client: httpx.Client) -> None:
    points = client.get("/healthz").json()["points"]
    (size,) = [v for name, _, v in _samples(client) if name == "hjemmel_index_points"]
    assert points > 1000 and size == points


def test_readyz_once_the_index_answers_and_the_model_is_warm(client: httpx.Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "points": client.get("/healthz").json()["points"]}


def test_readyz_is_503_problem_json_while_the_index_cannot_answer(index_settings: Settings) -> None:
    # A Qdrant server that is not there: the process is alive, but it cannot serve a search.
    env = {"HJEMMEL_QDRANT_URL": f"http://127.0.0.1:{_free_port()}"}
    with serving(index_settings, up=("/readyz", 503), **env) as url:
        response = httpx.get(f"{url}/readyz", timeout=30)
    assert response.status_code == 503 and response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 503 and "not ready" in response.json()["detail"]


def test_request_id_is_kept_when_sane_and_made_otherwise(client: httpx.Client) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "trace-4b1f:7"})
    assert kept.headers["X-Request-ID"] == "trace-4b1f:7"
    made = [client.get("/healthz").headers["X-Request-ID"] for _ in range(2)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in made) and made[0] != made[1]
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" level=ERROR ' + "y" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    # Errors carry it too.
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/units/nothing").headers["X-Request-ID"])


def test_server_timing_gives_the_time_the_service_took(client: httpx.Client, server_log: Path) -> None:
    response = client.post("/search", json={"query": "journalføring"}, headers={"X-Request-ID": "timing-test-3"})
    (duration,) = re.fullmatch(r"app;dur=(\d+\.\d)", response.headers["Server-Timing"]).groups()
    records = [json.loads(line) for line in server_log.read_text().splitlines() if line.strip()]
    (access,) = [r for r in records if r.get("request_id") == "timing-test-3"]
    # The header is written when the response starts, the log line when it has been sent.
    assert 0 < float(duration) <= access["duration_ms"]
    assert "Server-Timing" in client.get("/units/nothing").headers


def test_logs_are_one_json_object_per_line_with_the_request_id(client: httpx.Client, server_log: Path) -> None:
    response = client.post("/search", json={"query": "taushetsplikt"}, headers={"X-Request-ID": "log-test-77"})
    assert response.status_code == 200
    records = [json.loads(line) for line in server_log.read_text().splitlines() if line.strip()]
    (access,) = [r for r in records if r.get("request_id") == "log-test-77"]
    assert {"time", "level", "logger", "message", "request_id", "method", "route", "status", "duration_ms"} <= set(access)
    assert (access["method"], access["route"], access["status"], access["level"]) == ("POST", "/search", 200, "INFO")
    assert access["duration_ms"] > 0 and datetime.fromisoformat(access["time"]).tzinfo is not None
    assert any(r["logger"].startswith("uvicorn") for r in records)

"""An unexpected exception, through a real server (uvicorn in a thread, so that the test can break one of the app's
dependencies): a 500 as problem+json with the request id, or an error page, that leaks nothing; the exception is
logged with its traceback and the request id."""

import logging
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from api.http import create_app
from api.observability import RequestIdFilter, error_log
from api.problems import PROBLEM
from api.services import _lookup
from corpus.settings import Settings
from tests.api.conftest import _free_port

SECRET = "/srv/hjemmel/index/segments/7f3a"


def _broken_lookup() -> None:
    raise RuntimeError(f"segment {SECRET} is corrupt")


@contextmanager
def serving_app(app: FastAPI) -> Iterator[str]:
    """`app` under uvicorn on a free loopback port, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_config=None, access_log=False))
    thread = threading.Thread(target=server.run)
    thread.start()
    deadline = time.monotonic() + 180
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def broken(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a copy of the index (the session's server owns it), with a lookup that raises."""
    index = tmp_path_factory.mktemp("broken") / "index"
    shutil.copytree(index_settings.index_dir, index)
    app = create_app(index_settings.model_copy(update={"index_dir": index}))
    app.dependency_overrides[_lookup] = _broken_lookup
    with serving_app(app) as url:
        yield url


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog for hjemmel.errors, whose records get the request id as the server's log handler gives them."""
    stamp = RequestIdFilter()
    error_log.addFilter(stamp)
    caplog.set_level(logging.ERROR, logger=error_log.name)
    yield caplog
    error_log.removeFilter(stamp)


def _error_records(errors: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in errors.records if r.name == error_log.name]


def test_an_api_error_is_a_500_problem_with_the_request_id(broken: str, errors: pytest.LogCaptureFixture) -> None:
    response = httpx.get(f"{broken}/sources", headers={"X-Request-ID": "err-api-1"})
    assert response.status_code == 500 and response.headers["content-type"] == PROBLEM
    assert response.headers["X-Request-ID"] == "err-api-1"
    body = response.json()
    assert body["status"] == 500 and body["title"] and body["request_id"] == "err-api-1"
    assert "err-api-1" in body["detail"]
    assert SECRET not in response.text and "Traceback" not in response.text and "RuntimeError" not in response.text
    (record,) = _error_records(errors)
    assert record.request_id == "err-api-1" and record.levelno == logging.ERROR
    assert record.exc_info and SECRET in str(record.exc_info[1])


def test_a_page_error_is_a_500_page_with_the_request_id(broken: str, errors: pytest.LogCaptureFixture) -> None:
    response = httpx.get(f"{broken}/registry", headers={"X-Request-ID": "err-page-2", "Accept-Language": "en"})
    assert response.status_code == 500 and response.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in response.text and "<h1>Something went wrong</h1>" in response.text
    assert "quote the id err-page-2" in response.text and response.headers["X-Request-ID"] == "err-page-2"
    assert SECRET not in response.text and "Traceback" not in response.text
    assert [r.request_id for r in _error_records(errors)] == ["err-page-2"]
    # What does not depend on the broken lookup still works.
    assert httpx.get(f"{broken}/healthz").status_code == 200

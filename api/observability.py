"""What an operator sees of a running server: a request id on every request and log line, one JSON object per log
line, unexpected errors logged with their request id, Prometheus metrics at /metrics and readiness at /readyz
(/healthz stays the liveness check)."""

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from pydantic import BaseModel
from pythonjsonlogger.core import RESERVED_ATTRS
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import Problem, problem

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept when it is short and plain (a UUID, a trace id); anything else could forge log lines.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# The query /readyz searches once, so that the model has embedded a real query before the first user waits on it.
WARM_QUERY = "taushetsplikt for helsepersonell"
UNMATCHED = "unmatched"

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("hjemmel.access")
error_log = logging.getLogger("hjemmel.errors")

# Labelled by route template («/units/{unit_id:path}»), never the raw path, so ids cannot explode the series count.
LATENCY = Histogram(
    "hjemmel_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
REQUESTS = Counter("hjemmel_http_requests", "Responses sent, by route template and status.", ["method", "route", "status"])
INDEX_POINTS = Gauge("hjemmel_index_points", "Points (chunks) in the index, read at each scrape.")


def _route_template(scope: Scope) -> str:
    """The template of the route that served the request; one the router never reached (a 401 from a guard outside
    it) is matched here, and a path no route knows counts as «unmatched»."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        for candidate in getattr(app, "routes", ()):
            if candidate.matches(scope)[0] is Match.FULL:
                route = candidate
                break
    return getattr(route, "path", None) or UNMATCHED


class RequestObservation:
    """Pure ASGI middleware (a BaseHTTPMiddleware would run the endpoint in another task and lose the request id):
    sets the request id, returns it in `X-Request-ID` and the time taken in `Server-Timing`, logs one access line and
    records the metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        rid = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Server-Timing tells a client (a load benchmark, a browser's devtools) how much of its wait was the
                # service's own, from the request's arrival here to its response's start.
                timing = f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                added = [(b"x-request-id", rid.encode()), (b"server-timing", timing)]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            LATENCY.labels(scope["method"], route).observe(elapsed)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            access_log.info(
                "%s %s %d",
                scope["method"],
                route,
                status,
                extra={"method": scope["method"], "route": route, "status": status, "duration_ms": round(elapsed * 1000, 1)},
            )
            request_id.reset(token)


class UnhandledErrors:
    """Pure ASGI middleware for an exception that no handler took: it is logged with its traceback and request id,
    and answered with a 500 that says no more than that, as problem+json or, for a page, as `page(request)`. Once a
    response has started nothing else can be sent, so the exception goes on to the server."""

    def __init__(self, app: ASGIApp, is_page: Callable[[Scope], bool], page: Callable[[Request], Response]) -> None:
        self.app = app
        self.is_page = is_page
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            error_log.exception("unhandled %s in %s %s", type(exc).__name__, scope["method"], scope["path"])
            if started:
                raise
            rid = request_id.get()
            if self.is_page(scope):
                response = self.page(Request(scope))
            else:
                detail = f"an unexpected error stopped the request; it is logged under request id {rid}"
                response = problem(500, "Internal Server Error", detail, request_id=rid)
            await response(scope, receive, send)


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request being served (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def log_config(level: str = "INFO") -> dict[str, Any]:
    """logging.config.dictConfig for the server (uvicorn's log_config): one JSON object per line on stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
                # uvicorn repeats each message with terminal colours; a log collector wants it once.
                "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
            }
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "loggers": {"uvicorn": {"level": level}, "uvicorn.error": {"level": level}, "hjemmel": {"level": level}},
        "root": {"handlers": ["stdout"], "level": "WARNING"},
    }


class Readiness(BaseModel):
    status: str
    points: int


router = APIRouter()


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Problem, "description": "Not ready"}})
def readyz(request: Request) -> Readiness:
    """200 once the index answers and the embedding model has embedded a real query; else 503. /healthz is liveness."""
    state = request.app.state
    try:
        points = state.store.count_documents()
        if not getattr(state, "warm", False):
            state.searcher.search(WARM_QUERY, top_k=1)
            state.warm = True
    except Exception as exc:  # whatever keeps the index or the model from answering means «not ready»
        raise HTTPException(503, f"not ready: {type(exc).__name__}: {exc}"[:300]) from exc
    return Readiness(status="ready", points=points)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text format of the default registry, which the stage, queue and rejection metrics share."""
    try:
        INDEX_POINTS.set(request.app.state.store.count_documents())
    except Exception:  # an index that cannot be counted must not hide every other metric; /readyz reports it
        logging.getLogger("hjemmel.metrics").warning("index size unavailable", exc_info=True)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def install_observability(app: FastAPI) -> None:
    """Added last, so it is the outermost middleware and sees (and ids) the guards' refusals too."""
    app.add_middleware(RequestObservation)
    app.include_router(router)

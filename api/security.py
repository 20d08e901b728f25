"""Deployment guards, each off unless its setting is set (the default serves loopback only): API keys, CORS, a
per-client rate limit and a request body limit. Refusals are problem+json and declared in the OpenAPI document."""

import hashlib
import hmac
import math
import time

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import extend_openapi, problem, problem_response

# Probes and static files stay open: a load balancer has no key, and the assets are the same for everyone.
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
OPEN_PREFIX = "/static/"
BEARER = "Bearer"


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIX)


def presented_key(headers: Headers) -> str | None:
    """The key from `Authorization: Bearer <key>` or, failing that, `X-API-Key`."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.casefold() == BEARER.casefold() and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key") or None


class ApiKeyGate:
    """No key: 401 with WWW-Authenticate; a key that is not one of the configured: 403."""

    def __init__(self, app: ASGIApp, keys: tuple[str, ...]) -> None:
        self.app = app
        self.keys = tuple(key.encode() for key in keys)

    def _known(self, key: str) -> bool:
        # Every configured key is compared, each in constant time, so timing tells neither which nor how much matched.
        given = key.encode()
        return sum(hmac.compare_digest(given, known) for known in self.keys) > 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_open(scope["path"]):
            await self.app(scope, receive, send)
            return
        key = presented_key(Headers(scope=scope))
        if key is None:
            refusal = problem(
                401,
                "Unauthorized",
                "this service needs an API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`",
                headers={"WWW-Authenticate": f'{BEARER} realm="hjemmel"'},
            )
        elif not self._known(key):
            refusal = problem(403, "Forbidden", "the API key is not one of this service's keys")
        else:
            await self.app(scope, receive, send)
            return
        await refusal(scope, receive, send)


class RateLimit:
    """A moving window per client (limits' in-memory storage, which expires idle clients): the API key when one
    was sent (the gate outside has checked it), else the client's address. Beyond it: 429 with Retry-After."""

    def __init__(self, app: ASGIApp, limit: RateLimitItem) -> None:
        self.app = app
        self.limit = limit
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    @staticmethod
    def _client(scope: Scope) -> str:
        key = presented_key(Headers(scope=scope))
        if key is not None:
            return "key:" + hashlib.sha256(key.encode()).hexdigest()[:32]
        client = scope.get("client")
        return "ip:" + (client[0] if client else "unknown")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_open(scope["path"]):
            await self.app(scope, receive, send)
            return
        client = self._client(scope)
        if await self.limiter.hit(self.limit, client):
            await self.app(scope, receive, send)
            return
        stats = await self.limiter.get_window_stats(self.limit, client)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        refusal = problem(
            429,
            "Too Many Requests",
            f"more than {self.limit} from this client; retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )
        await refusal(scope, receive, send)


class BodyLimit:
    """Refuses a body over `max_bytes` before it is parsed: at once when its Content-Length says so, else (chunked)
    as soon as the bytes received pass the limit. Written here because FastAPI's own `max_body_size` answers a
    declared length with a plain-text 413, which breaks the problem+json contract."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await too_large(self.max_bytes)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises an HTTPException from reading the body, so the 413 handler answers.
                    raise StarletteHTTPException(413)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except StarletteHTTPException as exc:
            if exc.status_code != 413 or started:
                raise
            await too_large(self.max_bytes)(scope, receive, send)


def too_large(max_bytes: int) -> JSONResponse:
    return problem(413, "Content Too Large", f"the request body is larger than the limit of {max_bytes} bytes")


def _declare(schema: dict, keys: bool, body_limit: int | None, rate_limited: bool) -> None:
    """401/403 where a key is needed, 413 where a body is read, 429 where the rate limit counts."""
    if keys:
        schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(
            {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            }
        )
    retry_after = {"Retry-After": {"description": "Seconds until the client may try again.", "schema": {"type": "integer"}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if keys and not is_open(path):
                operation["security"] = [{"bearer": []}, {"apiKey": []}]
                responses["401"] = problem_response("No API key was sent")
                responses["403"] = problem_response("The API key is not one of this service's keys")
            if body_limit is not None and "requestBody" in operation:
                responses["413"] = problem_response(f"The request body is larger than {body_limit} bytes")
            if rate_limited and not is_open(path):
                responses["429"] = problem_response("Too many requests from this client", retry_after)


def install_security(
    app: FastAPI, keys: tuple[str, ...], cors_origins: tuple[str, ...], rate_limit: str | None, body_limit: int | None
) -> None:
    """The guards as middleware, from the inside out: body limit, rate limit, API keys, CORS (outermost, so that
    preflights and refusals carry CORS headers)."""
    if body_limit is not None:
        app.add_middleware(BodyLimit, max_bytes=body_limit)

        @app.exception_handler(413)
        async def counted_too_large(_: Request, exc: StarletteHTTPException) -> JSONResponse:
            return too_large(body_limit)

    if rate_limit is not None:
        app.add_middleware(RateLimit, limit=parse(rate_limit))
    if keys:
        app.add_middleware(ApiKeyGate, keys=keys)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Server-Timing"],
        )
    extend_openapi(app, lambda schema: _declare(schema, bool(keys), body_limit, rate_limit is not None))

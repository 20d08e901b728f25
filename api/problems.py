"""RFC 9457 problem details: the one error body of the API, and the OpenAPI document saying so for every error."""

from collections.abc import Callable, Mapping

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

PROBLEM = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    request_id: str | None = Field(
        None, description="On a server error: the request's id (its X-Request-ID), under which the server logged it."
    )


def problem(
    status: int, title: str, detail: str, headers: Mapping[str, str] | None = None, request_id: str | None = None
) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, request_id=request_id).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def problem_response(description: str, headers: Mapping[str, dict] | None = None) -> dict:
    """An OpenAPI response object for a problem, with the headers it carries (e.g. Retry-After)."""
    response: dict = {"description": description, "content": {PROBLEM: {"schema": {"$ref": PROBLEM_REF}}}}
    if headers:
        response["headers"] = dict(headers)
    return response


def extend_openapi(app: FastAPI, patch: Callable[[dict], None]) -> None:
    """Run `patch` on the OpenAPI document once, when it is first built; patches run in the order they were added."""
    build = app.openapi
    patched: list[dict] = []

    def openapi() -> dict:
        schema = build()
        if not patched:
            patch(schema)
            patched.append(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def declare_problem_json(schema: dict) -> None:
    """Every 4xx/5xx response, FastAPI's own 422 included, is sent as problem+json; say so in the contract, so that
    generated clients parse errors as errors."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                # FastAPI's answer to a body it cannot decode (not UTF-8); malformed JSON is a 422.
                operation["responses"].setdefault("400", {"description": "The request body could not be read"})
            for status, response in operation.get("responses", {}).items():
                if status[:1] in "45":
                    response["content"] = {PROBLEM: {"schema": {"$ref": PROBLEM_REF}}}
    schemas = schema.get("components", {}).get("schemas", {})
    schemas["Problem"] = Problem.model_json_schema()
    # FastAPI's validation-error shapes are never sent: the 422 handler answers with a Problem.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)

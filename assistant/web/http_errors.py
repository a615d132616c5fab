"""The one place where errors become HTTP responses.

Every refusal and failure leaves the HTTP front door as JSON of one shape, the shape OpenAI
clients already read::

    {"error": {"message": "...", "type": "invalid_request", "limit": "max_message_chars"}}

``limit`` is present when a named limit or credential rule was broken. The status code comes
from the error class (``assistant.errors`` for the core; the boundary's own refusals below).
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from assistant.errors import AssistantError, InvalidInput

log = logging.getLogger(__name__)


class Unauthorized(AssistantError):
    """No credential, or one that is forged, malformed or expired."""

    status_code = 401

    def __init__(self, message: str, limit: str | None = None):
        super().__init__(message)
        self.limit = limit


class Forbidden(AssistantError):
    """A valid credential that does not cover this conversation or endpoint."""

    status_code = 403

    def __init__(self, message: str, limit: str | None = None):
        super().__init__(message)
        self.limit = limit


class RateLimited(AssistantError):
    status_code = 429

    def __init__(self, message: str, limit: str, retry_after: int):
        super().__init__(message)
        self.limit = limit
        self.retry_after = retry_after


class BodyTooLarge(InvalidInput):
    status_code = 413


class UnsupportedMediaType(InvalidInput):
    status_code = 415


class ReplyInProgress(AssistantError):
    """A conversation answers one message at a time."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.limit = "one_reply_at_a_time"


ERROR_TYPES = {
    400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request",
    429: "rate_limited", 500: "internal_error", 503: "unavailable",
}


class ErrorDetail(BaseModel):
    message: str
    type: str
    limit: str | None = None


class ErrorBody(BaseModel):
    """What every 4xx/5xx of the HTTP API carries."""

    error: ErrorDetail


def status_of(exc: Exception) -> int:
    return int(getattr(exc, "status_code", 500))


def error_body(exc: Exception, status: int | None = None, message: str | None = None) -> dict[str, Any]:
    status = status or status_of(exc)
    detail: dict[str, Any] = {"message": message or str(exc), "type": ERROR_TYPES.get(status, "error")}
    limit = getattr(exc, "limit", None)
    if limit:
        detail["limit"] = limit
    return {"error": detail}


def error_response(exc: Exception) -> JSONResponse:
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(error_body(exc), status_code=status_of(exc), headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "the request is not valid: " + "; ".join(parts)


# Error responses every API route may give; added to each router so the OpenAPI schema is accurate.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in {
        400: "a named limit was broken or the request is malformed",
        401: "missing, invalid or expired credential",
        403: "the credential does not cover this conversation or endpoint",
        404: "no such conversation",
        413: "the request body is over max_body_bytes",
        415: "the body's content type is not accepted",
        422: "the request does not match the schema",
        429: "a rate limit was hit (see Retry-After)",
    }.items()
}


def install(app: FastAPI) -> None:
    """Register the handlers; call once in create_app."""

    @app.exception_handler(AssistantError)
    async def _assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        door = getattr(request.app.state, "front_door", None)
        if door is not None and getattr(exc, "limit", None):    # every named refusal, counted once, here
            door.metrics.refusals.labels(exc.limit).inc()
        if status_of(exc) >= 500:
            log.warning("request failed: %s", exc)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(exc, 422, _validation_message(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(exc, exc.status_code, str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(error_body(exc, 500, "something went wrong on our side; please try again"),
                            status_code=500)


class RouteGuard:
    """ASGI middleware: a wrong method on an API path is a 405 (with Allow), an unknown API path a 404,
    both in the API's JSON shape - before the chat UI mounted at "/" (which matches every path) can
    answer them with its own page or error."""

    API_PREFIXES = ("/api/", "/v1/")
    METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

    def __init__(self, app, routes: list):
        self.app = app
        self.routes = routes            # the app's live route list (routers included later count too)

    def _match(self, scope) -> Match:
        best = Match.NONE
        for route in self.routes:
            if isinstance(route, Mount):        # the Gradio pages: they would match anything
                continue
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return match
            best = max(best, match, key=lambda m: m.value)
        return best

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            match = self._match(scope)
            if match == Match.PARTIAL:
                allowed = [m for m in self.METHODS if self._match({**scope, "method": m}) == Match.FULL]
                body = error_body(Exception(f"{scope['method']} is not allowed here; use {', '.join(allowed)}"), 405)
                return await JSONResponse(body, status_code=405, headers={"Allow": ", ".join(allowed)})(
                    scope, receive, send)
            if match == Match.NONE and scope["path"].startswith(self.API_PREFIXES):
                body = error_body(Exception(f"there is no {scope['path']} in this API; see /docs"), 404)
                return await JSONResponse(body, status_code=404)(scope, receive, send)
        await self.app(scope, receive, send)

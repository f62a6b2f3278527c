"""Where errors become HTTP responses: each surface names its renderer, by path prefix.

The SPEC's own surfaces (S2S, admin, public) answer in the §3 envelope rendered here; a
compatibility surface registers its vendor's shape for its prefix. Domain errors stay domain
classes with a stable ``code``; only this module and the surfaces' renderers know HTTP.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from coffer.kit.errors import STATUS_BY_CODE, CofferError, envelope

log = logging.getLogger("coffer.web")


STATUS_MESSAGES = {404: "No such route.", 405: "Method not allowed on this route."}


def error_response(
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render an error code with its HTTP status; ``extra`` goes in ``error.details``."""
    body = envelope(code, message, fields, extra)
    return JSONResponse(body, status_code=STATUS_BY_CODE.get(code, 500), headers=headers)


def json_path(loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a path such as ``reels[0].boxVersionId``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def validation_fields(errors: Any) -> dict[str, str]:
    """Map every pydantic/FastAPI error to its JSON path; the first message per path wins."""
    fields: dict[str, str] = {}
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:] if len(loc) > 1 or loc[0] != "body" else loc
        message = str(err.get("msg", "invalid"))
        if err.get("type") == "json_invalid":
            message = "malformed JSON: " + str(err.get("ctx", {}).get("error", "cannot parse"))
            loc = ()
        fields.setdefault(json_path(loc), message)
    return fields


@dataclass(frozen=True)
class ErrorRenderer:
    """How one surface answers a domain error and a request that failed validation
    (``validation_errors``, when set, gets the framework's error list instead of fields)."""

    domain: Callable[[CofferError], Response]
    validation: Callable[[dict[str, str]], Response]
    validation_errors: Callable[[Sequence[Any]], Response] | None = None
    # A vendor's surface answers even the framework's 404 and 405 in its own shape.
    framework: Callable[[int, str], Response] | None = None


def envelope_error(exc: CofferError) -> Response:
    """SPEC §3: ``{"error": {"code", "message", "fields"?}}`` with the code's status."""
    extra = dict(exc.extra)
    headers = {"Retry-After": str(extra.pop("retryAfter"))} if "retryAfter" in extra else None
    return error_response(exc.code, exc.message, exc.fields, extra, headers)


def envelope_validation(fields: dict[str, str]) -> Response:
    return error_response("VALIDATION_ERROR", "The request is not valid; see fields.", fields)


ENVELOPE = ErrorRenderer(envelope_error, envelope_validation)


def renderer_for(request: Request) -> ErrorRenderer:
    """The renderer of the surface whose prefix the path starts with (the envelope otherwise)."""
    renderers: dict[str, ErrorRenderer] = getattr(request.app.state, "error_renderers", {})
    path = request.url.path
    for prefix, renderer in renderers.items():
        if path.startswith(prefix):
            return renderer
    return ENVELOPE


async def _coffer_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CofferError)
    return renderer_for(request).domain(exc)


async def _request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    renderer = renderer_for(request)
    if renderer.validation_errors is not None:
        return renderer.validation_errors(exc.errors())
    return renderer.validation(validation_fields(exc.errors()))


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    own = renderer_for(request).framework
    if own is not None and exc.status_code in STATUS_MESSAGES:
        return own(exc.status_code, STATUS_MESSAGES[exc.status_code])
    if exc.status_code == 400:  # FastAPI's "error parsing the body": bad UTF-8, absurd nesting
        return error_response(
            "VALIDATION_ERROR",
            "The request body could not be parsed as JSON.",
            {"body": "must be UTF-8 JSON of reasonable nesting and number size"},
        )
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}.get(
        exc.status_code, "INTERNAL" if exc.status_code >= 500 else "VALIDATION_ERROR"
    )
    message = STATUS_MESSAGES.get(exc.status_code, str(exc.detail))
    path = request.url.path
    if exc.status_code == 404 and path.endswith("/") and path != "/":
        message += " Routes have no trailing slash; send the path without it."
    body = envelope(code, message)
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) or "unknown"
    log.exception(
        "unexpected error on %s %s (request %s)",
        request.method,
        request.url.path,
        request_id,
        exc_info=exc,
    )
    return error_response("INTERNAL", f"Unexpected error; quote request id {request_id}.")


def install_error_handlers(app: FastAPI, renderers: dict[str, ErrorRenderer]) -> None:
    """Every error leaves in its surface's shape (framework errors in the SPEC envelope)."""
    app.state.error_renderers = renderers
    app.add_exception_handler(CofferError, _coffer_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)

"""The one place where error codes become HTTP responses in the SPEC's envelope."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    """Render an error code with its HTTP status."""
    body = envelope(code, message, fields)
    body.update(extra or {})
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


async def _coffer_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CofferError)
    headers = (
        {"Retry-After": str(exc.extra.pop("retryAfter"))} if "retryAfter" in exc.extra else None
    )
    return error_response(exc.code, exc.message, exc.fields, exc.extra, headers)


async def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(
        "VALIDATION_ERROR", "The request is not valid; see fields.", validation_fields(exc.errors())
    )


async def _http_exception(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
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


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves in the SPEC envelope, framework errors included."""
    app.add_exception_handler(CofferError, _coffer_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)

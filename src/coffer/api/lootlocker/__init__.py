"""LootLocker's server API (SPEC §14) under /compat/lootlocker/server, in LootLocker's shapes.

Errors are LootLocker's body: ``{success: false, error, code, message, request_id, trace_id}``
with the HTTP status; ``code`` is LootLocker's snake_case name and both ids are the request's
``X-Request-Id``, so a trace the studio quotes finds the request in Coffer's logs.
"""

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from coffer.api.errors import ErrorRenderer
from coffer.api.middleware import REQUEST_ID
from coffer.api.openapi import errors_for
from coffer.kit.errors import STATUS_BY_CODE, CofferError

# LootLocker's code for each HTTP status Coffer answers with.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_server_error",
    503: "service_unavailable",
}


def error_body(status: int, message: str) -> dict[str, Any]:
    request_id = REQUEST_ID.get()
    return {
        "success": False,
        "error": HTTPStatus(status).phrase,
        "code": CODES.get(status, "bad_request"),
        "message": message,
        "request_id": request_id,
        "trace_id": request_id,
    }


def render(status: int, message: str) -> Response:
    return JSONResponse(error_body(status, message), status_code=status)


def _domain(exc: CofferError) -> Response:
    status = STATUS_BY_CODE.get(exc.code, 500)
    message = exc.message
    if exc.fields:
        message += " " + "; ".join(f"{name}: {why}" for name, why in exc.fields.items())
    return render(status, message)


def _fields(fields: dict[str, str]) -> Response:
    return render(422, "; ".join(f"{name}: {why}" for name, why in fields.items()))


def _detail(errors: Sequence[Any]) -> Response:
    parts = []
    for error in list(errors)[:20]:
        field = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        parts.append(f"{field or 'body'}: {error.get('msg', '')}")
    return render(400, "; ".join(parts))


ERRORS = ErrorRenderer(_domain, _fields, _detail, render)


class ErrorBody(BaseModel):
    """LootLocker's error body."""

    success: bool
    error: str
    code: str
    message: str
    request_id: str
    trace_id: str


FAILED = {"model": ErrorBody, "description": "LootLocker's error body"}
RESPONSES: dict[int | str, dict[str, Any]] = {
    **errors_for(),  # 413 and 500 leave in the SPEC envelope, as on every surface
    **dict.fromkeys((400, 401, 403, 404, 409, 422), FAILED),
}

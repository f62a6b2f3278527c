"""PlayFab's legacy economy API (SPEC §14) under /compat/playfab, in PlayFab's own shapes.

Every answer is PlayFab's wrapper: ``{code, status, data}`` on success and ``{code, status,
error, errorCode, errorMessage, errorDetails}`` on failure, with PlayFab's error names and
numbers. ``X-ReportErrorAsSuccess: true`` (PlayFab's SDKs always send it) turns a failure into
HTTP 200 with the real status kept in ``code``, as PlayFab does.
"""

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse, Response

from coffer.api.errors import ErrorRenderer
from coffer.kit.errors import STATUS_BY_CODE, CofferError, ValidationFailed


class Failure(Exception):
    """A PlayFab error: its name, its number and the HTTP status PlayFab answers it with."""

    def __init__(
        self,
        error: str,
        number: int,
        message: str,
        status: int = 400,
        details: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.error, self.number, self.message = error, number, message
        self.status, self.details = status, details


# Coffer's codes as PlayFab's (name, number, HTTP status); any other is InvalidParams (400).
BY_CODE: dict[str, tuple[str, int, int]] = {
    "SESSION_INVALID": ("InvalidSessionTicket", 1100, 401),
    "RATE_LIMITED": ("APIClientRequestRateLimitExceeded", 1199, 429),
    "SESSION_EXPIRED": ("ExpiredAuthToken", 1153, 401),
    "INSUFFICIENT_FUNDS": ("InsufficientFunds", 1059, 400),
    "INSUFFICIENT_ITEMS": ("NoRemainingUses", 1062, 400),
    "INVENTORY_ITEM_NOT_FOUND": ("ItemNotOwned", 1048, 400),
    "UNKNOWN_PLAYER": ("AccountNotFound", 1001, 400),
    "NOT_FOUND": ("InvalidAPIEndpoint", 1131, 404),
    "METHOD_NOT_ALLOWED": ("InvalidAPIEndpoint", 1131, 405),
    "PAYLOAD_TOO_LARGE": ("InvalidParams", 1000, 413),
    "PLAYER_BLOCKED": ("AccountBanned", 1002, 403),
    "TENANT_SUSPENDED": ("NotAuthorized", 1089, 403),
    "FORBIDDEN": ("APINotEnabledForGameClientAccess", 1082, 403),
}


def status_text(status: int) -> str:
    """PlayFab's ``status``: the reason phrase without spaces (``BadRequest``, ``OK``)."""
    if status == 200:
        return "OK"
    return HTTPStatus(status).phrase.replace(" ", "").replace("-", "")


def ok(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": 200, "status": "OK", "data": data}


def failure_body(failure: Failure) -> dict[str, Any]:
    return {
        "code": failure.status,
        "status": status_text(failure.status),
        "error": failure.error,
        "errorCode": failure.number,
        "errorMessage": failure.message,
        "errorDetails": failure.details,
    }


def from_coffer(exc: CofferError) -> Failure:
    """A domain error as PlayFab would name it."""
    if STATUS_BY_CODE.get(exc.code, 500) >= 500:
        return Failure("InternalServerError", 1110, exc.message, 500)
    details = None
    if isinstance(exc, ValidationFailed) and exc.fields:
        details = {field: [message] for field, message in exc.fields.items()}
    name, number, status = BY_CODE.get(exc.code, ("InvalidParams", 1000, 400))
    return Failure(name, number, exc.message, status, details)


def render(failure: Failure, report_as_success: bool) -> Response:
    status = 200 if report_as_success else failure.status
    return JSONResponse(failure_body(failure), status_code=status)


def _domain(exc: CofferError) -> Response:
    return render(from_coffer(exc), False)


def _fields(fields: dict[str, str]) -> Response:
    details = {field: [message] for field, message in fields.items()}
    return render(Failure("InvalidParams", 1000, "Invalid input parameters", 400, details), False)


def _detail(errors: Sequence[Any]) -> Response:
    details: dict[str, list[str]] = {}
    for error in errors:
        field = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        details.setdefault(field or "body", []).append(str(error.get("msg", "")))
    return render(Failure("InvalidParams", 1000, "Invalid input parameters", 400, details), False)


def _framework(status: int, message: str) -> Response:
    return render(Failure("InvalidAPIEndpoint", 1131, message, status), False)


ERRORS = ErrorRenderer(_domain, _fields, _detail, _framework)

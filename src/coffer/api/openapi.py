"""OpenAPI helpers: every route documents its error responses in the SPEC envelope."""

from typing import Any

from pydantic import BaseModel

from coffer.kit.schemas import ApiModel

DESCRIPTIONS = {
    401: "Not authenticated (see error.code)",
    403: "Not allowed (see error.code)",
    404: "Not found (see error.code)",
    409: "Conflict with the current state (see error.code)",
    413: "PAYLOAD_TOO_LARGE",
    422: "VALIDATION_ERROR with fields, or a business refusal (see error.code)",
    429: "RATE_LIMITED",
    500: "INTERNAL, with the request id in the message",
    503: "WALLET_UNAVAILABLE",
}


class ErrorBody(ApiModel):
    code: str
    message: str
    fields: dict[str, str] | None = None
    details: dict[str, Any] | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


def errors_for(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Response docs for the given statuses plus 413, 422 and 500, which any route can return."""
    wanted = sorted({*statuses, 413, 422, 500})
    return {s: {"model": ErrorEnvelope, "description": DESCRIPTIONS[s]} for s in wanted}

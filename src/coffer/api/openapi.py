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


def _header(name: str, description: str) -> dict[str, str]:
    return {"type": "apiKey", "in": "header", "name": name, "description": description}


SCHEMES: dict[str, dict[str, str]] = {
    "s2sKeyId": _header("X-Key-Id", "The S2S key id (igk_…)."),
    "s2sTimestamp": _header("X-Timestamp", "Unix seconds, within ±300 s of Coffer's clock."),
    "s2sSignature": _header(
        "X-Signature",
        "Hex HMAC-SHA256 with the key secret over '{timestamp}\\n{METHOD}\\n{path?query}\\n"
        "{sha256_hex(body)}' (README: Signing an S2S request). /docs signs for you.",
    ),
    "playerSession": {
        "type": "http",
        "scheme": "bearer",
        "description": "A player session token (ps_…).",
    },
    "playfabSession": _header("X-Authorization", "PlayFab's SessionTicket (a Login* answer)."),
    "playfabSecretKey": _header("X-SecretKey", "An admin token scoped to the title's operator."),
    "lootlockerServerKey": _header("x-server-key", "An admin token scoped to the operator."),
    "lootlockerSession": _header("x-auth-token", "The token POST session answered."),
}
SIGNED: dict[str, list[str]] = {"s2sKeyId": [], "s2sTimestamp": [], "s2sSignature": []}
# The first prefix a path starts with decides; an operation that declares its own keeps it.
SECURITY: list[tuple[str, list[dict[str, list[str]]]]] = [
    ("/api/s2s/", [SIGNED]),
    ("/api/play/session/init", []),  # the launch token is in the body
    ("/api/play/", [{"playerSession": []}]),
    ("/inventory/v1/", [{"playerSession": []}]),
    ("/compat/playfab/", [{"playfabSession": []}, {"playfabSecretKey": []}, {}]),
    ("/compat/lootlocker/server/session", [{"lootlockerServerKey": []}]),
    ("/compat/lootlocker/", [{"lootlockerSession": []}]),
]


def secure(document: dict[str, Any]) -> None:
    """Name each surface's credentials in the document, so Swagger UI's Authorize sends them."""
    document.setdefault("components", {}).setdefault("securitySchemes", {}).update(SCHEMES)
    for path, operations in document["paths"].items():
        rule = next((needs for prefix, needs in SECURITY if path.startswith(prefix)), None)
        if rule is None:
            continue
        for operation in operations.values():
            if rule and "security" not in operation:
                operation["security"] = rule

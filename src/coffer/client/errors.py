"""What a call to Coffer can raise: one tree, each error carrying the envelope's code.

CofferApiError            Coffer answered with an error envelope (SPEC §3)
 ├── AuthenticationError  401: a missing, stale or wrong signature or token
 ├── PermissionDenied     403: the operator, player or game refuses it
 ├── NotFound             404: no such box, player, round, item or order
 ├── Conflict             409: a key reused for another request, a round not held …
 ├── InvalidRequest       422: fields (``.fields``), funds, currencies, rates
 ├── RateLimited          429: retry after ``.retry_after`` seconds
 └── ServiceUnavailable   5xx: the wallet or Coffer could not finish it (retried first)
CofferConnectionError     no answer at all (retried first for idempotent calls)
WebhookVerificationError  a webhook that Coffer did not sign, or that is stale
"""

from typing import Any


class CofferConnectionError(Exception):
    """Coffer could not be reached, or did not answer in time."""


class WebhookVerificationError(Exception):
    """The webhook is not signed by Coffer with your outbound secret, or is too old."""


class CofferApiError(Exception):
    """An error answer: ``code`` (e.g. ``INSUFFICIENT_FUNDS``), ``message``, the HTTP
    ``status``, ``fields`` of a validation error, ``details`` and the ``request_id``."""

    def __init__(self, status: int, body: dict[str, Any], request_id: str | None) -> None:
        found = body.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        self.status, self.request_id, self.body = status, request_id, body
        self.code: str = str(error.get("code", "UNKNOWN"))
        self.message: str = str(error.get("message", ""))
        self.fields: dict[str, str] = dict(error.get("fields") or {})
        self.details: dict[str, Any] = dict(error.get("details") or {})
        super().__init__(f"{self.code} ({status}): {self.message} [request {request_id}]")


class AuthenticationError(CofferApiError):
    pass


class PermissionDenied(CofferApiError):
    pass


class NotFound(CofferApiError):
    pass


class Conflict(CofferApiError):
    pass


class InvalidRequest(CofferApiError):
    pass


class RateLimited(CofferApiError):
    retry_after: float | None = None


class ServiceUnavailable(CofferApiError):
    pass


BY_STATUS: dict[int, type[CofferApiError]] = {
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: InvalidRequest,
    422: InvalidRequest,
    429: RateLimited,
}


def error_for(status: int, body: dict[str, Any], request_id: str | None) -> CofferApiError:
    kind = BY_STATUS.get(status, ServiceUnavailable if status >= 500 else CofferApiError)
    return kind(status, body, request_id)

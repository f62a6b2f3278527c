"""The S2S route class: the HMAC envelope is checked before any body parsing or validation."""

import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from coffer import signing
from coffer.errors import (
    CofferError,
    InvalidSignature,
    MissingHeaders,
    TenantSuspended,
    TimestampSkew,
)
from coffer.operators import service as operators
from coffer.runtime import Runtime
from coffer.web.errors import error_response

SIGNED_ERRORS = {
    401: {"description": "MISSING_HEADERS, INVALID_SIGNATURE or TIMESTAMP_SKEW"},
    403: {"description": "TENANT_SUSPENDED"},
}


async def authenticate(request: Request) -> int:
    """Verify X-Key-Id / X-Timestamp / X-Signature and return the signing operator's id."""
    key_id = request.headers.get("x-key-id")
    timestamp = request.headers.get("x-timestamp")
    signature = request.headers.get("x-signature")
    if not key_id or not timestamp or not signature:
        raise MissingHeaders()
    runtime: Runtime = request.app.state.runtime
    window = runtime.settings.signature_window_seconds
    if not signing.timestamp_fresh(timestamp, int(time.time()), window):
        raise TimestampSkew(
            f"X-Timestamp must be Unix seconds within ±{window} s of the server clock "
            f"(server time is {int(time.time())})."
        )
    body = await request.body()
    async with runtime.sessions() as session:
        found = await operators.authenticate_key(session, key_id)
    if found is None:
        raise InvalidSignature()
    key, operator = found
    secret = runtime.secrets.open(key.secret_sealed)
    if not signing.verify(
        secret, timestamp, request.method, request.url.path, body, signature, window=window
    ):
        raise InvalidSignature()
    if operator.status != "active":
        raise TenantSuspended()
    return operator.id


class SignedRoute(APIRoute):
    """An APIRoute whose handler runs only for correctly signed requests."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def signed_handler(request: Request) -> Response:
            try:
                request.state.s2s_operator_id = await authenticate(request)
            except CofferError as exc:
                return error_response(exc.code, exc.message)
            return await handler(request)

        return signed_handler

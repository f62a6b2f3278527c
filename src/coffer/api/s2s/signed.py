"""The S2S route class: the HMAC envelope is checked before any body parsing or validation."""

import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from coffer import signing
from coffer.api.errors import renderer_for
from coffer.api.ratelimit import count_request
from coffer.kit.errors import (
    CofferError,
    InvalidSignature,
    MissingHeaders,
    TenantSuspended,
    TimestampSkew,
)
from coffer.operators import service as operators
from coffer.operators.models import Operator
from coffer.runtime import Runtime


def signed_targets(request: Request) -> list[str]:
    """The target as sent: the path percent-encoded (or decoded, a client may have signed either),
    plus ``?`` and the raw query string when there is one (SPEC §2)."""
    raw = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0]
    decoded = request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    paths = [decoded] if raw in ("", decoded) else [raw, decoded]
    return [f"{path}?{query}" if query else path for path in paths]


async def authenticate(request: Request) -> Operator:
    """Verify X-Key-Id / X-Timestamp / X-Signature and return the signing operator's row."""
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
    async with runtime.engine.connect() as conn:
        reader = conn  # PostgreSQL reads it outside a transaction: no BEGIN, no ROLLBACK
        if conn.dialect.name == "postgresql":
            reader = await conn.execution_options(isolation_level="AUTOCOMMIT")
        found = await operators.signing_key(reader, key_id)
        if found is None:
            raise InvalidSignature()
        sealed, operator = found
        secret = runtime.secrets.open(sealed)
        if not any(
            signing.verify(
                secret, timestamp, request.method, target, body, signature, window=window
            )
            for target in signed_targets(request)
        ):
            raise InvalidSignature()
        if operator.status != "active":
            raise TenantSuspended()
        await count_request(reader, runtime.settings, ("s2s", key_id), operator.rate_limits)
    return operator


class SignedRoute(APIRoute):
    """An APIRoute whose handler runs only for correctly signed requests."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def signed_handler(request: Request) -> Response:
            try:
                operator = await authenticate(request)
                request.state.s2s_operator = operator
                request.state.s2s_operator_id = operator.id
            except CofferError as exc:
                return renderer_for(request).domain(exc)
            return await handler(request)

        return signed_handler

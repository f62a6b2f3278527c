"""Calls to the casino's wallet as Coffer makes them: RPC bodies, signed and keyed."""

import json
from typing import Any

import httpx

from coffer import signing


def wallet_body(
    kind: str, key: str, player: str, amount_minor: int, currency: str = "EUR", **extra: Any
) -> dict[str, Any]:
    """A wallet RPC body as Coffer sends it (``extra`` in camelCase, e.g. ``rollbackOf``)."""
    body = {"type": kind, "idempotencyKey": key, "playerExternalId": player}
    return body | {"amountMinor": amount_minor, "currency": currency} | extra


async def post_signed(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    payload: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    client_timeout: float | None = None,
) -> httpx.Response:
    """POST ``payload`` signed as Coffer signs outbound calls, with its Idempotency-Key."""
    content = json.dumps(payload).encode()
    sent = signing.signed_headers(secret, "POST", url, content)
    sent["Content-Type"] = "application/json"
    if "idempotencyKey" in payload:
        sent["Idempotency-Key"] = payload["idempotencyKey"]
    sent |= headers or {}
    extra: dict[str, Any] = {} if client_timeout is None else {"timeout": client_timeout}
    return await client.post(url, content=content, headers=sent, **extra)

"""One signed POST of an event; whatever happens, an ``Attempt`` comes back, never an exception."""

import asyncio
import time
from dataclasses import dataclass

import httpx

from coffer import signing
from coffer.kit.untrusted import bounded, escaped

BODY_KEPT = 1000


@dataclass(frozen=True)
class Outgoing:
    """What a worker leased: the event's exact bytes and where they go."""

    event_id: int
    public_id: str
    kind: str
    body: bytes
    url: str | None
    secret: str | None  # None: it could not be decrypted with this service's key
    attempts: int
    token: str
    next_secret: str | None = None  # during an outbound-secret rotation: X-Signature-Next


@dataclass(frozen=True)
class Attempt:
    http_status: int | None
    latency_ms: int
    error: str | None
    response_body: str | None

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


NO_URL = "no webhook URL configured; set the operator's webhookUrl, then redeliver"
CANNOT_SIGN = (
    "the operator's outbound secret cannot be decrypted: is COFFER_SECRET_KEY the key it was "
    "stored with?"
)


async def post_event(http: httpx.AsyncClient, event: Outgoing, timeout_s: float) -> Attempt:
    """POST the event signed (SPEC §2) with ``Webhook-Id``; keep the first KB of the answer."""
    if event.url is None:
        return Attempt(None, 0, NO_URL, None)
    if event.secret is None:
        return Attempt(None, 0, CANNOT_SIGN, None)
    headers = signing.signed_headers(
        event.secret, "POST", event.url, event.body, next_secret=event.next_secret
    )
    headers["Webhook-Id"] = event.public_id
    headers["Content-Type"] = "application/json"
    started = time.monotonic()
    try:
        # httpx's timeout is per read; the deadline bounds the whole call, trickles included.
        async with asyncio.timeout(timeout_s):
            request = http.build_request(
                "POST", event.url, content=event.body, headers=headers, timeout=timeout_s
            )
            response = await http.send(request, stream=True)
            try:
                kept = await _first_bytes(response)
            finally:
                await response.aclose()
    except Exception as exc:  # any failure to get an answer is a failed attempt, retried later
        latency = int((time.monotonic() - started) * 1000)
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc  # aiohttp's own
        return Attempt(None, latency, bounded(f"{type(cause).__name__}: {cause}", 500), None)
    latency = int((time.monotonic() - started) * 1000)
    status = response.status_code
    error = None if 200 <= status < 300 else f"HTTP {status}"
    return Attempt(status, latency, error, escaped(kept.decode("utf-8", "replace")))


async def _first_bytes(response: httpx.Response) -> bytes:
    """The start of the body, without reading a huge answer into memory."""
    kept = b""
    async for chunk in response.aiter_bytes():
        kept += chunk
        if len(kept) >= BODY_KEPT:
            break
    return kept[:BODY_KEPT]

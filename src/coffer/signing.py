"""Coffer's HMAC request signing (SPEC §2): standard library only, so operators can copy it.

    canonical = f"{timestamp}\\n{METHOD}\\n{target}\\n{sha256_hex(body)}"
    target    = the path as sent, plus "?" and the raw query string when there is one
    signature = hex(hmac_sha256(secret_utf8, canonical_utf8))

Inbound S2S requests carry X-Key-Id, X-Timestamp and X-Signature; Coffer's outbound wallet and
webhook calls carry X-Timestamp and X-Signature made with the operator's outbound secret.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlsplit

WINDOW_SECONDS = 300
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()


def canonical_string(timestamp: int | str, method: str, target: str, body: bytes) -> str:
    """The exact text that is signed; ``target`` is path and query, without scheme or host."""
    return f"{timestamp}\n{method.upper()}\n{target}\n{hashlib.sha256(body).hexdigest()}"


def sign(secret: str, timestamp: int | str, method: str, target: str, body: bytes = b"") -> str:
    """Hex HMAC-SHA256 of the canonical string under ``secret``."""
    message = canonical_string(timestamp, method, target, body).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def target_of(url_or_target: str) -> str:
    """The request target of a URL: its path, plus ``?`` and the query string when there is one.

    The query is kept exactly as written, so sign the URL you send (percent-encoding included).
    """
    parts = urlsplit(url_or_target)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def signed_headers(
    secret: str,
    method: str,
    url_or_target: str,
    body: bytes = b"",
    *,
    key_id: str | None = None,
    now: int | None = None,
    next_secret: str | None = None,
) -> dict[str, str]:
    """Headers for a signed request; outbound calls pass no ``key_id``. While the operator's
    outbound secret rotates, ``next_secret`` signs the same text into ``X-Signature-Next``."""
    timestamp = int(time.time()) if now is None else now
    target = target_of(url_or_target)
    headers = {
        "X-Timestamp": str(timestamp),
        "X-Signature": sign(secret, timestamp, method, target, body),
    }
    if next_secret is not None:
        headers["X-Signature-Next"] = sign(next_secret, timestamp, method, target, body)
    if key_id is not None:
        headers["X-Key-Id"] = key_id
    return headers


def timestamp_fresh(timestamp: str, now: int | None = None, window: int = WINDOW_SECONDS) -> bool:
    """True when ``timestamp`` is whole Unix seconds within ±``window`` of ``now``."""
    if not timestamp.isascii() or not timestamp.lstrip("-").isdigit() or len(timestamp) > 15:
        return False
    current = int(time.time()) if now is None else now
    return abs(int(timestamp) - current) <= window


def verify(
    secret: str,
    timestamp: str,
    method: str,
    target: str,
    body: bytes,
    signature: str,
    *,
    now: int | None = None,
    window: int = WINDOW_SECONDS,
) -> bool:
    """Check freshness and signature in constant time; use it to verify Coffer's webhooks."""
    if not timestamp_fresh(timestamp, now, window):
        return False
    expected = sign(secret, timestamp, method, target, body).encode("ascii")
    presented = signature.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected, presented)

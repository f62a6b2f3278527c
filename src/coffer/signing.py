"""Coffer's HMAC request signing (SPEC §2): standard library only, so operators can copy it.

    canonical = f"{timestamp}\\n{METHOD}\\n{path}\\n{sha256_hex(body)}"
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


def canonical_string(timestamp: int | str, method: str, path: str, body: bytes) -> str:
    """The exact text that is signed; ``path`` excludes scheme, host and query string."""
    return f"{timestamp}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}"


def sign(secret: str, timestamp: int | str, method: str, path: str, body: bytes = b"") -> str:
    """Hex HMAC-SHA256 of the canonical string under ``secret``."""
    message = canonical_string(timestamp, method, path, body).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def path_of(url_or_path: str) -> str:
    """The path part of a URL (or of a path with a query string)."""
    return urlsplit(url_or_path).path or "/"


def signed_headers(
    secret: str,
    method: str,
    url_or_path: str,
    body: bytes = b"",
    *,
    key_id: str | None = None,
    now: int | None = None,
) -> dict[str, str]:
    """Headers for a signed request; outbound calls pass no ``key_id``."""
    timestamp = int(time.time()) if now is None else now
    headers = {
        "X-Timestamp": str(timestamp),
        "X-Signature": sign(secret, timestamp, method, path_of(url_or_path), body),
    }
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
    path: str,
    body: bytes,
    signature: str,
    *,
    now: int | None = None,
    window: int = WINDOW_SECONDS,
) -> bool:
    """Check freshness and signature in constant time; use it to verify Coffer's webhooks."""
    if not timestamp_fresh(timestamp, now, window):
        return False
    expected = sign(secret, timestamp, method, path, body).encode("ascii")
    presented = signature.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected, presented)

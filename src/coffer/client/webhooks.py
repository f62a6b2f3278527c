"""For the operator's webhook receiver: check that Coffer sent this event, then read it."""

import json
from collections.abc import Mapping
from typing import Any

from coffer import signing
from coffer.client.errors import WebhookVerificationError


def verify_webhook(
    secret: str, method: str, target: str, headers: Mapping[str, str], body: bytes,
    *, now: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The event, once ``X-Signature`` (or ``X-Signature-Next`` while Coffer rotates your outbound
    secret) matches ``secret`` over your URL's ``target`` (path and query as received) and the
    exact body, and ``X-Timestamp`` is fresh; WebhookVerificationError otherwise. Then drop an
    event whose ``id`` you have processed: delivery is at least once."""
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get("x-timestamp", "")
    signatures = [lowered[h] for h in ("x-signature", "x-signature-next") if lowered.get(h)]
    if not timestamp or not signatures:
        raise WebhookVerificationError("X-Timestamp and X-Signature are required.")
    if not any(
        signing.verify(secret, timestamp, method, target, body, s, now=now) for s in signatures
    ):
        raise WebhookVerificationError("Not signed with this secret, or sent too long ago.")
    event: dict[str, Any] = json.loads(body)
    return event

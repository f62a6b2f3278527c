"""What both clients share: signing a call, reading an answer, which failures to retry."""

import json
from typing import Any

import httpx
from tenacity import retry_if_exception_type, stop_after_attempt, wait_exponential

from coffer import signing
from coffer.client.calls import Call
from coffer.client.errors import CofferConnectionError, ServiceUnavailable, error_for

RETRIED = (CofferConnectionError, ServiceUnavailable)
WAIT = wait_exponential(multiplier=0.2, max=2)


class Core:
    """The operator's key and Coffer's address."""

    def __init__(self, base_url: str, key_id: str, secret: str, retries: int = 3) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_id, self.secret = key_id, secret
        self.retries = max(1, retries)

    def request(self, call: Call) -> httpx.Request:
        """The signed request, made afresh for every attempt (its timestamp is now)."""
        headers = signing.signed_headers(
            self.secret, call.method, call.target, call.body, key_id=self.key_id
        )
        if call.body:
            headers["Content-Type"] = "application/json"
        url = f"{self.base_url}{call.target}"
        return httpx.Request(call.method, url, content=call.body, headers=headers)

    def retrying(self, call: Call) -> dict[str, Any]:
        """tenacity's settings for this call: idempotent calls retry, others go once."""
        attempts = self.retries if call.retryable else 1
        return {"stop": stop_after_attempt(attempts), "wait": WAIT, "reraise": True,
                "retry": retry_if_exception_type(RETRIED)}  # fmt: skip


def answer(response: httpx.Response) -> Any:
    """The JSON answer, or the typed error its envelope names."""
    request_id = response.headers.get("x-request-id")
    if response.status_code >= 400:
        try:
            body = response.json()
        except json.JSONDecodeError:
            body = {"error": {"code": "UNKNOWN", "message": response.text[:200]}}
        raise error_for(response.status_code, body if isinstance(body, dict) else {}, request_id)
    return response.json()

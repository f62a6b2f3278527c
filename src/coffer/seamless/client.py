"""Signed wallet RPCs (SPEC §8): bounded retries with the same key; answers sorted into three kinds.

Accepted   the wallet applied the instruction (or had already, for a retried key)
Refused    a definite "no": nothing moved (INSUFFICIENT_FUNDS, PLAYER_BLOCKED, ...)
Uncertain  a timeout, connection failure, 5xx or unreadable body: it may or may not have applied
"""

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from coffer import signing
from coffer.kit import metrics
from coffer.kit.untrusted import bounded


@dataclass(frozen=True)
class WalletTarget:
    """Where and how to call one operator's wallet, read before any network call."""

    url: str | None
    secret: str
    timeout_s: float
    next_secret: str | None = None  # during an outbound-secret rotation: X-Signature-Next


@dataclass(frozen=True)
class WalletRequest:
    """The RPC body; the same key is sent on every retry."""

    type: str
    idempotency_key: str
    player_external_id: str
    amount_minor: int
    currency: str
    round_public_id: str | None = None
    inventory_item_id: int | None = None
    funding: str | None = None
    rollback_of: str | None = None

    def body(self) -> bytes:
        fields: dict[str, Any] = {
            "type": self.type,
            "idempotencyKey": self.idempotency_key,
            "playerExternalId": self.player_external_id,
            "amountMinor": self.amount_minor,
            "currency": self.currency,
            "roundPublicId": self.round_public_id,
            "inventoryItemId": self.inventory_item_id,
            "funding": self.funding,
            "rollbackOf": self.rollback_of,
        }
        return json.dumps({k: v for k, v in fields.items() if v is not None}).encode()


@dataclass(frozen=True)
class Accepted:
    balance_after_minor: int | None
    provider_txn_ref: str | None


@dataclass(frozen=True)
class Refused:
    code: str
    message: str
    balance_after_minor: int | None


@dataclass(frozen=True)
class Uncertain:
    reason: str


Outcome = Accepted | Refused | Uncertain


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt, kept for the audit trail."""

    outcome: str
    http_status: int | None
    latency_ms: int
    detail: str


@dataclass
class CallResult:
    outcome: Outcome
    attempts: list[Attempt] = field(default_factory=list)


INT64 = range(-(2**63), 2**63)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def interpret(status: int, text: str) -> Outcome:
    """Sort one HTTP answer; anything not clearly accepted or refused is uncertain."""
    try:
        answer = json.loads(text)
    except ValueError:
        return Uncertain(f"HTTP {status} with an unreadable body")
    if not isinstance(answer, dict) or not isinstance(answer.get("accepted"), bool):
        return Uncertain(f"HTTP {status} without an 'accepted' boolean")
    balance = _int_or_none(answer.get("balanceAfterMinor"))
    if balance is not None and balance not in INT64:
        return Uncertain(f"HTTP {status} with a balanceAfterMinor outside 64 bits")
    if answer["accepted"] and status < 300:
        ref = answer.get("providerTxnRef")
        return Accepted(balance, bounded(ref, 200) if isinstance(ref, str) else None)
    code = answer.get("code")
    if not answer["accepted"] and isinstance(code, str) and status < 500:
        message = bounded(str(answer.get("message") or code), 1000)
        return Refused(bounded(code, 64), message, balance)
    return Uncertain(f"HTTP {status} with an inconsistent answer")


class _UncertainAnswer(Exception):
    """Raised inside the retry loop so that tenacity tries the same key again."""


class WalletClient:
    """Calls operators' wallets over one shared connection pool."""

    def __init__(self, http: httpx.AsyncClient, retries: int) -> None:
        self.http = http
        self.retries = retries

    async def call(self, target: WalletTarget, request: WalletRequest) -> CallResult:
        """Send with bounded retries of the same key until a definite answer."""
        result = CallResult(Uncertain("no wallet URL configured"))
        if target.url is None:
            return result
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            retry=retry_if_exception_type(_UncertainAnswer),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    result.outcome = await self._once(target, request, result.attempts)
                    if isinstance(result.outcome, Uncertain):
                        raise _UncertainAnswer()
        except _UncertainAnswer:
            pass
        return result

    async def _once(
        self, target: WalletTarget, request: WalletRequest, log: list[Attempt]
    ) -> Outcome:
        assert target.url is not None
        body = request.body()
        started = time.monotonic()
        status: int | None = None
        try:
            headers = signing.signed_headers(
                target.secret, "POST", target.url, body, next_secret=target.next_secret
            )
            headers["Idempotency-Key"] = request.idempotency_key
            headers["Content-Type"] = "application/json"
            # httpx's timeout is per read; the deadline bounds the whole call, trickles included.
            async with asyncio.timeout(target.timeout_s):
                response = await self.http.post(
                    target.url, content=body, headers=headers, timeout=target.timeout_s
                )
            status = response.status_code
            outcome = interpret(status, response.text)
            detail = response.text[:4096]
        except Exception as exc:  # any failure to get an answer is an uncertain answer
            cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
            outcome = Uncertain(f"{type(cause).__name__}: {cause}"[:300])
            detail = outcome.reason
        seconds = time.monotonic() - started
        kind = type(outcome).__name__.lower()
        metrics.observe_wallet(request.type, kind, seconds)
        log.append(Attempt(kind, status, int(seconds * 1000), detail))
        return outcome

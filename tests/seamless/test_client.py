"""How wallet answers are sorted, and how the client retries, against httpx.MockTransport."""

import httpx
import pytest

from coffer import signing
from coffer.seamless.client import (
    Accepted,
    CallResult,
    Refused,
    Uncertain,
    WalletClient,
    WalletRequest,
    WalletTarget,
    interpret,
)
from coffer.seamless.instructions import as_credit


@pytest.mark.parametrize(
    ("status", "text", "kind"),
    [
        (200, '{"accepted": true, "balanceAfterMinor": 5, "providerTxnRef": "t1"}', Accepted),
        (200, '{"accepted": false, "code": "INSUFFICIENT_FUNDS", "message": "no"}', Refused),
        (409, '{"accepted": false, "code": "IDEMPOTENCY_KEY_REUSED"}', Refused),
        (500, '{"accepted": false, "code": "INSUFFICIENT_FUNDS"}', Uncertain),
        (500, "oops", Uncertain),
        (200, "<html>", Uncertain),
        (200, '{"ok": true}', Uncertain),
        (200, '{"accepted": "yes"}', Uncertain),
        (404, '{"accepted": true}', Uncertain),
        (200, "[1]", Uncertain),
    ],
)
def test_interpret(status: int, text: str, kind: type) -> None:
    assert isinstance(interpret(status, text), kind)


def test_a_refused_credit_is_retried() -> None:
    refused = CallResult(Refused("PLAYER_BLOCKED", "blocked", None))
    assert isinstance(as_credit(refused).outcome, Uncertain)
    accepted = CallResult(Accepted(1, "t"))
    assert as_credit(accepted) is accepted


async def test_retries_send_the_same_signed_key_until_definite() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) < 3:
            return httpx.Response(502, text="bad gateway")
        return httpx.Response(200, json={"accepted": True, "balanceAfterMinor": 7})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = WalletClient(http, retries=2)
        target = WalletTarget("https://casino.example/w?x=1", "whsec_s", 0.5)
        request = WalletRequest("wallet.debit", "round:r_1", "u_1", 500, "EUR")
        result = await client.call(target, request)
    assert result.outcome == Accepted(7, None)
    assert [a.http_status for a in result.attempts] == [502, 502, 200]
    assert {r.headers["Idempotency-Key"] for r in seen} == {"round:r_1"}
    for sent in seen:
        assert "X-Key-Id" not in sent.headers
        assert signing.verify(
            "whsec_s",
            sent.headers["X-Timestamp"],
            "POST",
            "/w?x=1",  # the target: path and query, as sent (SPEC §2)
            sent.content,
            sent.headers["X-Signature"],
        )


async def test_gives_up_after_the_bounded_retries() -> None:
    calls = 0

    def broken(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(broken)) as http:
        result = await WalletClient(http, retries=1).call(
            WalletTarget("http://127.0.0.1:9/w", "s", 0.1),
            WalletRequest("wallet.credit", "payout:round:r_1", "u_1", 5, "EUR"),
        )
    assert isinstance(result.outcome, Uncertain)
    assert calls == 2
    no_url = await WalletClient(httpx.AsyncClient(), 2).call(
        WalletTarget(None, "s", 0.1), WalletRequest("wallet.debit", "k", "u", 1, "EUR")
    )
    assert isinstance(no_url.outcome, Uncertain)
    assert no_url.attempts == []

"""coffer.client: signed calls, retries that keep their key, typed errors, pages, webhooks."""

import asyncio
import json

import httpx
import pytest

from coffer import signing
from coffer.app import create_app
from coffer.client import AsyncCofferClient, CofferClient, calls, verify_webhook
from coffer.client.errors import (
    AuthenticationError,
    InvalidRequest,
    NotFound,
    WebhookVerificationError,
)
from coffer.runtime import Runtime
from tests.support.live import serving
from tests.support.shop import PLAYER, Shop, shop

__all__ = ["shop"]


def app_transport(runtime: Runtime) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_app(runtime=runtime))


def client_for(shop: Shop, transport: httpx.AsyncBaseTransport, **more: str) -> AsyncCofferClient:
    signed = shop.operator.s2s
    http = httpx.AsyncClient(transport=transport)
    secret = more.get("secret", signed.secret)
    return AsyncCofferClient("http://coffer", signed.key_id, secret, http=http)


async def test_a_purchase_retried_after_a_dropped_connection_is_bought_once(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    inner = httpx.AsyncClient(transport=app_transport(runtime), base_url="http://coffer")
    seen: list[str] = []

    async def flaky(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["clientActionId"])
        if len(seen) == 1:  # the purchase reached Coffer, the answer never came back
            await inner.send(request)
            raise httpx.ReadError("connection dropped", request=request)
        return await inner.send(request)

    async with client_for(shop, httpx.MockTransport(flaky)) as coffer:
        bought = await coffer.purchase(PLAYER, [shop.sword_version])
    assert len(seen) == 2
    assert seen[0] == seen[1]  # the retry repeats the key, so it answers the first purchase
    assert bought["round"]["status"] == "settled"
    assert shop.casino.balance(PLAYER) == 9_500  # one debit of 500
    await inner.aclose()


async def test_errors_are_typed_and_pages_iterate(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    async with client_for(shop, app_transport(runtime)) as coffer:
        for n in range(3):
            await coffer.purchase(PLAYER, [shop.sword_version], client_action_id=f"c{n}")
        items = [i async for i in coffer.pages("/api/s2s/inventory", playerExternalId=PLAYER,
                                               limit=1)]  # fmt: skip
        assert len(items) == 3
        with pytest.raises(NotFound) as unknown:
            await coffer.purchase(PLAYER, [999_999])
        assert (unknown.value.code, unknown.value.status) == ("UNKNOWN_BOX", 404)
        assert unknown.value.request_id
        with pytest.raises(InvalidRequest) as invalid:
            await coffer.send(calls.post("/api/s2s/purchase", {"playerExternalId": PLAYER}))
        assert "clientActionId" in invalid.value.fields
    async with client_for(shop, app_transport(runtime), secret="igs_wrong") as stranger:
        with pytest.raises(AuthenticationError) as denied:
            await stranger.boxes()
    assert denied.value.code == "INVALID_SIGNATURE"


async def test_the_blocking_client_against_a_running_server(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    signed = shop.operator.s2s
    with serving(runtime.settings) as url:

        def blocking() -> tuple[dict[str, object], int]:
            with CofferClient(url, signed.key_id, signed.secret) as coffer:
                first = coffer.purchase(PLAYER, [shop.sword_version], client_action_id="b1")
                again = coffer.send(calls.purchase(PLAYER, [shop.sword_version], "b1"))
                assert again == first
                return first, len(list(coffer.inventory(PLAYER)))

        bought, held = await asyncio.to_thread(blocking)
    assert held == 1
    assert bought["balanceAfterMinor"] == 9_500


def test_a_webhook_verifies_only_with_the_outbound_secret() -> None:
    body = json.dumps({"id": "evt_1", "type": "round_settled"}).encode()
    target = "/casino/webhooks?x=1"
    headers = signing.signed_headers("whsec_old", "POST", target, body, next_secret="whsec_new")
    assert verify_webhook("whsec_old", "POST", target, headers, body)["id"] == "evt_1"
    assert verify_webhook("whsec_new", "POST", target, headers, body)["id"] == "evt_1"
    for secret, sent in [("whsec_other", body), ("whsec_old", body + b" ")]:
        with pytest.raises(WebhookVerificationError):
            verify_webhook(secret, "POST", target, headers, sent)
    with pytest.raises(WebhookVerificationError):
        verify_webhook("whsec_old", "POST", target, headers, body, now=10**10)

"""Inputs that once gave a 500 now get their validation error, and change nothing."""

import base64
import json

import httpx
from sqlalchemy import select

from coffer.operators.models import Currency
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.db import count_rows
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]


async def test_a_rate_that_overflows_a_price_is_refused(shop: Shop, runtime: Runtime) -> None:
    slug = shop.operator.slug
    before = await _rates(runtime)
    await shop.admin.call(
        "POST",
        f"/operators/{slug}/items",
        {"name": "Yacht", "type": "physical", "valueMinor": 10**7, "currency": "EUR"},
        expect=201,
    )
    # 100,000 EUR at 1e-12 is 10^19 cents (past 64 bits); a 5 EUR box at ~1e12 is 0 cents.
    for rate in ["0.000000000001", "999999999999"]:
        response = await shop.admin.client.put(
            f"/api/admin/operators/{slug}/currencies/USD",
            json={"rateToBase": rate},
            headers=shop.admin.headers,
        )
        assert response.status_code == 422, response.text
        assert "outside 1.." in body_of(response)["error"]["fields"]["rateToBase"]
    assert await _rates(runtime) == before
    shop.casino.deposit(PLAYER, "USD", 10_000)
    bought = await shop.buy("usd-1", currency="USD")
    assert bought.status_code == 200, bought.text
    assert body_of(bought)["round"]["betMinor"] == 543  # 5.00 EUR at the unchanged 0.92


async def _rates(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(Currency.code, Currency.rate_to_base))
        return sorted((code, rate) for code, rate in rows)


async def test_a_currency_can_still_be_added_with_a_sane_rate(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    await admin.call("PUT", f"/operators/{operator.slug}/currencies/GBP", {"rateToBase": "1.17"})
    assert await count_rows(runtime, Currency) == 4  # EUR, USD, JPY, GBP


async def test_control_characters_in_text_fields_are_refused(shop: Shop, runtime: Runtime) -> None:
    item = await shop.admin.client.post(
        f"/api/admin/operators/{shop.operator.slug}/items",
        json={"name": "Sword\x07", "type": "physical", "valueMinor": 1, "currency": "EUR"},
        headers=shop.admin.headers,
    )
    assert item.status_code == 422
    assert "name" in body_of(item)["error"]["fields"]
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    sword = body_of(await shop.buy("c-1"))["round"]["wonItems"][0]["inventoryItemId"]
    for email in ["ada\x00@example.com", "ada\n@example.com"]:
        order = await shop.operator.s2s.post(
            "/api/s2s/shipping/orders",
            {
                "playerExternalId": PLAYER,
                "inventoryItemIds": [sword],
                "address": {
                    "name": "Ada",
                    "line1": "1 Main St",
                    "city": "Vienna",
                    "region": "W",
                    "postalCode": "1010",
                    "country": "AT",
                },
                "contact": {"email": email},
            },
        )
        assert order.status_code == 422, order.text
        assert "contact.email" in body_of(order)["error"]["fields"]
    vault = body_of(await shop.operator.s2s.get("/api/s2s/inventory", {"playerExternalId": PLAYER}))
    assert [i["state"] for i in vault["items"]] == ["unresolved"]


async def test_an_inventory_cursor_past_64_bits_is_a_validation_error(shop: Shop) -> None:
    raw = json.dumps({"dir": "next", "id": 2**63}).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    response = await shop.operator.s2s.get(
        "/api/s2s/inventory", {"playerExternalId": PLAYER, "cursor": cursor}
    )
    assert response.status_code == 422
    assert body_of(response)["error"]["fields"] == {"cursor": "not a cursor this API returned"}


async def test_a_trailing_slash_is_not_redirected_to_the_host_header(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/healthz/", headers={"Host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert "evil.example" not in response.text
    assert "trailing slash" in response.json()["error"]["message"]

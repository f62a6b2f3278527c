"""Shipping steps other tests share: place an order, move it as staff."""

from typing import Any

import httpx

from tests.support.inventory import won_sword
from tests.support.shop import PLAYER, Shop, body_of

ORDERS = "/api/s2s/shipping/orders"
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "1 Main Street",
    "city": "Berlin",
    "region": "Berlin",
    "postalCode": "10115",
    "country": "DE",
}


def order_body(ids: list[int], player: str = PLAYER, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "playerExternalId": player,
        "inventoryItemIds": ids,
        "address": ADDRESS,
        "contact": {"email": "ada@example.com"},
    }
    body.update(changes)
    return body


async def place(shop: Shop, ids: list[int], **changes: Any) -> httpx.Response:
    return await shop.operator.s2s.post(ORDERS, order_body(ids, **changes))


async def placed(shop: Shop, ids: list[int]) -> Any:
    response = await place(shop, ids)
    assert response.status_code == 201, response.text
    return body_of(response)["order"]


async def staff(shop: Shop, public_id: str, step: str, body: Any = None, expect: int = 200) -> Any:
    path = f"/operators/{shop.operator.slug}/shipping/orders/{public_id}/{step}"
    return await shop.admin.call("POST", path, body, expect=expect)


async def swords(shop: Shop, count: int, player: str = PLAYER) -> list[int]:
    shop.casino.deposit(player, "EUR", 100_000)
    return [await won_sword(shop, f"{player}-{n}", player) for n in range(count)]

"""Vault steps several tests share: win an item, cash it out, read its state."""

import httpx

from coffer.inventory.models import InventoryItem
from coffer.runtime import Runtime
from tests.support.shop import PLAYER, Shop, body_of

CASHOUT = "/api/s2s/cashout"


async def won_sword(shop: Shop, key: str = "k", player: str = PLAYER) -> int:
    response = await shop.buy(key, playerExternalId=player)
    assert response.status_code == 200, response.text
    [item] = body_of(response)["round"]["wonItems"]
    return int(item["inventoryItemId"])


async def cash_out(
    shop: Shop, item_id: int, currency: str = "EUR", player: str = PLAYER
) -> httpx.Response:
    body = {"playerExternalId": player, "inventoryItemId": item_id, "currency": currency}
    return await shop.operator.s2s.post(CASHOUT, body)


async def state_of(runtime: Runtime, item_id: int) -> str:
    async with runtime.sessions() as session:
        found = await session.get(InventoryItem, item_id)
    assert found is not None
    return found.state


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, body_of(response)["error"]["code"]

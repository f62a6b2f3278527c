"""A small game economy for the orders tests: a currency, items, loots, a promotion."""

from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import OperatorCtx
from tests.support.api import AdminApi

ITEM = {"type": "digital", "valueMinor": 0, "currency": "EUR"}


@dataclass(frozen=True)
class Economy:
    gem: int  # the GEM currency's item id
    potion: int  # stackable, max 10, client-writable
    sword: int  # one instance each, client-writable, custom data
    ticket: int  # stackable, a price item
    coupon: int  # stackable, 50% off the starter pack
    starter: int  # loot: 3 potions + 100 GEM, sold for 200 GEM or 2 tickets
    daily: int  # loot: 1 potion, fillable from the client


async def item(admin: AdminApi, slug: str, **fields: Any) -> int:
    made = await admin.call("POST", f"/operators/{slug}/items", {**ITEM, **fields}, expect=201)
    return int(made["itemId"])


async def loot(admin: AdminApi, slug: str, **fields: Any) -> int:
    made = await admin.call("POST", f"/operators/{slug}/loots", fields, expect=201)
    return int(made["lootId"])


async def build(admin: AdminApi, slug: str = "acme") -> Economy:
    gems = {"code": "GEM", "name": "Gems", "initialGrantMinor": 1000}
    made = await admin.call("POST", f"/operators/{slug}/virtual-currencies", gems, expect=201)
    gem = int(made["itemId"])
    potion = await item(
        admin, slug, name="Potion", stackable=True, maxStack=10, clientWritable=True
    )
    sword = await item(admin, slug, name="Sword", clientWritable=True, uses=3)
    ticket = await item(admin, slug, name="Ticket", stackable=True)
    starter = await loot(
        admin, slug, name="Starter pack",
        contents=[{"itemId": potion, "quantity": 3}, {"itemId": gem, "quantity": 100}],
        prices=[{"priceItemId": gem, "price": 200}, {"priceItemId": ticket, "price": 2}],
    )  # fmt: skip
    coupon = await item(
        admin, slug, name="Half off", stackable=True,
        coupon={"percentOffBps": 5000, "lootIds": [starter]},
    )  # fmt: skip
    daily = await loot(
        admin, slug, name="Daily", contents=[{"itemId": potion, "quantity": 1}],
        clientFillable=True,
    )  # fmt: skip
    return Economy(gem, potion, sword, ticket, coupon, starter, daily)


async def player_token(operator: OperatorCtx, player: str = "p1") -> str:
    made = await operator.s2s.post("/api/s2s/player-tokens", {"playerExternalId": player})
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


class Orders:
    """The orders API as one player's game client calls it."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def post(self, body: dict[str, Any], expect: int = 200) -> Any:
        answer = await self.client.post(
            "/inventory/v1/player/me/order", json=body, headers=self.headers
        )
        assert answer.status_code == expect, answer.text
        return answer.json()

    async def order(self, *entries: dict[str, Any], **fields: Any) -> Any:
        return await self.post({"entries": list(entries), **fields})

    async def list(self, **params: Any) -> httpx.Response:
        return await self.client.get(
            "/inventory/v1/player/me/order", params=params, headers=self.headers
        )


def buy(
    loot_id: int, price_item: int, price: int, quantity: int = 1, **more: Any
) -> dict[str, Any]:
    """A purchase_loot entry paying ``price`` of ``price_item``."""
    purchase = {"currencies": [{"price_item_id": price_item, "price": price}], **more}
    return {"type": "purchase_loot", "loot_id": loot_id, "quantity": quantity,
            "purchase_price": purchase}  # fmt: skip


def results(order: dict[str, Any]) -> list[str]:
    return [entry["result"] for entry in order["entries"]]

"""The economy's limits: no free currency from a client, no dead stacks, no overflow."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from coffer.inventory.models import InventoryItem
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.orders.test_orders import client_for, gems, held
from tests.support.api import AdminApi
from tests.support.economy import ITEM, build, buy, item, loot, results


async def test_a_loot_players_fill_themselves_never_holds_currency(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    eco = await build(admin)
    body = {"name": "Free gems", "contents": [{"itemId": eco.gem, "quantity": 10}],
            "clientFillable": True}  # fmt: skip
    refused = await admin.call("POST", "/operators/acme/loots", body, expect=422)
    assert "contents[0].itemId" in refused["error"]["fields"]
    await admin.call(
        "PATCH", f"/operators/acme/loots/{eco.starter}", {"clientFillable": True}, expect=422
    )  # the starter pack holds gems
    grant = {"playerExternalId": "p1", "idempotencyKey": "t",
             "items": [{"itemId": eco.ticket, "quantity": 5}]}  # fmt: skip
    assert (await operator.s2s.post("/api/s2s/inventory/grants", grant)).status_code == 200
    await admin.call(
        "PATCH", f"/operators/acme/items/{eco.ticket}", {"clientWritable": True}
    )  # now players could write tickets themselves: tickets stop being a price
    orders = await client_for(client, operator)
    assert results(await orders.order(buy(eco.starter, eco.ticket, 2))) == ["price_item_not_found"]


async def test_a_stackable_item_never_has_uses(admin: AdminApi, operator: OperatorCtx) -> None:
    body = {**ITEM, "name": "Bad", "stackable": True, "uses": 2}
    refused = await admin.call("POST", "/operators/acme/items", body, expect=422)
    assert "uses" in refused["error"]["fields"]


async def test_an_expired_stack_starts_afresh_and_an_expired_item_is_not_granted(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    await orders.order(buy(eco.starter, eco.gem, 200))
    async with runtime.sessions() as session:  # the potions expire
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(InventoryItem).values(expires_at=past))
        await session.commit()
    assert await held(runtime) == {eco.potion: 3}  # rows, not what the player can use
    again = await orders.order(buy(eco.starter, eco.gem, 200))
    potions = [
        d for d in again["entries"][0]["details"] if d["inv_change"]["after_item_id"] == eco.potion
    ]
    assert potions[0]["inv_change"]["after"]["count"] == 3  # a fresh stack, not 6
    assert potions[0]["inv_change"]["after"]["expires"] is None
    ended = await item(admin, "acme", name="Last season", expiresAt="2001-01-01T00:00:00Z",
                       clientWritable=True)  # fmt: skip
    late = await orders.order(
        {"type": "create_new_persistent_inventory", "item_id": ended, "quantity": 1}
    )
    assert results(late) == ["available_until_is_in_past"]


async def test_a_grant_past_the_largest_amount_is_refused_not_a_crash(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    contents = [{"itemId": eco.ticket, "quantity": 10**15}]  # a stack with no maxStack
    huge = await loot(admin, "acme", name="Huge", contents=contents, clientFillable=True)
    orders = await client_for(client, operator)
    order = await orders.order(
        {"type": "fill_loot", "loot_id": huge, "quantity": 1000},
        {"type": "create_new_persistent_inventory", "item_id": eco.sword, "quantity": 101},
        {"type": "create_new_persistent_inventory", "item_id": eco.sword, "quantity": 100},
    )
    assert results(order) == ["quantity_not_allowed", "quantity_not_allowed", "success"]
    assert await held(runtime) == {eco.sword: 100}  # one row per unstackable instance, capped


async def test_a_coupon_rounds_in_the_players_favour(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    eco = await build(admin)
    contents = [{"itemId": eco.potion, "quantity": 1}]
    prices = [{"priceItemId": eco.gem, "price": 3}]
    cheap = await loot(admin, "acme", name="Cheap", contents=contents, prices=prices)
    third = await item(admin, "acme", name="30% off", stackable=True,
                       coupon={"percentOffBps": 3000})  # fmt: skip
    grant = {"playerExternalId": "p1", "idempotencyKey": "c", "items": [{"itemId": third}]}
    assert (await operator.s2s.post("/api/s2s/inventory/grants", grant)).status_code == 200
    orders = await client_for(client, operator)
    order = await orders.order(buy(cheap, eco.gem, 3, price_coupon_item_id=third))
    assert results(order) == ["success"]
    assert await gems(operator) == 998  # 3 x 0.7 = 2.1, charged 2

"""Every item kind in the S2S inventory listing, and no path from a game item to real money."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, update

from coffer.inventory.models import InventoryItem
from coffer.runtime import Runtime
from coffer.seamless.models import WalletInstruction
from tests.conftest import OperatorCtx
from tests.orders.test_orders import client_for
from tests.support.api import AdminApi
from tests.support.economy import build, item


async def listing(operator: OperatorCtx, **params: object) -> list[dict[str, object]]:
    answer = await operator.s2s.get("/api/s2s/inventory", {"playerExternalId": "p1", **params})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def test_the_s2s_listing_shows_stacks_uses_expiry_and_custom_data(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    eco = await build(admin)
    soon = await item(admin, "acme", name="Ticket of the day", lifetimeSeconds=3600,
                      itemClass="pass", tags=["daily"])  # fmt: skip
    orders = await client_for(client, operator)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await orders.order(
        {"type": "create_new_persistent_inventory", "item_id": eco.potion, "quantity": 4},
        {"type": "create_new_persistent_inventory", "item_id": eco.sword, "quantity": 1,
         "custom_data": {"colour": "red"}, "expires": later},
    )  # fmt: skip
    grant = {"playerExternalId": "p1", "idempotencyKey": "g", "items": [{"itemId": soon}]}
    assert (await operator.s2s.post("/api/s2s/inventory/grants", grant)).status_code == 200
    items = {row["itemId"]: row for row in await listing(operator)}
    assert items[eco.potion]["count"] == 4
    assert items[eco.sword]["remainingUses"] == 3
    assert items[eco.sword]["customData"] == {"colour": "red"}
    assert items[eco.sword]["origin"] == "order"
    assert items[soon]["expiresAt"] is not None
    assert (items[soon]["itemClass"], items[soon]["tags"]) == ("pass", ["daily"])
    assert all(row["cashbackMinor"] is None for row in items.values())
    sword = items[eco.sword]["id"]
    await orders.order({"type": "update_inventory", "legacy_inventory_id": sword, "quantity": -3})
    assert eco.sword not in {row["itemId"] for row in await listing(operator)}  # used up


async def test_an_expired_instance_leaves_the_listing(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    soon = datetime.now(UTC) + timedelta(hours=1)
    grant = {
        "playerExternalId": "p1",
        "idempotencyKey": "g",
        "items": [{"itemId": eco.sword, "expiresAt": soon.isoformat()}, {"itemId": eco.potion}],
    }
    assert (await operator.s2s.post("/api/s2s/inventory/grants", grant)).status_code == 200
    assert len(await listing(operator)) == 2
    async with runtime.sessions() as session:  # the hour passes
        await session.execute(
            update(InventoryItem)
            .where(InventoryItem.item_id == eco.sword)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    assert [row["itemId"] for row in await listing(operator)] == [eco.potion]


async def test_a_game_item_never_cashes_back_or_forwards_to_the_casino(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    cashable = await item(admin, "acme", name="Gold bar", cashbackMinor=500, valueMinor=1000)
    grant = {
        "playerExternalId": "p1",
        "idempotencyKey": "g",
        "items": [{"itemId": cashable}, {"itemId": eco.potion}],
    }
    granted = (await operator.s2s.post("/api/s2s/inventory/grants", grant)).json()
    for change in granted["changes"]:
        instance = change["inventoryItemId"]
        cash = await operator.s2s.post(
            "/api/s2s/cashout",
            {"playerExternalId": "p1", "inventoryItemId": instance, "currency": "EUR"},
        )
        assert (cash.status_code, cash.json()["error"]["code"]) == (422, "CASHBACK_NOT_AVAILABLE")
        forward = await operator.s2s.post(
            "/api/s2s/inventory/forward", {"playerExternalId": "p1", "inventoryItemId": instance}
        )
        assert forward.status_code == 409
    async with runtime.sessions() as session:  # the operator's wallet never heard of them
        assert await session.scalar(select(func.count()).select_from(WalletInstruction)) == 0
    states = {row["state"] for row in await listing(operator, state="unresolved")}
    assert states == {"unresolved"}

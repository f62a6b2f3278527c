"""Player orders through /inventory/v1, told as a game client would place them."""

import json
from typing import Any

import httpx
from sqlalchemy import func, select

from coffer.inventory.models import InventoryItem
from coffer.ledger.models import LedgerPosting
from coffer.runtime import Runtime
from coffer.webhooks.models import WebhookEvent
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.economy import Orders, build, buy, player_token, results


async def gems(operator: OperatorCtx, player: str = "p1") -> int:
    read = await operator.s2s.get(
        "/api/s2s/virtual-currencies/balances", {"playerExternalId": player}
    )
    return int(read.json()["balances"][0]["balanceMinor"])


async def held(runtime: Runtime) -> dict[int, int]:
    """Item id → count of every live instance."""
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(InventoryItem.item_id, func.sum(InventoryItem.count))
            .where(InventoryItem.count > 0)
            .group_by(InventoryItem.item_id)
        )
        return {int(item): int(count) for item, count in rows}


async def event_types(runtime: Runtime) -> list[str]:
    async with runtime.sessions() as session:
        return list(await session.scalars(select(WebhookEvent.type).order_by(WebhookEvent.id)))


async def client_for(client: httpx.AsyncClient, operator: OperatorCtx) -> Orders:
    return Orders(client, await player_token(operator))


async def test_buying_a_bundle_with_gems_pays_and_grants_with_before_and_after(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    order = await orders.order(buy(eco.starter, eco.gem, 200), source="IN_GAME")
    assert results(order) == ["success"]
    assert order["source"] == "IN_GAME"
    assert order["is_transaction"] is False
    assert order["order_id"].startswith("po_")
    assert len(order["player_uuid"]) == 36
    details = order["entries"][0]["details"]
    changes = [(d["inv_change"]["before"], d["inv_change"]["after"]) for d in details]
    paid, potions, credit = changes
    assert (paid[0]["count"], paid[1]["count"]) == (1000, 800)  # the price
    assert potions[0] is None
    assert potions[1]["count"] == 3
    assert (credit[0]["count"], credit[1]["count"]) == (800, 900)  # the bundle's gems
    assert paid[1]["inventory_id"] == credit[1]["inventory_id"]  # one balance
    assert {d["loot_id"] for d in details} == {eco.starter}
    assert await gems(operator) == 900
    assert await held(runtime) == {eco.potion: 3}
    assert await event_types(runtime) == ["balance_changed", "balance_changed", "inventory_changed"]


async def test_a_transaction_that_fails_late_rolls_every_entry_back(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    entries = [
        buy(eco.starter, eco.gem, 200),
        {"type": "fill_loot", "loot_id": eco.daily, "quantity": 1},
        buy(eco.starter, eco.ticket, 2),  # holds no tickets
    ]
    order = await orders.order(*entries, is_transaction=True)
    assert results(order) == ["rollback", "rollback", "cannot_afford_price"]
    assert all(entry["details"] == [] for entry in order["entries"])
    assert await gems(operator) == 1000  # opened with the grant, nothing spent
    assert await held(runtime) == {}
    assert "inventory_changed" not in await event_types(runtime)
    async with runtime.sessions() as session:
        reasons = await session.scalar(
            select(func.count()).select_from(LedgerPosting).where(LedgerPosting.amount_minor < 0)
        )
    assert reasons == 1  # only the initial grant's mint leg: no spend was ever kept


async def test_without_a_transaction_each_entry_stands_on_its_own(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    order = await orders.order(
        buy(eco.starter, eco.ticket, 2),
        {"type": "fill_loot", "loot_id": eco.daily, "quantity": 2},
    )
    assert results(order) == ["cannot_afford_price", "success"]
    assert await held(runtime) == {eco.potion: 2}
    assert await gems(operator) == 1000


async def test_a_repeated_client_order_ref_id_answers_the_first_order_and_moves_nothing(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    ref = "6f1c1a8e-3b9e-4c39-9a43-6f0a5a0e9b11"
    first = await orders.order(buy(eco.starter, eco.gem, 200), client_order_ref_id=ref)
    again = await orders.order(buy(eco.starter, eco.gem, 200), client_order_ref_id=ref)
    other = await orders.order(
        {"type": "fill_loot", "loot_id": eco.daily, "quantity": 1}, client_order_ref_id=ref
    )
    assert again == first == other  # the first order, whatever the repeat says
    assert await gems(operator) == 900
    assert await held(runtime) == {eco.potion: 3}
    listed = (await orders.list()).json()["data"]
    assert [o["order_id"] for o in listed] == [first["order_id"]]


async def test_a_stale_vendor_etag_or_version_is_refused(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    seen = await admin.call("GET", f"/operators/acme/loots/{eco.starter}")
    assert seen["vendorEtag"] == "v1"
    await admin.call("PATCH", f"/operators/acme/loots/{eco.starter}", {"name": "Starter+"})
    orders = await client_for(client, operator)
    stale = await orders.order(
        buy(eco.starter, eco.gem, 200, vendor_etag="v1") | {"vendor_etag": "v1"},
        buy(eco.starter, eco.gem, 200) | {"vendor_version": 1},
        buy(eco.starter, eco.gem, 200) | {"vendor_etag": "v2", "vendor_version": 2},
    )
    assert results(stale) == [
        "vendor_version_does_not_match",
        "vendor_version_does_not_match",
        "success",
    ]
    assert await gems(operator) == 900


async def test_prices_must_match_the_loot_and_name_its_price_item(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    order = await orders.order(
        buy(eco.starter, eco.gem, 199),
        buy(eco.starter, eco.coupon, 1),
        buy(eco.starter, 999_999, 1),
        buy(eco.starter, eco.potion, 1),  # players write potions themselves: never a price
        {"type": "purchase_loot", "loot_id": eco.starter, "quantity": 1},
        buy(eco.daily, eco.gem, 0),
        buy(999_999, eco.gem, 200),
        buy(eco.starter, eco.gem, 200, quantity=0),
        {"type": "purchase_loot", "loot_id": eco.starter, "quantity": 1,
         "purchase_price": {"price_item_id": eco.gem, "price": 200}},
    )  # fmt: skip
    assert results(order) == [
        "price_does_not_match",
        "loot_not_for_sale_with_price_item",
        "price_item_not_found",
        "price_item_not_found",
        "price_not_allowed",
        "loot_not_for_sale_with_price_item",
        "loot_not_found",
        "quantity_not_allowed",
        "success",  # the deprecated single price still works
    ]
    assert await gems(operator) == 900


async def test_a_coupon_halves_the_price_once_where_it_applies(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    grant = {"playerExternalId": "p1", "idempotencyKey": "c", "items": [{"itemId": eco.coupon}]}
    granted = await operator.s2s.post("/api/s2s/inventory/grants", grant)
    assert granted.status_code == 200, granted.text
    orders = await client_for(client, operator)
    coupon = {"price_coupon_item_id": eco.coupon}
    first = await orders.order(buy(eco.starter, eco.gem, 200, **coupon))
    assert results(first) == ["success"]
    assert await gems(operator) == 1000 - 100 + 100
    again = await orders.order(buy(eco.starter, eco.gem, 200, **coupon))
    assert results(again) == ["cannot_afford_coupon"]
    wrong = await orders.order(
        buy(eco.starter, eco.gem, 200, price_coupon_item_id=eco.ticket),
        buy(eco.starter, eco.gem, 200, price_coupon_item_id=999_999),
    )
    assert results(wrong) == ["coupon_item_not_found", "coupon_item_not_found"]
    assert await gems(operator) == 1000


async def test_a_dynamic_bundle_costs_the_sum_of_its_loots(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    await admin.call(
        "PATCH",
        f"/operators/acme/loots/{eco.daily}",
        {"prices": [{"priceItemId": eco.gem, "price": 5}]},
    )
    orders = await client_for(client, operator)
    bundle: dict[str, Any] = {
        "type": "purchase_dynamic_bundle",
        "quantity": 1,
        "dynamic_bundle_loot_ids": [eco.starter, eco.daily],
        "purchase_price": {"currencies": [{"price_item_id": eco.gem, "price": 205}]},
    }
    order = await orders.order(bundle, {**bundle, "dynamic_bundle_loot_ids": []})
    assert results(order) == ["success", "dynamic_bundle_invalid"]
    kinds = [d["type"] for d in order["entries"][0]["details"]]
    assert kinds.count("dynamic_bundle_lti") == 2
    assert await gems(operator) == 1000 - 205 + 100
    assert await held(runtime) == {eco.potion: 4}


def body_of(event: WebhookEvent) -> dict[str, Any]:
    return dict(json.loads(event.body)["data"])

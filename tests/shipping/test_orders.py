"""Shipping orders (SPEC §7): all-or-nothing claims, staff transitions, races with cashout."""

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from coffer.runtime import Runtime
from coffer.shipping.models import ShippingOrder
from tests.conftest import make_operator
from tests.support.inventory import cash_out, error_of, state_of
from tests.support.shipping import ADDRESS, ORDERS, order_body, place, placed, staff, swords
from tests.support.shop import PLAYER, Shop, _single_prize_box, body_of, shop

__all__ = ["shop"]
OTHER = "u_other"


async def states(runtime: Runtime, ids: list[int]) -> list[str]:
    return [await state_of(runtime, i) for i in ids]


async def order_count(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ShippingOrder))
    return int(count or 0)


async def test_order_claims_items_and_reads_back(
    shop: Shop, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    ids = await swords(shop, 2)
    response = await place(shop, list(reversed(ids)))
    assert response.status_code == 201, response.text
    answer = body_of(response)
    order = answer["order"]
    assert answer["balanceAfterMinor"] is None
    assert order["publicId"].startswith("fo_")
    assert len(order["publicId"]) == 29
    assert (order["status"], order["currency"], order["shippingCostMinor"]) == ("pending", "EUR", 0)
    assert order["address"] == {**ADDRESS, "line2": None, "phone": None}
    assert order["contact"] == {"email": "ada@example.com"}
    assert order["createdAt"].endswith("Z")
    assert order["items"] == [
        {"inventoryItemId": i, "itemId": shop.sword_item, "name": "Golden Sword"} for i in ids
    ]
    assert await states(runtime, ids) == ["ship_requested"] * 2
    listed = await shop.operator.s2s.get(
        "/api/s2s/inventory", {"playerExternalId": PLAYER, "state": "ship_requested"}
    )
    assert sorted(row["id"] for row in body_of(listed)["items"]) == ids
    unresolved = await shop.operator.s2s.get("/api/s2s/inventory", {"playerExternalId": PLAYER})
    assert body_of(unresolved)["items"] == []
    read = await shop.operator.s2s.get(f"{ORDERS}/{order['publicId']}")
    assert read.status_code == 200, read.text
    assert body_of(read) == {"order": order}
    mine = await shop.operator.s2s.get(
        f"{ORDERS}/{order['publicId']}", {"playerExternalId": PLAYER}
    )
    assert body_of(mine) == {"order": order}
    theirs = await shop.operator.s2s.get(
        f"{ORDERS}/{order['publicId']}", {"playerExternalId": OTHER}
    )
    assert error_of(theirs) == (404, "ORDER_NOT_FOUND")
    assert error_of(await shop.operator.s2s.get(f"{ORDERS}/fo_nope")) == (404, "ORDER_NOT_FOUND")
    beta = await make_operator(shop.admin, client, "beta")
    elsewhere = await beta.s2s.get(f"{ORDERS}/{order['publicId']}")
    assert error_of(elsewhere) == (404, "ORDER_NOT_FOUND")
    again = await place(shop, ids[:1])
    assert error_of(again) == (422, "INVENTORY_NOT_SHIPPABLE")
    assert await order_count(runtime) == 1  # no second order for an item already ordered
    assert await states(runtime, ids) == ["ship_requested"] * len(ids)


async def test_ship_then_deliver(shop: Shop, runtime: Runtime) -> None:
    ids = await swords(shop, 2)
    order = await placed(shop, ids)
    public_id = order["publicId"]
    early = await staff(shop, public_id, "deliver", expect=409)
    assert early["error"]["code"] == "CONFLICT"
    assert "pending" in early["error"]["message"]
    shipment = {"carrier": "DHL", "trackingNumber": "JD0001"}
    shipped = (await staff(shop, public_id, "ship", shipment))["order"]
    assert (shipped["status"], shipped["carrier"], shipped["trackingNumber"]) == (
        "shipped",
        "DHL",
        "JD0001",
    )
    assert await states(runtime, ids) == ["shipped"] * 2
    twice = await staff(shop, public_id, "ship", shipment, expect=409)
    assert "shipped" in twice["error"]["message"]
    assert (await staff(shop, public_id, "cancel", expect=409))["error"]["code"] == "CONFLICT"
    assert await states(runtime, ids) == ["shipped"] * 2  # a refused cancel returns nothing
    delivered = (await staff(shop, public_id, "deliver"))["order"]
    assert delivered["status"] == "delivered"
    assert await states(runtime, ids) == ["delivered"] * 2
    late = await staff(shop, public_id, "cancel", expect=409)
    assert "delivered" in late["error"]["message"]
    assert await states(runtime, ids) == ["delivered"] * 2
    read = await shop.operator.s2s.get(f"{ORDERS}/{public_id}")
    assert body_of(read)["order"]["status"] == "delivered"
    missing = await staff(shop, "fo_missing", "deliver", expect=404)
    assert missing["error"]["code"] == "ORDER_NOT_FOUND"
    bad = await staff(shop, public_id, "ship", {"carrier": ""}, expect=422)
    assert set(bad["error"]["fields"]) == {"carrier", "trackingNumber"}


async def test_cancel_returns_items_to_the_vault(shop: Shop, runtime: Runtime) -> None:
    ids = await swords(shop, 2)
    order = await placed(shop, ids)
    cancelled = (await staff(shop, order["publicId"], "cancel"))["order"]
    assert cancelled["status"] == "cancelled"
    assert await states(runtime, ids) == ["unresolved"] * 2
    shipment = {"carrier": "DHL", "trackingNumber": "JD0001"}
    refused = await staff(shop, order["publicId"], "ship", shipment, expect=409)
    assert "cancelled" in refused["error"]["message"]
    assert await states(runtime, ids) == ["unresolved"] * 2
    cashed = await cash_out(shop, ids[0])
    assert cashed.status_code == 200, cashed.text
    key = f"cashback:inventory:{ids[0]}"
    assert [r["amountMinor"] for r in shop.casino.ledger() if r["idempotencyKey"] == key] == [80]
    second = await placed(shop, ids[1:])
    assert second["publicId"] != order["publicId"]
    assert await states(runtime, ids) == ["cashed_back", "ship_requested"]


async def test_a_bad_item_refuses_the_whole_batch(shop: Shop, runtime: Runtime) -> None:
    slug = shop.operator.slug
    ids = await swords(shop, 2)
    plain = await shop.admin.call(
        "POST",
        f"/operators/{slug}/items",
        {"name": "Sticker", "type": "physical", "valueMinor": 10, "currency": "EUR"},
        expect=201,
    )
    _, plain_version = await _single_prize_box(
        shop.admin, slug, "Plain", {"itemId": plain["itemId"]}
    )
    response = await shop.buy("plain", reels=[{"reelIndex": 0, "boxVersionId": plain_version}])
    [won] = body_of(response)["round"]["wonItems"]
    not_shippable = int(won["inventoryItemId"])
    [theirs] = await swords(shop, 1, OTHER)
    cashed = ids[1]
    assert (await cash_out(shop, cashed)).status_code == 200
    for bad in (not_shippable, theirs, cashed, 999_999):
        refused = await place(shop, [ids[0], bad])
        assert error_of(refused) == (422, "INVENTORY_NOT_SHIPPABLE"), bad
        assert body_of(refused)["error"]["details"] == {"inventoryItemIds": [bad]}
        assert str(bad) in body_of(refused)["error"]["message"]
    nobody = await place(shop, [ids[0]], playerExternalId="u_nobody")
    assert error_of(nobody) == (422, "INVENTORY_NOT_SHIPPABLE")
    assert await states(runtime, [ids[0], not_shippable, theirs, cashed]) == [
        "unresolved",
        "unresolved",
        "unresolved",
        "cashed_back",
    ]
    assert await order_count(runtime) == 0


async def test_validation_names_the_fields(shop: Shop) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (order_body([1], address={**ADDRESS, "country": "XX"}), "address.country"),
        (order_body([1], address={**ADDRESS, "country": "DEU"}), "address.country"),
        (order_body(list(range(1, 52))), "inventoryItemIds"),
        (order_body([]), "inventoryItemIds"),
        (order_body([1, 2, 1]), "inventoryItemIds"),
        (order_body([0]), "inventoryItemIds[0]"),
        (order_body([1], contact={"email": "not-an-email"}), "contact.email"),
        (order_body([1], address={**ADDRESS, "postalCode": ""}), "address.postalCode"),
        (order_body([1], address={**ADDRESS, "phone": "call me"}), "address.phone"),
    ]
    for body, field in cases:
        response = await shop.operator.s2s.post(ORDERS, body)
        assert error_of(response) == (422, "VALIDATION_ERROR"), field
        assert field in body_of(response)["error"]["fields"], (field, response.text)
    lower = await shop.operator.s2s.post(
        ORDERS, order_body([1], address={**ADDRESS, "country": "at"}, playerExternalId="u_x")
    )
    assert error_of(lower) == (422, "INVENTORY_NOT_SHIPPABLE")


async def test_shipping_disabled_is_forbidden(shop: Shop, runtime: Runtime) -> None:
    [item_id] = await swords(shop, 1)
    policies = {"policies": {"shippingEnabled": False}}
    await shop.admin.call("PATCH", f"/operators/{shop.operator.slug}", policies)
    assert error_of(await place(shop, [item_id])) == (403, "SHIPPING_DISABLED")
    assert await state_of(runtime, item_id) == "unresolved"
    assert await order_count(runtime) == 0


async def test_cashout_racing_an_order_has_one_winner(shop: Shop, runtime: Runtime) -> None:
    ids = await swords(shop, 3)
    for item_id in ids:
        cashout, order = await asyncio.gather(cash_out(shop, item_id), place(shop, [item_id]))
        key = f"cashback:inventory:{item_id}"
        credits = [r for r in shop.casino.ledger() if r["idempotencyKey"] == key]
        state = await state_of(runtime, item_id)
        if cashout.status_code == 200:
            assert error_of(order) == (422, "INVENTORY_NOT_SHIPPABLE")
            assert (state, len(credits)) == ("cashed_back", 1)
        else:
            assert order.status_code == 201, order.text
            assert error_of(cashout) == (422, "CASHBACK_NOT_AVAILABLE")
            assert (state, credits) == ("ship_requested", [])
    shop.casino.assert_ledger_consistent()

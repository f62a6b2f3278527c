"""Promotions, client-written inventory and single loots: what a client may and may not do."""

from datetime import UTC, datetime, timedelta

import httpx

from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.orders.test_orders import client_for, gems, held
from tests.support.api import AdminApi
from tests.support.economy import Orders, build, item, player_token, results


def promo(code: str) -> dict[str, object]:
    return {"type": "promotion_code", "external_tran_id": code, "quantity": 1}


async def test_a_promotion_is_claimed_once_per_player_while_uses_last(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    codes: list[tuple[str, dict[str, object]]] = [
        ("WELCOME", {"uses": 1}),
        ("SOON", {"startsAt": later}),
        ("OVER", {"expiresAt": past}),
        ("OFF", {"isActive": False}),
    ]
    for code, extra in codes:
        body = {"code": code, "lootId": eco.starter, **extra}
        await admin.call("POST", "/operators/acme/promotions", body, expect=201)
    await admin.call(
        "POST", "/operators/acme/promotions", {"code": "WELCOME", "lootId": eco.daily}, expect=409
    )
    first = await Orders(client, await player_token(operator, "p1")).order(
        promo("WELCOME"), promo("WELCOME"), promo("NOPE"), promo("SOON"), promo("OVER"),
        promo("OFF"),
    )  # fmt: skip
    assert results(first) == [
        "success",
        "promotion_claimed_already",
        "promotion_not_found",
        "promotion_not_available",
        "promotion_expired",
        "promotion_not_available",
    ]
    assert first["entries"][0]["details"][0]["type"] == "claim_promo_code"
    second = await Orders(client, await player_token(operator, "p2")).order(promo("WELCOME"))
    assert results(second) == ["promotion_no_uses_left"]
    assert await held(runtime) == {eco.potion: 3}  # p1's claim only
    assert await gems(operator, "p2") == 1000
    listed = await admin.call("GET", "/operators/acme/promotions")
    assert next(p["usesLeft"] for p in listed["promotions"]) == 0


async def test_a_client_writes_only_items_the_operator_marked_writable(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    made = await orders.order(
        {"type": "create_new_persistent_inventory", "item_id": eco.sword, "quantity": 1,
         "custom_data": {"colour": "red"}, "expires": later.isoformat()},
        {"type": "create_new_transient_inventory", "item_id": eco.potion, "quantity": 2,
         "use_inventory_bucket": "free"},
        {"type": "create_new_persistent_inventory", "item_id": eco.ticket, "quantity": 1},
        {"type": "create_new_persistent_inventory", "item_id": eco.gem, "quantity": 5},
        {"type": "create_new_persistent_inventory", "item_id": 999_999, "quantity": 1},
        {"type": "create_new_persistent_inventory", "item_id": eco.sword, "quantity": 1,
         "custom_data": {f"k{n}": "v" for n in range(21)}},
        {"type": "create_new_persistent_inventory", "item_id": eco.sword, "quantity": 1,
         "expires": "2001-01-01T00:00:00Z"},
        {"type": "fill_entitled_loot", "loot_id": eco.daily, "quantity": 1},
    )  # fmt: skip
    assert results(made) == [
        "success",
        "success",
        "permission_denied",
        "permission_denied",  # a currency is never created by a client
        "item_not_found",
        "too_many_inv_custom_attributes",
        "available_until_is_in_past",
        "invalid_entry_type",
    ]
    sword = made["entries"][0]["details"][0]["inv_change"]["after"]
    assert sword["custom_data"] == {"colour": "red"}
    assert sword["expires"] == later.isoformat().replace("+00:00", "Z")
    potions = made["entries"][1]["details"][0]["inv_change"]["after"]
    assert (potions["type"], potions["bucket"], potions["count"]) == ("transient", "free", 2)
    assert await held(runtime) == {eco.sword: 1, eco.potion: 2}
    assert await gems(operator) == 1000


async def test_updates_consume_uses_stack_and_rewrite_custom_data(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    made = await orders.order(
        {"type": "create_new_persistent_inventory", "item_id": eco.sword, "quantity": 1},
        {"type": "create_new_persistent_inventory", "item_id": eco.potion, "quantity": 9},
    )
    sword = made["entries"][0]["details"][0]["inv_change"]["after"]
    stack = made["entries"][1]["details"][0]["inv_change"]["after"]
    changed = await orders.order(
        {"type": "update_inventory", "inventory_id": sword["inventory_id"], "quantity": -2,
         "custom_data": {"name": "Excalibur"}},
        {"type": "update_existing_persistent_inventory", "legacy_inventory_id":
         stack["legacy_inventory_id"], "quantity": 1},
        {"type": "update_existing_persistent_inventory", "legacy_inventory_id":
         stack["legacy_inventory_id"], "quantity": 1},
        {"type": "update_existing_transient_inventory", "inventory_id": sword["inventory_id"],
         "quantity": -1},
        {"type": "update_inventory", "inventory_id": sword["inventory_id"], "quantity": -5},
        {"type": "update_inventory", "inventory_id": "00000000-0000-4000-8000-000000000000",
         "quantity": -1},
    )  # fmt: skip
    assert results(changed) == [
        "success",
        "success",
        "quantity_not_allowed",  # past the stack's max of 10
        "inventory_not_found",  # the sword is persistent
        "failed_to_modify_inventory",  # one use left
        "inventory_not_found",
    ]
    uses, data = changed["entries"][0]["details"]
    assert data["inv_change"]["after"]["custom_data"] == {"name": "Excalibur"}
    assert uses["inv_change"]["before"]["count"] == 1  # one sword, its uses 3 → 1
    assert await held(runtime) == {eco.sword: 1, eco.potion: 10}
    last = await orders.order(
        {"type": "update_inventory", "inventory_id": sword["inventory_id"], "quantity": -1}
    )
    assert results(last) == ["success"]
    assert last["entries"][0]["details"][0]["inv_change"]["after"]["count"] == 0
    assert await held(runtime) == {eco.potion: 10}  # the last use consumed the sword


async def test_loots_fill_from_a_client_only_when_fillable_and_single_ones_once(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    always = await item(
        admin, "acme", name="Badge", inventoryType="always_owned", clientWritable=True
    )
    orders = await client_for(client, operator)
    order = await orders.order(
        {"type": "fill_loot", "loot_id": eco.starter, "quantity": 1},
        {"type": "fill_loot_single_transient", "loot_id": eco.daily, "quantity": 1},
        {"type": "fill_loot_single_transient", "loot_id": eco.daily, "quantity": 1},
        {"type": "create_new_persistent_inventory", "item_id": always, "quantity": 1},
    )
    assert results(order) == [
        "loot_not_fillable_from_client",
        "success",
        "transient_single_loot_already_applied",
        "always_owned_inventory_cannot_be_modified",
    ]
    assert await held(runtime) == {eco.potion: 1}
    await admin.call("PATCH", f"/operators/acme/loots/{eco.daily}", {"isActive": False})
    off = await orders.order({"type": "fill_loot", "loot_id": eco.daily, "quantity": 1})
    assert results(off) == ["loot_not_active"]

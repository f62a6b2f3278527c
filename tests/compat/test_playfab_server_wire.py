"""PlayFab's Server and Admin APIs on the wire: the title's secret key, concurrent purchases."""

import asyncio
from typing import Any

import httpx

from coffer.ledger.verify import audit
from coffer.runtime import Runtime
from tests.compat.test_playfab_wire import failure, login
from tests.conftest import ADMIN_TOKEN, OperatorCtx, make_operator
from tests.support.api import AdminApi, scoped_token
from tests.support.economy import build

BASE = "/compat/playfab"


async def server(
    client: httpx.AsyncClient, key: str, method: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"{BASE}/{method}", json=body, headers={"X-SecretKey": key})


async def test_server_calls_need_a_key_scoped_to_the_title(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    anonymous = await client.post(f"{BASE}/Server/GetCatalogItems", json={})
    assert failure(anonymous) == (401, 401, "Unauthorized", "NotAuthenticated")
    wrong = await server(client, "cat_not_a_key", "Server/GetCatalogItems", {})
    assert failure(wrong) == (401, 401, "Unauthorized", "NotAuthenticated")
    global_token = await server(client, ADMIN_TOKEN, "Admin/ListVirtualCurrencyTypes", {})
    assert failure(global_token) == (403, 403, "Forbidden", "NotAuthorized")
    assert "--operator" in global_token.json()["errorMessage"]
    key = await scoped_token(runtime, "acme")
    malformed = await server(client, key, "Server/GetUserInventory", {"PlayFabId": "p1"})
    assert failure(malformed) == (400, 400, "BadRequest", "InvalidParams")
    assert "PlayFabId" in malformed.json()["errorDetails"]
    await make_operator(admin, client, "other")
    await login(client, admin, "p1")  # acme's player
    other = await scoped_token(runtime, "other")
    found = await server(client, key, "Server/GetUserInventory", {"PlayFabId": f"{1:016X}"})
    assert found.status_code == 200, found.text
    hidden = await server(client, other, "Server/GetUserInventory", {"PlayFabId": f"{1:016X}"})
    assert failure(hidden) == (400, 400, "BadRequest", "AccountNotFound")


async def test_concurrent_purchases_never_spend_past_the_balance(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    key = await scoped_token(runtime, "acme")
    gold = [{"CurrencyCode": "GO", "InitialDeposit": 500}]
    made = await server(client, key, "Admin/AddVirtualCurrencyTypes", {"VirtualCurrencies": gold})
    assert made.status_code == 200, made.text
    sword = {"ItemId": "sword", "VirtualCurrencyPrices": {"GO": 100}}
    made = await server(client, key, "Admin/SetCatalogItems", {"Catalog": [sword]})
    assert made.status_code == 200, made.text
    ticket = await login(client, admin, "p1")
    buy = {"ItemId": "sword", "VirtualCurrency": "GO", "Price": 100}
    answers = await asyncio.gather(*[
        client.post(f"{BASE}/Client/PurchaseItem", json=buy, headers={"X-Authorization": ticket})
        for _ in range(8)
    ])  # fmt: skip
    codes = sorted(answer.json().get("error", "OK") for answer in answers)
    assert codes == ["InsufficientFunds"] * 3 + ["OK"] * 5
    held = await client.post(
        f"{BASE}/Client/GetUserInventory", json={}, headers={"X-Authorization": ticket}
    )
    assert held.json()["data"]["VirtualCurrency"] == {"GO": 0}
    assert len(held.json()["data"]["Inventory"]) == 5
    async with runtime.sessions() as session:
        assert (await audit(session)).clean


async def test_item_codes_are_unique_per_operator_and_never_digits(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    item = {"name": "Sword", "type": "digital", "valueMinor": 0, "currency": "EUR"}
    made = await admin.call("POST", "/operators/acme/items", {**item, "code": "sword"}, expect=201)
    assert made["code"] == "sword"
    await admin.call("POST", "/operators/acme/items", {**item, "code": "sword"}, expect=409)
    await admin.call("POST", "/operators/acme/items", {**item, "code": "123"}, expect=422)
    other = await admin.call("POST", "/operators/acme/items", item, expect=201)
    path = f"/operators/acme/items/{other['itemId']}"
    await admin.call("PATCH", path, {"code": "sword"}, expect=409)
    assert (await admin.call("PATCH", path, {"code": "axe"}))["code"] == "axe"
    await make_operator(admin, client, "other")
    await admin.call("POST", "/operators/other/items", {**item, "code": "sword"}, expect=201)


async def test_uses_added_to_a_stack_stop_at_its_max(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)  # potions stack to 10
    grant = {"playerExternalId": "p1", "idempotencyKey": "g",
             "items": [{"itemId": eco.potion, "quantity": 8}]}  # fmt: skip
    done = await operator.s2s.post("/api/s2s/inventory/grants", grant)
    stack = str(done.json()["changes"][0]["inventoryItemId"])
    key = await scoped_token(runtime, "acme")
    uses = {"PlayFabId": f"{1:016X}", "ItemInstanceId": stack, "UsesToAdd": 3}
    over = await server(client, key, "Server/ModifyItemUses", uses)
    assert failure(over) == (400, 400, "BadRequest", "InvalidParams")
    fits = await server(client, key, "Server/ModifyItemUses", {**uses, "UsesToAdd": 2})
    assert fits.json()["data"]["RemainingUses"] == 10

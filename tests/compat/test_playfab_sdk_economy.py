"""A title's economy through PlayFab's own SDK, unchanged: the studio's tools define it (Admin),
its game server grants and manages (Server), its game client buys, unlocks and redeems (Client).
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playfab import (  # type: ignore[import-untyped]
    PlayFabAdminAPI,
    PlayFabClientAPI,
    PlayFabServerAPI,
    PlayFabSettings,
)

from coffer.runtime import Runtime
from tests.compat.test_playfab_sdk import Sdk, sdk
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi, scoped_token
from tests.support.live import serving


async def call(method: Sdk, request: dict[str, Any]) -> Any:
    """The SDK's result; the test fails on the error its callback got."""
    result, error = await asyncio.to_thread(sdk, method, request)
    assert error is None, error
    return result


async def refused(method: Sdk, request: dict[str, Any]) -> tuple[str, int]:
    """The PlayFab error name and number the SDK's callback got."""
    result, error = await asyncio.to_thread(sdk, method, request)
    assert result is None
    assert error is not None
    return error["error"], error["errorCode"]


@pytest.fixture
async def title(runtime: Runtime, operator: OperatorCtx, admin: AdminApi) -> AsyncIterator[None]:
    """The SDK pointed at a live Coffer with the title's secret key: an operator-scoped token."""
    key = await scoped_token(runtime, "acme")
    await admin.call("PATCH", "/operators/acme", {"policies": {"clientLogin": True}})
    with serving(runtime.settings) as url:
        PlayFabSettings.TitleId = "ACME"
        PlayFabSettings.ProductionEnvironmentURL = f"{url}/compat/playfab"
        PlayFabSettings.DeveloperSecretKey = key
        PlayFabSettings._internalSettings.ClientSessionTicket = None
        yield
    PlayFabSettings.DeveloperSecretKey = None


async def define_economy(admin: AdminApi) -> dict[str, Any]:
    """GO and a catalog: a sword for 100 GO, a key, and a chest the key opens (drop table: the
    sword); the drop table is a Coffer loot, named by id in the chest's ResultTableContents."""
    currencies = [{"CurrencyCode": "GO", "DisplayName": "Gold", "InitialDeposit": 500}]
    await call(PlayFabAdminAPI.AddVirtualCurrencyTypes, {"VirtualCurrencies": currencies})
    await call(PlayFabAdminAPI.AddVirtualCurrencyTypes, {"VirtualCurrencies": currencies})
    sword = {"ItemId": "sword", "DisplayName": "Sword", "ItemClass": "weapon",
             "VirtualCurrencyPrices": {"GO": 100}, "Consumable": {"UsageCount": 3}}  # fmt: skip
    key = {"ItemId": "key", "DisplayName": "Key", "IsStackable": True}
    await call(PlayFabAdminAPI.SetCatalogItems, {"Catalog": [sword, key]})
    listed = await admin.call("GET", "/operators/acme/items?perPage=100")
    ids = {found["code"]: found["itemId"] for found in listed["items"] if found["code"]}
    table = {"name": "Chest table", "kind": "drop_table",
             "contents": [{"itemId": ids["sword"], "quantity": 1, "weight": 1}]}  # fmt: skip
    made = await admin.call("POST", "/operators/acme/loots", table, expect=201)
    opens = {"KeyItemId": "key", "ResultTableContents": [str(made["lootId"])]}
    chest = {"ItemId": "chest", "DisplayName": "Chest", "Container": opens}
    await call(PlayFabAdminAPI.UpdateCatalogItems, {"Catalog": [chest]})
    return ids


async def test_the_studio_defines_its_catalog_and_currencies_with_the_admin_api(
    title: None, admin: AdminApi
) -> None:
    await define_economy(admin)
    types = await call(PlayFabAdminAPI.ListVirtualCurrencyTypes, {})
    assert types["VirtualCurrencies"] == [{"CurrencyCode": "GO", "DisplayName": "Gold",
        "InitialDeposit": 500, "RechargeRate": 0, "RechargeMax": 0}]  # fmt: skip
    catalog = {i["ItemId"]: i for i in (await call(PlayFabAdminAPI.GetCatalogItems, {}))["Catalog"]}
    assert set(catalog) == {"sword", "key", "chest"}
    assert catalog["sword"]["VirtualCurrencyPrices"] == {"GO": 100}
    assert catalog["sword"]["Consumable"] == {"UsageCount": 3}
    assert catalog["key"]["IsStackable"] is True
    assert catalog["chest"]["Container"]["KeyItemId"] == "key"
    await call(PlayFabAdminAPI.SetCatalogItems, {"Catalog": [{"ItemId": "sword",
        "DisplayName": "Sword", "VirtualCurrencyPrices": {"GO": 120}}]})  # fmt: skip
    catalog = {i["ItemId"]: i for i in (await call(PlayFabAdminAPI.GetCatalogItems, {}))["Catalog"]}
    assert list(catalog) == ["sword"]  # Set replaces the catalog: the others are deactivated
    assert catalog["sword"]["VirtualCurrencyPrices"] == {"GO": 120}
    wrong = {"Catalog": [{"ItemId": "gem", "VirtualCurrencyPrices": {"XX": 1}}]}
    assert await refused(PlayFabAdminAPI.UpdateCatalogItems, wrong) == (
        "InvalidVirtualCurrency", 1051,
    )  # fmt: skip


async def test_a_game_server_grants_and_manages_a_players_items(
    title: None, admin: AdminApi
) -> None:
    await define_economy(admin)
    login = {"ServerCustomId": "p1", "CreateAccount": True}
    player = (await call(PlayFabServerAPI.LoginWithServerCustomId, login))["PlayFabId"]
    grant = {"PlayFabId": player, "ItemIds": ["sword", "key", "key", "nothing"]}
    results = (await call(PlayFabServerAPI.GrantItemsToUser, grant))["ItemGrantResults"]
    assert [(r["ItemId"], r["Result"]) for r in results] == [
        ("sword", True), ("key", True), ("key", True), ("nothing", False),
    ]  # fmt: skip
    sword = results[0]["ItemInstanceId"]
    assert results[2]["RemainingUses"] == 2  # one stack of keys
    uses = {"PlayFabId": player, "ItemInstanceId": sword, "UsesToAdd": 2}
    assert (await call(PlayFabServerAPI.ModifyItemUses, uses))["RemainingUses"] == 5
    data = {"PlayFabId": player, "ItemInstanceId": sword, "Data": {"rune": "fire", "x": None}}
    await call(PlayFabServerAPI.UpdateUserInventoryItemCustomData, data)
    held = await call(PlayFabServerAPI.GetUserInventory, {"PlayFabId": player})
    assert held["PlayFabId"] == player
    mine = {i["ItemId"]: i for i in held["Inventory"]}
    assert mine["sword"]["CustomData"] == {"rune": "fire"}
    assert held["VirtualCurrency"] == {"GO": 500}
    gold = {"PlayFabId": player, "VirtualCurrency": "GO", "Amount": 50}
    assert (await call(PlayFabServerAPI.AddUserVirtualCurrency, gold))["Balance"] == 550
    assert (await call(PlayFabServerAPI.SubtractUserVirtualCurrency, gold))["Balance"] == 500
    gone = {"PlayFabId": player, "ItemInstanceId": sword}
    await call(PlayFabServerAPI.RevokeInventoryItem, gone)
    revokes = {"Items": [{"PlayFabId": player, "ItemInstanceId": mine["key"]["ItemInstanceId"]},
                         {"PlayFabId": player, "ItemInstanceId": sword}]}  # fmt: skip
    errors = (await call(PlayFabServerAPI.RevokeInventoryItems, revokes))["Errors"]
    assert [(e["Error"], e["Item"]["ItemInstanceId"]) for e in errors] == [("ItemNotOwned", sword)]
    assert (await call(PlayFabServerAPI.GetUserInventory, {"PlayFabId": player}))["Inventory"] == []
    nobody = {"PlayFabId": "00000000000FFFFF"}
    assert await refused(PlayFabServerAPI.GetUserInventory, nobody) == ("AccountNotFound", 1001)


async def test_a_client_buys_unlocks_and_redeems(title: None, admin: AdminApi) -> None:
    ids = await define_economy(admin)
    pack = {"name": "Welcome", "contents": [{"itemId": ids["key"], "quantity": 1}]}
    made = await admin.call("POST", "/operators/acme/loots", pack, expect=201)
    promo = {"code": "WELCOME", "lootId": made["lootId"]}
    await admin.call("POST", "/operators/acme/promotions", promo, expect=201)
    login = {"CustomId": "p1", "CreateAccount": True}
    player = (await call(PlayFabClientAPI.LoginWithCustomID, login))["PlayFabId"]
    catalog = (await call(PlayFabClientAPI.GetCatalogItems, {}))["Catalog"]
    assert {i["ItemId"]: i["VirtualCurrencyPrices"] for i in catalog}["sword"] == {"GO": 100}
    buy = {"ItemId": "sword", "VirtualCurrency": "GO", "Price": 100}
    bought = (await call(PlayFabClientAPI.PurchaseItem, buy))["Items"]
    assert [(i["ItemId"], i["RemainingUses"]) for i in bought] == [("sword", 3)]
    assert await refused(PlayFabClientAPI.PurchaseItem, {**buy, "Price": 99}) == (
        "WrongPrice",
        1053,
    )
    for _ in range(4):
        await call(PlayFabClientAPI.PurchaseItem, buy)
    assert await refused(PlayFabClientAPI.PurchaseItem, buy) == ("InsufficientFunds", 1059)
    chest = {"ContainerItemId": "chest"}
    assert await refused(PlayFabClientAPI.UnlockContainerItem, chest) == ("ContainerNotOwned", 1018)
    redeemed = await call(PlayFabClientAPI.RedeemCoupon, {"CouponCode": "WELCOME"})
    assert [i["ItemId"] for i in redeemed["GrantedItems"]] == ["key"]
    again = await refused(PlayFabClientAPI.RedeemCoupon, {"CouponCode": "WELCOME"})
    assert again == ("CouponAlreadyRedeemed", 1226)
    await unlock_chests(player)
    inventory = await call(PlayFabClientAPI.GetUserInventory, {})
    assert inventory["VirtualCurrency"] == {"GO": 0}
    held = sorted((i["ItemId"], i.get("RemainingUses")) for i in inventory["Inventory"])
    assert held == [("chest", None)] + [("sword", 3)] * 6  # 5 bought, 1 from the chest


async def unlock_chests(player: str) -> None:
    """Two chests and the one key the coupon gave: one opens, the other lacks its key."""
    grant = {"PlayFabId": player, "ItemIds": ["chest", "chest"]}
    chests = (await call(PlayFabServerAPI.GrantItemsToUser, grant))["ItemGrantResults"]
    opened = await call(PlayFabClientAPI.UnlockContainerItem, {"ContainerItemId": "chest"})
    assert [i["ItemId"] for i in opened["GrantedItems"]] == ["sword"]
    assert opened["UnlockedItemInstanceId"] == chests[0]["ItemInstanceId"]
    assert opened["VirtualCurrency"] == {}
    assert "UnlockedWithItemInstanceId" in opened
    second = {"ContainerItemInstanceId": chests[1]["ItemInstanceId"]}
    assert await refused(PlayFabClientAPI.UnlockContainerInstance, second) == ("KeyNotOwned", 1019)
    sword = {"ContainerItemInstanceId": opened["GrantedItems"][0]["ItemInstanceId"]}
    not_one = await refused(PlayFabClientAPI.UnlockContainerInstance, sword)
    assert not_one == ("InvalidContainerItem", 1017)

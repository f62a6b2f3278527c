"""PlayFab's own Python SDK, unchanged, against Coffer: configured only by its two settings."""

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playfab import PlayFabClientAPI, PlayFabSettings  # type: ignore[import-untyped]

from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.economy import build
from tests.support.live import serving

Sdk = Callable[[dict[str, Any], Callable[[Any, Any], None]], None]


def sdk(method: Sdk, request: dict[str, Any]) -> tuple[Any, Any]:
    """Call an SDK method; what its callback got: (result, error)."""
    got: dict[str, Any] = {}
    method(request, lambda result, error: got.update(result=result, error=error))
    assert got, "the SDK never called back"
    return got["result"], got["error"]


@pytest.fixture
def playfab(runtime: Runtime) -> Iterator[str]:
    """The SDK pointed at a live Coffer, as a studio would point it: title and URL only."""
    with serving(runtime.settings) as url:
        PlayFabSettings.TitleId = "ACME"  # the operator's slug, any case
        PlayFabSettings.ProductionEnvironmentURL = f"{url}/compat/playfab"
        PlayFabSettings._internalSettings.ClientSessionTicket = None
        yield url


async def allow_client_login(admin: AdminApi) -> None:
    await admin.call("PATCH", "/operators/acme", {"policies": {"clientLogin": True}})


async def test_a_client_logs_in_by_custom_id_and_reads_its_inventory(
    playfab: str, admin: AdminApi, operator: OperatorCtx
) -> None:
    eco = await build(admin)
    await allow_client_login(admin)
    login = {"CustomId": "p1", "CreateAccount": True}
    first, error = await asyncio.to_thread(sdk, PlayFabClientAPI.LoginWithCustomID, login)
    assert error is None, error
    assert first["NewlyCreated"] is True
    assert len(first["PlayFabId"]) == 16
    assert first["PlayFabId"] == first["PlayFabId"].upper()
    grant = {"playerExternalId": "p1", "idempotencyKey": "g1",
             "items": [{"itemId": eco.potion, "quantity": 3}, {"itemId": eco.sword}]}  # fmt: skip
    assert (await operator.s2s.post("/api/s2s/inventory/grants", grant)).status_code == 200
    result, error = await asyncio.to_thread(sdk, PlayFabClientAPI.GetUserInventory, {})
    assert error is None, error
    by_item = {entry["ItemId"]: entry for entry in result["Inventory"]}
    assert by_item[str(eco.potion)]["RemainingUses"] == 3  # a stack's count
    assert by_item[str(eco.sword)]["RemainingUses"] == 3  # a consumable's uses
    assert by_item[str(eco.sword)]["DisplayName"] == "Sword"
    assert result["VirtualCurrency"] == {"GEM": 1000}  # the initial grant
    assert result["VirtualCurrencyRechargeTimes"] == {}
    again, error = await asyncio.to_thread(sdk, PlayFabClientAPI.LoginWithCustomID, login)
    assert error is None, error
    assert again["NewlyCreated"] is False
    assert again["PlayFabId"] == first["PlayFabId"]  # stable per player
    assert again["SessionTicket"] != first["SessionTicket"]


async def test_errors_reach_the_sdks_callback_in_playfabs_wrapper(
    playfab: str, admin: AdminApi, operator: OperatorCtx
) -> None:
    login = {"CustomId": "nobody", "CreateAccount": False}
    _, refused = await asyncio.to_thread(sdk, PlayFabClientAPI.LoginWithCustomID, login)
    assert (refused["error"], refused["errorCode"]) == ("APINotEnabledForGameClientAccess", 1082)
    await allow_client_login(admin)
    _, missing = await asyncio.to_thread(sdk, PlayFabClientAPI.LoginWithCustomID, login)
    assert (missing["error"], missing["errorCode"]) == ("AccountNotFound", 1001)
    assert missing["code"] == 400  # HTTP 200 on the wire: the SDK asks for errors as success
    PlayFabSettings.TitleId = "NOSUCH"
    _, title = await asyncio.to_thread(sdk, PlayFabClientAPI.LoginWithCustomID, login)
    assert (title["error"], title["errorCode"]) == ("InvalidTitleId", 1004)
    PlayFabSettings.TitleId = "ACME"
    ok, _ = await asyncio.to_thread(
        sdk, PlayFabClientAPI.LoginWithCustomID, {"CustomId": "p2", "CreateAccount": True}
    )
    assert ok is not None
    _, unserved = await asyncio.to_thread(sdk, PlayFabClientAPI.GetStoreItems, {"StoreId": "x"})
    assert (unserved["error"], unserved["errorCode"], unserved["code"]) == (
        "InvalidAPIEndpoint", 1131, 404,
    )  # fmt: skip
    PlayFabSettings._internalSettings.ClientSessionTicket = "ps_not_a_ticket"
    _, stale = await asyncio.to_thread(sdk, PlayFabClientAPI.GetUserInventory, {})
    assert (stale["error"], stale["errorCode"]) == ("InvalidSessionTicket", 1100)
    assert stale["code"] == 401


async def signed_in(admin: AdminApi) -> None:
    await allow_client_login(admin)
    login = {"CustomId": "p1", "CreateAccount": True}
    _, error = await asyncio.to_thread(sdk, PlayFabClientAPI.LoginWithCustomID, login)
    assert error is None, error


async def test_a_client_consumes_its_items_through_the_sdk(
    playfab: str, admin: AdminApi, operator: OperatorCtx
) -> None:
    eco = await build(admin)
    await signed_in(admin)
    grant = {"playerExternalId": "p1", "idempotencyKey": "g1",
             "items": [{"itemId": eco.potion, "quantity": 3}, {"itemId": eco.sword}]}  # fmt: skip
    assert (await operator.s2s.post("/api/s2s/inventory/grants", grant)).status_code == 200
    inventory, _ = await asyncio.to_thread(sdk, PlayFabClientAPI.GetUserInventory, {})
    ids = {entry["ItemId"]: entry["ItemInstanceId"] for entry in inventory["Inventory"]}
    sword = {"ItemInstanceId": ids[str(eco.sword)], "ConsumeCount": 2}
    used, error = await asyncio.to_thread(sdk, PlayFabClientAPI.ConsumeItem, sword)
    assert error is None, error
    assert used == {"ItemInstanceId": ids[str(eco.sword)], "RemainingUses": 1}
    _, too_many = await asyncio.to_thread(sdk, PlayFabClientAPI.ConsumeItem, sword)
    assert (too_many["error"], too_many["errorCode"]) == ("NoRemainingUses", 1062)
    potions = {"ItemInstanceId": ids[str(eco.potion)], "ConsumeCount": 3}
    emptied, error = await asyncio.to_thread(sdk, PlayFabClientAPI.ConsumeItem, potions)
    assert emptied["RemainingUses"] == 0
    stranger = {"ItemInstanceId": "999999", "ConsumeCount": 1}
    _, not_mine = await asyncio.to_thread(sdk, PlayFabClientAPI.ConsumeItem, stranger)
    assert (not_mine["error"], not_mine["errorCode"]) == ("ItemNotOwned", 1048)
    listed, _ = await asyncio.to_thread(sdk, PlayFabClientAPI.GetUserInventory, {})
    assert [e["ItemId"] for e in listed["Inventory"]] == [str(eco.sword)]  # potions used up


async def test_a_client_spends_its_currency_and_adds_only_where_allowed(
    playfab: str, admin: AdminApi, operator: OperatorCtx
) -> None:
    await build(admin)
    await signed_in(admin)
    spend = {"VirtualCurrency": "GEM", "Amount": 300}
    spent, error = await asyncio.to_thread(sdk, PlayFabClientAPI.SubtractUserVirtualCurrency, spend)
    assert error is None, error
    assert (spent["Balance"], spent["BalanceChange"]) == (700, -300)
    assert spent["VirtualCurrency"] == "GEM"
    spend["Amount"] = 701
    _, short = await asyncio.to_thread(sdk, PlayFabClientAPI.SubtractUserVirtualCurrency, spend)
    assert (short["error"], short["errorCode"]) == ("InsufficientFunds", 1059)
    _, unknown = await asyncio.to_thread(
        sdk, PlayFabClientAPI.SubtractUserVirtualCurrency, {"VirtualCurrency": "XX", "Amount": 1}
    )
    assert (unknown["error"], unknown["errorCode"]) == ("InvalidVirtualCurrency", 1051)
    gift = {"VirtualCurrency": "GEM", "Amount": 50}
    _, refused = await asyncio.to_thread(sdk, PlayFabClientAPI.AddUserVirtualCurrency, gift)
    assert (refused["error"], refused["errorCode"]) == ("APINotEnabledForGameClientAccess", 1082)
    policies = {"policies": {"clientCurrencyGrants": True}}
    await admin.call("PATCH", "/operators/acme", policies)
    added, error = await asyncio.to_thread(sdk, PlayFabClientAPI.AddUserVirtualCurrency, gift)
    assert error is None, error
    assert added["Balance"] == 750
    listed, _ = await asyncio.to_thread(sdk, PlayFabClientAPI.GetUserInventory, {})
    assert listed["VirtualCurrency"] == {"GEM": 750}
    read = await operator.s2s.get(
        "/api/s2s/virtual-currencies/balances", {"playerExternalId": "p1"}
    )
    assert read.json()["balances"][0]["balanceMinor"] == 750  # one truth across surfaces

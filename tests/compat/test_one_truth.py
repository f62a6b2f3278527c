"""One truth across surfaces: what PlayFab grants, LootLocker alters, the orders API and the S2S
API see; a currency debited through any surface shows one balance on all; the ledger verifies."""

from typing import Any

import httpx

from coffer.ledger.verify import audit
from coffer.runtime import Runtime
from tests.compat.test_lootlocker_loot import chest
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.economy import Economy, Orders, build, buy, player_token, results
from tests.support.lootlocker import LootLocker, scoped_token

PLAYFAB = "/compat/playfab"


class PlayFabServer:
    def __init__(self, client: httpx.AsyncClient, key: str) -> None:
        self.client, self.headers = client, {"X-SecretKey": key}

    async def __call__(self, method: str, body: dict[str, Any]) -> Any:
        answer = await self.client.post(
            f"{PLAYFAB}/Server/{method}", json=body, headers=self.headers
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]


async def surfaces(
    client: httpx.AsyncClient, admin: AdminApi, runtime: Runtime
) -> tuple[Economy, PlayFabServer, LootLocker, str]:
    eco = await build(admin)
    playfab = PlayFabServer(client, await scoped_token(runtime, "acme"))
    login = await playfab(
        "LoginWithServerCustomId", {"ServerCustomId": "p1", "CreateAccount": True}
    )
    return eco, playfab, await LootLocker.start(client, runtime), login["PlayFabId"]


async def test_an_item_granted_on_playfab_is_altered_on_lootlocker_and_seen_everywhere(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco, playfab, lootlocker, pfid = await surfaces(client, admin, runtime)
    box = await chest(admin, eco)
    granted = await playfab(
        "GrantItemsToUser", {"PlayFabId": pfid, "ItemIds": [str(eco.sword), str(box)]}
    )
    sword, chest_instance = (int(r["ItemInstanceId"]) for r in granted["ItemGrantResults"])
    storage = f"player/1/assets/instances/{sword}/storage"
    await lootlocker.call("POST", storage, {"key": "rune", "value": "fire"})
    opened = await lootlocker.call("PUT", f"player/1/assets/instances/{chest_instance}/open")
    prize = opened["items"][0]["instance_id"]
    orders = Orders(client, await player_token(operator))
    rename = {"type": "update_existing_persistent_inventory", "legacy_inventory_id": sword,
              "quantity": 0, "custom_data": {"name": "Excalibur"}}  # fmt: skip
    changed = await orders.order(rename)
    [detail] = changed["entries"][0]["details"]
    assert detail["inv_change"]["before"]["custom_data"] == {"rune": "fire"}  # LootLocker's pair
    history = await orders.list(limit=50)
    sources = [order["source"] for order in history.json()["data"]]
    assert "PLAYFAB" in sources  # the grant is in the player's order history
    vault = await operator.s2s.get("/api/s2s/inventory", {"playerExternalId": "p1"})
    by_id = {row["id"]: row for row in vault.json()["items"]}
    assert by_id[sword]["customData"] == {"rune": "fire", "name": "Excalibur"}
    assert prize in by_id  # the loot box's prize is in the S2S vault
    held = await playfab("GetUserInventory", {"PlayFabId": pfid})
    mine = {int(i["ItemInstanceId"]): i for i in held["Inventory"]}
    assert mine[sword]["CustomData"] == {"rune": "fire", "name": "Excalibur"}
    assert prize in mine
    assert chest_instance not in mine  # the chest was spent


async def test_a_currency_debited_through_any_surface_has_one_balance(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco, playfab, lootlocker, pfid = await surfaces(client, admin, runtime)
    await playfab(
        "SubtractUserVirtualCurrency", {"PlayFabId": pfid, "VirtualCurrency": "GEM", "Amount": 100}
    )
    [gem] = (await lootlocker.call("GET", "currencies"))["currencies"]
    move = {"amount": "50", "currency_id": gem["id"], "wallet_id": "1"}
    await lootlocker.call("POST", "balances/debit", move)
    posting = {
        "playerExternalId": "p1",
        "currency": "GEM",
        "amountMinor": -25,
        "idempotencyKey": "d1",
    }
    assert (
        await operator.s2s.post("/api/s2s/virtual-currencies/postings", posting)
    ).status_code == 200
    orders = Orders(client, await player_token(operator))
    assert results(await orders.order(buy(eco.starter, eco.gem, 200))) == ["success"]
    expected = 1000 - 100 - 50 - 25 - 200 + 100  # the starter pack holds 100 GEM
    pf = await playfab("GetUserInventory", {"PlayFabId": pfid})
    ll = await lootlocker.call("GET", "balances/wallet/1")
    s2s = await operator.s2s.get("/api/s2s/virtual-currencies/balances", {"playerExternalId": "p1"})
    assert pf["VirtualCurrency"] == {"GEM": expected}
    assert ll["balances"][0]["amount"] == str(expected)
    assert s2s.json()["balances"][0]["balanceMinor"] == expected
    async with runtime.sessions() as session:
        found = await audit(session)
    assert found.clean, found
    assert found.transactions >= 5

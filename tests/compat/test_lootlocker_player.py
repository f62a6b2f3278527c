"""LootLocker's server API on a player's things: instance storage, loadouts, wallets, balances."""

import httpx

from coffer.runtime import Runtime
from tests.compat.test_lootlocker_inventory import grant
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.economy import build
from tests.support.lootlocker import LootLocker, error_of


async def test_instance_storage_is_the_instances_custom_data(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    [sword] = await grant(operator, {"itemId": eco.sword})
    game = await LootLocker.start(client, runtime)
    path = f"player/1/assets/instances/{sword}/storage"
    assert await game.call("GET", path) == {"storage": []}
    made = await game.call("POST", path, {"key": "rune", "value": "fire"})
    [rune] = made["storage"]
    assert (rune["key"], rune["value"]) == ("rune", "fire")
    both = await game.call("PUT", path, {"storage": [{"key": "level", "value": "2"}]})
    assert [p["key"] for p in both["storage"]] == ["level", "rune"]
    assert (await game.call("GET", f"{path}/{rune['id']}"))["storage"] == rune
    renamed = await game.call("PUT", f"{path}/{rune['id']}", {"key": "gem", "value": "ice"})
    assert renamed["storage"]["key"] == "gem"
    assert error_of(await game.send("GET", f"{path}/{rune['id']}")) == (404, "not_found")
    left = await game.call("DELETE", f"{path}/{renamed['storage']['id']}")
    assert [p["key"] for p in left["storage"]] == ["level"]
    s2s = await operator.s2s.get("/api/s2s/inventory", {"playerExternalId": "p1"})
    assert s2s.status_code == 200, s2s.text
    [held] = [i for i in s2s.json()["items"] if i["id"] == sword]
    assert held["customData"] == {"level": "2"}  # one truth: the S2S API sees the same data
    assert error_of(await game.send("GET", "player/1/assets/instances/999999/storage"))[0] == 404


async def test_a_loadout_equips_and_unequips_instances(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    [sword, potions] = await grant(operator, {"itemId": eco.sword}, {"itemId": eco.potion})
    game = await LootLocker.start(client, runtime)
    assert await game.call("GET", "player/1/loadout") == {"items": []}
    await game.call("POST", "player/1/loadout", {"instance_id": sword})
    again = await game.call("POST", "player/1/loadout", {"asset_id": eco.potion})
    assert [i["instance_id"] for i in again["items"]] == [sword, potions]
    assert again["items"][0]["asset"]["id"] == eco.sword
    assert await game.call("POST", "player/1/loadout", {"instance_id": sword}) == again
    left = await game.call("DELETE", f"player/1/loadout/{sword}")
    assert [i["instance_id"] for i in left["items"]] == [potions]
    assert error_of(await game.send("DELETE", f"player/1/loadout/{sword}")) == (404, "not_found")
    neither = await game.send("POST", "player/1/loadout", {})
    assert error_of(neither)[0] == 422
    stranger = await game.send("POST", "player/1/loadout", {"instance_id": 999_999})
    assert error_of(stranger) == (404, "not_found")


async def test_wallets_and_balances_are_the_ledger(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    await build(admin)
    balances = "/api/s2s/virtual-currencies/balances"
    await operator.s2s.get(balances, {"playerExternalId": "p1"})  # the S2S API makes the player
    game = await LootLocker.start(client, runtime)
    [gem] = (await game.call("GET", "currencies"))["currencies"]
    assert (gem["code"], gem["name"]) == ("GEM", "Gems")
    wallet = await game.call("POST", "wallet", {"holder_id": "1", "holder_type": "player"})
    assert (await game.call("GET", "wallet/holder/1"))["id"] == wallet["wallet_id"]
    listed = await game.call("GET", f"balances/wallet/{wallet['wallet_id']}")
    assert [(b["amount"], b["currency"]["code"]) for b in listed["balances"]] == [("1000", "GEM")]
    move = {"amount": "250", "currency_id": gem["id"], "wallet_id": wallet["wallet_id"]}
    credited = await game.call("POST", "balances/credit", move)
    assert credited["balance"]["amount"] == credited["amount"] == "1250"
    debited = await game.call("POST", "balances/debit", {**move, "amount": "1000"})
    assert debited["amount"] == "250"
    short = await game.send("POST", "balances/debit", {**move, "amount": "251"})
    assert error_of(short)[0] == 422
    assert error_of(await game.send("POST", "balances/credit", {**move, "amount": "1.5"}))[0] == 422
    read = await operator.s2s.get(balances, {"playerExternalId": "p1"})
    assert read.json()["balances"][0]["balanceMinor"] == 250  # one truth with the S2S API
    assert error_of(await game.send("GET", "wallet/999"))[0] == 404

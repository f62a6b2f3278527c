"""LootLocker's contract: every request of the reference page and of the served endpoint list is
sent, and every answer carries each field of LootLocker's example with its JSON type.

No LootLocker client runs here (its only server SDK is an Unreal Engine plugin), so the
examples stand in for it: tests/compat/contracts/lootlocker.py says where each comes from.
"""

from typing import Any

import httpx

from coffer.runtime import Runtime
from tests.compat.contracts.lootlocker import ALTER, EXPECTED, mismatches
from tests.compat.test_lootlocker_inventory import grant
from tests.compat.test_lootlocker_loot import chest
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.economy import build, item, loot
from tests.support.lootlocker import BASE, VERSION, LootLocker, scoped_token


class Checked:
    """Each answer checked against its example; the problems of all of them, kept."""

    def __init__(self, game: LootLocker) -> None:
        self.game, self.problems, self.names = game, list[str](), list[str]()

    async def __call__(self, name: str, method: str, path: str, body: Any = None, **q: Any) -> Any:
        answer = await self.game.send(method, path, body, **q)
        assert answer.status_code == 200, (name, answer.text)
        self.names.append(name)
        self.problems += [f"{name} {p}" for p in mismatches(EXPECTED[name], answer.json())]
        return answer.json()


async def session(client: httpx.AsyncClient, runtime: Runtime) -> tuple[LootLocker, list[str]]:
    key = await scoped_token(runtime, "acme")
    started = await client.post(
        f"{BASE}/session", json={"game_version": "1.0.0.0"},
        headers={**VERSION, "x-server-key": key, "Accepts": "application/json"},
    )  # fmt: skip
    return LootLocker(client, started.json()["token"]), mismatches(
        EXPECTED["session"], started.json()
    )


async def test_every_answer_has_the_fields_and_types_lootlocker_clients_read(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    box = await chest(admin, eco)
    await item(admin, "acme", name="Emblem", inventoryType="always_owned")
    sold = [{"priceItemId": eco.gem, "price": 40}]
    one = [{"itemId": eco.sword, "quantity": 1}]
    await loot(admin, "acme", name="Sword", contents=one, prices=sold)
    table = await loot(
        admin, "acme", name="Drops", kind="drop_table", contents=[{**one[0], "weight": 1}]
    )
    [sword, _, opened] = await grant(
        operator, {"itemId": eco.sword}, {"itemId": eco.potion}, {"itemId": box}
    )
    game, problems = await session(client, runtime)
    check = Checked(game)
    literal = await game.send("PATCH", "player/1/inventory", ALTER["request"])
    assert literal.status_code == 404  # the page's ids (asset 62, instance 36) are not here
    problems += mismatches(EXPECTED["error"], literal.json())
    await run_every_call(check, {"asset": eco.sword, "sword": sword, "box": opened})
    await check_drops(check, table)
    await check_money(check)
    assert len(check.names) == 28  # and the session: every route served
    assert problems + check.problems == []


async def run_every_call(check: Checked, ids: dict[str, int]) -> None:
    asset, sword, box = ids["asset"], ids["sword"], ids["box"]
    await check("ping", "GET", "ping")
    await check("list_inventory", "GET", "player/1/inventory", count=10)
    added = await check("add_asset", "POST", "player/1/inventory", {"asset_id": asset})
    alter = {"add": [{"asset_id": asset}], "remove": [added["items"][0]["instance_id"]]}
    await check("alter_inventory", "PATCH", "player/1/inventory", alter)
    await check("universal", "GET", "inventory/universal")
    await check("assets", "GET", "assets", count=50, include_ugc="false")
    storage = f"player/1/assets/instances/{sword}/storage"
    made = await check("storage_list", "POST", storage, {"key": "a", "value": "1"})
    pair = made["storage"][0]["id"]
    await check("storage_list", "PUT", storage, {"storage": [{"key": "b", "value": "2"}]})
    await check("storage_list", "GET", storage)
    await check("storage_one", "GET", f"{storage}/{pair}")
    await check("storage_one", "PUT", f"{storage}/{pair}", {"key": "a", "value": "3"})
    await check("storage_list", "DELETE", f"{storage}/{pair}")
    await check("loadout", "POST", "player/1/loadout", {"instance_id": sword})
    await check("loadout", "GET", "player/1/loadout")
    await check("loadout", "DELETE", f"player/1/loadout/{sword}")
    await check("inspect", "GET", f"player/1/assets/instances/{box}/inspect")
    await check("open", "PUT", f"player/1/assets/instances/{box}/open")


async def check_drops(check: Checked, table: int) -> None:
    locked = await check("compute", "POST", f"player/1/droptables/{table}/compute")
    picks = {"picks": [locked["items"][0]["id"]]}
    await check("pick", "POST", f"player/1/droptables/{table}/pick", picks)


async def check_money(check: Checked) -> None:
    [gem] = (await check("currencies", "GET", "currencies"))["currencies"]
    await check(
        "create_wallet", "POST", "wallet", {"holder_id": "1", "holder_type": "player", "id": ""}
    )
    await check("wallet", "GET", "wallet/1")
    await check("wallet", "GET", "wallet/holder/1")
    await check("balances", "GET", "balances/wallet/1")
    move = {"amount": "5", "currency_id": gem["id"], "wallet_id": "1"}
    await check("move", "POST", "balances/credit", move)
    await check("move", "POST", "balances/debit", move)
    listing = await check(
        "catalog", "GET", "catalogs/inspired-ibex/v1/key/acme/prices", per_page=10
    )
    reward = {"player_id": 1, "catalog_listing_id": listing["entries"][-1]["catalog_listing_id"]}
    await check("reward", "POST", "catalogs/inspired-ibex/v1/reward/grant", reward)

"""LootLocker's server API on the economy: the catalog, reward grants, loot boxes, drop tables."""

from typing import Any

import httpx

from coffer.runtime import Runtime
from tests.compat.test_lootlocker_inventory import grant
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.economy import Economy, build, item, loot
from tests.support.lootlocker import LootLocker, error_of


async def test_the_catalog_lists_what_is_sold_and_a_reward_grants_a_listing(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    sword_for_gems = await loot(
        admin, "acme", name="A sword", contents=[{"itemId": eco.sword, "quantity": 1}],
        prices=[{"priceItemId": eco.gem, "price": 40}],
    )  # fmt: skip
    await grant(operator, {"itemId": eco.potion})
    game = await LootLocker.start(client, runtime)
    page = await game.call("GET", "catalogs/inspired-ibex/v1/key/acme/prices", per_page=1)
    [starter] = page["entries"]
    assert (starter["entity_kind"], starter["catalog_listing_id"]) == ("group", str(eco.starter))
    assert [(p["currency_code"], p["amount"]) for p in starter["prices"]] == [("GEM", 200)]
    assert page["pagination"] == {"total": 2, "next_cursor": str(eco.starter)}
    rest = await game.call(
        "GET", "catalogs/inspired-ibex/v1/key/acme/prices", cursor=page["pagination"]["next_cursor"]
    )
    [sword] = rest["entries"]
    assert (sword["entity_kind"], sword["entity_id"]) == ("asset", str(eco.sword))
    assert rest["assets_details"][0]["legacy_id"] == eco.sword
    assert rest["pagination"]["next_cursor"] == ""
    other = await game.send("GET", "catalogs/inspired-ibex/v1/key/other/prices")
    assert error_of(other) == (404, "not_found")
    reward = {"player_id": 1, "catalog_listing_id": str(sword_for_gems)}
    granted = await game.call("POST", "catalogs/inspired-ibex/v1/reward/grant", reward)
    assert [i["asset"]["id"] for i in granted["items"]] == [eco.sword]
    wallet = await game.call("GET", "balances/wallet/1")
    assert wallet["balances"][0]["amount"] == "1000"  # a reward is not paid for
    missing = {"player_id": 1, "catalog_listing_id": "999999"}
    missed = await game.send("POST", "catalogs/inspired-ibex/v1/reward/grant", missing)
    assert error_of(missed) == (404, "not_found")


async def chest(admin: AdminApi, eco: Economy) -> int:
    """A container whose drop table gives a sword (weight 1) or 3 potions (weight 3)."""
    table = await loot(
        admin, "acme", name="Chest table", kind="drop_table",
        contents=[{"itemId": eco.sword, "quantity": 1, "weight": 1},
                  {"itemId": eco.potion, "quantity": 3, "weight": 3}],
    )  # fmt: skip
    return await item(admin, "acme", name="Chest", kind="container", lootId=table)


async def test_a_loot_box_is_inspected_then_opened_once(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    [box, sword] = await grant(operator, {"itemId": await chest(admin, eco)}, {"itemId": eco.sword})
    game = await LootLocker.start(client, runtime)
    path = f"player/1/assets/instances/{box}"
    odds = await game.call("GET", f"{path}/inspect")
    assert [(c["asset_id"], c["weight"]) for c in odds["contents"]] == [
        (eco.sword, 1),
        (eco.potion, 3),
    ]
    opened = await game.call("PUT", f"{path}/open")
    [prize] = opened["items"]
    assert prize["asset"]["id"] in (eco.sword, eco.potion)
    verified = await client.get(opened["fairness"]["snapshotUrl"])
    assert verified.status_code == 200, verified.text
    assert error_of(await game.send("PUT", f"{path}/open"))[0] == 404  # spent
    not_a_box = await game.send("GET", f"player/1/assets/instances/{sword}/inspect")
    assert error_of(not_a_box)[0] == 422


async def compute(game: LootLocker, table: int, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = await game.call(
        "POST", f"player/1/droptables/{table}/compute", **params
    )
    return found


async def test_a_drop_table_locks_one_drop_and_grants_it_once(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    table = await loot(
        admin, "acme", name="Drops", kind="drop_table",
        contents=[{"itemId": eco.sword, "quantity": 1, "weight": 1}],
    )  # fmt: skip
    await grant(operator, {"itemId": eco.potion})
    game = await LootLocker.start(client, runtime)
    first = await compute(game, table)
    replaced = await compute(game, table, asset_details="true")
    [drop] = replaced["items"]
    assert (drop["asset_id"], drop["asset"]["id"]) == (eco.sword, eco.sword)
    stale = {"picks": [first["items"][0]["id"]]}
    assert error_of(await game.send("POST", f"player/1/droptables/{table}/pick", stale))[0] == 404
    picked = await game.call("POST", f"player/1/droptables/{table}/pick", {"picks": [drop["id"]]})
    assert [(i["asset"]["id"], i["quantity"]) for i in picked["items"]] == [(eco.sword, 1)]
    again = await game.send("POST", f"player/1/droptables/{table}/pick", {"picks": [drop["id"]]})
    assert error_of(again)[0] == 404
    listed = await game.call("GET", "player/1/inventory")
    assert sorted(i["asset"]["id"] for i in listed["items"]) == sorted([eco.potion, eco.sword])
    assert error_of(await game.send("POST", "player/1/droptables/999999/compute"))[0] == 404

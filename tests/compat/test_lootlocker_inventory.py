"""LootLocker's server API: its session, and a player's inventory listed, added to and altered."""

import httpx
from sqlalchemy import func, select

from coffer.runtime import Runtime
from coffer.webhooks.models import WebhookEvent
from tests.conftest import ADMIN_TOKEN, OperatorCtx
from tests.support.api import AdminApi
from tests.support.economy import build
from tests.support.lootlocker import BASE, VERSION, LootLocker, error_of, scoped_token


async def test_a_game_server_starts_a_session_with_its_key_and_keeps_it_with_pings(
    client: httpx.AsyncClient, operator: OperatorCtx, runtime: Runtime
) -> None:
    session = f"{BASE}/session"
    assert error_of(await client.post(session, json={})) == (401, "unauthorized")
    wrong = await client.post(session, json={}, headers={"x-server-key": "cat_wrong"})
    assert error_of(wrong) == (401, "unauthorized")
    global_key = await client.post(session, json={}, headers={"x-server-key": ADMIN_TOKEN})
    assert error_of(global_key) == (403, "forbidden")
    key = await scoped_token(runtime, "acme")
    for version in ("2021-03-01", "2021-06-01"):
        started = await client.post(
            session,
            json={"game_version": "1"},
            headers={"LL-Version": version, "x-server-key": key},
        )
        assert started.status_code == 200, started.text
    game = LootLocker(client, started.json()["token"])
    assert "pong" in await game.call("GET", "ping")
    assert error_of(await client.get(f"{BASE}/ping", headers=VERSION)) == (401, "unauthorized")
    stale = LootLocker(client, "lls_not_a_session")
    assert error_of(await stale.send("GET", "ping")) == (401, "unauthorized")
    future = {"LL-Version": "2030-01-01", "x-server-key": key}
    assert error_of(await client.post(session, json={}, headers=future))[0] == 422
    assert error_of(await game.send("GET", "no/such/route")) == (404, "not_found")


async def grant(operator: OperatorCtx, *items: dict[str, int]) -> list[int]:
    body = {"playerExternalId": "p1", "idempotencyKey": f"g{len(items)}", "items": list(items)}
    done = await operator.s2s.post("/api/s2s/inventory/grants", body)
    assert done.status_code == 200, done.text
    return [change["inventoryItemId"] for change in done.json()["changes"]]


async def test_the_inventory_pages_with_count_and_after(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    ids = await grant(operator, *[{"itemId": eco.sword} for _ in range(5)])
    game = await LootLocker.start(client, runtime)
    player = 1
    first = await game.call("GET", f"player/{player}/inventory", count=2)
    assert first["total"] == 5
    assert [i["instance_id"] for i in first["items"]] == ids[:2]
    rest = await game.call("GET", f"player/{player}/inventory", count=500, after=ids[1])
    assert [i["instance_id"] for i in rest["items"]] == ids[2:]  # count past 200: 50
    assert rest["items"][0]["asset"]["id"] == eco.sword
    assert rest["items"][0]["rental"]["is_rental"] is False
    assert error_of(await game.send("GET", "player/99/inventory")) == (404, "not_found")


async def events(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(WebhookEvent)) or 0)


async def test_alter_adds_and_removes_in_one_call_or_changes_nothing(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    [sword, potions] = await grant(
        operator, {"itemId": eco.sword}, {"itemId": eco.potion, "quantity": 2}
    )
    game = await LootLocker.start(client, runtime)
    before, told = await game.call("GET", "player/1/inventory"), await events(runtime)
    failing = {"add": [{"asset_id": eco.ticket}], "remove": [sword, 999_999]}
    assert error_of(await game.send("PATCH", "player/1/inventory", failing)) == (404, "not_found")
    unknown = {"add": [{"asset_id": eco.ticket}, {"asset_id": 999_999}], "remove": [sword]}
    assert error_of(await game.send("PATCH", "player/1/inventory", unknown)) == (404, "not_found")
    assert await game.call("GET", "player/1/inventory") == before  # nothing changed
    assert await events(runtime) == told  # and nothing was told
    altered = await game.call(
        "PATCH", "player/1/inventory", {"add": [{"asset_id": eco.ticket}], "remove": [sword]}
    )
    assert altered["removed"] == [sword]
    assert [a["id"] for a in altered["added"]] == [eco.ticket]
    listed = await game.call("GET", "player/1/inventory")
    assert sorted(i["asset"]["id"] for i in listed["items"]) == sorted([eco.potion, eco.ticket])
    added = await game.call("POST", "player/1/inventory", {"asset_id": eco.sword})
    assert [i["asset"]["id"] for i in added["items"]] == [eco.sword]
    assert potions in [i["instance_id"] for i in listed["items"]]

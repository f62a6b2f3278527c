"""LootLocker's server API: its session, and a player's inventory listed, added to and altered."""

import json
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select, update

from coffer.api.lootlocker.shapes import inventory_item, inventory_page
from coffer.catalog.models import Item
from coffer.inventory.instances import Instance
from coffer.kit.db import utcnow
from coffer.kit.secrets import token_hash
from coffer.operators.models import ServerSession
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


def test_a_page_written_out_is_the_inventory_items_it_lists() -> None:
    now = utcnow()
    sword = Item(id=7, name="Sword", type="digital", image_url="https://x.test/s.png",
                 custom_attributes={"rarity": "epic"}, tags=["blade"], kind="item",
                 stackable=False, is_active=True, created_at=now, updated_at=now)  # fmt: skip
    potion = Item(id=8, name="Potion \"red\"", type="digital", image_url=None,
                  custom_attributes={}, tags=None, kind="item", stackable=True,
                  is_active=True, created_at=now, updated_at=now)  # fmt: skip
    rows = [
        (Instance(n, item.id, "persistent", None, n, None, now, None, {}), item)
        for n, item in [(1, sword), (2, potion), (3, sword)]
    ]
    written = json.loads(inventory_page(rows, 9))
    assert written == {"total": 9, "items": [inventory_item(i, item) for i, item in rows]}


async def test_a_session_ends_an_hour_after_its_last_ping(
    client: httpx.AsyncClient, operator: OperatorCtx, runtime: Runtime
) -> None:
    game = await LootLocker.start(client, runtime)
    async with runtime.sessions() as session:  # the hour without a ping has passed
        await session.execute(
            update(ServerSession).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    assert error_of(await game.send("GET", "player/1/inventory")) == (401, "unauthorized")
    assert error_of(await game.send("GET", "ping")) == (401, "unauthorized")  # too late to ping
    fresh = await LootLocker.start(client, runtime)
    before = await stored_expiry(runtime, fresh)
    assert "pong" in await fresh.call("GET", "ping")
    assert await stored_expiry(runtime, fresh) > before  # a ping keeps it for another hour


async def stored_expiry(runtime: Runtime, game: LootLocker) -> datetime:
    async with runtime.sessions() as session:
        found = await session.scalar(
            select(ServerSession.expires_at).where(
                ServerSession.token_hash == token_hash(game.headers["x-auth-token"])
            )
        )
    assert found is not None
    return found

"""The orders API's edges: auth and validation shapes, listing, S2S grants, and races."""

import asyncio
import uuid

import httpx
from sqlalchemy import func, select

from coffer.orders.models import PlayerOrder
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx, make_operator
from tests.orders.test_orders import client_for, gems, held
from tests.support.api import AdminApi
from tests.support.economy import Orders, build, buy, player_token, results

ORDERS = "/inventory/v1/player/me/order"


async def test_no_or_a_bad_token_is_the_reference_403(
    client: httpx.AsyncClient, operator: OperatorCtx
) -> None:
    for headers in ({}, {"Authorization": "Bearer ps_nope"}, {"Authorization": "Basic x"}):
        answer = await client.get(ORDERS, headers=headers)
        assert answer.status_code == 403
        body = answer.json()
        assert set(body) == {"auth_success", "error_code", "desc"}
        assert body["auth_success"] is False
        assert body["error_code"] == "SESSION_INVALID"


async def test_invalid_requests_are_the_reference_422(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    orders = await client_for(client, operator)
    for params in ({"limit": 0}, {"limit": 51}, {"sort": "up"}, {"starting_position": "soon"}):
        answer = await orders.list(**params)
        assert answer.status_code == 422, params
        (issue,) = answer.json()["detail"]
        assert set(issue) == {"loc", "msg", "type"}
        assert issue["loc"][0] == "query"
    bad = await orders.list(cursor="not-ours")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "cursor"]
    bodies: list[dict[str, object]] = [
        {},
        {"entries": []},
        {"entries": [{"type": "steal_everything", "quantity": 1}]},
        {"entries": [{"type": "fill_loot"}]},
        {"entries": [{"type": "fill_loot", "quantity": 1}], "client_order_ref_id": "x"},
    ]
    for body in bodies:
        answer = await client.post(ORDERS, json=body, headers=orders.headers)
        assert answer.status_code == 422, body
        assert answer.json()["detail"][0]["loc"][0] == "body"


async def test_the_listing_pages_by_cursor_either_way_and_from_a_time(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    placed = []
    for _ in range(5):
        made = await orders.order({"type": "fill_loot", "loot_id": eco.daily, "quantity": 1})
        placed.append(made["order_id"])
    first = (await orders.list(limit=2)).json()
    assert [o["order_id"] for o in first["data"]] == placed[:-3:-1]  # newest first
    assert first["page"]["sort"] == "desc"
    assert first["page"]["limit"] == 2
    seen = [o["order_id"] for o in first["data"]]
    cursor = first["page"]["cursor"]
    while cursor:
        page = (
            await orders.list(limit=2, cursor=cursor, starting_position="2001-01-01T00:00:00Z")
        ).json()
        seen += [o["order_id"] for o in page["data"]]
        cursor = page["page"]["cursor"]
    assert seen == placed[::-1]
    oldest = (await orders.list(sort="asc", limit=50)).json()
    assert [o["order_id"] for o in oldest["data"]] == placed
    assert oldest["page"]["cursor"] is None
    future = (await orders.list(sort="asc", starting_position="2999-01-01T00:00:00Z")).json()
    assert future["data"] == []
    past = (await orders.list(sort="desc", starting_position=0)).json()  # a unix time
    assert past["data"] == []
    others = Orders(client, await player_token(operator, "p2"))
    assert (await others.list()).json()["data"] == []  # one player's orders only


async def test_s2s_grants_and_revokes_apply_once_per_key(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    grant = {
        "playerExternalId": "p1",
        "idempotencyKey": "g1",
        "items": [{"itemId": eco.potion, "quantity": 4}, {"itemId": eco.gem, "quantity": 50}],
    }
    first = await operator.s2s.post("/api/s2s/inventory/grants", grant)
    again = await operator.s2s.post("/api/s2s/inventory/grants", grant)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert await held(runtime) == {eco.potion: 4}
    assert await gems(operator) == 1050
    reused = await operator.s2s.post(
        "/api/s2s/inventory/grants", {**grant, "items": [{"itemId": eco.potion}]}
    )
    assert (reused.status_code, reused.json()["error"]["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    stack = first.json()["changes"][0]["inventoryItemId"]
    revoke = {"playerExternalId": "p1", "idempotencyKey": "r1", "inventoryItemId": stack}
    taken = await operator.s2s.post("/api/s2s/inventory/revokes", {**revoke, "quantity": 3})
    assert taken.json()["changes"][0]["countAfter"] == 1
    past = await operator.s2s.post(
        "/api/s2s/inventory/revokes", {**revoke, "idempotencyKey": "r2", "quantity": 2}
    )
    assert (past.status_code, past.json()["error"]["code"]) == (422, "INSUFFICIENT_ITEMS")
    assert await held(runtime) == {eco.potion: 1}
    listed = (await Orders(client, await player_token(operator)).list()).json()["data"]
    assert [o["source"] for o in listed] == ["SYSTEM", "SYSTEM"]  # shown as the operator's


async def test_another_operators_items_and_loots_are_not_found(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    eco = await build(admin)
    other = await make_operator(admin, client, "rival")
    await build(admin, "rival")
    grant = {"playerExternalId": "p1", "idempotencyKey": "g", "items": [{"itemId": eco.potion}]}
    refused = await other.s2s.post("/api/s2s/inventory/grants", grant)
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "NOT_FOUND")
    await admin.call("GET", f"/operators/rival/loots/{eco.starter}", expect=404)
    rival = Orders(client, await player_token(other))
    order = await rival.order(
        buy(eco.starter, eco.gem, 200), {"type": "fill_loot", "loot_id": eco.daily, "quantity": 1}
    )
    assert results(order) == ["loot_not_found", "loot_not_found"]


async def test_fifty_concurrent_orders_with_one_ref_apply_once(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    ref = str(uuid.uuid4())
    body = {"entries": [buy(eco.starter, eco.gem, 200)], "client_order_ref_id": ref}
    answers = await asyncio.gather(*(orders.post(body) for _ in range(50)))
    assert len({a["order_id"] for a in answers}) == 1
    assert all(results(a) == ["success"] for a in answers)
    assert await gems(operator) == 900
    assert await held(runtime) == {eco.potion: 3}
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PlayerOrder)) == 1


async def test_concurrent_orders_that_take_rows_in_other_orders_all_succeed(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Players buying packs that hold the currency they pay in, beside fills of the same stacks
    in the other order: no order waits on a shared mint or burn row, and one player's orders run
    one after another (the player's row lock), so they never deadlock: never a 500."""
    eco = await build(admin)
    players = [Orders(client, await player_token(operator, f"c{n}")) for n in range(6)]
    fill = {"type": "fill_loot", "loot_id": eco.daily, "quantity": 1}
    shapes = [[buy(eco.starter, eco.gem, 200), fill], [fill, buy(eco.starter, eco.gem, 200)]]
    placed = [  # two orders each: 8 potions, where the stack holds 10
        orders.order(*shapes[n % 2], is_transaction=True) for orders in players for n in range(2)
    ]
    answers = await asyncio.gather(*placed)
    assert [results(a) for a in answers] == [["success", "success"]] * len(answers)
    for n in range(6):  # two packs each: 1000 - 2 x 200 + 2 x 100
        assert await gems(operator, f"c{n}") == 800
    assert await held(runtime) == {eco.potion: 6 * 2 * 4}


async def test_a_token_minted_for_orders_never_opens_the_player_apps_money_routes(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    token = await player_token(operator)
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/play/inventory", "/api/play/wallet/balance"):
        refused = await client.get(path, headers=headers)
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "SESSION_INVALID")
    assert (await client.get(ORDERS, headers=headers)).status_code == 200

"""Containers: opened once per key, their key spent, the draw verifiable like a box round."""

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import func, select

from coffer.fairness.verify import verify_draw
from coffer.loot.models import ContainerOpen
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.orders.test_orders import held
from tests.support.api import AdminApi
from tests.support.economy import build, item, loot


async def chest(admin: AdminApi, potion: int, sword: int, key: int | None) -> int:
    table = await loot(
        admin, "acme", name="Chest drops", kind="drop_table",
        contents=[{"itemId": potion, "quantity": 2, "weight": 3_000_000},
                  {"itemId": sword, "quantity": 1, "weight": 1_000_000}],
    )  # fmt: skip
    extra = {"keyItemId": key} if key else {}
    return await item(admin, "acme", name="Chest", kind="container", lootId=table, **extra)


async def grant(operator: OperatorCtx, key: str, *items: int) -> list[int]:
    body = {"playerExternalId": "p1", "idempotencyKey": key,
            "items": [{"itemId": i} for i in items]}  # fmt: skip
    answer = await operator.s2s.post("/api/s2s/inventory/grants", body)
    assert answer.status_code == 200, answer.text
    return [c["inventoryItemId"] for c in answer.json()["changes"]]


async def open_(operator: OperatorCtx, instance: int, key: str) -> httpx.Response:
    body = {"playerExternalId": "p1", "inventoryItemId": instance, "idempotencyKey": key}
    return await operator.s2s.post("/api/s2s/inventory/containers/open", body)


async def test_a_container_opens_once_spends_its_key_and_verifies(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    key_item = await item(admin, "acme", name="Key", stackable=True)
    container = await chest(admin, eco.potion, eco.sword, key_item)
    (box,) = await grant(operator, "g1", container)
    refused = await open_(operator, box, "o0")  # no key yet
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "INSUFFICIENT_ITEMS")
    assert await held(runtime) == {container: 1}
    await grant(operator, "g2", key_item)
    first = await open_(operator, box, "o1")
    again = await open_(operator, box, "o1")
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    opened: dict[str, Any] = first.json()["open"]
    prize = opened["prize"]
    assert await held(runtime) == {prize["itemId"]: prize["quantity"]}  # chest and key spent
    fairness = opened["fairness"]
    public = (await client.get(f"/fairness/container-opens/{opened['openId']}")).json()["open"]
    assert public["serverSeed"] is None  # committed, not yet revealed
    snapshot = await client.get(fairness["snapshotUrl"])
    assert snapshot.headers["x-snapshot-hash"] == fairness["snapshotHash"]
    rotate = {"playerExternalId": "p1", "clientActionId": "rot-1"}
    revealed = await operator.s2s.post("/api/s2s/fairness/rotate", rotate)
    assert revealed.status_code == 200, revealed.text
    seed = (await client.get(f"/fairness/container-opens/{opened['openId']}")).json()["open"]
    (reel,) = verify_draw(
        json.loads(snapshot.content), seed["serverSeed"], fairness["clientSeed"],
        fairness["nonce"], 1,
    )  # fmt: skip
    assert (reel.ticket, reel.prize_id, reel.item_id) == (
        fairness["ticket"],
        fairness["prizeId"],
        prize["itemId"],
    )
    reused = await open_(operator, box + 1, "o1")
    assert (reused.status_code, reused.json()["error"]["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")


async def test_only_a_held_container_opens(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    container = await chest(admin, eco.potion, eco.sword, None)
    (sword,) = await grant(operator, "g1", eco.sword)
    not_one = await open_(operator, sword, "o1")
    assert (not_one.status_code, not_one.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    missing = await open_(operator, 999_999, "o2")
    assert missing.status_code == 404
    (box,) = await grant(operator, "g2", container)
    assert (await open_(operator, box, "o3")).status_code == 200
    spent = await open_(operator, box, "o4")  # the same chest, already opened
    assert spent.status_code == 404
    async with runtime.sessions() as session:
        done = await session.scalar(
            select(func.count()).select_from(ContainerOpen).where(ContainerOpen.ticket.is_not(None))
        )
    assert done == 1


async def test_concurrent_opens_with_one_key_open_one_container(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    container = await chest(admin, eco.potion, eco.sword, None)
    body = {"playerExternalId": "p1", "idempotencyKey": "g",
            "items": [{"itemId": container, "quantity": 3}]}  # fmt: skip
    granted = (await operator.s2s.post("/api/s2s/inventory/grants", body)).json()
    boxes = [c["inventoryItemId"] for c in granted["changes"]]
    answers = await asyncio.gather(*(open_(operator, boxes[0], "same") for _ in range(10)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["open"]["openId"] for a in answers}) == 1
    left = await held(runtime)
    assert left[container] == 2  # one of three opened


async def test_a_drop_table_is_never_filled_or_sold_directly(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    eco = await build(admin)
    body = {
        "name": "Drops",
        "kind": "drop_table",
        "contents": [{"itemId": eco.potion, "quantity": 1}],
    }
    no_weight = await admin.call("POST", "/operators/acme/loots", body, expect=422)
    assert "weight" in json.dumps(no_weight)
    priced = {**body, "contents": [{"itemId": eco.potion, "quantity": 1, "weight": 1}],
              "prices": [{"priceItemId": eco.gem, "price": 1}]}  # fmt: skip
    await admin.call("POST", "/operators/acme/loots", priced, expect=422)

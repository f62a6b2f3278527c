"""GET /api/s2s/inventory: the player's vault, newest first, keyset paged both ways."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from coffer.inventory.listing import STATES
from coffer.inventory.models import InventoryItem
from coffer.runtime import Runtime
from tests.conftest import make_operator
from tests.support.api import AdminApi
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]
INVENTORY = "/api/s2s/inventory"


async def won(shop: Shop, key: str, count: int = 1) -> list[int]:
    """Buy ``count`` swords in one round; their inventory ids."""
    reels = [{"reelIndex": i, "boxVersionId": shop.sword_version} for i in range(count)]
    response = await shop.buy(key, reels=reels)
    assert response.status_code == 200, response.text
    return [w["inventoryItemId"] for w in body_of(response)["round"]["wonItems"]]


async def vault(shop: Shop, **params: Any) -> Any:
    response = await shop.operator.s2s.get(INVENTORY, {"playerExternalId": PLAYER, **params})
    assert response.status_code == 200, response.text
    return body_of(response)


async def set_state(runtime: Runtime, state: str, *ids: int) -> None:
    async with runtime.sessions() as session:
        await session.execute(
            update(InventoryItem).where(InventoryItem.id.in_(ids)).values(state=state)
        )
        await session.commit()


def ids_of(page: Any) -> list[int]:
    return [item["id"] for item in page["items"]]


async def test_item_shape_field_for_field(shop: Shop) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    bought = body_of(await shop.buy("click-1"))["round"]
    [won_item] = bought["wonItems"]
    page = await vault(shop)
    assert page["cursor"] == {"next": None, "prev": None}
    [item] = page["items"]
    created = item.pop("createdAt")
    assert item == {
        "id": won_item["inventoryItemId"],
        "itemId": shop.sword_item,
        "name": "Golden Sword",
        "type": "physical",
        "imageUrl": None,
        "valueMinor": 320,
        "currency": "EUR",
        "state": "unresolved",
        "cashbackMinor": 80,
        "shippable": True,
        "wonAtRoundPublicId": bought["publicId"],
        "kind": "item",  # the generic model's fields (SPEC §12), as a prize has them
        "origin": "round",
        "count": 1,
        "remainingUses": None,
        "expiresAt": None,
        "customData": {},
        "inventoryType": "persistent",
        "bucket": None,
        "itemClass": None,
        "tags": [],
    }
    assert created.endswith("Z")
    landed = datetime.fromisoformat(created.replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - landed) < timedelta(minutes=5)


async def test_state_filter_defaults_to_unresolved_and_ignores_unknown(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    first, second, third = await won(shop, "a", 3)
    await set_state(runtime, "cashed_back", second)
    await set_state(runtime, "shipped", third)
    assert ids_of(await vault(shop)) == [first]
    assert ids_of(await vault(shop, state="")) == [first]
    cashed = await vault(shop, state="cashed_back,bogus, ,UNRESOLVED")
    assert ids_of(cashed) == [second]
    assert cashed["items"][0]["state"] == "cashed_back"
    assert cashed["items"][0]["cashbackMinor"] is None
    both = await vault(shop, state="unresolved,shipped,cashed_back")
    assert ids_of(both) == [third, second, first]
    nothing = await vault(shop, state="bogus,nope")
    assert nothing == {"items": [], "cursor": {"next": None, "prev": None}}


async def test_pages_of_two_interleaved_states_merge_in_id_order(
    shop: Shop, runtime: Runtime
) -> None:
    """Each state is read on its own and merged: pages stay newest first across states."""
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    ids = await won(shop, "m", 7)
    await set_state(runtime, "cashed_back", *ids[1::2])
    newest = sorted(ids, reverse=True)
    both = "unresolved,cashed_back"
    pages = [await vault(shop, limit=3, state=both)]
    while pages[-1]["cursor"]["next"] is not None:
        pages.append(await vault(shop, limit=3, state=both, cursor=pages[-1]["cursor"]["next"]))
    assert [ids_of(p) for p in pages] == [newest[:3], newest[3:6], newest[6:]]
    back = await vault(shop, limit=3, state=both, cursor=pages[2]["cursor"]["prev"])
    assert ids_of(back) == newest[3:6]
    top = await vault(shop, limit=3, state=both, cursor=back["cursor"]["prev"])
    assert (ids_of(top), top["cursor"]["prev"]) == (newest[:3], None)


async def test_pages_forwards_and_back_through_seven_items(shop: Shop) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    ids = await won(shop, "a", 4) + await won(shop, "b", 3)
    newest = sorted(ids, reverse=True)
    pages = [await vault(shop, limit=3)]
    assert pages[0]["cursor"]["prev"] is None
    while pages[-1]["cursor"]["next"] is not None:
        pages.append(await vault(shop, limit=3, cursor=pages[-1]["cursor"]["next"]))
    assert [ids_of(p) for p in pages] == [newest[:3], newest[3:6], newest[6:]]
    back = await vault(shop, limit=3, cursor=pages[2]["cursor"]["prev"])
    assert ids_of(back) == newest[3:6]
    top = await vault(shop, limit=3, cursor=back["cursor"]["prev"])
    assert ids_of(top) == newest[:3]
    assert top["cursor"]["prev"] is None
    again = await vault(shop, limit=3, cursor=top["cursor"]["next"])
    assert ids_of(again) == newest[3:6]


async def test_paging_survives_new_items_and_state_changes(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    newest = sorted(await won(shop, "a", 4) + await won(shop, "b", 3), reverse=True)
    first = await vault(shop, limit=3)
    assert ids_of(first) == newest[:3]
    added = await won(shop, "c", 2)
    boundary, gone = newest[2], newest[4]  # the cursor's own item, and one on the next page
    await set_state(runtime, "cashed_back", boundary, gone)
    second = await vault(shop, limit=3, cursor=first["cursor"]["next"])
    assert ids_of(second) == [newest[3], newest[5], newest[6]]
    assert second["cursor"]["next"] is None
    seen = ids_of(first) + ids_of(second)
    assert len(seen) == len(set(seen))
    assert set(newest) - {boundary, gone} <= set(seen)
    back = await vault(shop, limit=3, cursor=second["cursor"]["prev"])
    assert ids_of(back) == [min(added), newest[0], newest[1]]
    top = await vault(shop, limit=3, cursor=back["cursor"]["prev"])
    assert ids_of(top) == [max(added)]
    assert top["cursor"]["prev"] is None


async def test_name_is_live_and_cashback_follows_the_policy(shop: Shop, admin: AdminApi) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    await won(shop, "a")
    slug = shop.operator.slug
    await admin.call("PATCH", f"/operators/{slug}/items/{shop.sword_item}", {"name": "Relic"})
    [item] = (await vault(shop))["items"]
    assert (item["name"], item["cashbackMinor"]) == ("Relic", 80)
    await admin.call("PATCH", f"/operators/{slug}", {"policies": {"cashbackEnabled": False}})
    [item] = (await vault(shop))["items"]
    assert item["cashbackMinor"] is None


async def test_limit_bounds(shop: Shop) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    await won(shop, "a", 2)
    assert len((await vault(shop, limit=1))["items"]) == 1
    assert len((await vault(shop, limit=200))["items"]) == 2
    for bad in (0, 201, -1, "x"):
        response = await shop.operator.s2s.get(
            INVENTORY, {"playerExternalId": PLAYER, "limit": bad}
        )
        assert response.status_code == 422, bad
        assert body_of(response)["error"]["code"] == "VALIDATION_ERROR"


def forged(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


async def test_a_cursor_that_is_not_ours_is_refused(shop: Shop) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    await won(shop, "a")
    bad = [
        "garbage!",
        "eyJpZCI6ODh9",  # the reference's {"id": 88}: no direction
        forged({"dir": "up", "id": 3}),
        forged({"dir": "next", "id": "3"}),
        forged({"dir": "next", "id": -1}),
        forged({"dir": "next", "id": 2**70}),
        forged({"dir": "next", "id": True}),
        forged([1, 2]),
        forged({"dir": "next", "id": 3, "extra": 1}),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ]
    for cursor in bad:
        response = await shop.operator.s2s.get(
            INVENTORY, {"playerExternalId": PLAYER, "cursor": cursor}
        )
        assert response.status_code == 422, cursor
        error = body_of(response)["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert "cursor" in error["fields"]


async def test_unknown_player_missing_query_and_bad_signature(shop: Shop) -> None:
    unknown = await shop.operator.s2s.get(INVENTORY, {"playerExternalId": "nobody"})
    assert unknown.status_code == 404
    assert body_of(unknown)["error"]["code"] == "UNKNOWN_PLAYER"
    missing = await shop.operator.s2s.get(INVENTORY)
    assert missing.status_code == 422
    assert body_of(missing)["error"]["code"] == "VALIDATION_ERROR"
    unsigned = await shop.operator.s2s.client.get(INVENTORY, params={"playerExternalId": PLAYER})
    assert unsigned.status_code == 401


async def test_another_operator_never_sees_the_vault(
    shop: Shop, admin: AdminApi, client: httpx.AsyncClient
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    await won(shop, "a", 4)
    mine = await vault(shop, limit=2)
    other = await make_operator(admin, client, "globex")
    params = {"playerExternalId": PLAYER}
    unknown = await other.s2s.get(INVENTORY, params)
    assert body_of(unknown)["error"]["code"] == "UNKNOWN_PLAYER"
    state = await other.s2s.get("/api/s2s/fairness/state", params)
    assert state.status_code == 200, state.text  # now globex has its own player u_8431
    for extra in ({}, {"cursor": mine["cursor"]["next"]}, {"state": ",".join(STATES)}):
        response = await other.s2s.get(INVENTORY, {**params, **extra})
        assert response.status_code == 200, response.text
        assert body_of(response)["items"] == []

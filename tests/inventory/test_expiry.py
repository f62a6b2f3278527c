"""Items left unclaimed past the operator's window expire; the operator may forward an item."""

import asyncio
from datetime import timedelta

import httpx

from coffer.jobs import expire_once
from coffer.kit.db import utcnow
from coffer.runtime import Runtime
from tests.conftest import make_operator
from tests.support.inventory import cash_out, error_of, state_of, won_sword
from tests.support.shipping import place
from tests.support.shop import PLAYER, Shop, body_of, ledger_amounts, shop
from tests.support.webhooks import data, kinds, outbox

__all__ = ["shop"]
FORWARD = "/api/s2s/inventory/forward"


async def claim_window(shop: Shop, days: int | None) -> None:
    policies = {"claimWindowDays": days}
    await shop.admin.call("PATCH", f"/operators/{shop.operator.slug}", {"policies": policies})


async def won_swords(shop: Shop, count: int) -> list[int]:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    return [await won_sword(shop, f"k-{n}") for n in range(count)]


def days_later(days: float) -> timedelta:
    return timedelta(days=days)


async def test_items_never_expire_unless_the_operator_sets_a_window(
    shop: Shop, runtime: Runtime
) -> None:
    [item_id] = await won_swords(shop, 1)
    assert await expire_once(runtime, utcnow() + days_later(3650)) == 0
    assert await state_of(runtime, item_id) == "unresolved"
    assert kinds(await outbox(runtime)) == ["round_settled"]


async def test_unresolved_items_past_the_window_expire_once(shop: Shop, runtime: Runtime) -> None:
    kept, cashed, old = await won_swords(shop, 3)
    assert (await cash_out(shop, cashed)).status_code == 200
    await claim_window(shop, 30)
    assert await expire_once(runtime, utcnow() + days_later(29)) == 0
    assert await expire_once(runtime, utcnow() + days_later(31)) == 2
    assert [await state_of(runtime, i) for i in (kept, cashed, old)] == [
        "expired",
        "cashed_back",
        "expired",
    ]
    expired = await outbox(runtime, "item_expired")
    assert [data(e)["inventoryItemId"] for e in expired] == [kept, old]
    first = data(expired[0])
    assert (first["state"], first["claimWindowDays"], first["itemId"]) == (
        "expired",
        30,
        shop.sword_item,
    )
    assert first["wonAtRoundPublicId"].startswith("r_")
    assert first["expiredAt"].endswith("Z")
    assert await expire_once(runtime, utcnow() + days_later(400)) == 0
    assert len(await outbox(runtime, "item_expired")) == 2
    refused = await cash_out(shop, kept)
    assert error_of(refused) == (422, "CASHBACK_NOT_AVAILABLE")
    assert body_of(await place(shop, [old]))["error"]["code"] == "INVENTORY_NOT_SHIPPABLE"
    listed = await shop.operator.s2s.get(
        "/api/s2s/inventory", {"playerExternalId": PLAYER, "state": "expired"}
    )
    assert sorted(row["id"] for row in body_of(listed)["items"]) == [kept, old]


async def test_expiry_works_in_batches(shop: Shop, runtime: Runtime) -> None:
    ids = await won_swords(shop, 5)
    await claim_window(shop, 1)
    batched = runtime.with_settings(expiry_batch=2)
    assert await expire_once(batched, utcnow() + days_later(2)) == 5
    assert {await state_of(runtime, i) for i in ids} == {"expired"}


async def test_a_cashout_racing_expiry_has_one_winner(shop: Shop, runtime: Runtime) -> None:
    ids = await won_swords(shop, 6)
    await claim_window(shop, 1)
    answers = await asyncio.gather(
        *(cash_out(shop, i) for i in ids), expire_once(runtime, utcnow() + days_later(2))
    )
    credited = {key for key, _ in ledger_amounts(shop.casino) if key.startswith("cashback:")}
    expired_events = {data(e)["inventoryItemId"] for e in await outbox(runtime, "item_expired")}
    cashed_events = {data(e)["inventoryItemId"] for e in await outbox(runtime, "item_cashed_back")}
    for item_id, answer in zip(ids, answers[:-1], strict=True):
        assert isinstance(answer, httpx.Response)
        state = await state_of(runtime, item_id)
        won = f"cashback:inventory:{item_id}" in credited
        assert (state, won) in {("cashed_back", True), ("expired", False)}, (state, won)
        assert (item_id in cashed_events) is won
        assert (item_id in expired_events) is not won
        expected = 200 if won else 422
        assert answer.status_code == expected, answer.text
    shop.casino.assert_ledger_consistent()


async def test_the_operator_forwards_an_item_to_the_casino(
    shop: Shop, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    forwarded, cashed = await won_swords(shop, 2)
    body = {"playerExternalId": PLAYER, "inventoryItemId": forwarded}
    first = await shop.operator.s2s.post(FORWARD, body)
    assert first.status_code == 200, first.text
    assert body_of(first) == {
        "item": {
            "inventoryItemId": forwarded,
            "itemId": shop.sword_item,
            "state": "forwarded_to_casino",
        }
    }
    again = await shop.operator.s2s.post(FORWARD, body)
    assert again.content == first.content
    assert await state_of(runtime, forwarded) == "forwarded_to_casino"
    assert error_of(await cash_out(shop, forwarded)) == (422, "CASHBACK_NOT_AVAILABLE")
    await cash_out(shop, cashed)
    late = await shop.operator.s2s.post(FORWARD, {**body, "inventoryItemId": cashed})
    assert error_of(late) == (409, "CONFLICT")
    assert "cashed_back" in body_of(late)["error"]["message"]
    stranger = await shop.operator.s2s.post(FORWARD, {**body, "playerExternalId": "u_other"})
    assert error_of(stranger) == (404, "INVENTORY_ITEM_NOT_FOUND")
    beta = await make_operator(shop.admin, client, "beta")
    elsewhere = await beta.s2s.post(FORWARD, body)
    assert error_of(elsewhere) == (404, "INVENTORY_ITEM_NOT_FOUND")
    listed = await shop.operator.s2s.get(
        "/api/s2s/inventory", {"playerExternalId": PLAYER, "state": "forwarded_to_casino"}
    )
    assert [row["id"] for row in body_of(listed)["items"]] == [forwarded]


async def test_the_window_counts_from_when_the_item_became_unresolved(
    shop: Shop, runtime: Runtime
) -> None:
    from sqlalchemy import update

    from coffer.inventory.models import InventoryItem
    from tests.support.shipping import placed, staff

    returned, untouched = await won_swords(shop, 2)
    long_ago = utcnow() - days_later(40)
    async with runtime.sessions() as session:
        await session.execute(
            update(InventoryItem).values(created_at=long_ago, updated_at=long_ago)
        )
        await session.commit()
    order = await placed(shop, [returned])
    await staff(shop, order["publicId"], "cancel")  # the item is back in the vault today
    await claim_window(shop, 30)
    assert await expire_once(runtime) == 1
    assert await state_of(runtime, returned) == "unresolved"
    assert await state_of(runtime, untouched) == "expired"
    assert await expire_once(runtime, utcnow() + days_later(31)) == 1
    assert await state_of(runtime, returned) == "expired"

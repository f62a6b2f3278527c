"""Purchases through the reference casino's wallet: every flow of the reference page."""

import asyncio
import json
from typing import Any

from sqlalchemy import event, func, select

from coffer.catalog.models import BoxVersion
from coffer.fairness.verify import verify_draw
from coffer.inventory.models import Entitlement, InventoryItem
from coffer.rounds.models import PlayerAction
from coffer.runtime import Runtime
from tests.support.shop import (
    CANCEL,
    PLAYER,
    Shop,
    assert_money_consistent,
    body_of,
    ledger_amounts,
    rounds,
    shop,
)

__all__ = ["shop"]


async def count(runtime: Runtime, model: type[object]) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_atomic_open_debits_draws_and_settles(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    response = await shop.buy("click-1")
    assert response.status_code == 200, response.text
    body = body_of(response)
    round_ = body["round"]
    assert round_["publicId"].startswith("r_")
    assert (round_["status"], round_["betMinor"], round_["payoutMinor"]) == ("settled", 500, 320)
    assert round_["currency"] == "EUR"
    assert round_["reels"] == [
        {
            "reelIndex": 0,
            "boxVersionId": shop.sword_version,
            "prize": {"itemId": shop.sword_item, "name": "Golden Sword", "valueMinor": 320},
        }
    ]
    [won] = round_["wonItems"]
    assert won["itemId"] == shop.sword_item
    assert (won["cashbackMinor"], won["currency"], won["state"]) == (80, "EUR", "unresolved")
    assert round_["fairness"]["nonce"] == 0
    assert round_["fairness"]["algorithmKey"] == "hmac_sha256_v1"
    assert body["balanceAfterMinor"] == 9_500
    assert shop.casino.balance(PLAYER) == 9_500
    assert ledger_amounts(shop.casino)[-1] == (f"round:{round_['publicId']}", -500)
    assert await count(runtime, InventoryItem) == 1
    await assert_money_consistent(runtime, shop.casino)


async def test_a_settled_round_verifies_from_its_revealed_seed(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    reels = [{"reelIndex": i, "boxVersionId": shop.sword_version} for i in range(3)]
    settled = body_of(await shop.buy("multi", reels=reels))["round"]
    assert settled["betMinor"] == 1_500
    assert [k for k, _ in ledger_amounts(shop.casino)].count(f"round:{settled['publicId']}") == 1
    rotated = body_of(
        await shop.operator.s2s.post(
            "/api/s2s/fairness/rotate", {"playerExternalId": PLAYER, "clientActionId": "rot-1"}
        )
    )
    assert rotated["revealed"]["serverSeedHash"] == settled["fairness"]["serverSeedHash"]
    async with runtime.sessions() as session:
        version = await session.get(BoxVersion, shop.sword_version)
        assert version is not None
        snapshot = json.loads(version.snapshot)
    checked = verify_draw(
        snapshot,
        rotated["revealed"]["serverSeed"],
        settled["fairness"]["clientSeed"],
        settled["fairness"]["nonce"],
        3,
    )
    assert [r.item_id for r in checked] == [shop.sword_item] * 3
    again = body_of(await shop.buy("next"))["round"]
    assert again["fairness"]["nonce"] == 0
    assert again["fairness"]["serverSeedHash"] == rotated["current"]["serverSeedHash"]


async def test_prepay_then_open_then_cancel_rules(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    held = await shop.buy("prepay-1", mode="prepay")
    assert held.status_code == 201, held.text
    round_ = body_of(held)["round"]
    assert (round_["status"], round_["betMinor"], round_["boxVersionId"]) == (
        "held",
        500,
        shop.sword_version,
    )
    assert body_of(held)["balanceAfterMinor"] == 9_500
    await shop.admin.call(
        "PUT",
        f"/operators/{shop.operator.slug}/boxes/{shop.sword_box}/draft",
        {"priceMinor": 900, "currency": "EUR", "prizes": [{"cashMinor": 1, "weight": 1}]},
    )
    await shop.admin.call(
        "POST", f"/operators/{shop.operator.slug}/boxes/{shop.sword_box}/publish", expect=201
    )
    opened = await shop.buy("open-1", reels=..., roundPublicId=round_["publicId"], gameKey=...)
    assert opened.status_code == 200, opened.text
    settled = body_of(opened)["round"]
    assert (settled["status"], settled["betMinor"]) == ("settled", 500)
    assert settled["reels"][0]["prize"]["itemId"] == shop.sword_item
    assert len(ledger_amounts(shop.casino)) == 2
    replay = await shop.buy("open-1", reels=..., roundPublicId=round_["publicId"], gameKey=...)
    assert (replay.status_code, replay.content) == (opened.status_code, opened.content)
    again = await shop.buy("open-2", reels=..., roundPublicId=round_["publicId"], gameKey=...)
    assert (again.status_code, body_of(again)["error"]["code"]) == (409, "ROUND_NOT_HELD")
    missing = await shop.buy("open-3", reels=..., roundPublicId="r_" + "0" * 26)
    assert (missing.status_code, body_of(missing)["error"]["code"]) == (404, "ROUND_NOT_FOUND")
    cancel = await shop.operator.s2s.post(
        CANCEL, {"playerExternalId": PLAYER, "roundPublicId": round_["publicId"]}
    )
    assert (cancel.status_code, body_of(cancel)["error"]["code"]) == (409, "ROUND_NOT_REFUNDABLE")
    assert shop.casino.balance(PLAYER) == 9_500
    await assert_money_consistent(runtime, shop.casino)


async def test_cancel_refunds_a_held_round_once(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    round_ = body_of(await shop.buy("prepay-1", mode="prepay"))["round"]
    cancel = {"playerExternalId": PLAYER, "roundPublicId": round_["publicId"]}
    refunded = await shop.operator.s2s.post(CANCEL, cancel)
    assert refunded.status_code == 200, refunded.text
    assert body_of(refunded)["round"] == {
        "publicId": round_["publicId"],
        "status": "refunded",
        "refundedMinor": 500,
        "currency": "EUR",
    }
    assert body_of(refunded)["balanceAfterMinor"] == 1_000
    again = await shop.operator.s2s.post(CANCEL, cancel)
    assert (again.status_code, body_of(again)["round"]["status"]) == (200, "refunded")
    keys = [k for k, _ in ledger_amounts(shop.casino)]
    assert keys.count(f"refund:round:{round_['publicId']}") == 1
    opened = await shop.buy("open-1", reels=..., roundPublicId=round_["publicId"])
    assert body_of(opened)["error"]["code"] == "ROUND_NOT_HELD"
    assert shop.casino.balance(PLAYER) == 1_000
    await assert_money_consistent(runtime, shop.casino)


async def test_refunds_off_and_operator_funding(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    free = await shop.buy("free-1", mode="prepay", funding="operator")
    assert free.status_code == 201
    public_id = body_of(free)["round"]["publicId"]
    assert body_of(free)["round"]["funding"] == "operator"
    refused = await shop.operator.s2s.post(
        CANCEL, {"playerExternalId": PLAYER, "roundPublicId": public_id}
    )
    assert body_of(refused)["error"]["code"] == "ROUND_NOT_REFUNDABLE"
    assert shop.casino.balance(PLAYER) == 1_000  # the operator paid; nothing is refunded
    assert {r.public_id: r.status for r in await rounds(runtime)}[public_id] == "held"
    paid = body_of(await shop.buy("paid-1", mode="prepay"))["round"]["publicId"]
    await shop.admin.call(
        "PATCH", f"/operators/{shop.operator.slug}", {"policies": {"refundEnabled": False}}
    )
    before = shop.casino.balance(PLAYER)
    off = await shop.operator.s2s.post(CANCEL, {"playerExternalId": PLAYER, "roundPublicId": paid})
    assert (off.status_code, body_of(off)["error"]["code"]) == (403, "REFUND_NOT_ALLOWED")
    assert shop.casino.balance(PLAYER) == before  # nothing refunded
    assert {r.public_id: r.status for r in await rounds(runtime)}[paid] == "held"
    atomic_free = body_of(await shop.buy("free-2", funding="operator"))["round"]
    assert atomic_free["status"] == "settled"
    assert shop.casino.balance(PLAYER) == 500
    history = body_of(
        await shop.operator.s2s.get(
            "/api/s2s/history", {"playerExternalId": PLAYER, "types": "purchase"}
        )
    )
    funded = {row["roundPublicId"]: row["funding"] for row in history["items"]}
    assert funded[atomic_free["publicId"]] == "operator"
    assert funded[paid] == "player"
    await assert_money_consistent(runtime, shop.casino)


async def test_fx_pricing_and_tolerance(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "USD", 10_000)
    moved = await shop.buy("fx-1", currency="USD", expectedPriceMinor=540)
    assert (moved.status_code, body_of(moved)["error"]["code"]) == (422, "FX_RATE_MOVED")
    assert ledger_amounts(shop.casino) == [(ledger_amounts(shop.casino)[0][0], 10_000)]
    ok = await shop.buy("fx-2", currency="USD", expectedPriceMinor=543)
    assert ok.status_code == 200, ok.text
    round_ = body_of(ok)["round"]
    assert (round_["betMinor"], round_["currency"], round_["payoutMinor"]) == (543, "USD", 348)
    assert round_["wonItems"][0]["currency"] == "EUR"
    assert shop.casino.balance(PLAYER, "USD") == 10_000 - 543
    bad = await shop.buy("fx-3", currency="GBP")
    assert (bad.status_code, body_of(bad)["error"]["code"]) == (422, "UNSUPPORTED_CURRENCY")
    assert len(await rounds(runtime)) == 1


async def test_cash_and_bonus_prizes(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    cash = await shop.buy("cash-1", reels=[{"reelIndex": 0, "boxVersionId": shop.cash_version}])
    body = body_of(cash)
    assert body["round"]["reels"][0]["prize"] == {
        "itemId": None,
        "name": "7.00 EUR cash",
        "valueMinor": 700,
    }
    assert body["round"]["wonItems"] == []
    assert body["balanceAfterMinor"] == 500  # after the debit; the payout is its own credit
    assert shop.casino.balance(PLAYER) == 1_200
    assert ledger_amounts(shop.casino)[-1] == (f"payout:round:{body['round']['publicId']}", 700)
    bonus = body_of(
        await shop.buy("bonus-1", reels=[{"reelIndex": 0, "boxVersionId": shop.bonus_version}])
    )
    assert bonus["round"]["wonItems"] == []
    assert bonus["round"]["reels"][0]["prize"]["itemId"] == shop.bonus_item
    assert await count(runtime, Entitlement) == 1
    assert await count(runtime, InventoryItem) == 0
    await assert_money_consistent(runtime, shop.casino)


async def test_refused_debits_void_the_round(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100)
    poor = await shop.buy("poor-1")
    assert poor.status_code == 422
    body = body_of(poor)
    assert body["error"]["code"] == "INSUFFICIENT_FUNDS"
    assert body["round"]["status"] == "voided"
    assert body["balanceAfterMinor"] == 100
    shop.casino.block(PLAYER)
    blocked = await shop.buy("blocked-1")
    assert (blocked.status_code, body_of(blocked)["error"]["code"]) == (403, "PLAYER_BLOCKED")
    assert [r.status for r in await rounds(runtime)] == ["voided", "voided"]
    assert await count(runtime, InventoryItem) == 0
    assert shop.casino.balance(PLAYER) == 100
    await assert_money_consistent(runtime, shop.casino)


async def test_idempotency_replays_and_refuses_reuse(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    first = await shop.buy("same")
    again = await shop.buy("same")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    other = await shop.buy("same", reels=[{"reelIndex": 0, "boxVersionId": shop.cash_version}])
    assert (other.status_code, body_of(other)["error"]["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert len(await rounds(runtime)) == 1
    assert shop.casino.balance(PLAYER) == 9_500


async def test_fifty_concurrent_identical_purchases_debit_once(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    responses = await asyncio.gather(*[shop.buy("burst") for _ in range(50)])
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert len(await rounds(runtime)) == 1
    assert await count(runtime, PlayerAction) == 1
    debits = [k for k, amount in ledger_amounts(shop.casino) if amount < 0]
    assert len(debits) == 1
    assert body_of(responses[0])["round"]["fairness"]["nonce"] == 0
    state = body_of(
        await shop.operator.s2s.get("/api/s2s/fairness/state", {"playerExternalId": PLAYER})
    )
    assert state["nextNonce"] == 1
    await assert_money_consistent(runtime, shop.casino)


async def test_unplayable_boxes_change_nothing(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    unknown = await shop.buy("x-1", reels=[{"reelIndex": 0, "boxVersionId": 999_999}])
    assert (unknown.status_code, body_of(unknown)["error"]["code"]) == (404, "UNKNOWN_BOX")
    await shop.admin.call(
        "POST", f"/operators/{shop.operator.slug}/boxes/{shop.sword_box}/publish", expect=201
    )
    old = await shop.buy("x-2")
    assert (old.status_code, body_of(old)["error"]["code"]) == (409, "BOX_NOT_PLAYABLE")
    bodies: list[dict[str, Any]] = [
        {"reels": []},
        {"reels": [{"reelIndex": -1, "boxVersionId": 1}]},
        {"clientActionId": "x" * 81},
        {"mode": "later"},
        {"funding": "house"},
        {"reels": [{"reelIndex": 0, "boxVersionId": shop.sword_version}] * 2},
    ]
    for body in bodies:
        bad = await shop.buy("x-3", **body)
        assert (bad.status_code, body_of(bad)["error"]["code"]) == (422, "VALIDATION_ERROR"), body
    assert await rounds(runtime) == []
    assert ledger_amounts(shop.casino)[-1][1] == 10_000


async def test_a_retry_replays_even_after_the_box_was_republished(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    first = await shop.buy("before-publish")
    await shop.admin.call(
        "POST", f"/operators/{shop.operator.slug}/boxes/{shop.sword_box}/publish", expect=201
    )
    retry = await shop.buy("before-publish")
    assert (retry.status_code, retry.content) == (first.status_code, first.content)
    fresh = await shop.buy("after-publish")
    assert body_of(fresh)["error"]["code"] == "BOX_NOT_PLAYABLE"
    assert shop.casino.balance(PLAYER) == 9_500


async def test_no_wallet_url_is_wallet_unavailable_and_writes_nothing(
    shop: Shop, runtime: Runtime
) -> None:
    await shop.admin.call("PATCH", f"/operators/{shop.operator.slug}", {"walletUrl": None})
    response = await shop.buy("no-wallet")
    assert (response.status_code, body_of(response)["error"]["code"]) == (503, "WALLET_UNAVAILABLE")
    assert await rounds(runtime) == []
    assert await count(runtime, PlayerAction) == 0
    free = await shop.buy("free", funding="operator")
    assert free.status_code == 200


async def test_each_operator_has_its_own_wallet_timeout(shop: Shop, runtime: Runtime) -> None:
    from coffer.operators.models import Operator

    await shop.admin.call("PATCH", f"/operators/{shop.operator.slug}", {"walletTimeoutMs": 1500})
    async with runtime.sessions() as session:
        operator = await session.get(Operator, shop.operator.operator_id)
        assert operator is not None
        target = runtime.gateway.target(operator)
    assert target.timeout_s == 1.5
    assert target.url == shop.casino.url
    assert runtime.settings.wallet_timeout_ms == 1000


async def test_a_held_round_opens_at_the_rates_it_was_bought_at(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "USD", 10_000)
    reels = [{"reelIndex": 0, "boxVersionId": shop.cash_version}]
    held = body_of(await shop.buy("p-1", mode="prepay", currency="USD", reels=reels))["round"]
    assert held["betMinor"] == 543
    await shop.admin.put_currency(shop.operator.slug, "USD", "0.5")
    opened = body_of(await shop.buy("o-1", reels=..., roundPublicId=held["publicId"]))["round"]
    assert opened["reels"][0]["prize"]["valueMinor"] == 761  # 700 EUR at 0.92, not at 0.5
    assert ledger_amounts(shop.casino)[-1] == (f"payout:round:{held['publicId']}", 761)
    assert shop.casino.balance(PLAYER, "USD") == 10_000 - 543 + 761


async def test_twenty_concurrent_purchases_of_different_players_all_settle(
    shop: Shop, runtime: Runtime
) -> None:
    """Concurrent first purchases of different players neither fail nor mix their money."""
    players = [f"u_many_{n}" for n in range(20)]
    for player in players:
        shop.casino.deposit(player, "EUR", 1_000)
    responses = await asyncio.gather(
        *[shop.buy(f"many-{n}", playerExternalId=p) for n, p in enumerate(players)]
    )
    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    assert [shop.casino.balance(p) for p in players] == [500] * 20
    assert len(await rounds(runtime)) == 20
    await assert_money_consistent(runtime, shop.casino)


async def test_on_sqlite_the_purchase_transactions_take_the_write_lock_at_begin(
    shop: Shop, runtime: Runtime
) -> None:
    """Both of a purchase's write transactions begin IMMEDIATE on SQLite (behind the process's
    writer lock), so their reads never need a lock upgrade WAL could refuse; PostgreSQL's
    transactions are untouched."""
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(statement)

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", record)
    try:
        assert (await shop.buy("immediate-1")).status_code == 200
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", record)
    immediate = sent.count("BEGIN IMMEDIATE")
    assert immediate == (2 if runtime.engine.dialect.name == "sqlite" else 0), sent

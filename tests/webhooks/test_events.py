"""Every change the operator hears about writes its event in the same transaction (SPEC §9).

Each story checks the event written, its data, that a repeat of the request writes no second
event, and that a refused change writes none.
"""

import asyncio
import json

import httpx
from sqlalchemy import select

from coffer.inventory.models import Entitlement
from coffer.runtime import Runtime
from coffer.seamless.resolver import run_once
from coffer.webhooks import delivery
from tests.support.faults import later, round_of
from tests.support.inventory import cash_out, won_sword
from tests.support.shipping import placed, staff, swords
from tests.support.shop import CANCEL, PLAYER, Shop, body_of, ledger_amounts, shop
from tests.support.wallet_calls import post_signed, wallet_body
from tests.support.webhooks import data, kinds, outbox, payload

__all__ = ["shop"]


async def test_a_settled_purchase_writes_round_settled_once(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    bought = await shop.buy("k-1")
    assert bought.status_code == 200, bought.text
    [event] = await outbox(runtime)
    body = payload(event)
    assert body["id"] == event.public_id
    assert body["id"].startswith("evt_")
    assert len(body["id"]) == 30
    assert (body["type"], body["operatorId"]) == ("round_settled", shop.operator.operator_id)
    assert body["createdAt"].endswith("Z")
    assert data(event) == {"playerExternalId": PLAYER, "round": body_of(bought)["round"]}
    assert (event.status, event.attempts) == ("pending", 0)
    replay = await shop.buy("k-1")
    assert replay.content == bought.content
    assert len(await outbox(runtime)) == 1


async def test_a_refused_debit_writes_round_voided_and_nothing_else(
    shop: Shop, runtime: Runtime
) -> None:
    refused = await shop.buy("broke-1")
    assert body_of(refused)["error"]["code"] == "INSUFFICIENT_FUNDS"
    [event] = await outbox(runtime)
    public_id = body_of(refused)["round"]["publicId"]
    round_ = data(event)["round"]
    assert event.type == "round_voided"
    assert (round_["publicId"], round_["status"], round_["betMinor"]) == (public_id, "voided", 500)
    assert data(event)["reason"] == "the wallet refused the debit (INSUFFICIENT_FUNDS)"
    await shop.buy("broke-1")
    assert len(await outbox(runtime)) == 1


async def test_a_debit_rolled_back_by_the_resolver_writes_round_voided(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    shop.casino.inject("timeout_before", times=3, delay=1.5)
    lost = await shop.buy("lost-1")
    assert lost.status_code == 503, lost.text
    assert await outbox(runtime) == []
    await run_once(runtime.gateway, now=later())
    round_ = await round_of(runtime, body_of(lost)["round"]["publicId"])
    assert round_.status == "voided"
    [event] = await outbox(runtime)
    assert (event.type, data(event)["round"]["publicId"]) == ("round_voided", round_.public_id)
    assert data(event)["reason"] == "the wallet never confirmed the debit"
    await run_once(runtime.gateway, now=later(90))
    assert len(await outbox(runtime)) == 1


async def test_a_bonus_prize_is_delivered_as_bonus_entitlement(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    bought = await shop.buy("bonus-1", reels=[{"reelIndex": 0, "boxVersionId": shop.bonus_version}])
    assert bought.status_code == 200, bought.text
    settled, bonus = await outbox(runtime)
    assert kinds([settled, bonus]) == ["round_settled", "bonus_entitlement"]
    public_id = body_of(bought)["round"]["publicId"]
    async with runtime.sessions() as session:
        [entitlement] = (await session.scalars(select(Entitlement))).all()
    assert data(bonus) == {
        "playerExternalId": PLAYER,
        "entitlementId": entitlement.id,
        "roundPublicId": public_id,
        "reelIndex": 0,
        "item": {
            "itemId": shop.bonus_item,
            "name": "10 Free Spins",
            "type": "bonus",
            "valueMinor": 200,
            "currency": "EUR",
            "customAttributes": {},
        },
    }
    assert entitlement.event_id == bonus.id
    assert entitlement.delivered_at is None
    report = await delivery.drain(runtime.courier)
    assert (report.delivered, report.failed) == (2, 0)
    async with runtime.sessions() as session:
        delivered = await session.get(Entitlement, entitlement.id)
    assert delivered is not None
    assert delivered.delivered_at is not None
    received = shop.casino.webhook_events()
    assert [e["type"] for e in received] == ["round_settled", "bonus_entitlement"]


async def test_cancelling_a_held_round_writes_round_refunded_once(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    held = body_of(await shop.buy("prepay-1", mode="prepay"))["round"]
    assert await outbox(runtime) == []
    cancel = {"playerExternalId": PLAYER, "roundPublicId": held["publicId"]}
    answers = await asyncio.gather(*(shop.operator.s2s.post(CANCEL, cancel) for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert {json.dumps(body_of(a)["round"]) for a in answers} == {
        json.dumps(body_of(answers[0])["round"])
    }
    keys = [key for key, _ in ledger_amounts(shop.casino)]
    assert keys.count(f"refund:round:{held['publicId']}") == 1
    [event] = await outbox(runtime)
    assert event.type == "round_refunded"
    assert data(event)["round"]["publicId"] == held["publicId"]
    assert (data(event)["round"]["status"], data(event)["round"]["refundedMinor"]) == (
        "refunded",
        500,
    )


async def test_a_cashout_writes_item_cashed_back_once(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    item_id = await won_sword(shop)
    answers = await asyncio.gather(*(cash_out(shop, item_id) for _ in range(5)))
    assert 200 in {a.status_code for a in answers}
    events = await outbox(runtime)
    assert kinds(events) == ["round_settled", "item_cashed_back"]
    cashed = data(events[1])
    assert cashed["inventoryItemId"] == item_id
    assert (cashed["cashbackMinor"], cashed["currency"], cashed["state"]) == (
        80,
        "EUR",
        "cashed_back",
    )
    assert cashed["idempotencyKey"] == f"cashback:inventory:{item_id}"
    assert cashed["providerTxnRef"]
    assert cashed["wonAtRoundPublicId"] == data(events[0])["round"]["publicId"]


async def test_a_refused_cashout_writes_no_event(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    item_id = await won_sword(shop)
    key = f"cashback:inventory:{item_id}"
    # The casino refuses a credit whose key already names a different instruction.
    async with httpx.AsyncClient(timeout=5) as http:
        await post_signed(
            http, shop.casino.url, shop.casino.secret, wallet_body("wallet.credit", key, PLAYER, 1)
        )
    refused = await cash_out(shop, item_id)
    assert body_of(refused)["error"]["code"] == "WALLET_REFUSED"
    assert kinds(await outbox(runtime)) == ["round_settled"]


async def test_every_order_change_writes_a_fulfillment_notice(shop: Shop, runtime: Runtime) -> None:
    ids = await swords(shop, 2)
    order = await placed(shop, ids)
    await staff(shop, order["publicId"], "ship", {"carrier": "DHL", "trackingNumber": "JD1"})
    await staff(shop, order["publicId"], "deliver")
    await staff(shop, order["publicId"], "deliver", expect=409)
    notices = await outbox(runtime, "fulfillment_notice")
    seen = [(data(n)["previousStatus"], data(n)["order"]["status"]) for n in notices]
    assert seen == [(None, "pending"), ("pending", "shipped"), ("shipped", "delivered")]
    assert data(notices[0])["order"] == order
    assert data(notices[1])["order"]["trackingNumber"] == "JD1"
    assert {data(n)["playerExternalId"] for n in notices} == {PLAYER}


async def test_a_refused_order_writes_no_notice(shop: Shop, runtime: Runtime) -> None:
    [item_id] = await swords(shop, 1)
    await cash_out(shop, item_id)
    before = await outbox(runtime)
    refused = await shop.operator.s2s.post(
        "/api/s2s/shipping/orders",
        {
            "playerExternalId": PLAYER,
            "inventoryItemIds": [item_id],
            "address": {
                "name": "A",
                "line1": "1 Main St",
                "city": "Berlin",
                "region": "BE",
                "postalCode": "10115",
                "country": "DE",
            },
            "contact": {"email": "a@example.com"},
        },
    )
    assert body_of(refused)["error"]["code"] == "INVENTORY_NOT_SHIPPABLE"
    assert len(await outbox(runtime)) == len(before)

"""POST /api/s2s/cashout: an unresolved item's cashback credited once (SPEC §7, §8)."""

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from coffer.runtime import Runtime
from coffer.seamless.models import WalletInstruction
from coffer.seamless.resolver import run_once
from tests.support.api import AdminApi
from tests.support.casino import FaultMode
from tests.support.faults import instruction, key_counts, later
from tests.support.inventory import cash_out, error_of, state_of, won_sword
from tests.support.shop import PLAYER, Shop, _single_prize_box, body_of, shop
from tests.support.wallet_calls import post_signed, wallet_body

__all__ = ["shop"]
INVENTORY = "/api/s2s/inventory"


async def cashback_rows(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(WalletInstruction)
            .where(WalletInstruction.kind == "cashback")
        )
    return int(count or 0)


async def vault(shop: Shop, **params: Any) -> Any:
    response = await shop.operator.s2s.get(INVENTORY, {"playerExternalId": PLAYER, **params})
    assert response.status_code == 200, response.text
    return body_of(response)


async def test_cashout_in_eur_credits_80_once(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item_id = await won_sword(shop)
    response = await cash_out(shop, item_id)
    assert response.status_code == 200, response.text
    assert body_of(response) == {
        "item": {
            "inventoryItemId": item_id,
            "state": "cashed_back",
            "cashbackMinor": 80,
            "currency": "EUR",
        },
        "balanceAfterMinor": 9_580,
    }
    key = f"cashback:inventory:{item_id}"
    assert [r["amountMinor"] for r in shop.casino.ledger() if r["idempotencyKey"] == key] == [80]
    assert shop.casino.balance(PLAYER) == 9_580
    assert await state_of(runtime, item_id) == "cashed_back"
    credit = await instruction(runtime, key)
    assert (credit.state, credit.kind, credit.inventory_item_id) == (
        "accepted",
        "cashback",
        item_id,
    )
    assert credit.round_id is not None
    assert (await vault(shop))["items"] == []
    [listed] = (await vault(shop, state="cashed_back"))["items"]
    assert (listed["id"], listed["state"], listed["cashbackMinor"]) == (
        item_id,
        "cashed_back",
        None,
    )
    again = await cash_out(shop, item_id, "USD")
    assert (again.status_code, again.content) == (200, response.content)
    assert key_counts(shop.casino)[key] == 1
    shop.casino.assert_ledger_consistent()


async def test_cashout_in_usd_converts_half_up(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item_id = await won_sword(shop)
    response = await cash_out(shop, item_id, "USD")
    assert response.status_code == 200, response.text
    assert body_of(response)["item"]["cashbackMinor"] == 87  # 0.80 EUR / 0.92 = 0.8696 USD
    assert body_of(response)["item"]["currency"] == "USD"
    assert shop.casino.balance(PLAYER, "USD") == 87
    second = await won_sword(shop, "k2")
    unknown = await cash_out(shop, second, "GBP")
    assert error_of(unknown) == (422, "UNSUPPORTED_CURRENCY")
    assert await state_of(runtime, second) == "unresolved"  # the refusal changed nothing
    assert shop.casino.balance(PLAYER, "USD") == 87
    assert key_counts(shop.casino)[f"cashback:inventory:{second}"] == 0
    shop.casino.assert_ledger_consistent()


async def test_concurrent_cashouts_credit_exactly_once(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item_id = await won_sword(shop)
    responses = await asyncio.gather(*(cash_out(shop, item_id) for _ in range(10)))
    # Duplicates wait for the first and answer what it answered (not 503 "in progress").
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    assert key_counts(shop.casino)[f"cashback:inventory:{item_id}"] == 1
    assert shop.casino.balance(PLAYER) == 9_580
    assert await state_of(runtime, item_id) == "cashed_back"
    assert (await cash_out(shop, item_id)).status_code == 200
    shop.casino.assert_ledger_consistent()


async def test_cashback_off_by_policy_writes_nothing(
    shop: Shop, runtime: Runtime, admin: AdminApi
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item_id = await won_sword(shop)
    slug = shop.operator.slug
    await admin.call("PATCH", f"/operators/{slug}", {"policies": {"cashbackEnabled": False}})
    assert error_of(await cash_out(shop, item_id)) == (422, "CASHBACK_NOT_AVAILABLE")
    assert await state_of(runtime, item_id) == "unresolved"
    assert await cashback_rows(runtime) == 0
    shop.casino.assert_ledger_consistent()


async def test_another_players_item_is_not_found(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit("u_other", "EUR", 10_000)
    item_id = await won_sword(shop, player="u_other")
    assert error_of(await cash_out(shop, item_id)) == (404, "INVENTORY_ITEM_NOT_FOUND")
    assert error_of(await cash_out(shop, item_id, player="nobody")) == (
        404,
        "INVENTORY_ITEM_NOT_FOUND",
    )
    assert error_of(await cash_out(shop, 2**53 - 1)) == (404, "INVENTORY_ITEM_NOT_FOUND")
    assert error_of(await cash_out(shop, 2**53)) == (422, "VALIDATION_ERROR")  # past JSON's exact
    assert await state_of(runtime, item_id) == "unresolved"
    assert await cashback_rows(runtime) == 0
    shop.casino.assert_ledger_consistent()


async def test_an_item_without_a_cashback_rule_is_refused(
    shop: Shop, runtime: Runtime, admin: AdminApi
) -> None:
    slug = shop.operator.slug
    shield = await admin.call(
        "POST",
        f"/operators/{slug}/items",
        {"name": "Plain Shield", "type": "physical", "valueMinor": 100, "currency": "EUR"},
        expect=201,
    )
    _, version = await _single_prize_box(admin, slug, "Shield", {"itemId": shield["itemId"]})
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    response = await shop.buy("k", reels=[{"reelIndex": 0, "boxVersionId": version}])
    [item] = body_of(response)["round"]["wonItems"]
    refused = await cash_out(shop, item["inventoryItemId"])
    assert error_of(refused) == (422, "CASHBACK_NOT_AVAILABLE")
    assert await state_of(runtime, item["inventoryItemId"]) == "unresolved"
    assert await cashback_rows(runtime) == 0
    shop.casino.assert_ledger_consistent()


async def test_a_refused_credit_leaves_the_item_actionable(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item_id = await won_sword(shop)
    key = f"cashback:inventory:{item_id}"
    # The casino's one refusal of a credit: its key already means a different instruction.
    async with httpx.AsyncClient(timeout=5) as http:
        taken = await post_signed(
            http, shop.casino.url, shop.casino.secret, wallet_body("wallet.credit", key, PLAYER, 1)
        )
    assert taken.json()["accepted"] is True
    response = await cash_out(shop, item_id)
    assert error_of(response) == (422, "WALLET_REFUSED")
    assert await state_of(runtime, item_id) == "unresolved"
    assert (await instruction(runtime, key)).state == "refused"
    assert (await run_once(runtime.gateway, now=later())).ids == []
    assert await state_of(runtime, item_id) == "unresolved"
    assert [i["id"] for i in (await vault(shop))["items"]] == [item_id]
    again = await cash_out(shop, item_id)  # sent again with the same key: refused again
    assert error_of(again) == (422, "WALLET_REFUSED")
    assert await state_of(runtime, item_id) == "unresolved"
    assert key_counts(shop.casino)[key] == 1
    shop.casino.assert_ledger_consistent()


@pytest.mark.parametrize("mode", ["timeout_before", "timeout_after"])
async def test_an_uncertain_credit_keeps_the_item_reserved_until_resolved(
    shop: Shop, runtime: Runtime, mode: FaultMode
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item_id = await won_sword(shop)
    key = f"cashback:inventory:{item_id}"
    fault = shop.casino.inject(mode, times=3)
    response = await cash_out(shop, item_id)
    await fault.handled_async()
    assert error_of(response) == (503, "WALLET_UNAVAILABLE"), response.text
    assert await state_of(runtime, item_id) == "cashing_out"
    assert (await instruction(runtime, key)).state == "uncertain"
    assert (await vault(shop))["items"] == []
    sent = key_counts(shop.casino)[key]
    busy = await cash_out(shop, item_id)  # a repeat answers what the first one answered
    assert (busy.status_code, busy.content) == (503, response.content)
    assert key_counts(shop.casino)[key] == sent  # and sends nothing
    report = await run_once(runtime.gateway, now=later())
    assert report.credited == 1
    assert await state_of(runtime, item_id) == "cashed_back"
    assert (await instruction(runtime, key)).state == "accepted"
    assert key_counts(shop.casino)[key] == 1
    assert shop.casino.balance(PLAYER) == 9_580
    done = await cash_out(shop, item_id)
    assert done.status_code == 200, done.text
    assert body_of(done)["item"]["cashbackMinor"] == 80
    assert body_of(done)["balanceAfterMinor"] == 9_580
    shop.casino.assert_ledger_consistent()

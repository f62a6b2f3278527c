"""A process killed in the middle of a purchase: a restarted runtime's resolver finishes it.

Each test runs the purchase's steps by hand up to the crash point, then builds a new Runtime on
the same database (the restarted process) and runs its resolver with a clock past the grace
period a live request owns its instruction for.
"""

import pytest
from sqlalchemy import select

from coffer.rounds.models import PlayerAction
from coffer.runtime import Runtime
from coffer.seamless import service as seamless
from coffer.seamless.client import Accepted
from coffer.seamless.resolver import ResolverReport, run_once
from coffer.seamless.service import Send
from tests.support.faults import instruction, key_counts, late_debit, later, round_of
from tests.support.purchases import first_transaction, request
from tests.support.shop import PLAYER, Shop, assert_money_consistent, body_of, shop

__all__ = ["shop"]


async def restarted_resolver(runtime: Runtime) -> ResolverReport:
    """A new process on the same database: nothing is due at once, all of it after the grace."""
    restarted = Runtime.from_settings(runtime.settings)
    try:
        assert (await run_once(restarted.gateway)).ids == []
        return await run_once(restarted.gateway, now=later())
    finally:
        await restarted.close()


async def action_state(runtime: Runtime, client_action_id: str) -> str:
    async with runtime.sessions() as session:
        state = await session.scalar(
            select(PlayerAction.state).where(PlayerAction.client_action_id == client_action_id)
        )
    assert state is not None
    return state


@pytest.mark.parametrize("debit_sent", [True, False])
async def test_killed_between_the_debit_and_the_settle(
    shop: Shop, runtime: Runtime, debit_sent: bool
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    body = request(shop, "click-1", shop.sword_version)
    step, debit, public_id = await first_transaction(runtime, shop, body)
    if debit_sent:  # the casino applies it; the process dies before apply_debit
        result = await runtime.wallet.call(step.target, debit)
        assert isinstance(result.outcome, Accepted)
    assert shop.casino.balance(PLAYER) == (9_500 if debit_sent else 10_000)
    assert (await round_of(runtime, public_id)).status == "pending"

    report = await restarted_resolver(runtime)
    assert (report.rolled_back, report.still_open) == (1, 0)
    assert (await round_of(runtime, public_id)).status == "voided"
    assert (await instruction(runtime, f"round:{public_id}")).state == "rolled_back"
    assert shop.casino.balance(PLAYER) == 10_000
    if not debit_sent:  # a debit still in flight somewhere can no longer apply
        assert (await late_debit(shop.casino, public_id))["code"] == "ROLLED_BACK"
        assert shop.casino.balance(PLAYER) == 10_000
    assert await action_state(runtime, "click-1") == "done"
    retry = await shop.buy("click-1")
    assert retry.status_code == 503, retry.text
    body = body_of(retry)
    assert body["error"]["code"] == "WALLET_UNAVAILABLE"
    assert body["round"] == {"publicId": public_id, "status": "voided"}
    await assert_money_consistent(runtime, shop.casino)


async def test_killed_after_the_settle_before_the_payout(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    body = request(shop, "cash-1", shop.cash_version)
    step, debit, public_id = await first_transaction(runtime, shop, body)
    result = await runtime.wallet.call(step.target, debit)
    async with runtime.sessions() as session:
        payout = await seamless.apply(session, step, result)
        await session.commit()
    assert isinstance(payout, Send)  # settled and drawn; the credit never sent
    assert (await round_of(runtime, public_id)).status == "settled"
    assert shop.casino.balance(PLAYER) == 9_500

    report = await restarted_resolver(runtime)
    assert (report.credited, report.still_open) == (1, 0)
    key = f"payout:round:{public_id}"
    assert (await instruction(runtime, key)).state == "accepted"
    assert key_counts(shop.casino)[key] == 1
    assert shop.casino.balance(PLAYER) == 10_200
    await assert_money_consistent(runtime, shop.casino)
    # SPEC §6: a retry of the clientActionId gets the round's answer; it should not wait ~6 s
    # on an action nobody will ever finish and then say WALLET_UNAVAILABLE forever.
    assert await action_state(runtime, "cash-1") == "done"
    retry = await shop.buy("cash-1", reels=[{"reelIndex": 0, "boxVersionId": shop.cash_version}])
    assert retry.status_code == 200, retry.text
    assert body_of(retry)["round"]["publicId"] == public_id

"""Wallet faults during purchases (SPEC §8), through real HTTP to the casino's fault proxy.

Every uncertain debit answers 503 and leaves the round pending; the resolver then rolls it back
and voids the round. Credits (payouts, refunds) are retried until accepted. After each test the
money invariant holds: what was debited is settled or rolled back, and nothing moved twice.
"""

import asyncio

import pytest

from coffer.runtime import Runtime
from coffer.seamless.resolver import run_once
from tests.support.casino import FaultMode
from tests.support.faults import (
    attempt_outcomes,
    instruction,
    key_counts,
    late_debit,
    later,
    money_mismatches,
    round_of,
    vault_size,
)
from tests.support.shop import (
    CANCEL,
    PLAYER,
    Shop,
    assert_money_consistent,
    body_of,
    rounds,
    shop,
)

__all__ = ["shop"]

UNCERTAIN: list[tuple[FaultMode, bool]] = [
    ("timeout_before", False),
    ("timeout_after", True),
    ("http_500", False),
    ("garbage", False),
    ("garbage_after", True),
    ("reset", False),
]
MODES: list[FaultMode] = [mode for mode, _ in UNCERTAIN] + ["slow"]


async def test_a_refusal_is_definite_and_leaves_nothing_to_resolve(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100)
    response = await shop.buy("poor-1")
    assert (response.status_code, body_of(response)["error"]["code"]) == (
        422,
        "INSUFFICIENT_FUNDS",
    )
    public_id = body_of(response)["round"]["publicId"]
    assert (await instruction(runtime, f"round:{public_id}")).state == "refused"
    assert (await run_once(runtime.gateway, now=later())).ids == []
    assert (await round_of(runtime, public_id)).status == "voided"
    await assert_money_consistent(runtime, shop.casino)


@pytest.mark.parametrize(("mode", "applied"), UNCERTAIN)
async def test_an_uncertain_debit_answers_503_and_is_rolled_back(
    shop: Shop, runtime: Runtime, mode: FaultMode, applied: bool
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    fault = shop.casino.inject(mode, times=3)
    response = await shop.buy("click-1")
    await fault.handled_async()
    assert (response.status_code, fault.used) == (503, 3), response.text
    body = body_of(response)
    public_id = body["round"]["publicId"]
    assert (body["error"]["code"], body["round"]["status"]) == ("WALLET_UNAVAILABLE", "pending")
    assert (await round_of(runtime, public_id)).status == "pending"
    debit = await instruction(runtime, f"round:{public_id}")
    assert (debit.state, debit.attempts) == ("uncertain", 3)
    assert shop.casino.applied(f"round:{public_id}") is applied
    assert shop.casino.balance(PLAYER) == (9_500 if applied else 10_000)

    report = await run_once(runtime.gateway)
    assert (report.rolled_back, report.still_open) == (1, 0)
    voided = await round_of(runtime, public_id)
    assert (voided.status, voided.settled_at, voided.nonce) == ("voided", None, None)
    assert (await instruction(runtime, f"round:{public_id}")).state == "rolled_back"
    assert (await instruction(runtime, f"rollback:round:{public_id}")).state == "accepted"
    assert shop.casino.balance(PLAYER) == 10_000
    late = await late_debit(shop.casino, public_id)
    if not applied:  # the rollback left a tombstone: the debit can never apply now
        assert (late["accepted"], late["code"]) == (False, "ROLLED_BACK")
    assert shop.casino.balance(PLAYER) == 10_000
    replay = await shop.buy("click-1")
    assert (replay.status_code, replay.content) == (503, response.content)
    assert await vault_size(runtime) == 0
    await assert_money_consistent(runtime, shop.casino)


async def test_a_concurrent_retry_waits_for_the_first_answer_and_never_calls_the_wallet(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    fault = shop.casino.inject("timeout_before", times=3)
    first, retry = await asyncio.gather(shop.buy("click-1"), shop.buy("click-1"))
    await fault.handled_async()
    assert (first.status_code, retry.status_code) == (503, 503), first.text
    assert first.content == retry.content
    public_id = body_of(first)["round"]["publicId"]
    assert await attempt_outcomes(runtime, f"round:{public_id}") == ["uncertain"] * 3
    assert not shop.casino.applied(f"round:{public_id}")  # the retry sent nothing
    assert len(await rounds(runtime)) == 1
    assert (await run_once(runtime.gateway)).rolled_back == 1
    await assert_money_consistent(runtime, shop.casino)


async def test_a_slow_answer_under_the_timeout_settles(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    fault = shop.casino.inject("slow", delay=0.1)
    response = await shop.buy("slow-1")
    await fault.handled_async()
    assert response.status_code == 200, response.text
    body = body_of(response)
    assert (body["round"]["status"], body["balanceAfterMinor"]) == ("settled", 9_500)
    key = f"round:{body['round']['publicId']}"
    assert await attempt_outcomes(runtime, key) == ["accepted"]
    assert (await run_once(runtime.gateway, now=later())).ids == []
    await assert_money_consistent(runtime, shop.casino)


@pytest.mark.parametrize(
    ("mode", "times"),
    [
        ("timeout_before", 2),
        ("timeout_after", 1),
        ("http_500", 2),
        ("garbage", 1),
        ("garbage_after", 2),
        ("reset", 1),
    ],
)
async def test_a_transient_fault_is_retried_with_the_same_key(
    shop: Shop, runtime: Runtime, mode: FaultMode, times: int
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    fault = shop.casino.inject(mode, times=times)
    response = await shop.buy("retry-1")
    await fault.handled_async()
    assert response.status_code == 200, response.text
    body = body_of(response)
    assert (body["round"]["status"], body["balanceAfterMinor"]) == ("settled", 9_500)
    key = f"round:{body['round']['publicId']}"
    assert key_counts(shop.casino)[key] == 1
    assert await attempt_outcomes(runtime, key) == ["uncertain"] * times + ["accepted"]
    assert (await instruction(runtime, key)).state == "accepted"
    assert shop.casino.balance(PLAYER) == 9_500
    assert (await run_once(runtime.gateway, now=later())).ids == []
    await assert_money_consistent(runtime, shop.casino)


@pytest.mark.parametrize("mode", ["timeout_before", "timeout_after", "http_500"])
async def test_an_uncertain_payout_is_resent_until_accepted(
    shop: Shop, runtime: Runtime, mode: FaultMode
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    debit_fault = shop.casino.inject("slow", delay=0)  # faults are used in order: the debit
    credit_fault = shop.casino.inject(mode, times=3)  # then the payout's three attempts
    cash = [{"reelIndex": 0, "boxVersionId": shop.cash_version}]
    response = await shop.buy("cash-1", reels=cash)
    await debit_fault.handled_async()
    await credit_fault.handled_async()
    assert response.status_code == 200, response.text
    body = body_of(response)
    assert (body["round"]["status"], body["round"]["payoutMinor"]) == ("settled", 700)
    assert body["balanceAfterMinor"] == 9_500
    key = f"payout:round:{body['round']['publicId']}"
    assert (await instruction(runtime, key)).state == "uncertain"
    assert shop.casino.applied(key) is (mode == "timeout_after")

    report = await run_once(runtime.gateway, now=later())
    assert (report.credited, report.still_open) == (1, 0)
    assert (await instruction(runtime, key)).state == "accepted"
    assert key_counts(shop.casino)[key] == 1
    assert shop.casino.balance(PLAYER) == 10_200
    assert (await run_once(runtime.gateway, now=later(10))).ids == []
    replay = await shop.buy("cash-1", reels=cash)
    assert (replay.status_code, replay.content) == (200, response.content)
    assert await money_mismatches(runtime, shop.casino) == []
    await assert_money_consistent(runtime, shop.casino)


@pytest.mark.parametrize("mode", ["timeout_before", "timeout_after"])
async def test_an_uncertain_refund_answers_503_then_the_resolver_refunds(
    shop: Shop, runtime: Runtime, mode: FaultMode
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    held = await shop.buy("prepay-1", mode="prepay")
    assert held.status_code == 201, held.text
    public_id = body_of(held)["round"]["publicId"]
    fault = shop.casino.inject(mode, times=3)
    cancel = {"playerExternalId": PLAYER, "roundPublicId": public_id}
    response = await shop.operator.s2s.post(CANCEL, cancel)
    await fault.handled_async()
    assert (response.status_code, body_of(response)["error"]["code"]) == (
        503,
        "WALLET_UNAVAILABLE",
    )
    assert (await round_of(runtime, public_id)).status == "refunding"
    key = f"refund:round:{public_id}"
    assert (await instruction(runtime, key)).state == "uncertain"
    assert shop.casino.balance(PLAYER) == (1_000 if mode == "timeout_after" else 500)

    report = await run_once(runtime.gateway)
    assert (report.credited, report.still_open) == (1, 0)
    refunded = await round_of(runtime, public_id)
    assert (refunded.status, refunded.refunded_minor) == ("refunded", 500)
    assert key_counts(shop.casino)[key] == 1
    assert shop.casino.balance(PLAYER) == 1_000
    again = await shop.operator.s2s.post(CANCEL, cancel)
    assert (again.status_code, body_of(again)["round"]["status"]) == (200, "refunded")
    assert key_counts(shop.casino)[key] == 1
    assert await money_mismatches(runtime, shop.casino) == []
    await assert_money_consistent(runtime, shop.casino)


async def test_an_uncertain_rollback_is_retried_on_a_later_pass(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    debit_fault = shop.casino.inject("timeout_after", times=3)
    rollback_fault = shop.casino.inject("http_500", times=3)
    response = await shop.buy("click-1")
    await debit_fault.handled_async()
    public_id = body_of(response)["round"]["publicId"]
    assert response.status_code == 503
    assert shop.casino.balance(PLAYER) == 9_500

    first = await run_once(runtime.gateway)
    await rollback_fault.handled_async()
    assert (first.rolled_back, first.still_open) == (0, 1)
    assert (await round_of(runtime, public_id)).status == "pending"
    assert (await instruction(runtime, f"round:{public_id}")).state == "rolling_back"
    assert (await run_once(runtime.gateway)).ids == []  # leased and backed off, not hammered

    second = await run_once(runtime.gateway, now=later(2))
    assert (second.rolled_back, second.still_open) == (1, 0)
    assert (await round_of(runtime, public_id)).status == "voided"
    assert shop.casino.balance(PLAYER) == 10_000
    await assert_money_consistent(runtime, shop.casino)


def mix_plan(count: int) -> list[tuple[FaultMode, int, bool]]:
    """(mode, times, cash box) per purchase: each mode failing for good, once, then twice."""
    plan: list[tuple[FaultMode, int, bool]] = []
    for i in range(count):
        mode = MODES[i % len(MODES)]
        times = 1 if mode == "slow" else (3, 1, 2)[i // len(MODES) % 3]
        plan.append((mode, times, i % 2 == 1))
    return plan


async def test_a_mix_of_faults_keeps_the_money_consistent(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    statuses: dict[str, str] = {}
    expected_balance, faulted = 100_000, 0
    for i, (mode, times, cash) in enumerate(mix_plan(20)):
        version = shop.cash_version if cash else shop.sword_version
        fault = shop.casino.inject(mode, times=times, delay=0.1 if mode == "slow" else None)
        response = await shop.buy(f"mix-{i}", reels=[{"reelIndex": 0, "boxVersionId": version}])
        await fault.handled_async()
        assert fault.used == times, (mode, times)
        faulted += fault.used
        fails = times >= 3 and mode != "slow"
        assert response.status_code == (503 if fails else 200), (mode, times, response.text)
        statuses[body_of(response)["round"]["publicId"]] = "voided" if fails else "settled"
        expected_balance += 0 if fails else (200 if cash else -500)
    report = await run_once(runtime.gateway)
    assert report.rolled_back == list(statuses.values()).count("voided")
    assert {p: (await round_of(runtime, p)).status for p in statuses} == statuses
    assert shop.casino.balance(PLAYER) == expected_balance
    mismatches = await money_mismatches(runtime, shop.casino)
    print(
        f"\nfault mix: {len(statuses)} faults injected ({faulted} wallet requests faulted), "
        f"{len(statuses)} rounds checked, {len(mismatches)} money mismatches"
    )
    assert mismatches == []
    await assert_money_consistent(runtime, shop.casino)


async def test_a_round_settled_outside_coffer_keeps_the_money_invariant(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    fault = shop.casino.inject("timeout_after", times=3)
    public_id = body_of(await shop.buy("outside-1"))["round"]["publicId"]
    await fault.handled_async()
    refusal = shop.casino.inject("refuse", times=1)
    await run_once(runtime.gateway, now=later())
    await refusal.handled_async()
    debit = await instruction(runtime, f"round:{public_id}")
    assert debit.state == "review"
    assert await money_mismatches(runtime, shop.casino) == [f"{public_id} still pending"]
    path = f"/operators/{shop.operator.slug}/wallet/instructions/{debit.id}/settle-outside"
    await shop.admin.call("POST", path, {"note": "returned by bank transfer #77"})
    report = await run_once(runtime.gateway, now=later(24 * 60))  # a day later, wallet healthy
    assert (report.ids, report.rolled_back) == ([], 0)
    assert not shop.casino.applied(f"rollback:round:{public_id}")  # never returned twice
    assert shop.casino.balance(PLAYER) == 9_500  # staff returned the 500 outside Coffer
    assert (await round_of(runtime, public_id)).status == "voided"
    assert await money_mismatches(runtime, shop.casino) == []

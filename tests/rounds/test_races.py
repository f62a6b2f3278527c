"""Races between a live purchase and the resolver, and failures after the wallet answered."""

import json
from dataclasses import replace
from typing import Any

import pytest

from coffer.api.s2s.answers import purchase_answer
from coffer.rounds import buying, settling
from coffer.rounds.answers import Failure, Settled, settled_round
from coffer.rounds.purchasing import purchase
from coffer.runtime import Runtime
from coffer.seamless import resolver
from coffer.seamless import service as seamless
from coffer.seamless.client import Accepted
from coffer.seamless.resolver import run_once
from coffer.seamless.service import Send
from tests.support.faults import instruction, later, round_of
from tests.support.purchases import first_transaction, request
from tests.support.shop import PLAYER, Shop, assert_money_consistent, shop

__all__ = ["shop"]


async def test_a_late_accepted_debit_loses_to_the_resolvers_rollback(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    pending, wallet_request, public_id = await first_transaction(
        runtime, shop, request(shop, "slow-wallet", shop.sword_version)
    )
    late = await runtime.wallet.call(pending.target, wallet_request)
    assert isinstance(late.outcome, Accepted)
    report = resolver.ResolverReport()
    async with runtime.sessions() as session:
        claimed = await resolver.claim(
            session, runtime.gateway, pending.instruction_id, later(), report
        )
        await session.commit()
    assert isinstance(claimed, Send)
    async with runtime.sessions() as session:  # the live answer lands while the rollback is out
        answer = await seamless.apply(session, pending, late)
        await session.commit()
    assert isinstance(answer, Failure)
    rollback = await runtime.wallet.call(claimed.target, claimed.request)
    async with runtime.sessions() as session:
        await seamless.apply(session, claimed, rollback)
        await session.commit()
    assert report.rolled_back == 1
    assert answer.code == "WALLET_UNAVAILABLE"
    assert (await round_of(runtime, public_id)).status == "voided"
    assert (await instruction(runtime, f"round:{public_id}")).state == "rolled_back"
    retry = await shop.buy("slow-wallet")
    assert (retry.status_code, retry.content) == (503, purchase_answer(answer).body)
    assert shop.casino.balance(PLAYER) == 10_000
    await assert_money_consistent(runtime, shop.casino)


async def test_a_failure_after_the_debit_hands_it_to_the_resolver(
    shop: Shop, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)

    async def broken_draw(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the draw failed")

    monkeypatch.setattr(settling, "draw", broken_draw)  # the atomic purchase's draw
    result = await purchase(
        runtime.gateway, shop.operator.operator_id, request(shop, "doomed", shop.sword_version)
    )
    answer = purchase_answer(result)
    body = body_of_answer(bytes(answer.body))
    assert (answer.status_code, body["error"]["code"]) == (503, "WALLET_UNAVAILABLE")
    public_id = body["round"]["publicId"]
    assert shop.casino.applied(f"round:{public_id}")
    retry = await shop.buy("doomed")
    assert (retry.status_code, retry.content) == (503, answer.body)
    monkeypatch.undo()
    assert (await run_once(runtime.gateway)).rolled_back == 1
    assert (await round_of(runtime, public_id)).status == "voided"
    assert shop.casino.balance(PLAYER) == 10_000
    await assert_money_consistent(runtime, shop.casino)


async def test_operator_funded_rounds_settle_in_one_transaction(
    shop: Shop, runtime: Runtime
) -> None:
    from coffer.operators.models import Operator

    body = replace(request(shop, "free", shop.sword_version), funding="operator")
    async with runtime.sessions() as session:
        operator = await session.get(Operator, shop.operator.operator_id)
        assert operator is not None
        bought = await buying.write_round(session, runtime.gateway, operator, body)
        step = await settling.debit(session, runtime.gateway, bought)
        await session.commit()
    assert isinstance(step, Settled)
    assert settled_round(step)["status"] == "settled"
    assert shop.casino.ledger() == []


async def test_a_malformed_wallet_url_is_refused(shop: Shop) -> None:
    error = await shop.admin.call(
        "PATCH", f"/operators/{shop.operator.slug}", {"walletUrl": "http://[::1/wallet"}, 422
    )
    assert "walletUrl" in error["error"]["fields"]


def body_of_answer(raw: bytes) -> Any:
    return json.loads(raw)

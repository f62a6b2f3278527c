"""The idempotency store keeps results, not bytes; answers stored as bytes still replay as is."""

import json
from datetime import datetime

from sqlalchemy import select, update

from coffer.api.s2s.answers import purchase_answer
from coffer.rounds import answers
from coffer.rounds.answers import Failure, Held, Refunded, Settled
from coffer.rounds.models import PlayerAction
from coffer.rounds.purchasing import purchase
from coffer.runtime import Runtime
from tests.support.purchases import request
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]


async def test_an_answer_stored_as_bytes_before_results_replays_byte_for_byte(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    first = await shop.buy("old-1")
    assert first.status_code == 200
    # The row as revision 0004 stored it: status and bytes, no result. Spaced JSON shows that
    # the bytes are sent as stored, not rendered again from a result.
    legacy = json.dumps(json.loads(first.content))
    async with runtime.sessions() as session:
        await session.execute(
            update(PlayerAction)
            .where(PlayerAction.client_action_id == "old-1")
            .values(result=None, status_code=200, response_body=legacy)
        )
        await session.commit()
    retry = await shop.buy("old-1")
    assert (retry.status_code, retry.content) == (200, legacy.encode())
    assert retry.content != first.content
    assert shop.casino.balance(PLAYER) == 9_500  # one debit, never two


async def test_one_client_action_id_is_one_action_whichever_door_it_comes_through(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    over_s2s = await shop.buy("door-1")
    assert over_s2s.status_code == 200
    again = await purchase(
        runtime.gateway, shop.operator.operator_id, request(shop, "door-1", shop.sword_version)
    )
    assert isinstance(again, Settled)
    assert purchase_answer(again).body == over_s2s.content
    assert shop.casino.balance(PLAYER) == 9_500
    async with runtime.sessions() as session:
        stored = await session.scalar(
            select(PlayerAction.result).where(PlayerAction.client_action_id == "door-1")
        )
    assert stored is not None
    assert json.loads(stored)["kind"] == "Settled"
    assert body_of(over_s2s)["round"]["publicId"] == again.public_id


def test_every_result_kind_survives_its_stored_form() -> None:
    """What is rendered after a reload is what was rendered before it, byte for byte."""
    held_at = datetime.fromisoformat("2026-11-30T08:00:00.123456+00:00")
    results: list[answers.Result] = [
        Held("r_1", 500, "EUR", "player", (3, 4), held_at, 9_500),
        Refunded("r_2", 500, "EUR", None),
        Failure("INSUFFICIENT_FUNDS", "no money", "r_3", "voided", 12, True),
        Failure("WALLET_UNAVAILABLE", "later", "r_4", "pending"),
        Failure("ROUND_NOT_HELD", "opened"),
    ]
    for result in results:
        reloaded = answers.load(answers.dump(result))
        assert reloaded == result
        assert purchase_answer(reloaded).body == purchase_answer(result).body

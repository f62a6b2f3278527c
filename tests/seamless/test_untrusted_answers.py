"""Whatever a wallet or a webhook receiver answers is recorded, bounded, and never an exception.

On PostgreSQL a NUL byte, a 300-character providerTxnRef, a 100-character refusal code or a
balance past 64 bits could not be stored: cashouts answered 500 after the money moved and the
instruction stayed pending with 0 attempts. Each answer here goes through ``interpret`` and
``record_result`` on the real database, and the test reads back what was kept.
"""

import json
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from coffer.inventory.answers import CashedBack
from coffer.inventory.cashout import Cashout, cashout
from coffer.inventory.models import InventoryItem
from coffer.kit.db import utcnow
from coffer.kit.untrusted import HASH_MARK, bounded
from coffer.operators.models import Operator
from coffer.players.service import ensure_player
from coffer.rounds.answers import Settled
from coffer.rounds.commands import Purchase, Reel
from coffer.rounds.purchasing import purchase
from coffer.runtime import Runtime
from coffer.seamless import service as seamless
from coffer.seamless.client import (
    Accepted,
    Attempt,
    CallResult,
    Refused,
    Uncertain,
    WalletClient,
    interpret,
)
from coffer.seamless.instructions import record_result
from coffer.seamless.models import WalletAttempt, WalletInstruction
from coffer.webhooks import delivery
from coffer.webhooks.sender import Attempt as HookAttempt
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.catalog import make_box, make_item, publish
from tests.support.webhooks import attempts, outbox, write_events

LONG_REF = "ref-" + "x" * 296
ANSWERS = {
    "NUL in the ref": (
        {"accepted": True, "providerTxnRef": "a\x00b", "balanceAfterMinor": 5},
        Accepted,
    ),
    "a 300-character ref": ({"accepted": True, "providerTxnRef": LONG_REF}, Accepted),
    "a 100-character code": (
        {"accepted": False, "code": "C" * 100, "message": "no\x00money"},
        Refused,
    ),
    "a balance of 2^63": ({"accepted": True, "balanceAfterMinor": 2**63}, Uncertain),
    "a balance below -2^63": (
        {"accepted": False, "code": "X", "balanceAfterMinor": -(2**63) - 1},
        Uncertain,
    ),
    "no accepted": ({"ok": True}, Uncertain),
    "accepted as text": ({"accepted": "true"}, Uncertain),
}


async def new_instruction(runtime: Runtime, operator: OperatorCtx) -> int:
    async with runtime.sessions() as session:
        found = await session.get(Operator, operator.operator_id)
        assert found is not None
        player = await ensure_player(session, found, "u_1")
        instruction = await seamless.add_instruction(
            session,
            operator_id=found.id,
            player_id=player.id,
            kind="payout",
            rpc="wallet.credit",
            key="payout:round:r_x",
            amount_minor=100,
            currency="EUR",
            funding="player",
        )
        await session.commit()
    return instruction.id


@pytest.mark.parametrize("case", list(ANSWERS))
async def test_every_wallet_answer_is_recorded(
    runtime: Runtime, operator: OperatorCtx, case: str
) -> None:
    body, kind = ANSWERS[case]
    text = json.dumps(body)
    outcome = interpret(200 if kind is not Refused else 422, text)
    assert isinstance(outcome, kind)
    instruction_id = await new_instruction(runtime, operator)
    result = CallResult(outcome, [Attempt(type(outcome).__name__.lower(), 200, 3, text + "\x00")])
    async with runtime.sessions() as session:
        assert await record_result(session, instruction_id, result, retry_at=utcnow())
        await session.commit()
    async with runtime.sessions() as session:
        stored = await session.get(WalletInstruction, instruction_id)
        attempt = await session.scalar(select(WalletAttempt))
    assert stored is not None
    assert attempt is not None
    assert stored.attempts == 1  # counted, whatever the answer held
    assert "\x00" not in (attempt.detail or "")
    assert stored.state == {Accepted: "accepted", Refused: "refused", Uncertain: "uncertain"}[kind]
    if case == "a 300-character ref":
        assert stored.provider_txn_ref is not None
        assert len(stored.provider_txn_ref) <= 200
        assert HASH_MARK in stored.provider_txn_ref
    if case == "NUL in the ref":
        assert stored.provider_txn_ref == "a\\x00b"
    if case == "a 100-character code":
        assert stored.refusal_code is not None
        assert len(stored.refusal_code) <= 64
        assert stored.last_error == "no\\x00money"


def test_bounding_keeps_a_hash_of_the_whole_value() -> None:
    one, two = bounded("x" * 300 + "1", 200), bounded("x" * 300 + "2", 200)
    assert len(one) == len(two) == 200
    assert one != two
    assert bounded("short", 200) == "short"
    assert bounded("\ud800", 10) == "\\ud800"


async def test_a_webhook_answer_with_nul_bytes_is_recorded(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    await write_events(runtime, operator.operator_id, "u_1", 1)
    courier = runtime.courier
    [leased] = await delivery.lease(courier, utcnow(), 10)
    answer = HookAttempt(500, 4, "HTTP 500", "bad\x00answer\ud800")
    async with runtime.sessions() as session:
        outcome = await delivery.record(
            session, courier, leased, answer, utcnow(), timedelta(hours=24)
        )
        await session.commit()
    assert outcome == "retrying"
    [event] = await outbox(runtime)
    [kept] = await attempts(runtime, event.id)
    assert kept.response_body is not None
    assert "\x00" not in kept.response_body


async def test_a_cashout_whose_wallet_answers_with_a_nul_and_a_long_ref_completes(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    """The reproduction: on PostgreSQL this answered 500 after the money moved and left the item
    cashing_out, retried every 5 minutes forever."""
    await admin.call("PATCH", f"/operators/{operator.slug}", {"walletUrl": "https://w.example/rpc"})
    item = await make_item(admin, operator.slug, cashbackMinor=50)
    box = await make_box(admin, operator.slug, [{"itemId": item["itemId"], "weight": 1}])
    version = (await publish(admin, operator.slug, box["boxId"]))["boxVersionId"]

    def wallet(request: httpx.Request) -> httpx.Response:
        ref = "ref\x00" + "r" * 400
        return httpx.Response(200, json={"accepted": True, "providerTxnRef": ref})

    client = WalletClient(httpx.AsyncClient(transport=httpx.MockTransport(wallet)), 0)
    gateway = replace(runtime, wallet=client).gateway
    bought = await purchase(
        gateway, operator.operator_id, Purchase("u_1", "c1", (Reel(0, version),))
    )
    assert isinstance(bought, Settled)
    won = [w.inventory_item_id for w in bought.won]
    result = await cashout(gateway, operator.operator_id, Cashout("u_1", won[0], "EUR"))
    assert isinstance(result, CashedBack)
    async with runtime.sessions() as session:
        state = await session.scalar(select(InventoryItem.state).where(InventoryItem.id == won[0]))
        credit = await session.scalar(
            select(WalletInstruction).where(WalletInstruction.inventory_item_id == won[0])
        )
    assert state == "cashed_back"
    assert credit is not None
    assert credit.state == "accepted"
    assert credit.provider_txn_ref is not None
    assert credit.provider_txn_ref.startswith("ref\\x00rrr")
    assert len(credit.provider_txn_ref) <= 200

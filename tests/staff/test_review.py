"""Held money is visible and actionable: a refused rollback waits for a person (SPEC §8, §13)."""

import json
from dataclasses import replace
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from coffer.kit.db import utcnow
from coffer.rounds.answers import Failure
from coffer.rounds.commands import Purchase, Reel
from coffer.rounds.models import Round
from coffer.rounds.purchasing import purchase
from coffer.runtime import Runtime
from coffer.seamless.client import WalletClient
from coffer.seamless.models import WalletInstruction
from coffer.seamless.resolver import run_once
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.catalog import published_box
from tests.support.faults import later
from tests.support.webhooks import outbox

WALLET = "https://wallet.example/rpc"


class RefusingWallet:
    """Answers a debit with a 500 (uncertain) and refuses rollbacks until told otherwise."""

    def __init__(self) -> None:
        self.refuse_rollbacks = True
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        kind = json.loads(request.content)["type"]
        self.calls.append(kind)
        if kind == "wallet.debit":
            return httpx.Response(500, text="upstream broke")
        if self.refuse_rollbacks:
            return httpx.Response(422, json={"accepted": False, "code": "ROLLBACK_REFUSED"})
        return httpx.Response(200, json={"accepted": True, "balanceAfterMinor": 1000})


async def held_round(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime, wallet: RefusingWallet
) -> tuple[Runtime, str, int, int]:
    """A purchase whose debit is uncertain and whose rollback the wallet refused."""
    await admin.call("PATCH", f"/operators/{operator.slug}", {"walletUrl": WALLET})
    _box, version = await published_box(admin, operator.slug)
    client = WalletClient(httpx.AsyncClient(transport=httpx.MockTransport(wallet)), 0)
    mocked = replace(runtime, wallet=client)
    command = Purchase("u_held", "held-1", (Reel(0, version),))
    answer = await purchase(mocked.gateway, operator.operator_id, command)
    assert isinstance(answer, Failure)
    assert answer.code == "WALLET_UNAVAILABLE"
    report = await run_once(mocked.gateway, now=later())
    assert report.still_open == 1
    listed = await admin.call("GET", f"/operators/{operator.slug}/wallet/instructions/review")
    [pending] = listed["instructions"]
    return mocked, str(answer.round_public_id), pending["id"], version


async def test_a_refused_rollback_is_listed_and_the_player_shows_it(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    wallet = RefusingWallet()
    mocked, public_id, instruction_id, version = await held_round(admin, operator, runtime, wallet)
    seen = await admin.call("GET", f"/operators/{operator.slug}/players/u_held")
    assert [r["status"] for r in seen["rounds"]] == ["pending"]  # the money is held
    [debit, rollback] = sorted(seen["walletInstructions"], key=lambda i: i["id"])
    assert (debit["id"], debit["state"], debit["kind"]) == (instruction_id, "review", "purchase")
    assert "ROLLBACK_REFUSED" in debit["lastError"]
    assert [a["httpStatus"] for a in debit["attemptLog"]] == [500]
    assert (rollback["state"], rollback["refusalCode"]) == ("refused", "ROLLBACK_REFUSED")
    assert debit["roundPublicId"] == public_id
    replay = await purchase(
        mocked.gateway,
        operator.operator_id,
        Purchase("u_held", "held-1", (Reel(0, version),)),
    )
    assert isinstance(replay, Failure)
    assert (replay.code, replay.round_status) == ("WALLET_UNAVAILABLE", "pending")
    assert "refused to roll back" in replay.message  # says what the state is now
    missing = await admin.client.get(
        f"/api/admin/operators/{operator.slug}/players/nobody", headers=admin.headers
    )
    assert missing.status_code == 404


async def test_staff_close_it_as_settled_outside_and_the_round_is_voided(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    wallet = RefusingWallet()
    _mocked, public_id, instruction_id, _version = await held_round(
        admin, operator, runtime, wallet
    )
    path = f"/operators/{operator.slug}/wallet/instructions/{instruction_id}"
    closed = await admin.call("POST", f"{path}/settle-outside", {"note": "refunded by phone #42"})
    assert closed["state"] == "settled_outside"
    assert "refunded by phone #42" in closed["lastError"]
    async with runtime.sessions() as session:
        status = await session.scalar(select(Round.status).where(Round.public_id == public_id))
    assert status == "voided"
    assert "round_voided" in [e.type for e in await outbox(runtime)]
    assert await admin.call("GET", f"/operators/{operator.slug}/wallet/instructions/review") == {
        "instructions": []
    }
    again = await admin.client.post(
        f"/api/admin{path}/settle-outside", json={"note": "twice"}, headers=admin.headers
    )
    assert again.status_code == 409  # closed once; nothing changes a second time


async def test_staff_retry_sends_the_rollback_again(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    wallet = RefusingWallet()
    mocked, _public_id, instruction_id, _version = await held_round(
        admin, operator, runtime, wallet
    )
    wallet.refuse_rollbacks = False
    path = f"/operators/{operator.slug}/wallet/instructions/{instruction_id}/retry"
    assert (await admin.call("POST", path))["state"] == "uncertain"
    report = await run_once(mocked.gateway, now=later(10))
    assert report.rolled_back == 1
    assert wallet.calls == ["wallet.debit", "wallet.rollback", "wallet.rollback"]
    seen = await admin.call("GET", f"/operators/{operator.slug}/players/u_held")
    assert [r["status"] for r in seen["rounds"]] == ["voided"]
    states = sorted((i["kind"], i["state"]) for i in seen["walletInstructions"])
    assert states == [("purchase", "rolled_back"), ("rollback", "accepted")]


async def test_an_instruction_unresolved_past_the_window_is_flagged_and_still_retried(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    wallet = RefusingWallet()
    await admin.call("PATCH", f"/operators/{operator.slug}", {"walletUrl": WALLET})
    _box, version = await published_box(admin, operator.slug)
    client = WalletClient(httpx.AsyncClient(transport=httpx.MockTransport(wallet)), 0)
    mocked = replace(runtime, wallet=client)
    await purchase(
        mocked.gateway, operator.operator_id, Purchase("u_x", "x-1", (Reel(0, version),))
    )
    path = f"/operators/{operator.slug}/wallet/instructions/review"
    assert (await admin.call("GET", path))["instructions"] == []  # uncertain, but not for long
    async with runtime.sessions() as session:
        await session.execute(
            update(WalletInstruction).values(created_at=utcnow() - timedelta(hours=25))
        )
        await session.commit()
    [flagged] = (await admin.call("GET", path))["instructions"]
    assert (flagged["kind"], flagged["state"]) == ("purchase", "uncertain")

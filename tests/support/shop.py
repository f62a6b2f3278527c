"""A shop for purchase tests: an operator wired to the reference casino and single-prize boxes."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from coffer.rounds.models import Round
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.casino import CasinoServer

PURCHASE = "/api/s2s/purchase"
CANCEL = "/api/s2s/cancel"
PLAYER = "u_8431"


@dataclass
class Shop:
    """Box versions that always give one known prize, priced 500 EUR each."""

    operator: OperatorCtx
    casino: CasinoServer
    admin: AdminApi
    sword_item: int
    sword_box: int
    sword_version: int
    cash_version: int
    bonus_version: int
    bonus_item: int

    async def buy(self, client_action_id: str, **fields: Any) -> httpx.Response:
        body: dict[str, Any] = {
            "playerExternalId": PLAYER,
            "gameKey": "mystery_box",
            "clientActionId": client_action_id,
            "reels": [{"reelIndex": 0, "boxVersionId": self.sword_version}],
        }
        body.update(fields)
        return await self.operator.s2s.post(
            PURCHASE, {k: v for k, v in body.items() if v is not ...}
        )


async def _single_prize_box(
    admin: AdminApi, slug: str, name: str, prize: dict[str, Any]
) -> tuple[int, int]:
    box = await admin.call(
        "POST",
        f"/operators/{slug}/boxes",
        {
            "name": name,
            "slug": name.lower(),
            "priceMinor": 500,
            "currency": "EUR",
            "prizes": [{**prize, "weight": 1}],
        },
        expect=201,
    )
    version = await admin.call(
        "POST", f"/operators/{slug}/boxes/{box['boxId']}/publish", expect=201
    )
    return box["boxId"], version["boxVersionId"]


@pytest.fixture
async def shop(operator: OperatorCtx, admin: AdminApi, tmp_path: Path) -> AsyncIterator[Shop]:
    async with CasinoServer(
        tmp_path / "casino.db", outbound_secret=operator.outbound_secret, hold_seconds=3.0
    ) as casino:
        await admin.call(
            "PATCH",
            f"/operators/{operator.slug}",
            {"walletUrl": casino.url, "webhookUrl": casino.webhook_url},
        )
        slug = operator.slug
        sword = await admin.call(
            "POST",
            f"/operators/{slug}/items",
            {
                "name": "Golden Sword",
                "type": "physical",
                "valueMinor": 320,
                "currency": "EUR",
                "cashbackBps": 2500,
                "shippable": True,
            },
            expect=201,
        )
        bonus = await admin.call(
            "POST",
            f"/operators/{slug}/items",
            {"name": "10 Free Spins", "type": "bonus", "valueMinor": 200, "currency": "EUR"},
            expect=201,
        )
        sword_box, sword_version = await _single_prize_box(
            admin, slug, "Sword", {"itemId": sword["itemId"]}
        )
        _, cash_version = await _single_prize_box(admin, slug, "Cash", {"cashMinor": 700})
        _, bonus_version = await _single_prize_box(
            admin, slug, "Bonus", {"itemId": bonus["itemId"]}
        )
        yield Shop(
            operator,
            casino,
            admin,
            sword["itemId"],
            sword_box,
            sword_version,
            cash_version,
            bonus_version,
            bonus["itemId"],
        )


async def rounds(runtime: Runtime) -> list[Round]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(Round).order_by(Round.id))).all())


def ledger_amounts(casino: CasinoServer) -> list[tuple[str, int]]:
    """(key, signed amount) of every instruction the casino applied, oldest first."""
    return [(row["idempotencyKey"], row["amountMinor"]) for row in casino.ledger()]


async def assert_money_consistent(runtime: Runtime, casino: CasinoServer) -> None:
    """For every round: debited minus rolled back equals what the round still holds."""
    casino.assert_ledger_consistent()
    applied = dict(ledger_amounts(casino))
    for round_ in await rounds(runtime):
        debit = applied.get(f"round:{round_.public_id}", 0)
        undone = applied.get(f"rollback:round:{round_.public_id}", 0)
        kept = -debit - undone
        expected = (
            0 if round_.status == "voided" or round_.funding == "operator" else round_.bet_minor
        )
        assert kept == expected, (round_.public_id, round_.status, debit, undone)
        if round_.status in ("settled", "held", "refunded", "refunding"):
            assert round_.funding == "operator" or debit == -round_.bet_minor, round_.public_id


def body_of(response: httpx.Response) -> Any:
    return json.loads(response.content)

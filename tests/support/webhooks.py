"""Reading the outbox in tests, and a clock the worker reads instead of the wall."""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from coffer.kit.db import utcnow
from coffer.operators.models import Operator
from coffer.players.service import ensure_player
from coffer.runtime import Runtime
from coffer.webhooks.models import WebhookAttempt, WebhookEvent
from coffer.webhooks.outbox import emit


@dataclass
class Clock:
    """The worker's now; tests move it past backoffs instead of sleeping."""

    now: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def outbox(runtime: Runtime, kind: str | None = None) -> list[WebhookEvent]:
    """Every event written so far, oldest first (optionally of one type)."""
    async with runtime.sessions() as session:
        stmt = select(WebhookEvent).order_by(WebhookEvent.id)
        if kind is not None:
            stmt = stmt.where(WebhookEvent.type == kind)
        return list((await session.scalars(stmt)).all())


async def attempts(runtime: Runtime, event_id: int) -> list[WebhookAttempt]:
    async with runtime.sessions() as session:
        stmt = select(WebhookAttempt).where(WebhookAttempt.event_id == event_id)
        return list((await session.scalars(stmt.order_by(WebhookAttempt.id))).all())


def kinds(events: list[WebhookEvent]) -> list[str]:
    return [event.type for event in events]


def payload(event: WebhookEvent) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(event.body)
    return body


def data(event: WebhookEvent) -> dict[str, Any]:
    found: dict[str, Any] = payload(event)["data"]
    return found


async def write_events(
    runtime: Runtime, operator_id: int, player: str, count: int, kind: str = "item_expired"
) -> list[str]:
    """``count`` events for one player, committed together, as a change would write them."""
    async with runtime.sessions() as session:
        found = await session.get(Operator, operator_id)
        assert found is not None
        owner = await ensure_player(session, found, player)
        ids = [
            (await emit(session, operator_id, owner.id, kind, {"n": n})).public_id
            for n in range(count)
        ]
        await session.commit()
    return ids

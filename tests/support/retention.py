"""Rows with chosen ages for retention stories: webhook events, sessions, audit entries."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from coffer.audit.models import AuditEntry
from coffer.audit.service import Change, record
from coffer.kit.db import utcnow
from coffer.operators.models import Operator, ServerSession
from coffer.play.models import Launch, PlaySession
from coffer.players.service import ensure_player
from coffer.runtime import Runtime
from coffer.webhooks.models import WebhookAttempt, WebhookEvent
from tests.support.webhooks import write_events

NOW = utcnow()
OLD = NOW - timedelta(days=31)  # past the 30-day default windows
RECENT = NOW - timedelta(days=29)  # inside them
FUTURE = NOW + timedelta(hours=1)


async def events_with_attempts(
    runtime: Runtime,
    operator_id: int,
    count: int,
    status: str,
    delivered_at: datetime | None,
    attempts_each: int = 1,
) -> list[int]:
    """``count`` events set to ``status`` (delivered at ``delivered_at``), each with attempts."""
    public_ids = await write_events(runtime, operator_id, "p-retention", count)
    async with runtime.sessions() as session:
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.public_id.in_(public_ids))
            .values(status=status, delivered_at=delivered_at)
        )
        found = select(WebhookEvent.id).where(WebhookEvent.public_id.in_(public_ids))
        ids = list(await session.scalars(found))
        for event_id in ids:
            session.add_all(
                WebhookAttempt(event_id=event_id, http_status=200, latency_ms=5)
                for _ in range(attempts_each)
            )
        await session.commit()
    return ids


async def surviving(runtime: Runtime, model: type[object], ids: list[int]) -> list[int]:
    """Which of ``ids`` are still in the table."""
    async with runtime.sessions() as session:
        id_column = getattr(model, "id")  # noqa: B009 - any model with an id
        found = await session.scalars(select(id_column).where(id_column.in_(ids)))
        return sorted(found)


async def attempts_of(runtime: Runtime, event_ids: list[int]) -> int:
    async with runtime.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(WebhookAttempt)
            .where(WebhookAttempt.event_id.in_(event_ids))
        )
    return int(count or 0)


async def launch_and_session(
    runtime: Runtime, operator_id: int, expires_at: datetime, ends_at: datetime | None
) -> tuple[int, int]:
    """A launch expiring at ``expires_at`` and, unless ``ends_at`` is None, its session (else 0)."""
    async with runtime.sessions() as session:
        operator = await session.get(Operator, operator_id)
        assert operator is not None
        player = await ensure_player(session, operator, "p-sessions")
        launch = Launch(**_launch_fields(operator_id, player.id, expires_at))
        session.add(launch)
        await session.flush()
        play = None
        if ends_at is not None:
            play = PlaySession(**_session_fields(operator_id, player.id, launch.id, ends_at))
            session.add(play)
            await session.flush()
        await session.commit()
        return launch.id, play.id if play else 0


def _launch_fields(operator_id: int, player_id: int, expires_at: datetime) -> dict[str, object]:
    return {
        "operator_id": operator_id,
        "player_id": player_id,
        "token_hash": secrets.token_hex(32),
        "game_key": "mystery_box",
        "auto_open": False,
        "locale": "en",
        "currency": "EUR",
        "parent_origin": "https://casino.example",
        "funding": "player",
        "funding_rounds": 0,
        "created_at": expires_at - timedelta(seconds=60),
        "expires_at": expires_at,
    }


def _session_fields(
    operator_id: int, player_id: int, launch_id: int, ends_at: datetime
) -> dict[str, object]:
    started = ends_at - timedelta(hours=8)
    return {
        "operator_id": operator_id,
        "player_id": player_id,
        "launch_id": launch_id,
        "token_hash": secrets.token_hex(32),
        "currency": "EUR",
        "rate_to_base": "1/1",
        "minor_digits": 2,
        "free_opens_left": 0,
        "created_at": started,
        "last_seen_at": started,
        "idle_seconds": 1800,
        "ends_at": ends_at,
    }


async def server_session(runtime: Runtime, operator_id: int, expires_at: datetime) -> int:
    async with runtime.sessions() as session:
        row = ServerSession(
            operator_id=operator_id, token_hash=secrets.token_hex(32), expires_at=expires_at
        )
        session.add(row)
        await session.commit()
        return row.id


async def audit_entry(runtime: Runtime, operator_id: int, at: datetime) -> int:
    async with runtime.sessions() as session:
        await record(session, operator_id, Change("test", "test.written", "test:1"), now=at)
        await session.commit()
        newest = select(func.max(AuditEntry.id))
        return int(await session.scalar(newest) or 0)

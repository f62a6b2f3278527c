"""Staff's view of the outbox: list events, read one with its attempts, send one again."""

import json
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.cursors import decode_keyset, encode_keyset
from coffer.kit.db import rows_changed, utcnow
from coffer.kit.errors import Conflict, NotFound, ValidationFailed
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.webhooks.delivery import PENDING
from coffer.webhooks.models import WebhookAttempt, WebhookEvent
from coffer.webhooks.schemas import AttemptOut, EventCursor, EventDetail, EventOut, EventPage

STATUSES = ("pending", "delivered", "failed")


@dataclass(frozen=True)
class EventQuery:
    status: str | None
    kind: str | None
    player_external_id: str | None
    limit: int
    cursor: str | None


def event_out(event: WebhookEvent, player: str | None) -> EventOut:
    return EventOut(
        id=event.public_id,
        type=event.type,
        status=event.status,
        player_external_id=player,
        attempts=event.attempts,
        next_attempt_at=event.next_attempt_at if event.status == "pending" else None,
        last_error=event.last_error,
        created_at=event.created_at,
        delivered_at=event.delivered_at,
        payload=json.loads(event.body),
    )


async def list_events(session: AsyncSession, operator: Operator, query: EventQuery) -> EventPage:
    """The operator's events, newest first, keyset paged."""
    stmt = (
        select(WebhookEvent, Player.external_id)
        .outerjoin(Player, Player.id == WebhookEvent.player_id)
        .where(WebhookEvent.operator_id == operator.id)
        .order_by(WebhookEvent.id.desc())
        .limit(query.limit + 1)
    )
    if query.cursor is not None:
        cursor = decode_keyset(query.cursor)
        if cursor.direction != "next":
            raise ValidationFailed(fields={"cursor": "this list pages forward only: use next"})
        stmt = stmt.where(WebhookEvent.id < cursor.id)
    if query.status is not None:
        stmt = stmt.where(WebhookEvent.status == query.status)
    if query.kind is not None:
        stmt = stmt.where(WebhookEvent.type == query.kind)
    if query.player_external_id is not None:
        stmt = stmt.where(Player.external_id == query.player_external_id)
    rows = [(row[0], row[1]) for row in await session.execute(stmt)]
    page = rows[: query.limit]
    more = len(rows) > query.limit
    next_ = encode_keyset("next", page[-1][0].id) if more else None
    return EventPage(
        events=[event_out(event, player) for event, player in page],
        cursor=EventCursor(next=next_),
    )


async def _find(session: AsyncSession, operator: Operator, public_id: str) -> WebhookEvent:
    event = await session.scalar(
        select(WebhookEvent)
        .where(WebhookEvent.operator_id == operator.id, WebhookEvent.public_id == public_id)
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise NotFound(f"Operator {operator.slug} has no webhook event {public_id!r}.")
    return event


async def get_event(session: AsyncSession, operator: Operator, public_id: str) -> EventDetail:
    """One event with every attempt, oldest first."""
    event = await _find(session, operator, public_id)
    player = await session.get(Player, event.player_id) if event.player_id else None
    attempts = await session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.event_id == event.id)
        .order_by(WebhookAttempt.id)
    )
    out = event_out(event, player.external_id if player else None)
    log = [AttemptOut.model_validate(a) for a in attempts]
    return EventDetail(**out.model_dump(), attempt_log=log)


async def redeliver(session: AsyncSession, operator: Operator, public_id: str) -> EventDetail:
    """Send the event again now.

    A delivered or failed event is queued afresh (a new retry window, backoff from 1 s) and goes
    out on its own: it does not hold up the player's later events. A pending one waiting for its
    next retry (or whose worker died) is simply tried now.
    """
    event = await _find(session, operator, public_id)
    now = utcnow()
    moved = await session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event.id, WebhookEvent.status.in_(("delivered", "failed")))
        .values(
            status="pending",
            in_order=False,
            attempts=0,
            next_attempt_at=now,
            window_started_at=None,
            lease_token=None,
            last_error=None,
            delivered_at=None,  # until it is delivered again
        )
    )
    if rows_changed(moved) != 1:
        idle = or_(WebhookEvent.lease_token.is_(None), WebhookEvent.next_attempt_at <= now)
        moved = await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event.id, WebhookEvent.status == "pending", idle)
            .values(next_attempt_at=now, lease_token=None)
        )
    if rows_changed(moved) != 1:
        raise Conflict(f"Event {public_id} is being delivered right now; try again shortly.")
    return await get_event(session, operator, public_id)


async def queue_depth(session: AsyncSession) -> tuple[int, float | None]:
    """Pending events and the age in seconds of the oldest (None when none waits), for metrics."""
    found = await session.execute(
        select(func.count(), func.min(WebhookEvent.created_at)).where(
            WebhookEvent.status == PENDING
        )
    )
    count, oldest = found.one()
    age = None if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())
    return int(count), age

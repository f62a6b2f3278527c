"""The webhook worker: lease due events, POST them outside any transaction, record each attempt.

An event is due when it is ``pending``, its time has come, and no earlier event of the same player
is still ``pending`` (per-player order). Leasing is a conditional update under a fresh token; on
PostgreSQL the candidates are also read ``FOR UPDATE SKIP LOCKED`` so that several workers split
the queue instead of queueing on each other's locks. A worker that dies mid-send loses its lease
after ``LEASE`` and the event goes out again: delivery is at least once, ``Webhook-Id`` lets the
receiver drop the repeat.
"""

import asyncio
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, exists, func, literal, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnClause

from coffer.inventory.models import Entitlement
from coffer.kit.db import UtcDateTime, utcnow
from coffer.operators.models import Operator
from coffer.runtime import Runtime
from coffer.webhooks.models import WebhookAttempt, WebhookEvent
from coffer.webhooks.sender import Attempt, Outgoing, post_event

log = logging.getLogger("coffer.webhooks")
Clock = Callable[[], datetime]

# Written into the SQL, not bound, so that both planners can use the partial index on pending ids.
PENDING: ColumnClause[str] = literal_column("'pending'")
# Longer than any single POST may take (the timeout is at most 60 s).
LEASE = timedelta(minutes=2)
MAX_BACKOFF_S = 3600


def backoff(attempts: int, jitter: float = 0.0) -> timedelta:
    """1 s, 2 s, 4 s … capped at 1 h after the ``attempts``-th failure; jitter trims ≤ 20%."""
    seconds = min(2 ** min(max(attempts - 1, 0), 12), MAX_BACKOFF_S)
    return timedelta(seconds=seconds * (1 - 0.2 * jitter))


@dataclass
class DeliveryReport:
    """What one pass did."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def due_events(now: datetime) -> Select[int, int, int | None]:
    """(id, operator, player) of events that may go out now, oldest first.

    An event waits while an earlier in-line event of its player is pending, and while any event
    of its player is in flight (leased, lease not run out). A redelivered event (not in line)
    waits only for the latter; ``lease`` then takes one event per player per batch. Two workers
    leasing at the same moment may still each take one redelivered event of the same player.
    """
    other = aliased(WebhookEvent)
    in_line_before = and_(
        WebhookEvent.in_order.is_(True), other.in_order.is_(True), other.id < WebhookEvent.id
    )
    in_flight = and_(other.lease_token.is_not(None), other.next_attempt_at > now)
    blocked = exists().where(
        other.operator_id == WebhookEvent.operator_id,
        other.player_id == WebhookEvent.player_id,
        other.status == "pending",
        other.id != WebhookEvent.id,
        or_(in_line_before, in_flight),
    )
    return (
        select(WebhookEvent.id, WebhookEvent.operator_id, WebhookEvent.player_id)
        .where(WebhookEvent.status == PENDING, WebhookEvent.next_attempt_at <= now)
        .where(~blocked)
        .order_by(WebhookEvent.id)
    )


def _one_per_player(rows: list[tuple[int, int, int | None]]) -> list[int]:
    seen: set[tuple[int, int | None]] = set()
    ids = []
    for event_id, operator_id, player_id in rows:
        if player_id is None or (operator_id, player_id) not in seen:
            seen.add((operator_id, player_id))
            ids.append(event_id)
    return ids


async def lease(runtime: Runtime, now: datetime, limit: int) -> list[Outgoing]:
    """Take up to ``limit`` due events under one token, in one short transaction."""
    token = uuid.uuid4().hex
    async with runtime.sessions() as session:
        stmt = due_events(now).limit(limit)
        if runtime.engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=WebhookEvent)
        ids = _one_per_player([(r[0], r[1], r[2]) for r in await session.execute(stmt)])
        if not ids:
            return []
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id.in_(ids), WebhookEvent.status == "pending")
            .where(WebhookEvent.next_attempt_at <= now)
            .values(
                lease_token=token,
                next_attempt_at=max(now, utcnow()) + LEASE,
                window_started_at=func.coalesce(
                    WebhookEvent.window_started_at, literal(now, UtcDateTime())
                ),
            )
            .execution_options(synchronize_session=False)
        )
        rows = await session.execute(
            select(WebhookEvent, Operator)
            .join(Operator, Operator.id == WebhookEvent.operator_id)
            .where(WebhookEvent.id.in_(ids), WebhookEvent.lease_token == token)
            .order_by(WebhookEvent.id)
        )
        taken = [_outgoing(runtime, event, operator, token) for event, operator in rows]
        await session.commit()
    return taken


def _outgoing(runtime: Runtime, event: WebhookEvent, operator: Operator, token: str) -> Outgoing:
    try:
        secret: str | None = runtime.secrets.open(operator.outbound_secret_sealed)
    except Exception:  # a secret sealed under another key fails this event, not the others
        log.exception("cannot open the outbound secret of operator %s", operator.slug)
        secret = None
    return Outgoing(
        event.id,
        event.public_id,
        event.type,
        event.body.encode(),
        operator.webhook_url,
        secret,
        event.attempts,
        token,
    )


async def record(
    session: AsyncSession,
    event: Outgoing,
    attempt: Attempt,
    now: datetime,
    window: timedelta,
    jitter: float = 0.0,
) -> str:
    """Keep the attempt and move the event on; answer its status (or ``lost`` without the lease)."""
    session.add(
        WebhookAttempt(
            event_id=event.event_id,
            attempted_at=now,
            http_status=attempt.http_status,
            latency_ms=attempt.latency_ms,
            error=attempt.error,
            response_body=attempt.response_body,
        )
    )
    values: dict[str, object] = {"lease_token": None, "attempts": WebhookEvent.attempts + 1}
    if attempt.delivered:
        values.update(status="delivered", delivered_at=now, last_error=None)
    else:
        values["last_error"] = attempt.error
        values["next_attempt_at"] = now + backoff(event.attempts + 1, jitter)
    mine = (WebhookEvent.id == event.event_id, WebhookEvent.lease_token == event.token)
    moved = await session.execute(update(WebhookEvent).where(*mine).values(**values))
    if getattr(moved, "rowcount", 0) != 1:
        return "lost"
    if attempt.delivered:
        if event.kind == "bonus_entitlement":
            await session.execute(
                update(Entitlement)
                .where(Entitlement.event_id == event.event_id, Entitlement.delivered_at.is_(None))
                .values(delivered_at=now)
            )
        return "delivered"
    expired = await session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event.event_id, WebhookEvent.status == "pending")
        .where(WebhookEvent.window_started_at <= now - window)
        .values(status="failed")
    )
    return "failed" if getattr(expired, "rowcount", 0) == 1 else "retrying"


async def run_once(
    runtime: Runtime, clock: Clock = utcnow, limit: int | None = None
) -> DeliveryReport:
    """Lease a batch, POST it concurrently (one event per player at most), record each answer."""
    settings = runtime.settings
    events = await lease(runtime, clock(), limit or settings.webhook_batch)
    report = DeliveryReport(claimed=len(events))
    window = timedelta(hours=settings.webhook_retry_hours)

    async def one(event: Outgoing) -> None:
        attempt = await post_event(runtime.webhook_http, event, settings.webhook_timeout_s)
        async with runtime.sessions() as session:
            outcome = await record(session, event, attempt, clock(), window, random.random())
            await session.commit()
        if outcome == "delivered":
            report.delivered += 1
        elif outcome == "failed":
            report.failed += 1
            log.warning("webhook %s failed for good: %s", event.public_id, attempt.error)
        elif outcome == "retrying":
            report.retrying += 1

    results = await asyncio.gather(*(one(e) for e in events), return_exceptions=True)
    for error in results:
        if isinstance(error, Exception):  # the lease runs out and the event is sent again
            log.error("recording a webhook attempt failed", exc_info=error)
    return report


async def drain(runtime: Runtime, clock: Clock = utcnow, passes: int = 1000) -> DeliveryReport:
    """Run passes until one leases nothing: what is due now (and what it unblocks) goes out."""
    total = DeliveryReport()
    for _ in range(passes):
        report = await run_once(runtime, clock)
        if report.claimed == 0:
            break
        total.claimed += report.claimed
        total.delivered += report.delivered
        total.retrying += report.retrying
        total.failed += report.failed
    return total


async def run_forever(runtime: Runtime, interval_s: float) -> None:
    """The delivery loop inside ``coffer serve`` and ``coffer worker``."""
    while True:
        try:
            await drain(runtime)
        except Exception:  # the loop must survive a bad pass; the next one retries
            log.exception("webhook pass failed")
        await asyncio.sleep(interval_s)

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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Select, and_, exists, func, literal, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnClause

from coffer.kit import loops
from coffer.kit.backoff import backoff
from coffer.kit.db import UtcDateTime, rows_changed, skip_locked, utcnow
from coffer.kit.secrets import SecretBox
from coffer.kit.untrusted import bounded_or_none
from coffer.operators.models import Operator
from coffer.operators.outbound import signers
from coffer.webhooks.models import WebhookAttempt, WebhookEvent
from coffer.webhooks.sender import Attempt, Outgoing, post_event

log = logging.getLogger("coffer.webhooks")
Clock = Callable[[], datetime]
# A feature's reaction to one of its events being delivered, in the transaction recording it.
Delivered = Callable[[AsyncSession, int, datetime], Awaitable[None]]

# Written into the SQL, not bound, so that both planners can use the partial index on pending ids.
PENDING: ColumnClause[str] = literal_column("'pending'")
# Longer than any single POST may take (the timeout is at most 60 s).
LEASE = timedelta(minutes=2)

# Its own generator: jitter never moves the process's global random state.
JITTER = random.Random()


@dataclass(frozen=True)
class Courier:
    """What the delivery worker needs: its own HTTP pool, the secrets and its settings."""

    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    secrets: SecretBox
    batch: int
    timeout_s: float
    retry_hours: float
    on_delivered: Mapping[str, Delivered] = field(default_factory=dict)


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


async def lease(courier: Courier, now: datetime, limit: int) -> list[Outgoing]:
    """Take up to ``limit`` due events under one token, in one short transaction."""
    token = uuid.uuid4().hex
    async with courier.sessions() as session:
        stmt = skip_locked(due_events(now).limit(limit), session, WebhookEvent)
        ids = _one_per_player([(r[0], r[1], r[2]) for r in await session.execute(stmt)])
        if not ids:
            return []
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id.in_(ids), WebhookEvent.status == "pending")
            .where(WebhookEvent.next_attempt_at <= now)
            .values(
                lease_token=token,
                next_attempt_at=now + LEASE,
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
        taken = [_outgoing(courier.secrets, event, operator, token) for event, operator in rows]
        await session.commit()
    return taken


def _outgoing(secrets: SecretBox, event: WebhookEvent, operator: Operator, token: str) -> Outgoing:
    secret: str | None = None
    next_secret: str | None = None
    try:
        signing = signers(operator, secrets)
        secret, next_secret = signing.current, signing.next
    except Exception:  # a secret sealed under another key fails this event, not the others
        log.exception("cannot open the outbound secret of operator %s", operator.slug)
    return Outgoing(
        event.id,
        event.public_id,
        event.type,
        event.body.encode(),
        operator.webhook_url,
        secret,
        event.attempts,
        token,
        next_secret,
    )


async def record(
    session: AsyncSession,
    courier: Courier,
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
            error=bounded_or_none(attempt.error, 500),
            response_body=bounded_or_none(attempt.response_body, 4096),
        )
    )
    values: dict[str, object] = {"lease_token": None, "attempts": WebhookEvent.attempts + 1}
    if attempt.delivered:
        values.update(status="delivered", delivered_at=now, last_error=None)
    else:
        values["last_error"] = bounded_or_none(attempt.error, 500)
        values["next_attempt_at"] = now + backoff(event.attempts + 1, jitter)
    mine = (WebhookEvent.id == event.event_id, WebhookEvent.lease_token == event.token)
    moved = await session.execute(update(WebhookEvent).where(*mine).values(**values))
    if rows_changed(moved) != 1:
        return "lost"
    if attempt.delivered:
        hook = courier.on_delivered.get(event.kind)
        if hook is not None:
            await hook(session, event.event_id, now)
        return "delivered"
    expired = await session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event.event_id, WebhookEvent.status == "pending")
        .where(WebhookEvent.window_started_at <= now - window)
        .values(status="failed")
    )
    return "failed" if rows_changed(expired) == 1 else "retrying"


async def run_once(
    courier: Courier, clock: Clock = utcnow, limit: int | None = None
) -> DeliveryReport:
    """Lease a batch, POST it concurrently (one event per player at most), record each answer."""
    events = await lease(courier, clock(), limit or courier.batch)
    report = DeliveryReport(claimed=len(events))
    window = timedelta(hours=courier.retry_hours)

    async def one(event: Outgoing) -> None:
        attempt = await post_event(courier.http, event, courier.timeout_s)
        async with courier.sessions() as session:
            outcome = await record(
                session, courier, event, attempt, clock(), window, JITTER.random()
            )
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


async def drain(courier: Courier, clock: Clock = utcnow, passes: int = 1000) -> DeliveryReport:
    """Run passes until one leases nothing: what is due now (and what it unblocks) goes out."""
    total = DeliveryReport()
    for _ in range(passes):
        report = await run_once(courier, clock)
        if report.claimed == 0:
            break
        total.claimed += report.claimed
        total.delivered += report.delivered
        total.retrying += report.retrying
        total.failed += report.failed
    return total


async def run_forever(courier: Courier, interval_s: float) -> None:
    """The delivery loop inside ``coffer serve`` and ``coffer worker``."""
    await loops.run_forever("webhooks", lambda: drain(courier), interval_s)

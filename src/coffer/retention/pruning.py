"""Pruning rows past their window, one short transaction per batch, children before parents.

Each batch picks at most ``batch`` ids through the table's retention index (on PostgreSQL
locking them and skipping rows another pruner holds), deletes exactly those ids and commits, so
no transaction holds locks for longer than one batch and several pruners split the work.

Pruned: delivered webhook events (with their attempts) past the webhook window; player-app
sessions, launches no session needs and LootLocker server sessions past the session window;
audit entries past the audit window (at least 90 days). Never pruned: pending or failed events,
anything not yet ended or expired, and money records (rounds, wallet instructions and attempts,
ledger postings): they are kept for as long as the database is.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, exists, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnClause

from coffer.audit.models import AuditEntry
from coffer.inventory.models import Entitlement
from coffer.kit.db import rows_changed, skip_locked, write_session
from coffer.kit.settings import Settings
from coffer.operators.models import ServerSession
from coffer.play.models import Launch, PlaySession
from coffer.webhooks.models import WebhookAttempt, WebhookEvent

Counts = dict[str, int]
# Written into the SQL, not bound, so that PostgreSQL can use the partial index on delivered events.
DELIVERED: ColumnClause[str] = literal_column("'delivered'")
TABLES = (
    "webhook_attempts",
    "webhook_events",
    "play_sessions",
    "launches",
    "server_sessions",
    "audit_entries",
)


@dataclass(frozen=True)
class Windows:
    """How long each kind of row is kept after it ended, expired or was delivered."""

    webhooks: timedelta
    sessions: timedelta
    audit: timedelta

    @classmethod
    def of(cls, settings: Settings) -> "Windows":
        return cls(
            timedelta(days=settings.webhook_retention_days),
            timedelta(days=settings.session_retention_days),
            timedelta(days=settings.audit_retention_days),
        )


Children = Callable[[AsyncSession, list[int]], Awaitable[Counts]]
ChildCount = Callable[[AsyncSession, Select[Any]], Awaitable[Counts]]


@dataclass(frozen=True)
class Target:
    """One table's retention rule: which rows are due, in which index order, and their children."""

    table: str
    id_column: Any
    order: Any
    due: Callable[[datetime], list[ColumnElement[bool]]]
    window: Callable[[Windows], timedelta]
    children: Children | None = None
    count_children: ChildCount | None = None
    # What a dry run counts, when earlier tables' pruning frees more rows in the same pass.
    foresee: Callable[[datetime], list[ColumnElement[bool]]] | None = None


async def _event_children(session: AsyncSession, ids: list[int]) -> Counts:
    """Unlink delivered bonus entitlements (they keep ``delivered_at``), then drop attempts."""
    bonus = list(
        await session.scalars(
            select(WebhookEvent.id).where(
                WebhookEvent.id.in_(ids), WebhookEvent.type == "bonus_entitlement"
            )
        )
    )
    if bonus:
        await session.execute(
            update(Entitlement).where(Entitlement.event_id.in_(bonus)).values(event_id=None)
        )
    gone = await session.execute(delete(WebhookAttempt).where(WebhookAttempt.event_id.in_(ids)))
    return {"webhook_attempts": rows_changed(gone)}


async def _count_attempts(session: AsyncSession, due_ids: Select[Any]) -> Counts:
    found = await session.scalar(
        select(func.count())
        .select_from(WebhookAttempt)
        .where(WebhookAttempt.event_id.in_(due_ids.scalar_subquery()))
    )
    return {"webhook_attempts": int(found or 0)}


TARGETS = (
    Target(
        "webhook_events",
        WebhookEvent.id,
        WebhookEvent.delivered_at,
        lambda cutoff: [WebhookEvent.status == DELIVERED, WebhookEvent.delivered_at < cutoff],
        lambda windows: windows.webhooks,
        _event_children,
        _count_attempts,
    ),
    Target(
        "play_sessions",
        PlaySession.id,
        PlaySession.ends_at,
        lambda cutoff: [PlaySession.ends_at < cutoff],
        lambda windows: windows.sessions,
    ),
    Target(  # a launch is kept while its session is (sessions go first)
        "launches",
        Launch.id,
        Launch.expires_at,
        lambda cutoff: [
            Launch.expires_at < cutoff,
            ~exists().where(PlaySession.launch_id == Launch.id),
        ],
        lambda windows: windows.sessions,
        foresee=lambda cutoff: [
            Launch.expires_at < cutoff,
            ~exists().where(PlaySession.launch_id == Launch.id, PlaySession.ends_at >= cutoff),
        ],
    ),
    Target(
        "server_sessions",
        ServerSession.id,
        ServerSession.expires_at,
        lambda cutoff: [ServerSession.expires_at < cutoff],
        lambda windows: windows.sessions,
    ),
    Target(
        "audit_entries",
        AuditEntry.id,
        AuditEntry.created_at,
        lambda cutoff: [AuditEntry.created_at < cutoff],
        lambda windows: windows.audit,
    ),
)


async def prune_batch(
    session: AsyncSession, target: Target, cutoff: datetime, batch: int
) -> tuple[int, Counts]:
    """Delete up to ``batch`` due rows of one table (children first); how many were picked."""
    pick = select(target.id_column).where(*target.due(cutoff)).order_by(target.order).limit(batch)
    ids = list(await session.scalars(skip_locked(pick, session)))
    if not ids:
        return 0, {}
    counts = await target.children(session, ids) if target.children else {}
    gone = await session.execute(delete(target.id_column.table).where(target.id_column.in_(ids)))
    return len(ids), {**counts, target.table: rows_changed(gone)}


async def prune(
    sessions: async_sessionmaker[AsyncSession],
    writer: asyncio.Lock | None,
    windows: Windows,
    now: datetime,
    batch: int,
) -> Counts:
    """Prune every table until nothing due is left; rows deleted per table."""
    counts = dict.fromkeys(TABLES, 0)
    for target in TARGETS:
        cutoff = now - target.window(windows)
        while True:
            async with write_session(sessions, writer) as session:
                picked, deleted = await prune_batch(session, target, cutoff, batch)
                await session.commit()
            for table, count in deleted.items():
                counts[table] += count
            if picked < batch:
                break
    return counts


async def preview(session: AsyncSession, windows: Windows, now: datetime) -> Counts:
    """What ``prune`` would delete now, counted and left in place (``--dry-run``)."""
    counts = dict.fromkeys(TABLES, 0)
    for target in TARGETS:
        cutoff = now - target.window(windows)
        due = (target.foresee or target.due)(cutoff)
        found = select(func.count()).select_from(target.id_column.table).where(*due)
        counts[target.table] = int(await session.scalar(found) or 0)
        if target.count_children is not None:
            ids = select(target.id_column).where(*due)
            counts.update(await target.count_children(session, ids))
    return counts

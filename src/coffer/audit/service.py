"""Write and read the audit log inside the caller's unit of work."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.audit.models import AuditEntry
from coffer.kit.db import utcnow


@dataclass(frozen=True)
class Change:
    """One audited change: ``before`` and ``after`` hold only what it touched."""

    actor: str
    action: str
    subject: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


async def record(
    session: AsyncSession,
    operator_id: int | None,
    change: Change,
    request_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Append the change in the same transaction as the change itself."""
    session.info["audited"] = True  # the admin API's generic entry steps aside for this one
    await session.execute(
        insert(AuditEntry).values(
            operator_id=operator_id,
            actor=change.actor[:200],
            action=change.action,
            subject=change.subject[:200],
            before=change.before,
            after=change.after,
            request_id=request_id,
            created_at=now or utcnow(),
        )
    )


async def entries(
    session: AsyncSession, operator_id: int | None, before_id: int | None, limit: int
) -> list[AuditEntry]:
    """Newest first, paged by id; ``operator_id`` None reads every operator's."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if operator_id is not None:
        query = query.where(AuditEntry.operator_id == operator_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list((await session.scalars(query)).all())

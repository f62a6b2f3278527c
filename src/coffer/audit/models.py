"""One row per audited change; never updated, pruned only past the audit window."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class AuditEntry(Base):
    """Who did what to which subject, with the state before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_operator", "operator_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

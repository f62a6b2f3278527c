"""The outbox: one row per event, written with the change it reports, and its attempts."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class WebhookEvent(Base):
    """An event owed to the operator: ``pending`` until a 2xx (``delivered``) or ``failed``."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        # The worker's queue: pending events in id order, however many delivered ones pile up.
        Index(
            "ix_webhook_events_pending",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_webhook_events_player", "operator_id", "player_id", "status", "id"),
        Index("ix_webhook_events_operator", "operator_id", "id"),
        # Retention's queue: delivered events oldest first.
        Index(
            "ix_webhook_events_delivered",
            "delivered_at",
            postgresql_where=text("status = 'delivered'"),
            sqlite_where=text("status = 'delivered'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int | None] = mapped_column(ForeignKey("players.id"))
    type: Mapped[str] = mapped_column(String(40))
    # The exact bytes sent on every attempt, so a retry is byte-for-byte the first delivery.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # False once staff redeliver it: it then goes out on its own, not in the player's queue.
    in_order: Mapped[bool] = mapped_column(default=True)
    attempts: Mapped[int] = mapped_column(default=0)  # since it was last queued
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Retries stop (``failed``) a window after the first attempt since the event was queued
    # (written, or redelivered by staff); null until then, so waiting in line costs no retries.
    window_started_at: Mapped[datetime | None] = mapped_column()
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()


class WebhookAttempt(Base):
    """One POST of an event: the answer's status, latency and the start of its body."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    http_status: Mapped[int | None] = mapped_column()
    latency_ms: Mapped[int] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(500))
    response_body: Mapped[str | None] = mapped_column(Text)

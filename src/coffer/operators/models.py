"""Tables for operators, their keys, admin tokens and currencies."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class Operator(Base):
    """A tenant: one casino or studio with its own catalog, players and wallet."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    base_currency: Mapped[str] = mapped_column(String(3))
    wallet_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    outbound_secret_sealed: Mapped[str] = mapped_column(Text)
    # A rotation in progress: both secrets sign until ``outbound_rotation_ends_at``, then only
    # the next one (SPEC §13).
    next_outbound_secret_sealed: Mapped[str | None] = mapped_column(Text)
    outbound_rotation_ends_at: Mapped[datetime | None] = mapped_column()
    fx_tolerance_bps: Mapped[int] = mapped_column(default=50)
    wallet_timeout_ms: Mapped[int | None] = mapped_column()
    policies: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The player app (SPEC §11, §13): who may frame it, how it looks, how long a session lives.
    allowed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    theme: Mapped[dict[str, Any]] = mapped_column(default=dict)
    max_reels: Mapped[int] = mapped_column(default=5)
    session_idle_minutes: Mapped[int] = mapped_column(default=30)
    session_max_minutes: Mapped[int] = mapped_column(default=720)
    # The kill switch (issue 16): new purchases refused, vault, cashouts and webhooks go on.
    purchases_paused: Mapped[bool] = mapped_column(default=False)
    # Per-operator overrides of the rate limits, e.g. {"s2s": 1200} requests per minute.
    rate_limits: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ApiKey(Base):
    """An S2S signing key; the secret is stored encrypted because HMAC needs it back."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_sealed: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class AdminToken(Base):
    """A bearer token for the admin API, stored as its hash; no operator means global."""

    __tablename__ = "admin_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class ServerSession(Base):
    """A game server's session (LootLocker's): an operator credential traded for a token that
    lives while the server pings it; stored as the token's hash."""

    __tablename__ = "server_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Currency(Base):
    """A currency an operator accepts, with its exact decimal rate to the base currency."""

    __tablename__ = "currencies"
    __table_args__ = (UniqueConstraint("operator_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    code: Mapped[str] = mapped_column(String(3))
    rate_to_base: Mapped[str] = mapped_column(String(40))
    minor_digits: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

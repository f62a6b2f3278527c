"""Orders, promotions and the claims that make a promotion or a single loot once per player."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class PlayerOrder(Base):
    """One order as answered: its body is replayed for a repeat of ``client_order_ref_id``."""

    __tablename__ = "player_orders"
    __table_args__ = (
        UniqueConstraint("public_id"),
        UniqueConstraint("player_id", "client_order_ref_id"),
        Index("ix_player_orders_player_time", "player_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    client_order_ref_id: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Promotion(Base):
    """A code a player claims once for a loot, while it has uses left and has not expired."""

    __tablename__ = "promotions"
    __table_args__ = (
        UniqueConstraint("operator_id", "code"),
        CheckConstraint("uses_left IS NULL OR uses_left >= 0", name="uses_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    code: Mapped[str] = mapped_column(String(64))
    loot_id: Mapped[int] = mapped_column(ForeignKey("loots.id"))
    uses_left: Mapped[int | None] = mapped_column()
    starts_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Claim(Base):
    """A player's one claim of a promotion (``promo:<id>``) or of a single loot (``loot:<id>``)."""

    __tablename__ = "order_claims"
    __table_args__ = (UniqueConstraint("player_id", "claim_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    claim_key: Mapped[str] = mapped_column(String(60))
    order_public_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Won items (one vault row each) and bonus entitlements, delivered as webhook events."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class InventoryItem(Base):
    """A physical or digital item a player won; only ``unresolved`` is actionable."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        UniqueConstraint("round_id", "reel_index"),
        Index("ix_inventory_items_player_state", "player_id", "state", "id"),
        Index("ix_inventory_items_expiry", "operator_id", "state", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    round_public_id: Mapped[str | None] = mapped_column(String(32))
    reel_index: Mapped[int | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(24), default="unresolved")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Entitlement(Base):
    """A bonus item won in a round, owed to the operator as a ``bonus_entitlement`` event."""

    __tablename__ = "entitlements"
    __table_args__ = (UniqueConstraint("round_id", "reel_index"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    reel_index: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_events.id"))
    delivered_at: Mapped[datetime | None] = mapped_column()

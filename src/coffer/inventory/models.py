"""Item instances (SPEC §12's one inventory) and bonus entitlements, delivered as webhook events.

A loot-box prize is an instance whose origin is a round; granted and ordered items are instances
too, with a stack count, remaining uses, an expiry and custom data where their item says so.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class InventoryItem(Base):
    """A physical or digital item a player won; only ``unresolved`` is actionable."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        UniqueConstraint("round_id", "reel_index"),
        Index("ix_inventory_items_player_state", "player_id", "state", "id"),
        Index("ix_inventory_items_expiry", "operator_id", "state", "updated_at"),
        # A stackable item has one stack per player and bucket: grants add to it.
        UniqueConstraint("player_id", "stack_key"),
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint("remaining_uses IS NULL OR remaining_uses >= 0", name="uses_not_negative"),
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
    # The generic model's fields; server defaults keep the prize insert's statement as it was.
    count: Mapped[int] = mapped_column(BigInteger, server_default="1")
    remaining_uses: Mapped[int | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    custom_data: Mapped[dict[str, Any] | None] = mapped_column()
    inventory_type: Mapped[str] = mapped_column(String(16), server_default="persistent")
    bucket: Mapped[str | None] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16), server_default="round")
    stack_key: Mapped[str | None] = mapped_column(String(60))


class LoadoutSlot(Base):
    """An instance the player has equipped (LootLocker's loadout); one row per instance."""

    __tablename__ = "loadout_slots"

    instance_id: Mapped[int] = mapped_column(ForeignKey("inventory_items.id"), primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"), index=True)
    equipped_at: Mapped[datetime] = mapped_column(default=utcnow)


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

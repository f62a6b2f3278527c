"""Shipping orders and the vault items each one carries."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class ShippingOrder(Base):
    """pending → shipped → delivered, or pending → cancelled (its items return to the vault)."""

    __tablename__ = "shipping_orders"
    __table_args__ = (
        Index("ix_shipping_orders_player", "player_id", "id"),
        Index("ix_shipping_orders_operator_status", "operator_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    currency: Mapped[str] = mapped_column(String(3))
    shipping_cost_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    contact: Mapped[dict[str, Any]] = mapped_column(default=dict)
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShippingOrderItem(Base):
    """One vault item in an order; an item may appear again in a later order after a cancel."""

    __tablename__ = "shipping_order_items"
    __table_args__ = (UniqueConstraint("order_id", "inventory_item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shipping_orders.id"))
    inventory_item_id: Mapped[int] = mapped_column(ForeignKey("inventory_items.id"), index=True)

"""Tables for items, boxes, box versions and their prizes."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class Item(Base):
    """A catalog item; name and image are live everywhere the item appears."""

    __tablename__ = "items"
    __table_args__ = (Index("uq_items_operator_code", "operator_id", "code", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    image_url: Mapped[str | None] = mapped_column(String(2000))
    value_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    cashback_minor: Mapped[int | None] = mapped_column(BigInteger)
    cashback_bps: Mapped[int | None] = mapped_column()
    shippable: Mapped[bool] = mapped_column(default=False)
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The generic model (SPEC §12): how instances of this item behave in an inventory.
    kind: Mapped[str] = mapped_column(String(16), server_default="item")
    stackable: Mapped[bool] = mapped_column(server_default=false())
    max_stack: Mapped[int | None] = mapped_column(BigInteger)
    uses: Mapped[int | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    lifetime_seconds: Mapped[int | None] = mapped_column()
    item_class: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str] | None] = mapped_column(JSON)
    inventory_type: Mapped[str] = mapped_column(String(16), server_default="persistent")
    client_writable: Mapped[bool] = mapped_column(server_default=false())
    is_active: Mapped[bool] = mapped_column(server_default=true())
    coupon: Mapped[dict[str, Any] | None] = mapped_column()
    virtual_currency_id: Mapped[int | None] = mapped_column(
        ForeignKey("virtual_currencies.id"), unique=True
    )
    loot_id: Mapped[int | None] = mapped_column(ForeignKey("loots.id", use_alter=True))
    key_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    code: Mapped[str | None] = mapped_column(String(64))  # the operator's own name for it


class Loot(Base):
    """What an order fills or sells: a bundle (every entry) or a drop table (one, drawn).

    ``contents`` is ``[{itemId, quantity, weight}]`` and ``prices`` ``[{priceItemId, price}]``;
    ``version`` grows with every change and is the loot's ``vendor_etag``.
    """

    __tablename__ = "loots"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    contents: Mapped[list[dict[str, int]]] = mapped_column(JSON)
    prices: Mapped[list[dict[str, int]]] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    client_fillable: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Box(Base):
    """A mystery box: cosmetic fields plus a draft prize table that publishing freezes."""

    __tablename__ = "boxes"
    __table_args__ = (UniqueConstraint("operator_id", "slug"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Stops new purchases of this box only; held rounds still open (issue 16's kill switch).
    purchases_paused: Mapped[bool] = mapped_column(default=False)
    image_url: Mapped[str | None] = mapped_column(String(2000))
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    draft: Mapped[dict[str, Any]] = mapped_column()
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("box_versions.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BoxVersion(Base):
    """An immutable published prize table; ``snapshot`` holds the exact bytes that are hashed."""

    __tablename__ = "box_versions"
    __table_args__ = (UniqueConstraint("box_id", "version_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("boxes.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    version_number: Mapped[int] = mapped_column()
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))  # ISO 4217, or a virtual currency
    house_edge_bps: Mapped[int] = mapped_column()
    total_weight: Mapped[int] = mapped_column(BigInteger)
    snapshot: Mapped[str] = mapped_column(Text)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoxPrize(Base):
    """One prize of a published version: an item or a cash amount in the box currency."""

    __tablename__ = "box_prizes"
    __table_args__ = (Index("ix_box_prizes_version_order", "box_version_id", "sort_index", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    box_version_id: Mapped[int] = mapped_column(ForeignKey("box_versions.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    cash_minor: Mapped[int | None] = mapped_column(BigInteger)
    value_minor: Mapped[int] = mapped_column(BigInteger)
    weight: Mapped[int] = mapped_column()
    sort_index: Mapped[int] = mapped_column()

"""What a caller asks of an order, as plain values (the surfaces parse their own bodies)."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PriceAsk:
    price_item_id: int
    price: int


@dataclass(frozen=True)
class EntryAsk:
    """One entry; only the fields its type uses matter. ``echo`` is what the caller sent."""

    type: str
    quantity: int
    loot_id: int | None = None
    vendor_etag: str | None = None
    vendor_version: int | None = None
    dynamic_bundle_loot_ids: list[int] | None = None
    currencies: list[PriceAsk] = field(default_factory=list)
    price_coupon_item_id: int | None = None
    external_tran_id: str | None = None
    use_inventory_bucket: str | None = None
    inventory_id: int | None = None  # decoded; -1 when the caller named no instance of ours
    item_id: int | None = None
    expires: datetime | None = None
    custom_data: dict[str, str] | None = None


@dataclass(frozen=True)
class OrderAsk:
    """An order: its entries, how they apply, and the caller's reference for retries."""

    entries: list[EntryAsk]
    is_transaction: bool
    client_order_ref_id: str | None
    echo: dict[str, object]  # the order's own fields as sent (source, portal_id, …)
    entry_echoes: list[dict[str, object]]  # each entry's fields as sent, for the record
    trusted: bool = False  # the operator's backend asks: no client-side limits apply

"""Response bodies of the vault listing (SPEC §7, reference ``lbs-s2s-inventory``)."""

from coffer.schemas import ApiModel, UtcTime


class VaultItemOut(ApiModel):
    """One won item; name and image are live, money is in the item's own currency."""

    id: int
    item_id: int
    name: str
    type: str
    image_url: str | None
    value_minor: int
    currency: str
    state: str
    cashback_minor: int | None
    shippable: bool
    won_at_round_public_id: str | None
    created_at: UtcTime


class PageCursor(ApiModel):
    """Opaque keyset cursors: pass one back as ``?cursor=``; null when there is no such page."""

    next: str | None
    prev: str | None


class InventoryPage(ApiModel):
    items: list[VaultItemOut]
    cursor: PageCursor

"""Bodies of the vault listing and cashout (SPEC §7, reference ``lbs-s2s-inventory``)."""

from typing import Annotated

from pydantic import Field, StrictInt, StringConstraints

from coffer.kit.schemas import (
    JSON_SAFE_MAX,
    ApiModel,
    PageCursor,
    PlayerExternalId,
    SafeText,
    UtcTime,
)
from coffer.operators.schemas import CurrencyCode

IdempotencyKey = Annotated[SafeText, StringConstraints(min_length=1, max_length=80)]


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
    kind: str  # item, bundle, container or currency: the generic model's (SPEC §12)
    origin: str  # round (a real-money prize), vc_round, order, …
    count: int  # a stack's count; 1 for a prize
    remaining_uses: int | None
    expires_at: UtcTime | None
    custom_data: dict[str, str]
    inventory_type: str
    bucket: str | None
    item_class: str | None
    tags: list[str]


class InventoryPage(ApiModel):
    items: list[VaultItemOut]
    cursor: PageCursor


class CashoutRequest(ApiModel):
    """Cash one unresolved item back into ``currency``; repeats answer the first result."""

    player_external_id: PlayerExternalId
    inventory_item_id: Annotated[StrictInt, Field(ge=1, le=JSON_SAFE_MAX)]
    currency: CurrencyCode
    idempotency_key: IdempotencyKey | None = None


class CashedBackItem(ApiModel):
    inventory_item_id: int
    state: str
    cashback_minor: int
    currency: str


class CashoutAnswer(ApiModel):
    item: CashedBackItem
    balance_after_minor: int | None


class ForwardRequest(ApiModel):
    """Hand one unresolved item to the casino's own systems; repeats answer the same."""

    player_external_id: PlayerExternalId
    inventory_item_id: Annotated[StrictInt, Field(ge=1, le=JSON_SAFE_MAX)]


class ForwardedItem(ApiModel):
    inventory_item_id: int
    item_id: int
    state: str


class ForwardAnswer(ApiModel):
    item: ForwardedItem

"""Request and response bodies for items, boxes and box versions (admin and S2S)."""

import math
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from coffer.catalog.traits import ItemTraits, TraitsOut
from coffer.kit.money import MAX_MINOR
from coffer.kit.schemas import JSON_SAFE_MAX, ApiModel, UtcTime, clean_text, not_null
from coffer.operators.schemas import AnyCurrencyCode, CurrencyCode, HttpUrlText

MAX_ID = JSON_SAFE_MAX
MAX_WEIGHT = 10**9
MAX_PRIZES = 10_000
MAX_SORT_INDEX = 2**31 - 1
MAX_ATTRIBUTES = 50
JS_SAFE_INT = 2**53


def _attribute_value(value: object) -> str | int | float | bool:
    """One flat attribute value; a single clear error instead of one per union member."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > JS_SAFE_INT:
            raise ValueError("integers must be within ±2^53")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("numbers must be finite")
        return value
    if isinstance(value, str):
        if len(value) > 1000:
            raise ValueError("strings must be at most 1000 characters")
        return clean_text(value)
    raise ValueError("must be a string, number or boolean (no objects, arrays or null)")


Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(clean_text)]
AttributeKey = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(clean_text)
]
AttributeValue = Annotated[
    str | int | float | bool,
    PlainValidator(_attribute_value),
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]
CustomAttributes = Annotated[dict[AttributeKey, AttributeValue], Field(max_length=MAX_ATTRIBUTES)]
AttributesOut = dict[str, str | int | float | bool]
MinorAmount = Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)]
PriceMinor = Annotated[StrictInt, Field(ge=1, le=MAX_MINOR)]
Bps = Annotated[StrictInt, Field(ge=0, le=10_000)]
ItemType = Literal["physical", "digital", "bonus"]
BoxSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
EntityId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


class ItemCreate(ItemTraits):
    name: Name
    type: ItemType
    image_url: HttpUrlText | None = None
    value_minor: MinorAmount
    currency: CurrencyCode
    cashback_minor: MinorAmount | None = None
    cashback_bps: Bps | None = None
    shippable: StrictBool = False
    custom_attributes: CustomAttributes = Field(default_factory=dict)


class ItemUpdate(ItemTraits):
    """Any item field; omitted fields keep their value, cashback and image may be nulled."""

    name: Name | None = None
    type: ItemType | None = None
    image_url: HttpUrlText | None = None
    value_minor: MinorAmount | None = None
    currency: CurrencyCode | None = None
    cashback_minor: MinorAmount | None = None
    cashback_bps: Bps | None = None
    shippable: StrictBool | None = None
    custom_attributes: CustomAttributes | None = None

    _required = field_validator(
        "name", "type", "value_minor", "currency", "shippable", "custom_attributes"
    )(not_null)


class ItemOut(TraitsOut):
    item_id: int
    name: str
    type: str
    image_url: str | None
    value_minor: int
    currency: str
    cashback_minor: int | None
    cashback_bps: int | None
    shippable: bool
    custom_attributes: AttributesOut
    created_at: UtcTime
    updated_at: UtcTime


class ItemList(ApiModel):
    items: list[ItemOut]
    page: int
    per_page: int
    total: int


class PrizeIn(ApiModel):
    """An item prize (``itemId``) or a cash prize (``cashMinor`` in the box currency)."""

    item_id: EntityId | None = None
    cash_minor: MinorAmount | None = None
    weight: Annotated[StrictInt, Field(ge=1, le=MAX_WEIGHT)]
    sort_index: Annotated[StrictInt, Field(ge=0, le=MAX_SORT_INDEX)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        """A prize pays either an item or cash, never both or neither."""
        if (self.item_id is None) == (self.cash_minor is None):
            raise ValueError("send exactly one of itemId or cashMinor")
        return self


class DraftIn(ApiModel):
    """The part of a box that publishing freezes into a version."""

    price_minor: PriceMinor
    currency: AnyCurrencyCode
    prizes: Annotated[list[PrizeIn], Field(min_length=1, max_length=MAX_PRIZES)]


class BoxCreate(DraftIn):
    name: Name
    slug: BoxSlug
    image_url: HttpUrlText | None = None
    is_active: StrictBool = True
    custom_attributes: CustomAttributes = Field(default_factory=dict)


class BoxUpdate(ApiModel):
    """Cosmetic fields only: changing them never creates a version."""

    name: Name | None = None
    is_active: StrictBool | None = None
    image_url: HttpUrlText | None = None
    custom_attributes: CustomAttributes | None = None

    _required = field_validator("name", "is_active", "custom_attributes")(not_null)


class PrizeDraftOut(ApiModel):
    item_id: int | None
    cash_minor: int | None
    weight: int
    sort_index: int


class DraftOut(ApiModel):
    price_minor: int
    currency: str
    prizes: list[PrizeDraftOut]


class VersionSummary(ApiModel):
    box_version_id: int
    version_number: int
    price_minor: int
    currency: str
    house_edge_bps: int
    total_weight: int
    snapshot_hash: str
    published_at: UtcTime


class BoxOut(ApiModel):
    """The admin view of a box: cosmetics, the draft, and every published version."""

    box_id: int
    name: str
    slug: str
    is_active: bool
    image_url: str | None
    custom_attributes: AttributesOut
    draft: DraftOut
    current_version: VersionSummary | None
    versions: list[VersionSummary]
    created_at: UtcTime
    updated_at: UtcTime


class BoxBrief(ApiModel):
    box_id: int
    name: str
    slug: str
    is_active: bool
    image_url: str | None
    custom_attributes: AttributesOut
    current_version_id: int | None
    created_at: UtcTime
    updated_at: UtcTime


class BoxList(ApiModel):
    boxes: list[BoxBrief]
    page: int
    per_page: int
    total: int


class Published(ApiModel):
    box_version_id: int
    version_number: int
    house_edge_bps: int
    snapshot_hash: str


class LivePrizeOut(ApiModel):
    """A prize as players see it: name and image are the item's current ones."""

    prize_id: int
    item_id: int | None
    name: str
    value_minor: int
    currency: str
    image_url: str | None
    odds: float = Field(description="weight / totalWeight, rounded to 8 decimals (not money)")


class LiveBoxOut(ApiModel):
    box_id: int
    box_version_id: int
    version_number: int
    name: str
    price_minor: int
    currency: str
    house_edge_bps: int
    snapshot_url: str
    snapshot_hash: str
    custom_attributes: AttributesOut
    image_url: str | None
    prizes: list[LivePrizeOut]


class LiveBoxList(ApiModel):
    boxes: list[LiveBoxOut]
    page: int
    per_page: int
    total: int


class LiveBoxEnvelope(ApiModel):
    box: LiveBoxOut

"""Request and response bodies for loots: bundles an order fills or sells."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StringConstraints

from coffer.catalog.schemas import Name
from coffer.catalog.traits import Id, Positive
from coffer.kit.money import MAX_MINOR
from coffer.kit.schemas import ApiModel


class ContentIn(ApiModel):
    """``quantity`` of an item (a currency item: an amount in minor units) per fill; in a drop
    table, the entry's ``weight`` (its odds are weight / total)."""

    item_id: Id
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_MINOR)]
    weight: Annotated[StrictInt, Field(ge=1, le=10**9)] | None = None


class PriceIn(ApiModel):
    """``price`` of the price item (a currency or a stackable) for one fill. Prices with the
    same ``option`` are paid together (10 gems and 1 key); one without is an option alone."""

    price_item_id: Id
    price: Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)]
    option: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None


class LootIn(ApiModel):
    name: Name
    kind: Literal["bundle", "drop_table"] = "bundle"
    contents: Annotated[list[ContentIn], Field(min_length=1, max_length=100)]
    prices: Annotated[list[PriceIn], Field(max_length=10)] = Field(default_factory=list)
    is_active: StrictBool = True
    client_fillable: StrictBool = False


class LootUpdate(ApiModel):
    """Any loot field; every change makes a new ``vendorEtag``."""

    name: Name | None = None
    contents: Annotated[list[ContentIn], Field(min_length=1, max_length=100)] | None = None
    prices: Annotated[list[PriceIn], Field(max_length=10)] | None = None
    is_active: StrictBool | None = None
    client_fillable: StrictBool | None = None


class LootOut(ApiModel):
    loot_id: int
    name: str
    kind: str
    contents: list[ContentIn]
    prices: list[PriceIn]
    is_active: bool
    client_fillable: bool
    vendor_etag: str
    created_at: datetime
    updated_at: datetime


__all__ = ["ContentIn", "LootIn", "LootOut", "LootUpdate", "Positive", "PriceIn"]

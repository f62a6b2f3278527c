"""The generic model's item traits (SPEC §12) in request and response bodies, and their rules."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, Field, StrictBool, StrictInt, StringConstraints

from coffer.kit.errors import ValidationFailed
from coffer.kit.schemas import JSON_SAFE_MAX, ApiModel, clean_text

MAX_ID = JSON_SAFE_MAX
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Positive = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=32), AfterValidator(clean_text)]
ItemKind = Literal["item", "bundle", "container"]
InventoryType = Literal["persistent", "transient", "always_owned"]
# An operator's own name for an item (PlayFab's ItemId); never all digits, which name ids.
Code = Annotated[
    str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_.:-]*[A-Za-z_.:-][A-Za-z0-9_.:-]*$")
]


class CouponIn(ApiModel):
    """A coupon takes ``percentOffBps`` off a purchase's price, where it applies."""

    percent_off_bps: Annotated[StrictInt, Field(ge=1, le=10_000)]
    loot_ids: list[Id] | None = None  # None: any loot
    price_item_ids: list[Id] | None = None  # None: any price item
    max_quantity: Positive | None = None  # None: any quantity


class ItemTraits(ApiModel):
    """How the item's instances behave in an inventory; every field optional."""

    kind: ItemKind = "item"
    stackable: StrictBool = False
    max_stack: Positive | None = None
    uses: Positive | None = None
    expires_at: AwareDatetime | None = None
    lifetime_seconds: Positive | None = None
    item_class: Annotated[str, StringConstraints(max_length=64)] | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] | None = None
    inventory_type: InventoryType = "persistent"
    client_writable: StrictBool = False
    is_active: StrictBool = True
    coupon: CouponIn | None = None
    loot_id: Id | None = None
    key_item_id: Id | None = None
    code: Code | None = None


class TraitsOut(ApiModel):
    kind: str
    stackable: bool
    max_stack: int | None
    uses: int | None
    expires_at: datetime | None
    lifetime_seconds: int | None
    item_class: str | None
    tags: list[str]
    inventory_type: str
    client_writable: bool
    is_active: bool
    coupon: CouponIn | None
    loot_id: int | None
    key_item_id: int | None
    code: str | None
    virtual_currency_id: int | None


TRAITS = tuple(ItemTraits.model_fields)


def traits_of(item: Any) -> dict[str, Any]:
    """The item row's traits, for ``TraitsOut``."""
    found = {name: getattr(item, name) for name in TRAITS}
    found["tags"] = list(item.tags or [])
    found["virtual_currency_id"] = item.virtual_currency_id
    return found


def check_traits(item: Any) -> None:
    """Rules across trait fields, checked on the merged item so PATCH cannot break them."""
    fields: dict[str, str] = {}
    if item.stackable and item.uses is not None:
        fields["uses"] = "a stackable item has no uses: each unit of a stack is one use"
    if item.max_stack is not None and not item.stackable:
        fields["maxStack"] = "only a stackable item has a maxStack; send stackable: true"
    if item.expires_at is not None and item.lifetime_seconds is not None:
        fields["lifetimeSeconds"] = "an item expires at a time or after a lifetime, not both"
    if item.kind in ("bundle", "container") and item.loot_id is None:
        fields["lootId"] = f"a {item.kind} names the loot it holds (lootId)"
    if item.kind != "container" and item.key_item_id is not None:
        fields["keyItemId"] = "only a container has a key item"
    if fields:
        raise ValidationFailed(fields=fields)

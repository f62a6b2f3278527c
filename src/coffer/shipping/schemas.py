"""Bodies of shipping orders (SPEC §7)."""

from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field, StrictInt, StringConstraints

from coffer.kit.schemas import ApiModel, PlayerExternalId, SafeText, UtcTime

MAX_ITEMS = 50
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE = r"^\+?[0-9][0-9 ().\-]{2,31}$"

InventoryId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]


def text(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


def _country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code (any case in, upper case out)."""
    code = value.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code such as 'DE'")
    return code


def _unique(ids: list[int]) -> list[int]:
    if len(set(ids)) != len(ids):
        raise ValueError("must not name an inventory item twice")
    return ids


Line = Annotated[SafeText, text(200)]
Short = Annotated[SafeText, text(100)]
Country = Annotated[str, StringConstraints(min_length=2, max_length=2), AfterValidator(_country)]
Phone = Annotated[str, StringConstraints(pattern=PHONE)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=EMAIL)]
Ids = Annotated[
    list[InventoryId], Field(min_length=1, max_length=MAX_ITEMS), AfterValidator(_unique)
]
Carrier = Annotated[SafeText, text(64)]
Tracking = Annotated[SafeText, text(128)]


class Address(ApiModel):
    name: Line
    line1: Line
    line2: Line | None = None
    city: Short
    region: Short
    postal_code: Annotated[SafeText, text(20)]
    country: Country
    phone: Phone | None = None


class Contact(ApiModel):
    email: Email


class OrderCreate(ApiModel):
    """Ship 1-50 unresolved, shippable items of one player; all of them or none."""

    player_external_id: PlayerExternalId
    inventory_item_ids: Ids
    address: Address
    contact: Contact


class ShipBody(ApiModel):
    carrier: Carrier
    tracking_number: Tracking


class OrderItemOut(ApiModel):
    inventory_item_id: int
    item_id: int
    name: str


class OrderOut(ApiModel):
    public_id: str
    status: str
    currency: str
    shipping_cost_minor: int
    address: Address
    contact: Contact
    carrier: str | None
    tracking_number: str | None
    created_at: UtcTime
    items: list[OrderItemOut]


class OrderAnswer(ApiModel):
    order: OrderOut


class OrderCreated(ApiModel):
    order: OrderOut
    balance_after_minor: int | None

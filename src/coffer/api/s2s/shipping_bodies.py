"""S2S shipping bodies (SPEC §7): parsed into the shipping use cases' inputs, and answers."""

from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt

from coffer.kit.schemas import JSON_SAFE_MAX, ApiModel, PlayerExternalId, UtcTime
from coffer.shipping.address import Address, Contact
from coffer.shipping.orders import NewOrder, OrderView

MAX_ITEMS = 50
InventoryId = Annotated[StrictInt, Field(ge=1, le=JSON_SAFE_MAX)]


def _unique(ids: list[int]) -> list[int]:
    if len(set(ids)) != len(ids):
        raise ValueError("must not name an inventory item twice")
    return ids


Ids = Annotated[
    list[InventoryId], Field(min_length=1, max_length=MAX_ITEMS), AfterValidator(_unique)
]


class OrderCreate(ApiModel):
    """Ship 1-50 unresolved, shippable items of one player; all of them or none."""

    player_external_id: PlayerExternalId
    inventory_item_ids: Ids
    address: Address
    contact: Contact

    def command(self) -> NewOrder:
        return NewOrder(
            self.player_external_id,
            tuple(self.inventory_item_ids),
            self.address.model_dump(),
            self.contact.model_dump(),
        )


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

    @classmethod
    def of(cls, order: OrderView) -> "OrderOut":
        return cls(
            public_id=order.public_id,
            status=order.status,
            currency=order.currency,
            shipping_cost_minor=order.shipping_cost_minor,
            address=Address.model_validate(order.address),
            contact=Contact.model_validate(order.contact),
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            created_at=order.created_at,
            items=[
                OrderItemOut(inventory_item_id=i.inventory_item_id, item_id=i.item_id, name=i.name)
                for i in order.items
            ],
        )


class OrderAnswer(ApiModel):
    order: OrderOut


class OrderCreated(ApiModel):
    order: OrderOut
    balance_after_minor: int | None

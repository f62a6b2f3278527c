"""Shipping orders: claim the items in one conditional update, then move the order by staff.

Creating an order moves every named item ``unresolved`` → ``ship_requested`` in a single
``UPDATE … WHERE state = 'unresolved'``; unless it changed exactly the named rows the
transaction is rolled back, so a cashout racing the order (which claims ``unresolved`` →
``cashing_out`` the same way) leaves exactly one winner and a refused batch changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.catalog.models import Item
from coffer.inventory import states
from coffer.inventory.models import InventoryItem
from coffer.kit.db import rows_changed, utcnow
from coffer.kit.errors import Conflict, InventoryNotShippable, OrderNotFound, ShippingDisabled
from coffer.kit.schemas import iso_z
from coffer.operators.models import Operator
from coffer.players.service import find_player
from coffer.shipping.address import Address, Contact
from coffer.shipping.models import ShippingOrder, ShippingOrderItem
from coffer.webhooks.outbox import emit


@dataclass(frozen=True)
class Transition:
    """An order move and what it does to the order's items."""

    name: str
    order_from: str
    order_to: str
    item_from: str
    item_to: str


SHIP = Transition("ship", "pending", "shipped", states.SHIP_REQUESTED, states.SHIPPED)
DELIVER = Transition("deliver", "shipped", "delivered", states.SHIPPED, states.DELIVERED)
CANCEL = Transition("cancel", "pending", "cancelled", states.SHIP_REQUESTED, states.UNRESOLVED)


@dataclass(frozen=True)
class NewOrder:
    player_external_id: str
    inventory_item_ids: tuple[int, ...]
    address: dict[str, Any]  # an ``Address`` as a dict
    contact: dict[str, Any]  # a ``Contact`` as a dict


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class OrderLine:
    inventory_item_id: int
    item_id: int
    name: str


@dataclass(frozen=True)
class OrderView:
    """An order as every surface and the ``fulfillment_notice`` event see it."""

    public_id: str
    status: str
    currency: str
    shipping_cost_minor: int
    address: dict[str, Any]
    contact: dict[str, Any]
    carrier: str | None
    tracking_number: str | None
    created_at: datetime
    items: tuple[OrderLine, ...]


def order_json(order: OrderView) -> dict[str, Any]:
    """The order in a ``fulfillment_notice`` (the S2S order answer has the same shape)."""
    return {
        "publicId": order.public_id,
        "status": order.status,
        "currency": order.currency,
        "shippingCostMinor": order.shipping_cost_minor,
        "address": Address.model_validate(order.address).model_dump(mode="json", by_alias=True),
        "contact": Contact.model_validate(order.contact).model_dump(mode="json", by_alias=True),
        "carrier": order.carrier,
        "trackingNumber": order.tracking_number,
        "createdAt": iso_z(order.created_at),
        "items": [
            {"inventoryItemId": i.inventory_item_id, "itemId": i.item_id, "name": i.name}
            for i in order.items
        ],
    }


def new_public_id() -> str:
    return f"fo_{ULID()}"


async def create_order(session: AsyncSession, operator: Operator, command: NewOrder) -> OrderView:
    """Claim every item and write the order; any item not claimable refuses the whole batch."""
    if not operator.policies.get("shipping_enabled", True):
        raise ShippingDisabled(f"Operator {operator.slug} does not ship items.")
    ids = list(command.inventory_item_ids)
    player = await find_player(session, operator, command.player_external_id)
    if player is None:
        raise _not_shippable(ids)
    claimed = await session.execute(
        states.move(states.UNRESOLVED, states.SHIP_REQUESTED, utcnow())
        .where(
            InventoryItem.id.in_(ids),
            InventoryItem.player_id == player.id,
            InventoryItem.operator_id == operator.id,
            InventoryItem.item_id.in_(select(Item.id).where(Item.shippable.is_(True))),
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claimed) != len(ids):
        operator_id, player_id = operator.id, player.id  # a rollback expires both
        await session.rollback()
        raise _not_shippable(await _unclaimable(session, operator_id, player_id, ids))
    items = await _items(session, ids)
    currencies = {item.currency for _, item in items}
    currency = currencies.pop() if len(currencies) == 1 else operator.base_currency
    order = ShippingOrder(
        public_id=new_public_id(),
        operator_id=operator.id,
        player_id=player.id,
        status="pending",
        currency=currency,
        shipping_cost_minor=0,
        address=command.address,
        contact=command.contact,
    )
    session.add(order)
    await session.flush()
    session.add_all(ShippingOrderItem(order_id=order.id, inventory_item_id=i) for i in ids)
    await session.flush()
    out = order_out(order, items)
    await _notice(session, order, out, None)
    return out


async def _notice(
    session: AsyncSession, order: ShippingOrder, out: OrderView, previous: str | None
) -> None:
    """Every order change writes a ``fulfillment_notice`` with the whole order."""
    data = {"order": order_json(out), "previousStatus": previous}
    await emit(session, order.operator_id, order.player_id, "fulfillment_notice", data)


def _not_shippable(ids: list[int]) -> InventoryNotShippable:
    named = ", ".join(str(i) for i in sorted(ids))
    return InventoryNotShippable(
        f"Inventory items {named} are not the player's unresolved, shippable items; "
        "nothing was ordered.",
        extra={"inventoryItemIds": sorted(ids)},
    )


async def _unclaimable(
    session: AsyncSession, operator_id: int, player_id: int, ids: list[int]
) -> list[int]:
    """The named ids that are not this player's unresolved, shippable items (read afresh)."""
    good = await session.scalars(
        select(InventoryItem.id)
        .join(Item, Item.id == InventoryItem.item_id)
        .where(
            InventoryItem.id.in_(ids),
            InventoryItem.player_id == player_id,
            InventoryItem.operator_id == operator_id,
            InventoryItem.state == states.UNRESOLVED,
            Item.shippable.is_(True),
        )
    )
    bad = set(ids) - set(good.all())
    return sorted(bad) or sorted(ids)  # all claimable now: a concurrent change was undone


async def _items(session: AsyncSession, ids: list[int]) -> list[tuple[InventoryItem, Item]]:
    rows = await session.execute(
        select(InventoryItem, Item)
        .join(Item, Item.id == InventoryItem.item_id)
        .where(InventoryItem.id.in_(ids))
        .order_by(InventoryItem.id)
    )
    return [(row[0], row[1]) for row in rows]


def order_out(order: ShippingOrder, items: list[tuple[InventoryItem, Item]]) -> OrderView:
    return OrderView(
        order.public_id,
        order.status,
        order.currency,
        order.shipping_cost_minor,
        order.address,
        order.contact,
        order.carrier,
        order.tracking_number,
        order.created_at,
        tuple(OrderLine(row.id, item.id, item.name) for row, item in items),
    )


async def _order_items(session: AsyncSession, order_id: int) -> list[int]:
    found = await session.scalars(
        select(ShippingOrderItem.inventory_item_id).where(ShippingOrderItem.order_id == order_id)
    )
    return list(found.all())


async def _find(session: AsyncSession, operator_id: int, public_id: str) -> ShippingOrder:
    order = await session.scalar(
        select(ShippingOrder)
        .where(ShippingOrder.operator_id == operator_id, ShippingOrder.public_id == public_id)
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise OrderNotFound(f"No shipping order {public_id!r}.")
    return order


async def get_order(
    session: AsyncSession, operator: Operator, public_id: str, player_external_id: str | None
) -> OrderView:
    """The operator's order; with a player named, only that player's order."""
    order = await _find(session, operator.id, public_id)
    if player_external_id is not None:
        player = await find_player(session, operator, player_external_id)
        if player is None or player.id != order.player_id:
            raise OrderNotFound(f"No shipping order {public_id!r} for {player_external_id!r}.")
    return order_out(order, await _items(session, await _order_items(session, order.id)))


async def move_order(
    session: AsyncSession,
    operator: Operator,
    public_id: str,
    step: Transition,
    shipment: Shipment | None = None,
) -> OrderView:
    """One staff transition as a conditional update on the order's status, then its items."""
    values: dict[str, object] = {"status": step.order_to, "updated_at": utcnow()}
    if shipment is not None:
        values.update(carrier=shipment.carrier, tracking_number=shipment.tracking_number)
    moved = await session.execute(
        update(ShippingOrder)
        .where(
            ShippingOrder.operator_id == operator.id,
            ShippingOrder.public_id == public_id,
            ShippingOrder.status == step.order_from,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    order = await _find(session, operator.id, public_id)
    if rows_changed(moved) != 1:
        raise Conflict(
            f"Order {public_id} is {order.status}; only a {step.order_from} order can {step.name}.",
            extra={"status": order.status},
        )
    ids = await _order_items(session, order.id)
    await session.execute(
        states.move(step.item_from, step.item_to, utcnow())
        .where(InventoryItem.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    out = order_out(order, await _items(session, ids))
    await _notice(session, order, out, step.order_from)
    return out

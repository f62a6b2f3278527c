"""Shipping orders: claim the items in one conditional update, then move the order by staff.

Creating an order moves every named item ``unresolved`` → ``ship_requested`` in a single
``UPDATE … WHERE state = 'unresolved'``; unless it changed exactly the named rows the
transaction is rolled back, so a cashout racing the order (which claims ``unresolved`` →
``cashing_out`` the same way) leaves exactly one winner and a refused batch changes nothing.
"""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.catalog.models import Item
from coffer.inventory.models import InventoryItem
from coffer.kit.db import utcnow
from coffer.kit.errors import Conflict, InventoryNotShippable, OrderNotFound, ShippingDisabled
from coffer.operators.models import Operator
from coffer.players.service import find_player
from coffer.shipping.models import ShippingOrder, ShippingOrderItem
from coffer.shipping.schemas import (
    Address,
    Contact,
    OrderCreate,
    OrderItemOut,
    OrderOut,
    ShipBody,
)
from coffer.webhooks.outbox import emit


@dataclass(frozen=True)
class Transition:
    """An order move and what it does to the order's items."""

    name: str
    order_from: str
    order_to: str
    item_from: str
    item_to: str


SHIP = Transition("ship", "pending", "shipped", "ship_requested", "shipped")
DELIVER = Transition("deliver", "shipped", "delivered", "shipped", "delivered")
CANCEL = Transition("cancel", "pending", "cancelled", "ship_requested", "unresolved")


def new_public_id() -> str:
    return f"fo_{ULID()}"


async def create_order(session: AsyncSession, operator: Operator, body: OrderCreate) -> OrderOut:
    """Claim every item and write the order; any item not claimable refuses the whole batch."""
    if not operator.policies.get("shipping_enabled", True):
        raise ShippingDisabled(f"Operator {operator.slug} does not ship items.")
    ids = body.inventory_item_ids
    player = await find_player(session, operator, body.player_external_id)
    if player is None:
        raise _not_shippable(ids)
    claimed = await session.execute(
        update(InventoryItem)
        .where(
            InventoryItem.id.in_(ids),
            InventoryItem.player_id == player.id,
            InventoryItem.operator_id == operator.id,
            InventoryItem.state == "unresolved",
            InventoryItem.item_id.in_(select(Item.id).where(Item.shippable.is_(True))),
        )
        .values(state="ship_requested", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != len(ids):
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
        address=body.address.model_dump(),
        contact=body.contact.model_dump(),
    )
    session.add(order)
    await session.flush()
    session.add_all(ShippingOrderItem(order_id=order.id, inventory_item_id=i) for i in ids)
    await session.flush()
    out = order_out(order, items)
    await _notice(session, order, out, None)
    return out


async def _notice(
    session: AsyncSession, order: ShippingOrder, out: OrderOut, previous: str | None
) -> None:
    """Every order change writes a ``fulfillment_notice`` with the whole order."""
    data = {"order": out.model_dump(mode="json", by_alias=True), "previousStatus": previous}
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
            InventoryItem.state == "unresolved",
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


def order_out(order: ShippingOrder, items: list[tuple[InventoryItem, Item]]) -> OrderOut:
    return OrderOut(
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
            OrderItemOut(inventory_item_id=row.id, item_id=item.id, name=item.name)
            for row, item in items
        ],
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
) -> OrderOut:
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
    shipment: ShipBody | None = None,
) -> OrderOut:
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
    if getattr(moved, "rowcount", 0) != 1:
        raise Conflict(
            f"Order {public_id} is {order.status}; only a {step.order_from} order can {step.name}.",
            extra={"status": order.status},
        )
    ids = await _order_items(session, order.id)
    await session.execute(
        update(InventoryItem)
        .where(InventoryItem.id.in_(ids), InventoryItem.state == step.item_from)
        .values(state=step.item_to, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    out = order_out(order, await _items(session, ids))
    await _notice(session, order, out, step.order_from)
    return out

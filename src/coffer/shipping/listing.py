"""Staff's list of an operator's shipping orders: newest first, by status, keyset paged."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory.models import InventoryItem
from coffer.kit.cursors import decode_keyset, encode_keyset
from coffer.shipping.models import ShippingOrder, ShippingOrderItem
from coffer.shipping.orders import OrderView, order_out

STATUSES = ("pending", "shipped", "delivered", "cancelled")


@dataclass(frozen=True)
class OrderPage:
    orders: list[OrderView]
    next_cursor: str | None


async def list_orders(
    session: AsyncSession, operator_id: int, status: str | None, cursor: str | None, limit: int
) -> OrderPage:
    """Up to ``limit`` orders (of one ``status``, or all) older than the cursor's."""
    stmt = select(ShippingOrder).where(ShippingOrder.operator_id == operator_id)
    if status is not None:
        stmt = stmt.where(ShippingOrder.status == status)
    if cursor is not None:
        stmt = stmt.where(ShippingOrder.id < decode_keyset(cursor).id)
    found = list(await session.scalars(stmt.order_by(ShippingOrder.id.desc()).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    lines = await session.execute(
        select(ShippingOrderItem.order_id, InventoryItem, Item)
        .join(InventoryItem, InventoryItem.id == ShippingOrderItem.inventory_item_id)
        .join(Item, Item.id == InventoryItem.item_id)
        .where(ShippingOrderItem.order_id.in_([order.id for order in found]))
        .order_by(InventoryItem.id)
    )
    items: dict[int, list[tuple[InventoryItem, Item]]] = {}
    for order_id, row, item in lines:
        items.setdefault(order_id, []).append((row, item))
    views = [order_out(order, items.get(order.id, [])) for order in found]
    return OrderPage(views, encode_keyset("next", found[-1].id) if more else None)

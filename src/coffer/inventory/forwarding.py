"""Forwarding an item to the casino: the operator takes the item over in its own systems."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.inventory.models import InventoryItem
from coffer.inventory.schemas import ForwardAnswer, ForwardedItem, ForwardRequest
from coffer.kit.db import utcnow
from coffer.kit.errors import Conflict, InventoryItemNotFound
from coffer.operators.models import Operator
from coffer.players.service import find_player

FORWARDED = "forwarded_to_casino"


async def forward_item(
    session: AsyncSession, operator: Operator, body: ForwardRequest
) -> ForwardAnswer:
    """``unresolved`` → ``forwarded_to_casino`` by conditional update; a repeat answers the same."""
    player = await find_player(session, operator, body.player_external_id)
    item = None
    if player is not None:
        item = await session.scalar(
            select(InventoryItem).where(
                InventoryItem.id == body.inventory_item_id,
                InventoryItem.player_id == player.id,
                InventoryItem.operator_id == operator.id,
            )
        )
    if item is None:
        raise InventoryItemNotFound(
            f"Player {body.player_external_id!r} has no inventory item {body.inventory_item_id}."
        )
    await session.execute(
        update(InventoryItem)
        .where(InventoryItem.id == item.id, InventoryItem.state == "unresolved")
        .values(state=FORWARDED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.refresh(item)
    if item.state != FORWARDED:
        raise Conflict(
            f"Item {item.id} is {item.state}; only an unresolved item can be forwarded.",
            extra={"state": item.state},
        )
    return ForwardAnswer(
        item=ForwardedItem(inventory_item_id=item.id, item_id=item.item_id, state=FORWARDED)
    )

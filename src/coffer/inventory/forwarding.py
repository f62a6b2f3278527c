"""Forwarding an item to the casino: the operator takes the item over in its own systems."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.inventory.models import InventoryItem
from coffer.inventory.states import FORWARDED, ROUND, UNRESOLVED, move
from coffer.kit.db import utcnow
from coffer.kit.errors import Conflict, InventoryItemNotFound
from coffer.operators.models import Operator
from coffer.players.service import find_player


@dataclass(frozen=True)
class Forwarded:
    inventory_item_id: int
    item_id: int
    state: str


async def forward_item(
    session: AsyncSession, operator: Operator, player_external_id: str, inventory_item_id: int
) -> Forwarded:
    """``unresolved`` → ``forwarded_to_casino`` by conditional update; a repeat answers the same."""
    player = await find_player(session, operator, player_external_id)
    item = None
    if player is not None:
        item = await session.scalar(
            select(InventoryItem).where(
                InventoryItem.id == inventory_item_id,
                InventoryItem.player_id == player.id,
                InventoryItem.operator_id == operator.id,
            )
        )
    if item is None:
        raise InventoryItemNotFound(
            f"Player {player_external_id!r} has no inventory item {inventory_item_id}."
        )
    if item.origin != ROUND:
        raise Conflict(
            f"Item {item.id} was not won with real money (origin {item.origin}); it is never "
            "forwarded to the casino (SPEC §12).",
            extra={"state": item.state},
        )
    await session.execute(
        move(UNRESOLVED, FORWARDED, utcnow())
        .where(InventoryItem.id == item.id)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(item)
    if item.state != FORWARDED:
        raise Conflict(
            f"Item {item.id} is {item.state}; only an unresolved item can be forwarded.",
            extra={"state": item.state},
        )
    return Forwarded(item.id, item.item_id, FORWARDED)

"""A player's loadout: the instances they have equipped (LootLocker's loadouts).

Equipping is a row per instance, claimed by its primary key, so equipping twice is one row;
an instance leaves the loadout when it is unequipped, and a used-up or expired one is simply
not listed.
"""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.inventory.instances import COLUMNS, ROWS, Instance, held, instance_of, live, stack_of
from coffer.inventory.models import LoadoutSlot
from coffer.kit.db import insert_ignoring_conflict, rows_changed
from coffer.kit.errors import InventoryItemNotFound


async def equip(session: AsyncSession, player_id: int, instance_id: int, now: datetime) -> None:
    """Equip one of the player's live instances (again: no change)."""
    await held(session, player_id, instance_id, now)
    row = {"instance_id": instance_id, "player_id": player_id, "equipped_at": now}
    await session.execute(insert_ignoring_conflict(session, LoadoutSlot, row, ["instance_id"]))


async def equip_item(session: AsyncSession, player_id: int, item_id: int, now: datetime) -> int:
    """Equip the player's fullest instance of an item; its id."""
    found = await stack_of(session, player_id, item_id, now)
    if found is None:
        raise InventoryItemNotFound(f"The player holds no item {item_id} to equip.")
    await equip(session, player_id, found.id, now)
    return found.id


async def unequip(session: AsyncSession, player_id: int, instance_id: int) -> None:
    """Take the instance out of the loadout; INVENTORY_ITEM_NOT_FOUND if it was not in it."""
    gone = await session.execute(
        delete(LoadoutSlot).where(
            LoadoutSlot.instance_id == instance_id, LoadoutSlot.player_id == player_id
        )
    )
    if not rows_changed(gone):
        raise InventoryItemNotFound(f"Inventory item {instance_id} is not equipped.")


async def equipped(
    session: AsyncSession, player_id: int, now: datetime
) -> list[tuple[Instance, datetime]]:
    """The loadout's live instances with when each was equipped, oldest first."""
    rows = await session.execute(
        select(*COLUMNS, LoadoutSlot.equipped_at)
        .join(LoadoutSlot, LoadoutSlot.instance_id == ROWS.c.id)
        .where(LoadoutSlot.player_id == player_id, live(now))
        .order_by(LoadoutSlot.equipped_at, ROWS.c.id)
    )
    return [(instance_of(row), row.equipped_at) for row in rows]

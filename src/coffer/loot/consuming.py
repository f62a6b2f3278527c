"""A player's instance changed outright: consumed, revoked, its uses changed, its data rewritten.

The same changes an order's ``update_inventory`` makes, for the surfaces that change an
instance directly (PlayFab's ConsumeItem, RevokeInventoryItem, ModifyItemUses,
UpdateUserInventoryItemCustomData). Each holds the player, is refused in the write itself past
what the instance holds, and is told with an ``inventory_changed`` event in its transaction.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.catalog.items import items_by_id
from coffer.inventory import instances
from coffer.inventory.instances import Changed, Instance
from coffer.kit.errors import InventoryItemNotFound
from coffer.loot.effects import Effect
from coffer.loot.events import tell
from coffer.players.service import hold_player

Who = tuple[int, str]  # the player's id and external id


async def _told(session: AsyncSession, operator_id: int, player: Who, changed: Changed) -> Instance:
    effect = Effect(changed.after.item_id, changed.before, changed.after)
    await tell(session, operator_id, player, f"change_{ULID()}", [effect])
    return changed.after


async def consume(
    session: AsyncSession,
    operator_id: int,
    player: Who,
    instance_id: int,
    count: int,
    now: datetime,
) -> Instance:
    """Use ``count`` of the instance (a consumable's uses, else a stack's count)."""
    await hold_player(session, player[0])
    changed = await instances.take(session, player[0], instance_id, count, now)
    return await _told(session, operator_id, player, changed)


async def revoke(
    session: AsyncSession, operator_id: int, player: Who, instance_id: int, now: datetime
) -> Instance:
    """Take the whole instance away (all its uses, or its whole stack)."""
    await hold_player(session, player[0])  # no other change of the player's runs meanwhile
    held = await instances.held(session, player[0], instance_id, now)
    whole = held.count if held.remaining_uses is None else held.remaining_uses
    changed = await instances.take(session, player[0], instance_id, whole, now)
    return await _told(session, operator_id, player, changed)


async def modify_uses(
    session: AsyncSession, operator_id: int, player: Who, instance_id: int, delta: int,
    now: datetime,
) -> Instance:  # fmt: skip
    """Add ``delta`` uses (or stack count); a negative delta uses them up."""
    await hold_player(session, player[0])
    if delta < 0:
        changed = await instances.take(session, player[0], instance_id, -delta, now)
        return await _told(session, operator_id, player, changed)
    held = await instances.held(session, player[0], instance_id, now)
    if delta == 0:
        return held
    found = await items_by_id(session, operator_id, {held.item_id})
    if held.item_id not in found:
        raise InventoryItemNotFound(f"The player holds no inventory item {instance_id}.")
    changed = await instances.add(session, player[0], instance_id, delta, found[held.item_id], now)
    return await _told(session, operator_id, player, changed)


async def rewrite_data(
    session: AsyncSession, operator_id: int, player: Who, instance_id: int,
    data: dict[str, str], removed: frozenset[str], now: datetime,
) -> Instance:  # fmt: skip
    """Merge ``data`` into the instance's custom data and drop the ``removed`` keys."""
    await hold_player(session, player[0])
    changed = await instances.rewrite(session, player[0], instance_id, data, None, now, removed)
    return await _told(session, operator_id, player, changed)

"""A player uses up some of an instance they hold: a consumable's uses or a stack's count.

The same change an order's ``update_inventory`` makes, for the surfaces that consume outright
(PlayFab's ConsumeItem); refused in the write itself past what the instance holds, and told
with an ``inventory_changed`` event in the same transaction.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.inventory import instances
from coffer.inventory.instances import Instance
from coffer.loot.effects import Effect
from coffer.loot.events import tell
from coffer.players.service import hold_player


async def consume(
    session: AsyncSession,
    operator_id: int,
    player: tuple[int, str],
    instance_id: int,
    count: int,
    now: datetime,
) -> Instance:
    """``player`` is the player's id and external id; the instance as it is afterwards."""
    player_id = player[0]
    await hold_player(session, player_id)
    changed = await instances.take(session, player_id, instance_id, count, now)
    effect = Effect(changed.after.item_id, changed.before, changed.after)
    await tell(session, operator_id, player, f"consume_{ULID()}", [effect])
    return changed.after

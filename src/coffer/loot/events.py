"""What an order tells the operator (SPEC §9), through the outbox in the order's transaction:
one ``balance_changed`` per currency movement and one ``inventory_changed`` for the items."""

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import connection
from coffer.kit.direct import run
from coffer.loot.effects import Effect
from coffer.webhooks.outbox import EVENTS, event_row

ADD_EVENTS = insert(EVENTS)


async def tell(
    session: AsyncSession,
    operator_id: int,
    who: tuple[int, str],
    order_id: str,
    effects: list[Effect],
) -> None:
    """``who`` is the player's id and external id; all the events go in one insert."""
    player_id, external_id = who
    rows, changes = [], []
    for n, effect in enumerate(effects):
        if effect.account:
            moved = {
                "currency": effect.currency,
                "amountMinor": effect.amount,
                "balanceAfterMinor": effect.after.count,
                "reason": "order",
                "idempotencyKey": f"{order_id}:{n}",
            }
            rows.append(event_row(operator_id, player_id, external_id, "balance_changed", moved))
            continue
        changes.append(
            {
                "inventoryItemId": effect.after.id,
                "itemId": effect.item_id,
                "countBefore": effect.before.count if effect.before else 0,
                "countAfter": effect.after.count,
                "remainingUses": effect.after.remaining_uses,
            }
        )
    if changes:
        data: dict[str, Any] = {"orderId": order_id, "changes": changes}
        rows.append(event_row(operator_id, player_id, external_id, "inventory_changed", data))
    if rows:
        await run(await connection(session), ADD_EVENTS, rows)

"""Expiring unclaimed items: ``unresolved`` past the operator's ``claimWindowDays`` → ``expired``.

The window counts from when the item last became ``unresolved``: when it was won, or when a
cancelled order or a refused cashout gave it back, so a returned item is never expired at once.

Off unless an operator sets a window. Each batch is one conditional update (``WHERE state =
'unresolved'``) returning the rows it changed, so an item a cashout or an order claims at the same
moment is left to that winner, and every expired item gets exactly one ``item_expired`` event.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.inventory import events
from coffer.inventory.models import InventoryItem
from coffer.inventory.states import EXPIRED, PRIZES, UNRESOLVED, move
from coffer.operators.models import Operator


def claim_window(operator: Operator) -> int | None:
    """The operator's claim window in days, or None when items never expire."""
    days = operator.policies.get("claim_window_days")
    return days if isinstance(days, int) and days > 0 else None


async def operators_with_window(session: AsyncSession) -> list[int]:
    operators = await session.scalars(select(Operator).order_by(Operator.id))
    return [operator.id for operator in operators if claim_window(operator) is not None]


async def expire_batch(session: AsyncSession, operator_id: int, now: datetime, limit: int) -> int:
    """Expire up to ``limit`` of the operator's overdue items; how many this call expired."""
    operator = await session.get(Operator, operator_id)
    days = claim_window(operator) if operator is not None else None
    if days is None:
        return 0
    overdue = (
        select(InventoryItem.id)
        .where(InventoryItem.operator_id == operator_id, InventoryItem.state == UNRESOLVED)
        .where(InventoryItem.updated_at < now - timedelta(days=days))
        .where(InventoryItem.origin.in_(PRIZES))  # game items expire by their own expiresAt
        .order_by(InventoryItem.id)
        .limit(limit)
    )
    ids = list(await session.scalars(overdue))
    if not ids:
        return 0
    expired = await session.scalars(
        move(UNRESOLVED, EXPIRED, now)
        .where(InventoryItem.id.in_(ids))
        .returning(InventoryItem.id)
        .execution_options(synchronize_session=False)
    )
    changed = sorted(expired.all())
    for item_id in changed:
        item = await session.get(InventoryItem, item_id, populate_existing=True)
        assert item is not None
        await events.item_expired(session, item, days)
    return len(changed)

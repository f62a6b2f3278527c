"""The back office's views of a catalog: items, boxes, loots and coupons a page at a time by
keyset cursor (oldest first), and a box's live prize table for the publish diff."""

from typing import Any

from sqlalchemy import String, and_, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Box, BoxPrize, Item, Loot
from coffer.kit.paging import Page, page_after


async def items_after(
    session: AsyncSession, operator_id: int, cursor: str | None, limit: int
) -> Page[Item]:
    return await page_after(
        session, select(Item).where(Item.operator_id == operator_id), Item.id, cursor, limit
    )


async def boxes_after(
    session: AsyncSession, operator_id: int, cursor: str | None, limit: int
) -> Page[Box]:
    return await page_after(
        session, select(Box).where(Box.operator_id == operator_id), Box.id, cursor, limit
    )


async def loots_after(
    session: AsyncSession, operator_id: int, cursor: str | None, limit: int
) -> Page[Loot]:
    return await page_after(
        session, select(Loot).where(Loot.operator_id == operator_id), Loot.id, cursor, limit
    )


async def coupons_after(
    session: AsyncSession, operator_id: int, cursor: str | None, limit: int
) -> Page[Item]:
    """The operator's coupon items (an item with coupon terms), oldest first."""
    has_terms = and_(Item.coupon.is_not(None), cast(Item.coupon, String) != "null")  # JSON null
    query = select(Item).where(Item.operator_id == operator_id, has_terms)
    return await page_after(session, query, Item.id, cursor, limit)


async def holders_of(session: AsyncSession, operator_id: int, loot_ids: list[int]) -> list[Item]:
    """The bundle and container items that hold any of these loots."""
    if not loot_ids:
        return []
    found = await session.scalars(
        select(Item)
        .where(Item.operator_id == operator_id, Item.loot_id.in_(loot_ids))
        .order_by(Item.id)
    )
    return list(found)


async def live_prizes(session: AsyncSession, operator_id: int, box_id: int) -> list[dict[str, Any]]:
    """The current version's prizes in draw order (none before the first publish)."""
    version = await session.scalar(
        select(Box.current_version_id).where(Box.id == box_id, Box.operator_id == operator_id)
    )
    if version is None:
        return []
    rows = await session.scalars(
        select(BoxPrize)
        .where(BoxPrize.box_version_id == version)
        .order_by(BoxPrize.sort_index, BoxPrize.id)
    )
    return [
        {"itemId": p.item_id, "cashMinor": p.cash_minor, "weight": p.weight,
         "sortIndex": p.sort_index, "valueMinor": p.value_minor}
        for p in rows
    ]  # fmt: skip

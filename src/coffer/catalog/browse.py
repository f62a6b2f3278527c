"""The back office's views of a catalog: items and boxes a page at a time by keyset cursor
(oldest first), and a box's live prize table for the publish diff."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Box, BoxPrize, Item
from coffer.kit.cursors import decode_keyset, encode_keyset

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    next_cursor: str | None


def after_id(cursor: str | None) -> int | None:
    """The id a ``next`` cursor continues after (VALIDATION_ERROR for anything else)."""
    return None if cursor is None else decode_keyset(cursor).id


async def items_after(
    session: AsyncSession, operator_id: int, after: int | None, limit: int
) -> Page[Item]:
    query = select(Item).where(Item.operator_id == operator_id).order_by(Item.id)
    if after is not None:
        query = query.where(Item.id > after)
    found = list((await session.scalars(query.limit(limit + 1))).all())
    return _page(found, limit)


async def boxes_after(
    session: AsyncSession, operator_id: int, after: int | None, limit: int
) -> Page[Box]:
    query = select(Box).where(Box.operator_id == operator_id).order_by(Box.id)
    if after is not None:
        query = query.where(Box.id > after)
    found = list((await session.scalars(query.limit(limit + 1))).all())
    return _page(found, limit)


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


def _page(found: list[Row], limit: int) -> Page[Row]:
    more = len(found) > limit
    rows = found[:limit]
    last = getattr(rows[-1], "id", None) if rows else None
    return Page(rows, encode_keyset("next", last) if more and last is not None else None)

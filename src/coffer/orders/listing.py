"""A player's orders, newest or oldest first, from a time or from an opaque cursor.

The cursor names the last order shown (and the direction), so a page never repeats or skips an
order while new ones arrive; with a cursor, ``starting_position`` is ignored, as the reference
says. An empty page means there is nothing (more) to show.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.cursors import decode_cursor, encode_cursor
from coffer.kit.schemas import iso_z
from coffer.orders.models import PlayerOrder

SORTS = ("asc", "desc")


@dataclass(frozen=True)
class OrderQuery:
    starting_position: datetime | None
    cursor: str | None
    sort: str
    limit: int


async def list_orders(session: AsyncSession, player_id: int, query: OrderQuery) -> dict[str, Any]:
    """One page of the player's orders and the cursor of the next page (None at the end)."""
    sort = query.sort
    stmt = select(PlayerOrder.id, PlayerOrder.body).where(PlayerOrder.player_id == player_id)
    if query.cursor is not None:
        after = decode_cursor(query.cursor, {"sort": SORTS, "id": None})
        sort = after["sort"]
        stmt = stmt.where(
            PlayerOrder.id > after["id"] if sort == "asc" else PlayerOrder.id < after["id"]
        )
    elif query.starting_position is not None:
        start = query.starting_position
        stmt = stmt.where(
            PlayerOrder.created_at >= start if sort == "asc" else PlayerOrder.created_at <= start
        )
    order = PlayerOrder.id.asc() if sort == "asc" else PlayerOrder.id.desc()
    rows = (await session.execute(stmt.order_by(order).limit(query.limit + 1))).all()
    page = rows[: query.limit]
    more = len(rows) > query.limit
    next_cursor = encode_cursor({"sort": sort, "id": page[-1].id}) if more else None
    start_text = iso_z(query.starting_position) if query.starting_position else None
    return {
        "data": [dict(row.body) for row in page if row.body],
        "page": {
            "starting_position": None if query.cursor else start_text,
            "cursor": next_cursor,
            "sort": sort,
            "limit": query.limit,
        },
    }

"""Reading a player's vault: one keyset-paged query joined with items and rounds."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.operators.models import Operator
from coffer.players.service import get_player
from coffer.rounds.models import Round
from coffer.vault.listing import MAX_ID, Cursor, decode_cursor, encode_cursor, vault_row
from coffer.vault.models import InventoryItem

Row = tuple[InventoryItem, Item, str | None]


@dataclass(frozen=True)
class InventoryQuery:
    player_external_id: str
    states: list[str]
    limit: int
    cursor: str | None


def _page_statement(player_id: int, operator_id: int, states: list[str]) -> Select[Any]:
    return (
        select(InventoryItem, Item, Round.public_id)
        .join(Item, Item.id == InventoryItem.item_id)
        .outerjoin(Round, Round.id == InventoryItem.round_id)
        .where(InventoryItem.player_id == player_id)
        .where(InventoryItem.operator_id == operator_id)
        .where(InventoryItem.state.in_(states))
    )


async def _fetch(session: AsyncSession, stmt: Select[Any]) -> list[Row]:
    return [(r[0], r[1], r[2]) for r in await session.execute(stmt)]


async def _page(
    session: AsyncSession, stmt: Select[Any], cursor: Cursor | None, limit: int
) -> tuple[list[Row], str | None, str | None]:
    """The page newest first, with its next and prev cursors."""
    if cursor is not None and cursor.direction == "prev":
        stmt = stmt.where(InventoryItem.id > cursor.id).order_by(InventoryItem.id.asc())
        found = await _fetch(session, stmt.limit(limit + 1))
        page = list(reversed(found[:limit]))
        newer = len(found) > limit
        prev = encode_cursor("prev", page[0][0].id) if newer else None
        next_ = encode_cursor("next", page[-1][0].id if page else min(cursor.id + 1, MAX_ID))
        return page, next_, prev
    stmt = stmt.order_by(InventoryItem.id.desc())
    if cursor is not None:
        stmt = stmt.where(InventoryItem.id < cursor.id)
    found = await _fetch(session, stmt.limit(limit + 1))
    page = found[:limit]
    next_ = encode_cursor("next", page[-1][0].id) if len(found) > limit else None
    prev = None
    if cursor is not None:
        prev = encode_cursor("prev", page[0][0].id if page else max(cursor.id - 1, 0))
    return page, next_, prev


async def list_inventory(
    session: AsyncSession, operator: Operator, query: InventoryQuery
) -> dict[str, Any]:
    """A page of the player's vault, newest first, with opaque ``next`` / ``prev`` cursors."""
    cursor = decode_cursor(query.cursor) if query.cursor is not None else None
    player = await get_player(session, operator, query.player_external_id)
    if not query.states:
        return {"items": [], "cursor": {"next": None, "prev": None}}
    stmt = _page_statement(player.id, operator.id, query.states)
    page, next_, prev = await _page(session, stmt, cursor, query.limit)
    items = [vault_row(row, item, public_id, operator.policies) for row, item, public_id in page]
    return {"items": items, "cursor": {"next": next_, "prev": prev}}

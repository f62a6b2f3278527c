"""Keyset pages by id, oldest (or newest) first: the back office's and the admin API's tables
page with cursors, never offsets, so a row added while staff read cannot shift or repeat a page."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from coffer.kit.cursors import NOT_OURS, decode_keyset, encode_keyset
from coffer.kit.errors import ValidationFailed

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    next_cursor: str | None


def next_id(cursor: str | None, field: str = "cursor") -> int | None:
    """The id a ``next`` cursor continues from (VALIDATION_ERROR on ``field`` otherwise)."""
    if cursor is None:
        return None
    try:
        keyset = decode_keyset(cursor)
    except ValidationFailed as exc:
        raise ValidationFailed(fields={field: NOT_OURS["cursor"]}) from exc
    if keyset.direction != "next":
        raise ValidationFailed(fields={field: "this list pages forward only: use next"})
    return keyset.id


async def page_after(
    session: AsyncSession,
    query: Select[Row],
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    limit: int,
    *,
    newest_first: bool = False,
) -> Page[Row]:
    """``limit`` rows of ``query`` past the cursor's id, and the cursor of the next page."""
    after = next_id(cursor)
    if after is not None:
        query = query.where(id_column < after if newest_first else id_column > after)
    order = id_column.desc() if newest_first else id_column
    found = list((await session.scalars(query.order_by(order).limit(limit + 1))).all())
    return page_of(found, limit)


def page_of(found: list[Row], limit: int) -> Page[Row]:
    """The first ``limit`` of ``limit + 1`` rows read, with a cursor when there were more."""
    rows = found[:limit]
    last: Any = getattr(rows[-1], "id", None) if rows else None
    more = len(found) > limit and last is not None
    return Page(rows, encode_keyset("next", last) if more else None)

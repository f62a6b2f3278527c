"""A day's statement, read from ``wallet_instructions`` with Core selects: totals summed by the
database, lines paged by id (ascending, so a day still being written only grows at the end),
and the wallet's export compared with every line of the day.

A day is a UTC calendar day, matched on the instruction's ``created_at`` (when Coffer wrote it,
just before sending it). Read only: the caller owns the session and its transaction.
"""

import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.cursors import decode_cursor, encode_cursor
from coffer.kit.db import table
from coffer.kit.errors import ValidationFailed
from coffer.players.models import Player
from coffer.reconcile.compare import Difference, compare
from coffer.reconcile.outcomes import NOT_SENT, CurrencyTotals, Line, outcome_of
from coffer.reconcile.walletcsv import WalletRow
from coffer.seamless.models import WalletInstruction

INSTRUCTIONS, PLAYERS = table(WalletInstruction), table(Player)
W, PL = INSTRUCTIONS.c, PLAYERS.c
DEFAULT_LIMIT, MAX_LIMIT = 500, 1000
CHUNK, LOOKUP_CHUNK = 1000, 500
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DAY_HINT = "a UTC day as YYYY-MM-DD, e.g. 2026-12-01"
LINE_COLUMNS = (
    W.id,
    W.idempotency_key,
    W.rpc,
    W.kind,
    PL.external_id,
    W.round_public_id,
    W.inventory_item_id,
    W.amount_minor,
    W.currency,
    W.state,
    W.funding,
    W.provider_txn_ref,
    W.created_at,
)


@dataclass(frozen=True)
class Statement:
    """A day's totals per currency over all its instructions, and one page of its lines."""

    operator_id: int
    day: date
    totals: list[CurrencyTotals]
    instruction_count: int
    not_sent_count: int
    lines: list[Line]
    next_cursor: str | None


@dataclass(frozen=True)
class Reconciliation:
    """The statement, and every key on which the wallet's export disagrees with Coffer."""

    statement: Statement
    wallet_row_count: int
    differences: list[Difference]

    @property
    def agrees(self) -> bool:
        return not self.differences


def parse_day(text: str) -> date:
    """A day as the surfaces take it; anything else is a ``day`` validation error."""
    try:
        if DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValidationFailed(f"day {text!r} is not {DAY_HINT}.", fields={"day": DAY_HINT})


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of the UTC day."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def _of_day(operator_id: int, day: date) -> Any:
    start, end = day_bounds(day)
    return (W.operator_id == operator_id) & (W.created_at >= start) & (W.created_at < end)


def _lines(where: Any) -> Select[Any]:
    return select(*LINE_COLUMNS).join_from(INSTRUCTIONS, PLAYERS, PL.id == W.player_id).where(where)


def _line(row: Any) -> Line:
    return Line(*row)


async def totals(
    session: AsyncSession, operator_id: int, day: date
) -> tuple[list[CurrencyTotals], int, int]:
    """Totals per currency over the wallet RPCs, the number of instructions and of those never
    sent; one GROUP BY over the (operator, created_at) index."""
    found = await session.execute(
        select(W.currency, W.rpc, W.state, func.count(), func.sum(W.amount_minor))
        .where(_of_day(operator_id, day))
        .group_by(W.currency, W.rpc, W.state)
    )
    by_currency: dict[str, CurrencyTotals] = {}
    count = not_sent = 0
    for currency, rpc, state, n, amount in found:
        count += n
        outcome = outcome_of(rpc, state)
        if outcome == NOT_SENT:
            not_sent += n
            continue
        by_currency.setdefault(currency, CurrencyTotals(currency)).add(outcome, int(amount), n)
    return [by_currency[c] for c in sorted(by_currency)], count, not_sent


async def page(
    session: AsyncSession, operator_id: int, day: date, after_id: int, limit: int
) -> tuple[list[Line], int | None]:
    """Up to ``limit`` lines after ``after_id``, and the id to continue after (None at the end)."""
    stmt = _lines(_of_day(operator_id, day) & (W.id > after_id)).order_by(W.id).limit(limit + 1)
    found = [_line(row) for row in await session.execute(stmt)]
    if len(found) <= limit:
        return found, None
    return found[:limit], found[limit - 1].id if limit else after_id


async def each_line(session: AsyncSession, operator_id: int, day: date) -> AsyncIterator[Line]:
    """Every line of the day, read in pages so a large day never sits in one result."""
    after: int | None = 0
    while after is not None:
        found, after = await page(session, operator_id, day, after, CHUNK)
        for line in found:
            yield line


def decode_after(cursor: str | None) -> int:
    """The id a cursor this API handed out continues after (0: from the start)."""
    if cursor is None:
        return 0
    after: int = decode_cursor(cursor, {"after": None})["after"]
    return after


async def statement(
    session: AsyncSession,
    operator_id: int,
    day: date,
    cursor: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> Statement:
    """The day's statement with one page of lines (``limit`` None: every line, no cursor)."""
    summed, count, not_sent = await totals(session, operator_id, day)
    after = decode_after(cursor)
    if limit is None:
        lines = [line async for line in each_line(session, operator_id, day)]
        lines = [line for line in lines if line.id > after]
        return Statement(operator_id, day, summed, count, not_sent, lines, None)
    lines, last = await page(session, operator_id, day, after, limit)
    following = encode_cursor({"after": last}) if last is not None else None
    return Statement(operator_id, day, summed, count, not_sent, lines, following)


async def reconcile(
    session: AsyncSession,
    operator_id: int,
    day: date,
    rows: list[WalletRow],
    cursor: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> Reconciliation:
    """The statement, and the export compared with every line of the day (not just the page)."""
    found = await statement(session, operator_id, day, cursor, limit)
    lines = [line async for line in each_line(session, operator_id, day)]
    known = {line.idempotency_key for line in lines}
    strangers = sorted({row.idempotency_key for row in rows} - known)
    elsewhere = await _by_keys(session, operator_id, strangers)
    return Reconciliation(found, len(rows), compare(lines, rows, elsewhere))


async def _by_keys(session: AsyncSession, operator_id: int, keys: Iterable[str]) -> dict[str, Line]:
    """Coffer's instructions (of any day) under these keys: the unique (operator, key) index."""
    wanted, found = list(keys), dict[str, Line]()
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        stmt = _lines((W.operator_id == operator_id) & W.idempotency_key.in_(chunk))
        found |= {line.idempotency_key: line for line in map(_line, await session.execute(stmt))}
    return found

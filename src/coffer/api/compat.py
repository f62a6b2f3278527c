"""What the vendor surfaces share: a write retried past a deadlock, and orders placed for a
player, so every surface's purchases and grants show in the one order history."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import is_retryable, write_session
from coffer.orders import service
from coffer.orders.asks import EntryAsk, OrderAsk
from coffer.runtime import Runtime

T = TypeVar("T")
TRIES = 3


async def in_write(runtime: Runtime, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one write transaction, again (whole) if the database broke a deadlock;
    an exception it raises rolls everything back."""
    for attempt in range(TRIES):
        try:
            async with write_session(runtime.sessions, runtime.writer) as session:
                done = await work(session)
                await session.commit()
            return done
        except DBAPIError as exc:
            if not is_retryable(exc) or attempt == TRIES - 1:
                raise
    raise AssertionError("unreachable")


async def place(
    session: AsyncSession,
    who: service.Who,
    entries: list[EntryAsk],
    now: datetime,
    *,
    whole: bool,
    trusted: bool,
    source: str,
) -> list[dict[str, Any]]:
    """Place the entries as one order (all or none when ``whole``); each entry's record."""
    echoes = []
    for entry in entries:
        echo = {k: v for k, v in vars(entry).items() if v is not None and k != "currencies"}
        echo["currencies"] = [vars(c) for c in entry.currencies] or None
        echoes.append(echo)
    ask = OrderAsk(entries, whole, None, {"source": source}, echoes, trusted=trusted)
    body = await service.place_order(session, who, ask, now)
    return list(body["entries"])


def granted(entry: dict[str, Any]) -> list[int]:
    """The instances an entry added to (not balances, not what a price took)."""
    found = []
    for detail in entry["details"]:
        change = detail.get("inv_change")
        if not change or change["after"]["legacy_inventory_id"] is None:
            continue
        before = change["before"]["count"] if change["before"] else 0
        if change["after"]["count"] > before:
            found.append(int(change["after"]["legacy_inventory_id"]))
    return found

"""PlayFab calls that run as the engine's orders (purchases, coupons, grants), so they show in
the player's order history and tell the operator through the same events as every surface."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.playfab import Failure
from coffer.api.playfab.access import Actor
from coffer.api.playfab.calls import Call
from coffer.kit.db import is_retryable, write_session
from coffer.orders import results, service
from coffer.orders.asks import EntryAsk, OrderAsk

T = TypeVar("T")
TRIES = 3

# An entry's result as PlayFab's error; any other refusal is InvalidParams.
REFUSALS: dict[str, tuple[str, int]] = {
    results.CANNOT_AFFORD_PRICE: ("InsufficientFunds", 1059),
    results.PRICE_DOES_NOT_MATCH: ("WrongPrice", 1053),
    results.NOT_FOR_SALE: ("WrongVirtualCurrency", 1052),
    results.PRICE_NOT_ALLOWED: ("WrongVirtualCurrency", 1052),
    results.LOOT_NOT_FOUND: ("ItemNotFound", 1047),
    results.LOOT_NOT_ACTIVE: ("ItemNotFound", 1047),
    results.ITEM_NOT_FOUND: ("ItemNotFound", 1047),
    results.ITEM_NOT_ACTIVE: ("ItemNotFound", 1047),
    results.PROMOTION_NOT_FOUND: ("CouponCodeNotFound", 1016),
    results.PROMOTION_EXPIRED: ("CouponCodeNotFound", 1016),
    results.PROMOTION_NOT_AVAILABLE: ("CouponCodeNotFound", 1016),
    results.PROMOTION_NO_USES_LEFT: ("CouponCodeNotFound", 1016),
    results.PROMOTION_CLAIMED: ("CouponAlreadyRedeemed", 1226),
    results.PERMISSION_DENIED: ("NotAuthorized", 1089),
}


async def in_write(call: Call, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one write transaction, again (whole) if the database broke a deadlock;
    a Failure it raises rolls everything back."""
    runtime = call.runtime
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
    session: AsyncSession, actor: Actor, entries: list[EntryAsk], now: datetime, whole: bool
) -> list[dict[str, Any]]:
    """Place the entries as one order (all or none when ``whole``); each entry's record."""
    echoes = []
    for entry in entries:
        echo = {k: v for k, v in vars(entry).items() if v is not None and k != "currencies"}
        echo["currencies"] = [vars(c) for c in entry.currencies] or None
        echoes.append(echo)
    ask = OrderAsk(entries, whole, None, {"source": "PLAYFAB"}, echoes, trusted=actor.trusted)
    who = service.Who(actor.operator.id, actor.player_id, actor.external_id)
    body = await service.place_order(session, who, ask, now)
    return list(body["entries"])


def refusal(result: str, message: str) -> Failure:
    name, number = REFUSALS.get(result, ("InvalidParams", 1000))
    return Failure(name, number, f"{message} ({result}); nothing changed.")


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

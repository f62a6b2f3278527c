"""PlayFab calls that run as the engine's orders (purchases, coupons, grants), so they show in
the player's order history and tell the operator through the same events as every surface."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api import compat
from coffer.api.compat import granted
from coffer.api.playfab import Failure
from coffer.api.playfab.access import Actor
from coffer.api.playfab.calls import Call
from coffer.orders import results, service
from coffer.orders.asks import EntryAsk

T = TypeVar("T")
__all__ = ["granted", "in_write", "place", "refusal"]

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
    """``work`` in one write transaction (compat.in_write)."""
    return await compat.in_write(call.runtime, work)


async def place(
    session: AsyncSession, actor: Actor, entries: list[EntryAsk], now: datetime, whole: bool
) -> list[dict[str, Any]]:
    """Place the entries as one order of the actor's player (all or none when ``whole``)."""
    who = service.Who(actor.operator.id, actor.player_id, actor.external_id)
    return await compat.place(
        session, who, entries, now, whole=whole, trusted=actor.trusted, source="PLAYFAB"
    )


def refusal(result: str, message: str) -> Failure:
    name, number = REFUSALS.get(result, ("InvalidParams", 1000))
    return Failure(name, number, f"{message} ({result}); nothing changed.")

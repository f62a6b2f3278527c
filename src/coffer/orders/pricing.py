"""Paying for a purchase entry: the asked prices must be one of the loots' price options.

A loot's price options are alternatives; an option names one price item (100 gold) or several
paid together (10 gems and 1 key). An entry's ``currencies`` (or the deprecated single
``purchase_price``) lists every price item of one option with its unit price. A coupon is one
instance of a coupon item, spent with the price; it takes ``percentOffBps`` off each total,
rounded down to the player's favour never below zero.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog import prices
from coffer.catalog.items import items_by_id
from coffer.catalog.models import Item, Loot
from coffer.kit.errors import CofferError
from coffer.loot.effects import Effect, Mover, spend
from coffer.orders import results
from coffer.orders.asks import EntryAsk
from coffer.orders.results import EntryFailed

MAX_BPS = 10_000


def unit_price(loots: list[Loot], asked: frozenset[int]) -> dict[int, int]:
    """What one of each loot costs in these price items; refused if one is not sold in them."""
    found = prices.unit_price((prices.options(loot.prices) for loot in loots), asked)
    if found is None:
        raise EntryFailed(results.NOT_FOR_SALE)
    return found


def _check_coupon(
    coupon: Item | None, entry: EntryAsk, loots: list[Loot], paid_in: frozenset[int]
) -> Any:
    if coupon is None or not coupon.coupon or coupon.client_writable:
        raise EntryFailed(results.COUPON_NOT_FOUND)
    if not coupon.is_active:
        raise EntryFailed(results.COUPON_NOT_ACTIVE)
    rule: dict[str, Any] = coupon.coupon
    if rule.get("loot_ids") is not None and any(loot.id not in rule["loot_ids"] for loot in loots):
        raise EntryFailed(results.COUPON_NOT_FOR_LOOT)
    if rule.get("price_item_ids") is not None and not paid_in <= set(rule["price_item_ids"]):
        raise EntryFailed(results.COUPON_NOT_FOR_PRICE_ITEM)
    if rule.get("max_quantity") is not None and entry.quantity > rule["max_quantity"]:
        raise EntryFailed(results.COUPON_NOT_FOR_QUANTITY)
    return rule["percent_off_bps"]


def _asked(entry: EntryAsk) -> dict[int, int]:
    """The entry's unit prices by price item: at least one, each item once."""
    asked = {price.price_item_id: price.price for price in entry.currencies}
    if not asked or len(asked) != len(entry.currencies):
        raise EntryFailed(results.PRICE_NOT_ALLOWED)
    return asked


async def pay(
    session: AsyncSession, mover: Mover, entry: EntryAsk, loots: list[Loot]
) -> list[Effect]:
    """Check the asked prices against the loots' and take them (and the coupon)."""
    asked = _asked(entry)
    paid_in = frozenset(asked)
    wanted = set(paid_in)
    if entry.price_coupon_item_id is not None:
        wanted.add(entry.price_coupon_item_id)
    items = await items_by_id(session, mover.operator_id, wanted, mover.items)
    for item_id in sorted(paid_in):
        price_item = items.get(item_id)
        payable = price_item is not None and (price_item.kind == "currency" or price_item.stackable)
        if price_item is None or not payable or price_item.client_writable:
            raise EntryFailed(results.PRICE_ITEM_NOT_FOUND)  # a client writes its own: no price
    if asked != unit_price(loots, paid_in):
        raise EntryFailed(results.PRICE_DOES_NOT_MATCH)
    totals = {item_id: price * entry.quantity for item_id, price in sorted(asked.items())}
    effects: list[Effect] = []
    if entry.price_coupon_item_id is not None:
        coupon = items.get(entry.price_coupon_item_id)
        bps = _check_coupon(coupon, entry, loots, paid_in)
        assert coupon is not None
        effects.append(
            await _take(session, mover, coupon, 1, "coupon", results.CANNOT_AFFORD_COUPON)
        )
        # each total rounded down: the player's favour
        totals = {item_id: total * (MAX_BPS - bps) // MAX_BPS for item_id, total in totals.items()}
    for item_id, total in totals.items():
        if total > 0:
            suffix = "price" if len(totals) == 1 else f"price:{item_id}"
            refused = results.CANNOT_AFFORD_PRICE
            effects.append(await _take(session, mover, items[item_id], total, suffix, refused))
    return effects


async def _take(
    session: AsyncSession, mover: Mover, item: Item, quantity: int, suffix: str, refused: str
) -> Effect:
    try:
        return await spend(session, mover, item, quantity, suffix)
    except CofferError as exc:
        raise EntryFailed(refused) from exc

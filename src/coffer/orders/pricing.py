"""Paying for a purchase entry: the asked price must be the loots' price, a coupon may cut it.

A loot's prices are alternatives, one price item each; an entry pays in exactly one of them
(``currencies`` with one element, or the deprecated ``purchase_price``). A coupon is one
instance of a coupon item, spent with the price; it takes ``percentOffBps`` off the total,
rounded down to the player's favour never below zero.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.items import items_by_id
from coffer.catalog.models import Item, Loot
from coffer.kit.errors import CofferError
from coffer.loot.effects import Effect, Mover, spend
from coffer.orders import results
from coffer.orders.asks import EntryAsk
from coffer.orders.results import EntryFailed

MAX_BPS = 10_000


def unit_price(loots: list[Loot], price_item_id: int) -> int:
    """What one of each loot costs in the price item; refused if one is not sold in it."""
    total = 0
    for loot in loots:
        found = [p["price"] for p in loot.prices if p["priceItemId"] == price_item_id]
        if not found:
            raise EntryFailed(results.NOT_FOR_SALE)
        total += found[0]
    return total


def _check_coupon(coupon: Item | None, entry: EntryAsk, loots: list[Loot], price_item: int) -> Any:
    if coupon is None or not coupon.coupon or coupon.client_writable:
        raise EntryFailed(results.COUPON_NOT_FOUND)
    if not coupon.is_active:
        raise EntryFailed(results.COUPON_NOT_ACTIVE)
    rule: dict[str, Any] = coupon.coupon
    if rule.get("loot_ids") is not None and any(loot.id not in rule["loot_ids"] for loot in loots):
        raise EntryFailed(results.COUPON_NOT_FOR_LOOT)
    if rule.get("price_item_ids") is not None and price_item not in rule["price_item_ids"]:
        raise EntryFailed(results.COUPON_NOT_FOR_PRICE_ITEM)
    if rule.get("max_quantity") is not None and entry.quantity > rule["max_quantity"]:
        raise EntryFailed(results.COUPON_NOT_FOR_QUANTITY)
    return rule["percent_off_bps"]


async def pay(
    session: AsyncSession, mover: Mover, entry: EntryAsk, loots: list[Loot]
) -> list[Effect]:
    """Check the asked price against the loots' and take it (and the coupon) from the player."""
    if len(entry.currencies) != 1:
        raise EntryFailed(results.PRICE_NOT_ALLOWED)
    asked = entry.currencies[0]
    wanted = {asked.price_item_id}
    if entry.price_coupon_item_id is not None:
        wanted.add(entry.price_coupon_item_id)
    items = await items_by_id(session, mover.operator_id, wanted, mover.items)
    price_item = items.get(asked.price_item_id)
    payable = price_item is not None and (price_item.kind == "currency" or price_item.stackable)
    if price_item is None or not payable or price_item.client_writable:
        raise EntryFailed(results.PRICE_ITEM_NOT_FOUND)  # a client writes its own: no price
    if asked.price != unit_price(loots, asked.price_item_id):
        raise EntryFailed(results.PRICE_DOES_NOT_MATCH)
    total = asked.price * entry.quantity
    effects: list[Effect] = []
    if entry.price_coupon_item_id is not None:
        coupon = items.get(entry.price_coupon_item_id)
        bps = _check_coupon(coupon, entry, loots, asked.price_item_id)
        assert coupon is not None
        effects.append(
            await _take(session, mover, coupon, 1, "coupon", results.CANNOT_AFFORD_COUPON)
        )
        total = total * (MAX_BPS - bps) // MAX_BPS  # rounded down: the player's favour
    if total > 0:
        effects.append(
            await _take(session, mover, price_item, total, "price", results.CANNOT_AFFORD_PRICE)
        )
    return effects


async def _take(
    session: AsyncSession, mover: Mover, item: Item, quantity: int, suffix: str, refused: str
) -> Effect:
    try:
        return await spend(session, mover, item, quantity, suffix)
    except CofferError as exc:
        raise EntryFailed(refused) from exc

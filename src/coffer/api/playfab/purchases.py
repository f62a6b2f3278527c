"""PlayFab's PurchaseItem and RedeemCoupon, as orders: a purchase of an item's offer, a claim of
an operator's promotion code."""

from typing import Annotated, Any

from pydantic import Field, StrictInt, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.playfab import Failure
from coffer.api.playfab.access import Actor, as_client, as_server
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.orders import granted, in_write, place, refusal
from coffer.api.playfab.shapes import item_instance, playfab_id
from coffer.catalog.items import item_by_ref
from coffer.catalog.store import offers
from coffer.kit.db import utcnow
from coffer.kit.money import MAX_MINOR
from coffer.loot.holdings import these
from coffer.orders import results
from coffer.orders.asks import EntryAsk, PriceAsk

ItemId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(max_length=128)]


class PurchaseIn(Body):
    ItemId: ItemId
    VirtualCurrency: Annotated[str, StringConstraints(min_length=1, max_length=8)]
    Price: Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)]
    StoreId: Text | None = None
    CharacterId: Text | None = None


def _no_stores_or_characters(store: str | None, character: str | None) -> None:
    if store:
        raise Failure("StoreNotFound", 1221, "Coffer has no stores: leave StoreId out.")
    if character:
        raise Failure(
            "InvalidParams", 1000, "Coffer has no characters.", 400,
            {"CharacterId": ["Coffer has no characters: leave CharacterId out"]},
        )  # fmt: skip


async def _priced(session: AsyncSession, actor: Actor, ask: PurchaseIn) -> EntryAsk:
    """The purchase of the item's offer at the asked price, or why PlayFab would refuse it."""
    item = await item_by_ref(session, actor.operator.id, ask.ItemId)
    if item is None or not item.is_active:
        raise Failure("ItemNotFound", 1047, f"No item {ask.ItemId!r} in the catalog.")
    offer = (await offers(session, actor.operator.id, {item.id})).get(item.id)
    if offer is None:
        raise Failure("ItemNotFound", 1047, f"Item {ask.ItemId!r} is not for sale on its own.")
    price = offer.prices.get(ask.VirtualCurrency)
    if price is None:
        sold = ", ".join(sorted(offer.prices)) or "no currency"
        raise Failure(
            "WrongVirtualCurrency", 1052, f"Item {ask.ItemId!r} sells for {sold}, not this one."
        )
    if price[1] != ask.Price:
        raise Failure(
            "WrongPrice", 1053,
            f"Item {ask.ItemId!r} costs {price[1]} {ask.VirtualCurrency}, not {ask.Price}.",
        )  # fmt: skip
    return EntryAsk("purchase_loot", 1, loot_id=offer.loot.id, currencies=[PriceAsk(*price)])


async def purchase_item(call: Call, actor: Actor) -> dict[str, Any]:
    """Buy one of the item at its price in the currency; InsufficientFunds moves nothing."""
    ask = call.parse(PurchaseIn)
    _no_stores_or_characters(ask.StoreId, ask.CharacterId)
    now = utcnow()

    async def work(session: AsyncSession) -> dict[str, Any]:
        entry = await _priced(session, actor, ask)
        [done] = await place(session, actor, [entry], now, whole=True)
        if done["result"] != results.SUCCESS:
            raise refusal(done["result"], f"The purchase of {ask.ItemId!r} was refused")
        held = await these(session, actor.operator.id, actor.player_id, granted(done))
        return {"Items": [item_instance(instance, item) for instance, item in held]}

    return await in_write(call, work)


class CouponIn(Body):
    CouponCode: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    CharacterId: Text | None = None


async def redeem_coupon(call: Call, actor: Actor) -> dict[str, Any]:
    """Claim the operator's promotion code once: its bundle's items are granted."""
    ask = call.parse(CouponIn)
    _no_stores_or_characters(None, ask.CharacterId)
    now = utcnow()

    async def work(session: AsyncSession) -> dict[str, Any]:
        entry = EntryAsk("promotion_code", 1, external_tran_id=ask.CouponCode)
        [done] = await place(session, actor, [entry], now, whole=True)
        if done["result"] != results.SUCCESS:
            raise refusal(done["result"], f"Coupon {ask.CouponCode!r} was refused")
        held = await these(session, actor.operator.id, actor.player_id, granted(done))
        answer: dict[str, Any] = {
            "GrantedItems": [item_instance(instance, item) for instance, item in held]
        }
        if actor.trusted:
            answer["PlayFabId"] = playfab_id(actor.player_id)
        return answer

    return await in_write(call, work)


CLIENT: dict[str, Handler] = {
    "PurchaseItem": as_client(purchase_item),
    "RedeemCoupon": as_client(redeem_coupon),
}
SERVER: dict[str, Handler] = {"RedeemCoupon": as_server(redeem_coupon)}

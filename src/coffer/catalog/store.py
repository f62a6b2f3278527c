"""What an item sells for on its own: the prices of the bundle that holds exactly one of it.

Vendor catalogs (PlayFab's) price an item per virtual currency. In Coffer a sale is a loot, so
an item's offer is the first active bundle whose only content is one of that item; its prices
are the ones paid in a currency item on their own (a price of an option is paid with others,
which such a catalog cannot say).
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.loot_schemas import ContentIn, LootIn, LootUpdate, PriceIn
from coffer.catalog.loots import create_loot, update_loot
from coffer.catalog.models import Item, Loot
from coffer.ledger.models import VirtualCurrency
from coffer.operators.models import Operator


@dataclass(frozen=True)
class Offer:
    loot: Loot
    prices: dict[str, tuple[int, int]]  # currency code: (its item's id, the price)


def single_item(loot: Loot) -> int | None:
    """The item a bundle holds one of, alone; None for any other loot."""
    if loot.kind != "bundle" or len(loot.contents) != 1:
        return None
    entry = loot.contents[0]
    return int(entry["itemId"]) if entry.get("quantity") == 1 else None


async def offers(
    session: AsyncSession, operator_id: int, item_ids: set[int] | None = None
) -> dict[int, Offer]:
    """Each item's offer (among ``item_ids``, or all) that has one."""
    loots = await session.scalars(
        select(Loot)
        .where(Loot.operator_id == operator_id, Loot.kind == "bundle", Loot.is_active)
        .order_by(Loot.id)
    )
    singles: dict[int, Loot] = {}
    for loot in loots:
        item_id = single_item(loot)
        if item_id is not None and (item_ids is None or item_id in item_ids):
            singles.setdefault(item_id, loot)
    codes = await currency_codes(session, operator_id)
    found = {}
    for item_id, loot in singles.items():
        prices = {
            codes[price["priceItemId"]]: (price["priceItemId"], price["price"])
            for price in loot.prices
            if price["priceItemId"] in codes and not price.get("option")
        }
        found[item_id] = Offer(loot, prices)
    return found


async def currency_codes(session: AsyncSession, operator_id: int) -> dict[int, str]:
    """Each currency item's code, by item id."""
    rows = await session.execute(
        select(Item.id, VirtualCurrency.code)
        .join(VirtualCurrency, VirtualCurrency.id == Item.virtual_currency_id)
        .where(Item.operator_id == operator_id)
    )
    return {int(item_id): str(code) for item_id, code in rows}


@dataclass(frozen=True)
class Catalog:
    """The operator's whole catalog at once: items (currency items apart), their offers, the
    loots bundles and containers hold, and every currency item's code."""

    items: dict[int, Item]
    offers: dict[int, Offer]
    loots: dict[int, Loot]
    codes: dict[int, str]


async def catalog(session: AsyncSession, operator_id: int) -> Catalog:
    rows = await session.scalars(
        select(Item).where(Item.operator_id == operator_id).order_by(Item.id)
    )
    items = {item.id: item for item in rows}
    loot_ids = sorted({i.loot_id for i in items.values() if i.loot_id is not None})
    loots = await session.scalars(select(Loot).where(Loot.id.in_(loot_ids)))
    codes = await currency_codes(session, operator_id)
    listed = {i: item for i, item in items.items() if i not in codes}
    return Catalog(
        listed, await offers(session, operator_id), {loot.id: loot for loot in loots}, codes
    )


async def set_offer(
    session: AsyncSession, operator: Operator, item: Item, prices: dict[int, int]
) -> None:
    """Sell one of the item at ``prices`` (price item id: price, each an option alone): its
    offer's prices change (a new version), or a new bundle becomes its offer."""
    asked = [PriceIn(price_item_id=i, price=p) for i, p in sorted(prices.items())]
    offer = (await offers(session, operator.id, {item.id})).get(item.id)
    if offer is not None:
        codes = await currency_codes(session, operator.id)
        kept = [  # what such a catalog cannot say stays: options, prices in other items
            PriceIn.model_validate(p)
            for p in offer.loot.prices
            if p.get("option") or p["priceItemId"] not in codes
        ]
        await update_loot(session, operator, offer.loot.id, LootUpdate(prices=kept + asked))
    elif asked:
        content = ContentIn(item_id=item.id, quantity=1)
        await create_loot(
            session, operator, LootIn(name=item.name, contents=[content], prices=asked)
        )


async def listings(
    session: AsyncSession, operator_id: int, after: int, limit: int
) -> tuple[list[Loot], int]:
    """The active bundles for sale (with a price) after loot ``after``, and how many in all."""
    rows = await session.scalars(
        select(Loot)
        .where(Loot.operator_id == operator_id, Loot.kind == "bundle", Loot.is_active)
        .order_by(Loot.id)
    )
    sold = [loot for loot in rows if loot.prices]
    return [loot for loot in sold if loot.id > after][:limit], len(sold)

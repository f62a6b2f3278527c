"""The back office's internal economy (SPEC §12, §14): virtual currencies, item definitions
with their traits, loots with their contents and prices, promotions and coupons. Like every
page it reads through the admin API's own route functions; its forms change things through
the admin API from the page's script."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.admin import catalog as admin_catalog
from coffer.api.admin import ledger as admin_ledger
from coffer.api.admin import loot as admin_loot
from coffer.api.deps import DbSession
from coffer.catalog import browse as listing
from coffer.catalog.items import items_by_id
from coffer.catalog.models import Item
from coffer.web.admin.pages import dumped
from coffer.web.admin.render import OperatorPage, StaffDep, page

router = APIRouter(tags=["back office"], include_in_schema=False)
Cursor = Annotated[str | None, Query(max_length=200)]
PER_PAGE = 50
# Coupons and the items that hold loots are found among this many items, as the box editor's
# item picker does; the definitions table itself pages by cursor.
SCAN = 1000
TIMES = "\N{MULTIPLICATION SIGN}"


class Labels:
    """How the page names an item: a currency by its code and amounts in its decimals, any
    other item by its name and id."""

    def __init__(self, items: dict[int, Item], currencies: list[dict[str, Any]]) -> None:
        self.items = items
        self.currencies = {c["itemId"]: c for c in currencies if c["itemId"] is not None}

    def name(self, item_id: int) -> str:
        currency = self.currencies.get(item_id)
        if currency is not None:
            return str(currency["code"])
        item = self.items.get(item_id)
        return f"{item.name} #{item_id}" if item is not None else f"item #{item_id}"

    def amount(self, item_id: int, quantity: int) -> str:
        """``1.50 GEM`` for a currency (minor units shown in its decimals), ``3 x Potion #2``."""
        currency = self.currencies.get(item_id)
        if currency is None:
            return f"{quantity} {TIMES} {self.name(item_id)}"
        shown = Decimal(quantity).scaleb(-int(currency["decimals"]))
        return f"{shown:.{currency['decimals']}f} {currency['code']}"


@router.get("/admin/o/{slug}/economy", response_class=HTMLResponse)
async def economy_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    cursor: Cursor = None,
) -> HTMLResponse:
    """Currencies, item definitions (a page at a time), loots, promotions and coupons."""
    listed = await admin_ledger.list_virtual_currencies(operator, session)
    currencies = dumped(listed)["currencies"]
    loots = dumped(await admin_loot.list_loots(operator, session))["loots"]
    promotions = dumped(await admin_loot.list_promotions(operator, session))["promotions"]
    found = await listing.items_after(session, operator.id, listing.after_id(cursor), PER_PAGE)
    scan = (await listing.items_after(session, operator.id, None, SCAN)).rows
    labels = Labels(await _named(session, operator.id, scan, loots), currencies)
    loot_names = {loot["lootId"]: f"{loot['name']} #{loot['lootId']}" for loot in loots}
    context = {
        "currencies": [_currency(c) for c in currencies],
        "items": [_definition(item, labels, loot_names) for item in found.rows],
        "next": found.next_cursor,
        "loots": [_loot(loot, labels, _holders(scan, loot["lootId"], labels)) for loot in loots],
        "promotions": [{**p, "loot": loot_names.get(p["lootId"])} for p in promotions],
        "coupons": [_coupon(item, labels, loot_names) for item in scan if item.coupon],
        "baseCurrency": operator.base_currency,
    }
    return page(request, "economy.html", who, {**context, "slug": operator.slug, "tab": "economy"})


async def _named(
    session: AsyncSession, operator_id: int, scan: Sequence[Item], loots: list[dict[str, Any]]
) -> dict[int, Item]:
    """The items the scan holds, and those loots name beyond it (read by id)."""
    known = {item.id: item for item in scan}
    wanted = {c["itemId"] for loot in loots for c in loot["contents"]}
    wanted |= {p["priceItemId"] for loot in loots for p in loot["prices"]}
    await items_by_id(session, operator_id, wanted, known)
    return known


def _currency(currency: dict[str, Any]) -> dict[str, Any]:
    """A currency row, its regeneration in words."""
    period = currency["regenPeriodSeconds"]
    regen = "none"
    if currency["regenAmountMinor"] and period:
        regen = f"+{currency['regenAmountMinor']} every {_duration(period)}"
        regen += f", up to {currency['regenCapMinor']}" if currency["regenCapMinor"] else ""
    return {**currency, "regeneration": regen}


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _definition(item: Item, labels: Labels, loot_names: dict[int, str]) -> dict[str, Any]:
    """An item's generic traits, as the admin API answers them, with what it holds in words."""
    shown = dumped(admin_catalog.item_out(item))
    holds = []
    if shown["virtualCurrencyId"] is not None:
        holds.append(f"currency {labels.name(item.id)}")
    if shown["lootId"] is not None:
        holds.append(f"loot {loot_names.get(shown['lootId'], shown['lootId'])}")
    if shown["keyItemId"] is not None:
        holds.append(f"key {labels.name(shown['keyItemId'])}")
    if shown["coupon"] is not None:
        holds.append(f"coupon {_percent(shown['coupon']['percentOffBps'])} off")
    expiry = shown["expiresAt"] or (
        f"{_duration(shown['lifetimeSeconds'])} after grant" if shown["lifetimeSeconds"] else ""
    )
    return {**shown, "holds": holds, "expiry": expiry}


def _percent(bps: int) -> str:
    """Basis points as a percentage, no trailing zeros: 5000 → ``50 %``, 125 → ``1.25 %``."""
    shown = f"{Decimal(bps) / 100:.2f}"
    return shown.rstrip("0").rstrip(".") + " %"


def _loot(loot: dict[str, Any], labels: Labels, holders: list[str]) -> dict[str, Any]:
    """A loot's contents in words (a drop table's odds too) and its price options."""
    total = sum(c["weight"] or 0 for c in loot["contents"])
    contents = []
    for content in loot["contents"]:
        odds = None
        if loot["kind"] == "drop_table" and content["weight"] and total:
            odds = _percent(content["weight"] * 10_000 // total)
        line = labels.amount(content["itemId"], content["quantity"])
        contents.append({"label": line, "weight": content["weight"], "odds": odds})
    options: dict[str, list[str]] = {}
    for index, price in enumerate(loot["prices"]):
        key = price["option"] or f"#{index}"  # one without an option is an option alone
        options.setdefault(key, []).append(labels.amount(price["priceItemId"], price["price"]))
    prices = [" and ".join(parts) for parts in options.values()]
    return {**loot, "contentLines": contents, "priceOptions": prices, "heldBy": holders}


def _holders(scan: Sequence[Item], loot_id: int, labels: Labels) -> list[str]:
    """The bundle and container items that hold a loot, and the key a container asks for."""
    found = []
    for item in scan:
        if item.loot_id == loot_id:
            key = f", key {labels.name(item.key_item_id)}" if item.key_item_id else ""
            found.append(f"{item.kind} {item.name} #{item.id}{key}")
    return found


def _coupon(item: Item, labels: Labels, loot_names: dict[int, str]) -> dict[str, Any]:
    """A coupon item: how much it takes off, and the loots, price items and quantity it fits."""
    shown = dumped(admin_catalog.item_out(item))
    coupon = shown["coupon"]
    loot_ids, price_ids = coupon["lootIds"], coupon["priceItemIds"]
    loots = "any" if loot_ids is None else ", ".join(loot_names.get(i, str(i)) for i in loot_ids)
    return {
        "itemId": item.id,
        "name": item.name,
        "off": _percent(coupon["percentOffBps"]),
        "loots": loots,
        "priceItems": "any" if price_ids is None else ", ".join(labels.name(i) for i in price_ids),
        "maxQuantity": coupon["maxQuantity"] or "any",
        "isActive": shown["isActive"],
    }

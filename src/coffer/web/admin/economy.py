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
from coffer.catalog.models import Item, Loot
from coffer.kit import reads
from coffer.ledger.models import VirtualCurrency
from coffer.web.admin.pages import dumped
from coffer.web.admin.render import OperatorPage, StaffDep, page

router = APIRouter(tags=["back office"], include_in_schema=False)
Cursor = Annotated[str | None, Query(max_length=200)]
PER_PAGE = 50
TIMES = "\N{MULTIPLICATION SIGN}"


class Labels:
    """How the page names an item: a currency by its code and amounts in its decimals, any
    other item by its name and id; a loot by its name and id."""

    def __init__(
        self, items: dict[int, Item], currencies: dict[int, VirtualCurrency], loots: dict[int, str]
    ) -> None:
        self.items = items
        self.currencies = {
            item.id: currencies[item.virtual_currency_id]
            for item in items.values()
            if item.virtual_currency_id in currencies
        }
        self.loots = loots

    def name(self, item_id: int) -> str:
        currency = self.currencies.get(item_id)
        if currency is not None:
            return currency.code
        item = self.items.get(item_id)
        return f"{item.name} #{item_id}" if item is not None else f"item #{item_id}"

    def amount(self, item_id: int, quantity: int) -> str:
        """``1.50 GEM`` for a currency (minor units shown in its decimals), ``3 x Potion #2``."""
        currency = self.currencies.get(item_id)
        if currency is None:
            return f"{quantity} {TIMES} {self.name(item_id)}"
        shown = Decimal(quantity).scaleb(-currency.decimals)
        return f"{shown:.{currency.decimals}f} {currency.code}"

    def loot(self, loot_id: int) -> str:
        return self.loots.get(loot_id, f"loot #{loot_id}")


@router.get("/admin/o/{slug}/economy", response_class=HTMLResponse)
async def economy_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    currencies: Cursor = None,
    items: Cursor = None,
    loots: Cursor = None,
    promotions: Cursor = None,
    coupons: Cursor = None,
) -> HTMLResponse:
    """Currencies, item definitions, loots, promotions and coupons, each table a page at a
    time by its own cursor."""
    money = dumped(
        await admin_ledger.list_virtual_currencies(operator, session, PER_PAGE, currencies)
    )
    bundles = dumped(await admin_loot.list_loots(operator, session, PER_PAGE, loots))
    codes = dumped(await admin_loot.list_promotions(operator, session, PER_PAGE, promotions))
    defined = await listing.items_after(session, operator.id, items, PER_PAGE)
    offers = await listing.coupons_after(session, operator.id, coupons, PER_PAGE)
    shown_loots = bundles["loots"]
    holders = await listing.holders_of(session, operator.id, [b["lootId"] for b in shown_loots])
    rows = [*defined.rows, *offers.rows, *holders]
    labels = await _labels(session, operator.id, rows, shown_loots, codes["promotions"])
    context = {
        "currencies": [_currency(c) for c in money["currencies"]],
        "items": [_definition(item, labels) for item in defined.rows],
        "loots": [_loot(found, labels, holders) for found in shown_loots],
        "promotions": [{**p, "loot": labels.loot(p["lootId"])} for p in codes["promotions"]],
        "coupons": [_coupon(item, labels) for item in offers.rows],
        "next": {
            "currencies": money["cursor"]["next"], "items": defined.next_cursor,
            "loots": bundles["cursor"]["next"], "promotions": codes["cursor"]["next"],
            "coupons": offers.next_cursor,
        },
        "baseCurrency": operator.base_currency,
    }  # fmt: skip
    return page(request, "economy.html", who, {**context, "slug": operator.slug, "tab": "economy"})


async def _labels(
    session: AsyncSession, operator_id: int, rows: Sequence[Item],
    loots: list[dict[str, Any]], promotions: list[dict[str, Any]],
) -> Labels:  # fmt: skip
    """Names for every item and loot the shown rows mention, read by id."""
    known = {item.id: item for item in rows}
    wanted = {c["itemId"] for found in loots for c in found["contents"]}
    wanted |= {p["priceItemId"] for found in loots for p in found["prices"]}
    wanted |= {item.key_item_id for item in rows if item.key_item_id is not None}
    wanted |= {i for item in rows if item.coupon for i in item.coupon.get("priceItemIds") or []}
    await items_by_id(session, operator_id, wanted, known)
    currency_ids = sorted({i.virtual_currency_id for i in known.values() if i.virtual_currency_id})
    money = await reads.scoped(session, VirtualCurrency, "operator_id", operator_id, currency_ids)
    loot_ids = {found["lootId"] for found in loots} | {p["lootId"] for p in promotions}
    loot_ids |= {item.loot_id for item in known.values() if item.loot_id is not None}
    loot_ids |= {i for item in rows if item.coupon for i in item.coupon.get("lootIds") or []}
    named = await reads.scoped(session, Loot, "operator_id", operator_id, sorted(loot_ids))
    return Labels(
        known, {c.id: c for c in money}, {found.id: f"{found.name} #{found.id}" for found in named}
    )


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


def _definition(item: Item, labels: Labels) -> dict[str, Any]:
    """An item's generic traits, as the admin API answers them, with what it holds in words."""
    shown = dumped(admin_catalog.item_out(item))
    holds = []
    if shown["virtualCurrencyId"] is not None:
        holds.append(f"currency {labels.name(item.id)}")
    if shown["lootId"] is not None:
        holds.append(f"loot {labels.loot(shown['lootId'])}")
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


def _loot(loot: dict[str, Any], labels: Labels, holders: Sequence[Item]) -> dict[str, Any]:
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
    held = _holders(holders, loot["lootId"], labels)
    return {**loot, "contentLines": contents, "priceOptions": prices, "heldBy": held}


def _holders(holders: Sequence[Item], loot_id: int, labels: Labels) -> list[str]:
    """The bundle and container items that hold a loot, and the key a container asks for."""
    found = []
    for item in holders:
        if item.loot_id == loot_id:
            key = f", key {labels.name(item.key_item_id)}" if item.key_item_id else ""
            found.append(f"{item.kind} {item.name} #{item.id}{key}")
    return found


def _coupon(item: Item, labels: Labels) -> dict[str, Any]:
    """A coupon item: how much it takes off, and the loots, price items and quantity it fits."""
    shown = dumped(admin_catalog.item_out(item))
    coupon = shown["coupon"]
    loot_ids, price_ids = coupon["lootIds"], coupon["priceItemIds"]
    loots = "any" if loot_ids is None else ", ".join(labels.loot(i) for i in loot_ids)
    return {
        "itemId": item.id,
        "name": item.name,
        "off": _percent(coupon["percentOffBps"]),
        "loots": loots,
        "priceItems": "any" if price_ids is None else ", ".join(labels.name(i) for i in price_ids),
        "maxQuantity": coupon["maxQuantity"] or "any",
        "isActive": shown["isActive"],
    }

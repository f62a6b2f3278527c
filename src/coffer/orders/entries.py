"""Applying one order entry of each type the engine serves; a refusal is an ``EntryFailed``.

Inventory writes from a player's client are allowed only for items the operator marked
``clientWritable``, and a loot is filled from a client only when it is ``clientFillable``:
the orders API acts for the player, so everything else is the operator's to grant.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.items import items_by_id
from coffer.catalog.loots import etag
from coffer.catalog.models import Item, Loot
from coffer.inventory import instances
from coffer.inventory.instances import Grant
from coffer.kit import reads
from coffer.kit.errors import CofferError
from coffer.loot.effects import Effect, Mover
from coffer.loot.filling import fill, grant_item
from coffer.orders import results
from coffer.orders.asks import EntryAsk
from coffer.orders.pricing import pay
from coffer.orders.promotions import claim, claim_once
from coffer.orders.records import change_detail, detail
from coffer.orders.results import EntryFailed, result_of

MAX_QUANTITY = 1000
TRUSTED_KINDS = ("item", "bundle", "currency", "container")  # what the operator's backend writes
MAX_DYNAMIC_LOOTS = 20
Details = list[dict[str, Any]]


@dataclass(frozen=True)
class Ctx:
    """The order being applied: whose it is, its id and its clock."""

    session: AsyncSession
    operator_id: int
    player_id: int
    order_id: str
    now: datetime
    trusted: bool = False
    effects: list[Effect] = field(default_factory=list)  # of the entries applied so far
    items: dict[int, Item] = field(default_factory=dict)  # read once per order

    def mover(self, index: int) -> Mover:
        key = f"order:{self.order_id}:{index}"
        return Mover(self.operator_id, self.player_id, key, "order", self.now, True, self.items)


def _changes(ctx: Ctx, effects: list[Effect], loot_id: int | None) -> Details:
    ctx.effects.extend(effects)
    return [change_detail(effect, loot_id) for effect in effects]


def _quantity(entry: EntryAsk) -> None:
    if not 1 <= entry.quantity <= MAX_QUANTITY:
        raise EntryFailed(results.QUANTITY_NOT_ALLOWED)


async def _loot(ctx: Ctx, loot_id: int | None, entry: EntryAsk) -> Loot:
    loot = await reads.get(ctx.session, Loot, loot_id) if loot_id is not None else None
    if loot is None or loot.operator_id != ctx.operator_id:
        raise EntryFailed(results.LOOT_NOT_FOUND)
    if not loot.is_active:
        raise EntryFailed(results.LOOT_NOT_ACTIVE)
    stale_etag = entry.vendor_etag is not None and entry.vendor_etag != etag(loot)
    stale_version = entry.vendor_version is not None and entry.vendor_version != loot.version
    if stale_etag or stale_version:
        raise EntryFailed(results.VERSION_MISMATCH)
    return loot


async def fill_loot(ctx: Ctx, index: int, entry: EntryAsk) -> Details:
    _quantity(entry)
    loot = await _loot(ctx, entry.loot_id, entry)
    if loot.kind != "bundle" or not (loot.client_fillable or ctx.trusted):
        raise EntryFailed(results.LOOT_NOT_FILLABLE)
    single = entry.type == "fill_loot_single_transient"
    if single and not await claim_once(ctx.session, ctx.player_id, f"loot:{loot.id}", ctx.order_id):
        raise EntryFailed(results.SINGLE_LOOT_APPLIED)
    mover = ctx.mover(index)
    effects = await fill(
        ctx.session, mover, loot, entry.quantity, "fill", entry.use_inventory_bucket
    )
    return _changes(ctx, effects, loot.id)


async def purchase_loot(ctx: Ctx, index: int, entry: EntryAsk) -> Details:
    _quantity(entry)
    loot = await _loot(ctx, entry.loot_id, entry)
    mover = ctx.mover(index)
    paid = await pay(ctx.session, mover, entry, [loot])
    got = await fill(ctx.session, mover, loot, entry.quantity, "fill", entry.use_inventory_bucket)
    return _changes(ctx, paid, loot.id) + _changes(ctx, got, loot.id)


async def purchase_dynamic_bundle(ctx: Ctx, index: int, entry: EntryAsk) -> Details:
    _quantity(entry)
    ids = entry.dynamic_bundle_loot_ids or []
    if not ids or len(ids) > MAX_DYNAMIC_LOOTS:
        raise EntryFailed(results.DYNAMIC_BUNDLE_INVALID)
    loots = [await _loot(ctx, loot_id, entry) for loot_id in ids]
    mover = ctx.mover(index)
    found = _changes(ctx, await pay(ctx.session, mover, entry, loots), None)
    for n, loot in enumerate(loots):
        bucket = entry.use_inventory_bucket
        got = await fill(ctx.session, mover, loot, entry.quantity, f"fill:{n}", bucket)
        found += [detail("dynamic_bundle_lti", loot.id), *_changes(ctx, got, loot.id)]
    return found


async def promotion_code(ctx: Ctx, index: int, entry: EntryAsk) -> Details:
    if entry.quantity != 1:
        raise EntryFailed(results.QUANTITY_NOT_ALLOWED)
    if not entry.external_tran_id:
        raise EntryFailed(results.PROMOTION_NOT_FOUND)
    loot = await claim(
        ctx.session, ctx.operator_id, ctx.player_id, entry.external_tran_id, ctx.order_id, ctx.now
    )
    if not loot.is_active:
        raise EntryFailed(results.LOOT_NOT_ACTIVE)
    got = await fill(ctx.session, ctx.mover(index), loot, 1, "fill", entry.use_inventory_bucket)
    return [detail("claim_promo_code", loot.id), *_changes(ctx, got, loot.id)]


async def _writable(ctx: Ctx, item_id: int | None, kinds: tuple[str, ...] = ("item",)) -> Item:
    """The item, if this caller may write instances of it: the operator's backend may write
    any (and grant bundles and currencies), a client only ``clientWritable`` plain items."""
    found = await items_by_id(ctx.session, ctx.operator_id, {item_id or 0}, ctx.items)
    item = found.get(item_id or 0)
    if item is None:
        raise EntryFailed(results.ITEM_NOT_FOUND)
    if not (ctx.trusted and item.kind in kinds) and not (
        item.kind == "item" and item.client_writable
    ):
        raise EntryFailed(results.PERMISSION_DENIED)
    return item


async def create_inventory(ctx: Ctx, index: int, entry: EntryAsk) -> Details:
    _quantity(entry)
    item = await _writable(ctx, entry.item_id, TRUSTED_KINDS)
    kind = "transient" if entry.type == "create_new_transient_inventory" else "persistent"
    asked = Grant(
        item, entry.quantity, "order", kind, entry.use_inventory_bucket, entry.expires,
        entry.custom_data,
    )  # fmt: skip
    return _changes(ctx, await grant_item(ctx.session, ctx.mover(index), asked, "grant"), None)


async def update_inventory(ctx: Ctx, index: int, entry: EntryAsk) -> Details:
    session, player, now = ctx.session, ctx.player_id, ctx.now
    held = await instances.held(session, player, entry.inventory_id or -1, now)
    typed = {"update_existing_persistent_inventory": "persistent"}
    typed["update_existing_transient_inventory"] = "transient"
    if typed.get(entry.type, held.inventory_type) != held.inventory_type:
        raise EntryFailed(results.INVENTORY_NOT_FOUND)
    item = await _writable(ctx, held.item_id, TRUSTED_KINDS)
    changed = []
    if entry.quantity < 0:
        changed.append(await instances.take(session, player, held.id, -entry.quantity, now))
    elif entry.quantity > 0:
        if not item.stackable or entry.quantity > MAX_QUANTITY:
            raise EntryFailed(results.QUANTITY_NOT_ALLOWED)
        more = Grant(item, entry.quantity, "order", held.inventory_type, held.bucket)
        changed += await instances.grant(session, ctx.operator_id, player, more, now)
    if entry.custom_data or entry.expires:
        changed.append(
            await instances.rewrite(session, player, held.id, entry.custom_data, entry.expires, now)
        )
    return _changes(ctx, [Effect(item.id, c.before, c.after) for c in changed], None)


Handler = Callable[[Ctx, int, EntryAsk], Awaitable[Details]]
HANDLERS: dict[str, Handler] = {
    "fill_loot": fill_loot,
    "fill_loot_single_transient": fill_loot,
    "purchase_loot": purchase_loot,
    "purchase_dynamic_bundle": purchase_dynamic_bundle,
    "promotion_code": promotion_code,
    "create_new_persistent_inventory": create_inventory,
    "create_new_transient_inventory": create_inventory,
    "update_existing_persistent_inventory": update_inventory,
    "update_existing_transient_inventory": update_inventory,
    "update_inventory": update_inventory,
}


async def apply_entry(ctx: Ctx, index: int, entry: EntryAsk) -> Details:
    """The entry's details once applied; ``EntryFailed`` with its result code otherwise."""
    handler = HANDLERS.get(entry.type)
    if handler is None:  # fill_entitled_loot: Coffer keeps no entitlements to fill from
        raise EntryFailed(results.INVALID_ENTRY_TYPE)
    try:
        return await handler(ctx, index, entry)
    except CofferError as exc:
        raise EntryFailed(result_of(exc)) from exc

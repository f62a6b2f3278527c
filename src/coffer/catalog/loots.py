"""Loots: an operator's bundles of items and currency amounts, with the prices they sell at.

Every change bumps the loot's version, which orders see as its ``vendor_etag``; an order that
names an older etag is refused, so a client never buys a bundle it has not seen.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog import prices as price_options
from coffer.catalog.items import items_by_id
from coffer.catalog.loot_schemas import ContentIn, LootIn, LootUpdate, PriceIn
from coffer.catalog.models import Loot
from coffer.catalog.traits import MAX_ID
from coffer.kit.db import utcnow
from coffer.kit.errors import NotFound, ValidationFailed
from coffer.operators.models import Operator

MAX_DEPTH = 4


def etag(loot: Loot) -> str:
    """The loot's vendor etag: its version, as text."""
    return f"v{loot.version}"


async def _depth(session: AsyncSession, operator_id: int, contents: list[ContentIn]) -> int:
    """How deep bundles nest under these contents; past MAX_DEPTH (or a cycle) is refused."""
    depth, layer = 0, {c.item_id for c in contents}
    while layer:
        items = await items_by_id(session, operator_id, layer)
        loot_ids = {i.loot_id for i in items.values() if i.kind == "bundle" and i.loot_id}
        if not loot_ids:
            return depth
        depth += 1
        if depth > MAX_DEPTH:
            break
        loots = await session.scalars(select(Loot).where(Loot.id.in_(sorted(loot_ids))))
        layer = {entry["itemId"] for loot in loots for entry in loot.contents}
    raise ValidationFailed(
        fields={"contents": f"bundles nest at most {MAX_DEPTH} deep (and never in themselves)"}
    )


def _check_kind(
    kind: str, contents: list[ContentIn], prices: list[PriceIn], fillable: bool
) -> None:
    """A drop table is drawn by opening a container: every entry weighs, none sells or fills."""
    if kind != "drop_table":
        return
    fields = {
        f"contents[{n}].weight": "every entry of a drop table has a weight of at least 1"
        for n, content in enumerate(contents)
        if content.weight is None
    }
    if prices:
        fields["prices"] = "a drop table is not sold: sell the container that holds it"
    if fillable:
        fields["clientFillable"] = "a drop table is drawn by opening a container, never filled"
    if fields:
        raise ValidationFailed(fields=fields)


async def _check(
    session: AsyncSession,
    operator: Operator,
    contents: list[ContentIn],
    prices: list[PriceIn],
    fillable: bool,
) -> None:
    wanted = {c.item_id for c in contents} | {p.price_item_id for p in prices}
    items = await items_by_id(session, operator.id, wanted)
    fields: dict[str, str] = {}
    for index, content in enumerate(contents):
        item = items.get(content.item_id)
        if item is None:
            fields[f"contents[{index}].itemId"] = f"no item {content.item_id} of this operator"
        elif item.inventory_type == "always_owned":
            fields[f"contents[{index}].itemId"] = "every player always owns this item"
        elif fillable and item.kind == "currency":
            fields[f"contents[{index}].itemId"] = (
                "a loot players fill themselves never holds a currency (SPEC §12: client grants "
                "of virtual currency are refused)"
            )
    for index, price in enumerate(prices):
        item = items.get(price.price_item_id)
        if item is None or not (item.kind == "currency" or item.stackable):
            fields[f"prices[{index}].priceItemId"] = "a currency item or a stackable item"
        elif item.client_writable:
            fields[f"prices[{index}].priceItemId"] = "players write this item themselves"
    clash = price_options.problem(_rows(prices))
    if clash is not None:
        fields["prices"] = clash
    if fields:
        raise ValidationFailed(fields=fields)
    await _depth(session, operator.id, contents)


def _rows(entries: list[ContentIn] | list[PriceIn]) -> list[dict[str, Any]]:
    return [entry.model_dump(by_alias=True, exclude_none=True) for entry in entries]


async def create_loot(session: AsyncSession, operator: Operator, data: LootIn) -> Loot:
    """A new loot whose items and price items are the operator's own."""
    _check_kind(data.kind, data.contents, data.prices, data.client_fillable)
    await _check(session, operator, data.contents, data.prices, data.client_fillable)
    now = utcnow()
    loot = Loot(
        operator_id=operator.id,
        name=data.name,
        kind=data.kind,
        contents=_rows(data.contents),
        prices=_rows(data.prices),
        is_active=data.is_active,
        client_fillable=data.client_fillable,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(loot)
    await session.flush()
    return loot


async def get_loot(session: AsyncSession, operator: Operator, loot_id: int) -> Loot:
    """The operator's loot; another operator's answers as if it did not exist."""
    loot = None
    if 1 <= loot_id <= MAX_ID:
        loot = await session.get(Loot, loot_id)
    if loot is None or loot.operator_id != operator.id:
        raise NotFound(f"Operator {operator.slug} has no loot {loot_id}.")
    return loot


async def list_loots(session: AsyncSession, operator: Operator) -> list[Loot]:
    found = await session.scalars(
        select(Loot).where(Loot.operator_id == operator.id).order_by(Loot.id)
    )
    return list(found)


async def update_loot(
    session: AsyncSession, operator: Operator, loot_id: int, data: LootUpdate
) -> Loot:
    """Apply the sent fields and bump the version (the vendor etag)."""
    loot = await get_loot(session, operator, loot_id)
    contents = data.contents or [ContentIn.model_validate(c) for c in loot.contents]
    prices = (
        data.prices if data.prices is not None else [PriceIn.model_validate(p) for p in loot.prices]
    )
    fillable = loot.client_fillable if data.client_fillable is None else data.client_fillable
    _check_kind(loot.kind, contents, prices, fillable)
    await _check(session, operator, contents, prices, fillable)
    changes = data.model_dump(exclude_unset=True, exclude={"contents", "prices"})
    for name, value in changes.items():
        if value is None:
            raise ValidationFailed(fields={name: "must not be null"})
        setattr(loot, name, value)
    loot.contents, loot.prices = _rows(contents), _rows(prices)
    loot.version += 1
    loot.updated_at = utcnow()
    await session.flush()
    return loot

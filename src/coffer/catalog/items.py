"""Catalog items: create, list, read and change an operator's items."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item, Loot
from coffer.catalog.schemas import MAX_ID, ItemCreate, ItemUpdate
from coffer.catalog.traits import TRAITS, check_traits
from coffer.kit import reads
from coffer.kit.db import utcnow
from coffer.kit.errors import AlreadyExists, NotFound, UnsupportedCurrency, ValidationFailed
from coffer.operators import service as operators
from coffer.operators.models import Operator


def unsupported(operator: Operator, code: str, field: str = "currency") -> UnsupportedCurrency:
    """The error for money in a currency the operator has not configured."""
    return UnsupportedCurrency(
        f"{code} is not configured for operator {operator.slug}; "
        f"add it with PUT /api/admin/operators/{operator.slug}/currencies/{code}.",
        fields={field: f"{code} is not configured for this operator"},
    )


async def require_currency(session: AsyncSession, operator: Operator, code: str) -> None:
    """Money is only accepted in a currency the operator configured with a rate."""
    if code not in await operators.load_rates(session, operator):
        raise unsupported(operator, code)


async def check_item_rules(session: AsyncSession, item: Item) -> None:
    """Rules that span fields, checked on the merged item so PATCH cannot break them."""
    check_traits(item)
    await _check_references(session, item)
    fields: dict[str, str] = {}
    if item.cashback_minor is not None and item.cashback_bps is not None:
        fields["cashbackBps"] = (
            "an item has either cashbackMinor or cashbackBps, not both; "
            "send the other one as null to switch"
        )
    if item.type == "bonus" and item.shippable:
        fields["shippable"] = "bonus items are delivered by webhook and cannot be shippable"
    if fields:
        raise ValidationFailed(fields=fields)


async def _check_references(session: AsyncSession, item: Item) -> None:
    """The loot and key item an item names are the same operator's."""
    if item.loot_id is not None:
        loot = await session.get(Loot, item.loot_id)
        if loot is None or loot.operator_id != item.operator_id:
            raise ValidationFailed(fields={"lootId": f"no loot {item.loot_id} of this operator"})
        wanted = "drop_table" if item.kind == "container" else "bundle"
        if loot.kind != wanted:
            raise ValidationFailed(fields={"lootId": f"a {item.kind} holds a {wanted} loot"})
    if item.key_item_id is not None:
        key = await session.get(Item, item.key_item_id)
        if key is None or key.operator_id != item.operator_id:
            raise ValidationFailed(fields={"keyItemId": f"no item {item.key_item_id}"})


async def create_item(session: AsyncSession, operator: Operator, data: ItemCreate) -> Item:
    """A new item priced in one of the operator's currencies."""
    await require_currency(session, operator, data.currency)
    now = utcnow()
    item = Item(
        operator_id=operator.id,
        name=data.name,
        type=data.type,
        image_url=data.image_url,
        value_minor=data.value_minor,
        currency=data.currency,
        cashback_minor=data.cashback_minor,
        cashback_bps=data.cashback_bps,
        shippable=data.shippable,
        custom_attributes=dict(data.custom_attributes),
        created_at=now,
        updated_at=now,
        **data.model_dump(include=set(TRAITS)),
    )
    await check_item_rules(session, item)
    session.add(item)
    await _flush(session, item)
    return item


async def _flush(session: AsyncSession, item: Item) -> None:
    """Write the item; a code another item of the operator has is ALREADY_EXISTS."""
    code = item.code  # read now: the item expires with a rolled-back savepoint
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        if code is None:
            raise
        raise AlreadyExists(
            f"Another item already has the code {code!r}; codes are unique per operator."
        ) from exc


async def list_items(
    session: AsyncSession, operator: Operator, page: int, per_page: int
) -> tuple[list[Item], int]:
    """One page of the operator's items, oldest first, with the total count."""
    scope = Item.operator_id == operator.id
    total = (await session.execute(select(func.count(Item.id)).where(scope))).scalar_one()
    stmt = select(Item).where(scope).order_by(Item.id).offset((page - 1) * per_page).limit(per_page)
    return list((await session.scalars(stmt)).all()), total


async def get_item(session: AsyncSession, operator: Operator, item_id: int) -> Item:
    """The operator's item; another operator's item answers as if it did not exist."""
    item = None
    if 1 <= item_id <= MAX_ID:
        item = await session.scalar(
            select(Item).where(Item.id == item_id, Item.operator_id == operator.id)
        )
    if item is None:
        raise NotFound(f"Operator {operator.slug} has no item {item_id}.")
    return item


async def update_item(
    session: AsyncSession, operator: Operator, item_id: int, data: ItemUpdate
) -> Item:
    """Apply the sent fields; the new name and image show everywhere the item appears."""
    item = await get_item(session, operator, item_id)
    changes = data.model_dump(exclude_unset=True)
    if "currency" in changes:
        await require_currency(session, operator, changes["currency"])
    with session.no_autoflush:  # a taken code fails in _flush's savepoint, not in a read
        for name, value in changes.items():
            setattr(item, name, value)
        await check_item_rules(session, item)
    item.updated_at = utcnow()
    await _flush(session, item)
    return item


async def items_by_id(
    session: AsyncSession, operator_id: int, ids: set[int], known: dict[int, Item] | None = None
) -> dict[int, Item]:
    """The operator's items among ``ids``; another operator's are simply absent. Items in
    ``known`` are not read again, and the ones read are added to it."""
    known = {} if known is None else known
    missing = sorted(ids - set(known))
    if missing:
        found = await reads.scoped(session, Item, "operator_id", operator_id, missing)
        known.update((item.id, item) for item in found)
    return {i: known[i] for i in ids if i in known}


async def item_by_ref(session: AsyncSession, operator_id: int, ref: str) -> Item | None:
    """The operator's item named by its code, or by its id in digits (codes are never digits)."""
    if ref.isdecimal() and ref.isascii():
        number = int(ref)
        found = await items_by_id(session, operator_id, {number}) if number <= MAX_ID else {}
        return found.get(number)
    return await session.scalar(
        select(Item).where(Item.operator_id == operator_id, Item.code == ref)
    )

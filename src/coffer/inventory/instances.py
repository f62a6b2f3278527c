"""The generic item model's use cases on instances: grant, take, and change custom data.

Every change is one conditional statement on the instance row (a stack grows only below its
``maxStack``, a take only while the count or uses cover it), so concurrent callers can never
overdraw a stack; each returns the instance before and after, for the callers' change records.
Services take the caller's session and never commit.
"""

import functools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory.custom_data import check_custom_data
from coffer.inventory.errors import (
    AlwaysOwned,
    ExpiryInPast,
    ItemNotActive,
    NotEnoughItems,
    StackLimitReached,
)
from coffer.inventory.models import InventoryItem
from coffer.inventory.states import CONSUMED, PRIZES, UNRESOLVED
from coffer.kit.db import connection, dialect_insert, table
from coffer.kit.direct import run
from coffer.kit.errors import InventoryItemNotFound

ROWS = table(InventoryItem)
ALWAYS_OWNED = "always_owned"
TYPES = ("persistent", "transient", ALWAYS_OWNED)
STACK = ["player_id", "stack_key"]
# What a grant writes of a new instance (or a stack's first row).
GRANTED = (
    "operator_id", "player_id", "item_id", "state", "created_at", "updated_at", "remaining_uses",
    "expires_at", "custom_data", "inventory_type", "bucket", "origin", "count", "stack_key",
)  # fmt: skip
MAX_INSTANCES = 100  # of an unstackable item per grant: one row each


@dataclass(frozen=True)
class Instance:
    """One instance (or stack) as a change record shows it."""

    id: int
    item_id: int
    inventory_type: str
    bucket: str | None
    count: int
    remaining_uses: int | None
    acquired: datetime
    expires_at: datetime | None
    custom_data: dict[str, str]


@dataclass(frozen=True)
class Changed:
    """An instance before and after one change; ``before`` is None for a new instance."""

    before: Instance | None
    after: Instance


@dataclass(frozen=True)
class Grant:
    """What to put in a player's inventory: ``quantity`` of ``item``."""

    item: Item
    quantity: int
    origin: str
    inventory_type: str | None = None
    bucket: str | None = None
    expires_at: datetime | None = None
    custom_data: dict[str, str] | None = None


COLUMNS = (
    ROWS.c.id,
    ROWS.c.item_id,
    ROWS.c.inventory_type,
    ROWS.c.bucket,
    ROWS.c.count,
    ROWS.c.remaining_uses,
    ROWS.c.created_at,
    ROWS.c.expires_at,
    ROWS.c.custom_data,
)


def instance_of(row: Any) -> Instance:
    """An instance row (the COLUMNS) as the engine's record."""
    return Instance(
        id=row.id,
        item_id=row.item_id,
        inventory_type=row.inventory_type,
        bucket=row.bucket,
        count=row.count,
        remaining_uses=row.remaining_uses,
        acquired=row.created_at,
        expires_at=row.expires_at,
        custom_data=dict(row.custom_data or {}),
    )


def live(now: datetime) -> Any:
    """An instance that can still be used: held, not empty, not expired."""
    return (
        (ROWS.c.state == UNRESOLVED)
        & (ROWS.c.count > 0)
        & or_(ROWS.c.expires_at.is_(None), ROWS.c.expires_at > now)
    )


def expiry_of(item: Item, asked: datetime | None, now: datetime) -> datetime | None:
    """The asked expiry, else the item's absolute one, else its lifetime from now."""
    if asked is not None:
        if asked <= now:
            raise ExpiryInPast(fields={"expires": "must be in the future"})
        return asked
    if item.expires_at is not None:
        if item.expires_at <= now:
            raise ExpiryInPast(f"Item {item.id} expired at {item.expires_at}; it is not granted.")
        return item.expires_at
    return now + timedelta(seconds=item.lifetime_seconds) if item.lifetime_seconds else None


async def grant(
    session: AsyncSession, operator_id: int, player_id: int, asked: Grant, now: datetime
) -> list[Changed]:
    """Add to the item's stack, or make ``quantity`` new instances of an unstackable item."""
    item = asked.item
    if not item.is_active:
        raise ItemNotActive(f"Item {item.id} is switched off.")
    if item.inventory_type == ALWAYS_OWNED:
        raise AlwaysOwned(f"Every player always owns item {item.id}.")
    check_custom_data(asked.custom_data or {})
    values = {
        "operator_id": operator_id,
        "player_id": player_id,
        "item_id": item.id,
        "state": UNRESOLVED,
        "created_at": now,
        "updated_at": now,
        "remaining_uses": item.uses,
        "expires_at": expiry_of(item, asked.expires_at, now),
        "custom_data": asked.custom_data or {},
        "inventory_type": asked.inventory_type or item.inventory_type,
        "bucket": asked.bucket,
        "origin": asked.origin,
    }
    if item.stackable:
        return [await _add_to_stack(session, item, values, asked.quantity)]
    if asked.quantity > MAX_INSTANCES:
        raise StackLimitReached(
            f"At most {MAX_INSTANCES} instances of item {item.id} at once (it does not stack)."
        )
    made = []
    conn = await connection(session)
    params = _params(values | {"count": 1})
    for _ in range(asked.quantity):
        found = await run(conn, ADD_ONE, params)
        made.append(Changed(None, instance_of(found.one())))
    return made


@functools.cache
def _stack_upsert(dialect: str, capped: bool) -> Any:
    """The stack grant as one prebuilt upsert: open the stack, add below its max (``b_max``
    when ``capped``), or start a used-up or expired stack afresh."""
    fresh_values = {name: bindparam(f"v_{name}", type_=ROWS.c[name].type) for name in GRANTED}
    stmt = dialect_insert(dialect, ROWS).values(fresh_values)
    quantity: Any = bindparam("b_qty", type_=ROWS.c.count.type)
    now: Any = bindparam("v_updated_at", type_=ROWS.c.updated_at.type)
    fresh = stmt.excluded
    dead = (ROWS.c.state == CONSUMED) | (
        ROWS.c.expires_at.is_not(None) & (ROWS.c.expires_at <= now)
    )
    fits = ROWS.c.count + quantity <= bindparam("b_max") if capped else true()
    grow = {
        "count": case((dead, quantity), else_=ROWS.c.count + quantity),
        "expires_at": case((dead, fresh.expires_at), else_=ROWS.c.expires_at),
        "custom_data": case((dead, fresh.custom_data), else_=ROWS.c.custom_data),
        "created_at": case((dead, fresh.created_at), else_=ROWS.c.created_at),
        "state": UNRESOLVED,
        "updated_at": now,
    }
    held_here = ROWS.c.state.in_((UNRESOLVED, CONSUMED))
    return stmt.on_conflict_do_update(
        index_elements=STACK, set_=grow, where=held_here & (dead | fits)
    ).returning(*COLUMNS)


ADD_ONE = (
    insert(ROWS)
    .values({name: bindparam(f"v_{name}", type_=ROWS.c[name].type) for name in GRANTED})
    .returning(*COLUMNS)
)


async def _add_to_stack(
    session: AsyncSession, item: Item, values: dict[str, Any], quantity: int
) -> Changed:
    """One statement: open the stack with ``quantity``, add it to the live stack below its
    max, or start a used-up or expired stack afresh (its count, expiry and data as granted)."""
    if item.max_stack is not None and quantity > item.max_stack:
        raise StackLimitReached(f"Item {item.id} stacks to at most {item.max_stack}.")
    key = f"{item.id}:{values['bucket'] or ''}"
    params = _params(values | {"count": quantity, "stack_key": key}) | {"b_qty": quantity}
    if item.max_stack is not None:
        params["b_max"] = item.max_stack
    conn = await connection(session)
    stmt = _stack_upsert(conn.dialect.name, item.max_stack is not None)
    row = (await run(conn, stmt, params)).one_or_none()
    if row is None:
        raise StackLimitReached(f"Item {item.id} stacks to at most {item.max_stack}.")
    after = instance_of(row)
    before = replace(after, count=after.count - quantity) if after.count > quantity else None
    return Changed(before, after)


def _params(values: dict[str, Any]) -> dict[str, Any]:
    return {f"v_{name}": values.get(name) for name in GRANTED}


async def held(session: AsyncSession, player_id: int, instance_id: int, now: datetime) -> Instance:
    """The player's live instance, or INVENTORY_ITEM_NOT_FOUND (another player's too)."""
    found = await session.execute(
        select(*COLUMNS).where(ROWS.c.id == instance_id, ROWS.c.player_id == player_id, live(now))
    )
    row = found.one_or_none()
    if row is None:
        raise InventoryItemNotFound(f"The player holds no inventory item {instance_id}.")
    return instance_of(row)


async def take(
    session: AsyncSession, player_id: int, instance_id: int, quantity: int, now: datetime
) -> Changed:
    """Use ``quantity`` of a consumable's uses, or remove ``quantity`` from a stack or instance."""
    before = await held(session, player_id, instance_id, now)
    if before.inventory_type == ALWAYS_OWNED:
        raise AlwaysOwned()
    uses = before.remaining_uses is not None
    column = ROWS.c.remaining_uses if uses else ROWS.c.count
    emptied = column - quantity == 0
    changes: dict[str, Any] = {column.name: column - quantity, "updated_at": now}
    changes["state"] = case((emptied, CONSUMED), else_=UNRESOLVED)
    if uses:
        changes["count"] = case((emptied, 0), else_=ROWS.c.count)
    found = await session.execute(
        update(ROWS)
        .where(ROWS.c.id == instance_id, ROWS.c.player_id == player_id, live(now))
        .where(column >= quantity)
        .values(**changes)
        .returning(*COLUMNS)
    )
    row = found.one_or_none()
    if row is None:
        raise NotEnoughItems(f"Inventory item {instance_id} holds less than {quantity}.")
    return Changed(before, instance_of(row))


async def stack_of(
    session: AsyncSession, player_id: int, item_id: int, now: datetime
) -> Instance | None:
    """The player's fullest live stack (or instance) of an item, for spending it as a price or
    a key; never a prize (one of a real-money round could still cash back)."""
    found = await session.execute(
        select(*COLUMNS)
        .where(ROWS.c.player_id == player_id, ROWS.c.item_id == item_id, live(now))
        .where(ROWS.c.origin.not_in(PRIZES))
        .order_by(ROWS.c.count.desc(), ROWS.c.id)
        .limit(1)
    )
    row = found.one_or_none()
    return None if row is None else instance_of(row)


async def add(
    session: AsyncSession, player_id: int, instance_id: int, quantity: int, item: Item,
    now: datetime,
) -> Changed:  # fmt: skip
    """Add uses to a consumable's instance, or ``quantity`` to a stack below its max."""
    before = await held(session, player_id, instance_id, now)
    if before.inventory_type == ALWAYS_OWNED:
        raise AlwaysOwned()
    if before.remaining_uses is None and not item.stackable:
        raise NotEnoughItems(f"Item {item.id} has neither uses nor a stack to add to.")
    column = ROWS.c.count if before.remaining_uses is None else ROWS.c.remaining_uses
    stmt = update(ROWS).where(ROWS.c.id == instance_id, ROWS.c.player_id == player_id, live(now))
    if column is ROWS.c.count and item.max_stack is not None:
        stmt = stmt.where(column + quantity <= item.max_stack)
    found = await session.execute(
        stmt.values({column.name: column + quantity, "updated_at": now}).returning(*COLUMNS)
    )
    row = found.one_or_none()
    if row is None:
        raise StackLimitReached(f"Item {item.id} stacks to at most {item.max_stack}.")
    return Changed(before, instance_of(row))


async def rewrite(
    session: AsyncSession,
    player_id: int,
    instance_id: int,
    custom_data: dict[str, str] | None,
    expires_at: datetime | None,
    now: datetime,
    removed: frozenset[str] = frozenset(),
) -> Changed:
    """Merge custom data into an instance's (dropping ``removed`` keys) and, when given, set a
    new expiry."""
    before = await held(session, player_id, instance_id, now)
    if before.inventory_type == ALWAYS_OWNED:
        raise AlwaysOwned()
    merged = {**before.custom_data, **(custom_data or {})}
    merged = {key: value for key, value in merged.items() if key not in removed}
    check_custom_data(merged)
    changes: dict[str, Any] = {"custom_data": merged, "updated_at": now}
    if expires_at is not None:
        if expires_at <= now:
            raise ExpiryInPast(fields={"expires": "must be in the future"})
        changes["expires_at"] = expires_at
    found = await session.execute(
        update(ROWS)
        .where(ROWS.c.id == instance_id, ROWS.c.player_id == player_id, live(now))
        .values(**changes)
        .returning(*COLUMNS)
    )
    row = found.one_or_none()
    if row is None:
        raise InventoryItemNotFound(f"The player holds no inventory item {instance_id}.")
    return Changed(before, instance_of(row))

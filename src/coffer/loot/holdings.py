"""Everything a player holds at once: live instances with their items, and every balance.

The compatibility surfaces answer a whole inventory in one call (PlayFab's GetUserInventory);
this is that read, the same rows the orders API and the S2S listing see. Balances are read
through the ledger's own path, so regeneration due by ``now`` is posted first.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.items import items_by_id
from coffer.catalog.models import Item
from coffer.inventory.instances import COLUMNS, ROWS, Instance, instance_of, live
from coffer.kit.db import connection
from coffer.ledger import accounts
from coffer.ledger.models import LedgerAccount, VirtualCurrency
from coffer.ledger.queries import currencies_of

MAX_INSTANCES = 10_000  # one answer; PlayFab's own inventories stay far below this


@dataclass(frozen=True)
class Holdings:
    instances: list[tuple[Instance, Item]]
    balances: list[tuple[VirtualCurrency, LedgerAccount]]


async def holdings(
    session: AsyncSession, operator_id: int, player_id: int, now: datetime
) -> Holdings:
    """The player's live instances (held, not empty, not expired), oldest first, and a balance
    in every currency of the operator (accounts opened as a balance read opens them)."""
    conn = await connection(session)
    rows = await conn.execute(
        select(*COLUMNS).where(live(now), ROWS.c.player_id == player_id)
        .order_by(ROWS.c.id).limit(MAX_INSTANCES)
    )  # fmt: skip
    found = [instance_of(row) for row in rows]
    items = await items_by_id(session, operator_id, {i.item_id for i in found})
    instances = [(i, items[i.item_id]) for i in found if i.item_id in items]
    balances = []
    for currency in await currencies_of(session, operator_id):
        account = await accounts.player_account(session, currency, player_id, now)
        balances.append((currency, account))
    return Holdings(instances, balances)


async def these(
    session: AsyncSession, operator_id: int, player_id: int, ids: list[int]
) -> list[tuple[Instance, Item]]:
    """The player's instances among ``ids`` (as they are now) with their items, in ``ids``'s order;
    what a change just granted, for an answer that lists it."""
    if not ids:
        return []
    conn = await connection(session)
    rows = await conn.execute(
        select(*COLUMNS).where(ROWS.c.id.in_(ids), ROWS.c.player_id == player_id)
    )
    found = {row.id: instance_of(row) for row in rows}
    items = await items_by_id(session, operator_id, {i.item_id for i in found.values()})
    ordered = [found[i] for i in dict.fromkeys(ids) if i in found]
    return [(i, items[i.item_id]) for i in ordered if i.item_id in items]


async def page(
    session: AsyncSession, operator_id: int, player_id: int, after: int, count: int,
    now: datetime,
) -> tuple[list[tuple[Instance, Item]], int]:  # fmt: skip
    """Up to ``count`` live instances after instance ``after``, oldest first, and how many
    live instances the player holds in all."""
    conn = await connection(session)
    mine = (ROWS.c.player_id == player_id) & live(now)
    rows = await conn.execute(
        select(*COLUMNS).where(mine, ROWS.c.id > after).order_by(ROWS.c.id).limit(count)
    )
    found = [instance_of(row) for row in rows]
    total = int(await conn.scalar(select(func.count()).select_from(ROWS).where(mine)) or 0)
    items = await items_by_id(session, operator_id, {i.item_id for i in found})
    return [(i, items[i.item_id]) for i in found if i.item_id in items], total

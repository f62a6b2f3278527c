"""One change of what a player holds, whether an item instance or a virtual-currency balance.

A currency is an item of kind ``currency`` in the generic model (SPEC §12): granting it credits
the ledger from the mint, spending it debits to the burn, and its "instance" is the player's
ledger account, whose count is the balance. Every caller gets the same record either way.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory import instances
from coffer.inventory.errors import NotEnoughItems
from coffer.inventory.instances import Grant, Instance
from coffer.ledger import accounts
from coffer.ledger.models import LedgerAccount
from coffer.ledger.ready import ready

CURRENCY = "currency"


@dataclass(frozen=True)
class Effect:
    """An instance (or a ledger account, ``account`` true) before and after one change."""

    item_id: int
    before: Instance | None
    after: Instance
    account: bool = False
    currency: str | None = None  # the code, when the change moved a balance
    amount: int = 0  # the signed amount, for balance changes


@dataclass(frozen=True)
class Mover:
    """Who the changes are for and how their ledger keys start (``order:<id>:<entry>``).

    ``fresh``: the keys name something just made unique (a new order), so no posting can
    repeat one; ``items`` keeps the items already read for this change."""

    operator_id: int
    player_id: int
    key: str
    reason: str
    now: datetime
    fresh: bool = False
    items: dict[int, Item] = field(default_factory=dict, compare=False)


def _as_instance(item: Item, account: LedgerAccount, balance: int) -> Instance:
    return Instance(
        id=account.id,
        item_id=item.id,
        inventory_type="persistent",
        bucket=None,
        count=balance,
        remaining_uses=None,
        acquired=account.created_at,
        expires_at=None,
        custom_data={},
    )


async def move_balance(
    session: AsyncSession, mover: Mover, item: Item, amount: int, suffix: str
) -> Effect:
    """Credit (amount > 0) or debit a currency item; a debit past the balance moves nothing."""
    assert item.virtual_currency_id is not None, f"currency item {item.id} names no currency"
    found = await ready(session, item.virtual_currency_id, mover.player_id, amount, mover.now)
    currency, account = found.currency, found.account
    key = f"{mover.key}:{suffix}"
    done = await accounts.grant(
        session, currency, account.id, amount, key, mover.reason, mover.fresh, found.system_id
    )
    before = _as_instance(item, account, done.balance_minor - amount)
    after = _as_instance(item, account, done.balance_minor)
    return Effect(item.id, before, after, account=True, currency=currency.code, amount=amount)


async def give(session: AsyncSession, mover: Mover, asked: Grant, suffix: str) -> list[Effect]:
    """Grant an item (instances) or a currency (a ledger credit)."""
    if asked.item.kind == CURRENCY:
        return [await move_balance(session, mover, asked.item, asked.quantity, suffix)]
    made = await instances.grant(session, mover.operator_id, mover.player_id, asked, mover.now)
    return [Effect(asked.item.id, c.before, c.after) for c in made]


async def spend(
    session: AsyncSession, mover: Mover, item: Item, quantity: int, suffix: str
) -> Effect:
    """Take ``quantity`` of an item the player holds (a currency: debit its balance)."""
    if item.kind == CURRENCY:
        return await move_balance(session, mover, item, -quantity, suffix)
    stack = await instances.stack_of(session, mover.player_id, item.id, mover.now)
    if stack is None:
        raise NotEnoughItems(f"The player holds no item {item.id}.")
    changed = await instances.take(session, mover.player_id, stack.id, quantity, mover.now)
    return Effect(item.id, changed.before, changed.after)

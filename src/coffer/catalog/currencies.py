"""A virtual currency as the generic model sees it: an item of kind ``currency``.

Defining a currency also makes its item, so orders can name it as a price item and loots can
hold amounts of it (SPEC §12); the item's value is zero in the operator's base currency, as no
rate ever links a virtual currency to real money.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.kit.db import utcnow
from coffer.ledger import accounts
from coffer.ledger.accounts import CurrencySpec
from coffer.ledger.models import VirtualCurrency
from coffer.operators.models import Operator


async def define_virtual_currency(
    session: AsyncSession, operator: Operator, spec: CurrencySpec
) -> tuple[VirtualCurrency, Item]:
    """The new currency (ALREADY_EXISTS for a code in use) and its item."""
    currency = await accounts.define_currency(session, operator.id, spec)
    now = utcnow()
    item = Item(
        operator_id=operator.id,
        name=spec.name,
        type="digital",
        image_url=None,
        value_minor=0,
        currency=operator.base_currency,
        cashback_minor=None,
        cashback_bps=None,
        shippable=False,
        custom_attributes={},
        created_at=now,
        updated_at=now,
        kind="currency",
        stackable=False,
        inventory_type="persistent",
        client_writable=False,
        is_active=True,
        virtual_currency_id=currency.id,
    )
    session.add(item)
    await session.flush()
    return currency, item


async def update_virtual_currency(
    session: AsyncSession, operator: Operator, code: str, changes: dict[str, Any]
) -> tuple[VirtualCurrency, int | None]:
    """The changed currency (NOT_FOUND for a code the operator lacks) and its item's id; a new
    name is the item's too, so orders and loots show it."""
    currency = await accounts.currency_by_code(session, operator.id, code, for_update=True)
    now = utcnow()
    await accounts.change_currency(session, currency, changes, now)
    item = await session.scalar(select(Item).where(Item.virtual_currency_id == currency.id))
    if item is not None and "name" in changes:
        item.name = changes["name"]
        item.updated_at = now
        await session.flush()
    return currency, None if item is None else item.id


async def currency_items(session: AsyncSession, currency_ids: list[int]) -> dict[int, int]:
    """Each currency's item id, by currency id."""
    found = await session.execute(
        select(Item.virtual_currency_id, Item.id).where(Item.virtual_currency_id.in_(currency_ids))
    )
    return {int(currency_id): int(item_id) for currency_id, item_id in found if currency_id}

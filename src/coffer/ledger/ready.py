"""Everything a balance change needs, in one read: the currency, the player's account and the
system account the change posts against.

Three separate reads cost three round trips on every order that moves a currency. The account
comes back as it is in the database; when it does not exist yet or owes regeneration, the
general path (``accounts.player_account``) opens or regenerates it first.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit import reads
from coffer.kit.db import table
from coffer.kit.direct import run
from coffer.ledger import accounts
from coffer.ledger.errors import UnknownVirtualCurrency
from coffer.ledger.models import BURN, MINT, PLAYER, LedgerAccount, VirtualCurrency


@dataclass(frozen=True)
class Ready:
    currency: VirtualCurrency
    account: LedgerAccount
    system_id: int  # the mint for a credit, the burn for a debit


def _labelled(source: Any, model: type[Any], prefix: str) -> list[Any]:
    """The model's columns from ``source`` (a table or an alias), in ``detached`` order."""
    return [
        source.c[attr.columns[0].key].label(f"{prefix}{attr.key}")
        for attr in inspect(model).column_attrs
    ]


_CURRENCIES = table(VirtualCurrency)
_MINE = table(LedgerAccount).alias("mine")
_SYSTEM = table(LedgerAccount).alias("system")
_CURRENCY_WIDTH = len(inspect(VirtualCurrency).column_attrs)
_ACCOUNT_WIDTH = len(inspect(LedgerAccount).column_attrs)
READY = (
    select(
        *_labelled(_CURRENCIES, VirtualCurrency, "c_"),
        *_labelled(_MINE, LedgerAccount, "a_"),
        _SYSTEM.c.id.label("system_id"),
    )
    .select_from(
        _CURRENCIES.outerjoin(
            _MINE,
            and_(
                _MINE.c.currency_id == _CURRENCIES.c.id,
                _MINE.c.kind == PLAYER,
                _MINE.c.player_id == bindparam("b_player"),
            ),
        ).outerjoin(
            _SYSTEM,
            and_(
                _SYSTEM.c.currency_id == _CURRENCIES.c.id,
                _SYSTEM.c.kind == bindparam("b_kind"),
                _SYSTEM.c.player_id.is_(None),
            ),
        )
    )
    .where(_CURRENCIES.c.id == bindparam("b_currency"))
)


async def ready(
    session: AsyncSession, currency_id: int, player_id: int, amount: int, now: datetime
) -> Ready:
    """The currency, the player's account (opened and regenerated up to ``now``) and the
    system account that ``amount`` (a credit above zero, else a debit) posts against."""
    kind = MINT if amount > 0 else BURN
    conn = await reads.flushed(session)
    params = {"b_currency": currency_id, "b_player": player_id, "b_kind": kind}
    row = (await run(conn, READY, params)).one_or_none()
    if row is None:
        raise UnknownVirtualCurrency(f"No virtual currency {currency_id}.")
    currency = reads.detached(VirtualCurrency, row[:_CURRENCY_WIDTH])
    mine = row[_CURRENCY_WIDTH : _CURRENCY_WIDTH + _ACCOUNT_WIDTH]
    system_id = row[-1]
    account = None if mine[0] is None else reads.detached(LedgerAccount, mine)
    if account is None or accounts.periods_owed(currency, account, now) > 0:
        account = await accounts.player_account(session, currency, player_id, now)
    assert system_id is not None, f"currency {currency_id} has no {kind} account"
    return Ready(currency, account, int(system_id))

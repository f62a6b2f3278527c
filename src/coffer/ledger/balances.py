"""The ledger's use cases for every surface: read a player's balances, post a change.

A change writes a ``balance_changed`` webhook event in the same transaction (SPEC §9), so
the operator hears of every movement once, after commit, through the outbox.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.ledger import accounts
from coffer.ledger.models import VirtualCurrency
from coffer.ledger.queries import currencies_of
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.players.service import ensure_player
from coffer.webhooks.outbox import emit


@dataclass(frozen=True)
class Balance:
    currency: str
    balance_minor: int
    decimals: int


@dataclass(frozen=True)
class Change:
    """A signed change of one player's balance, applied once per idempotency key."""

    player_external_id: str
    currency: str
    amount_minor: int
    idempotency_key: str
    reason: str = "operator"


async def balances(
    session: AsyncSession, operator: Operator, external_id: str, now: datetime
) -> list[Balance]:
    """Every currency of the operator, with the player's balance (regenerated up to now)."""
    player = await ensure_player(session, operator, external_id)
    found = []
    for currency in await currencies_of(session, operator.id):
        account = await accounts.player_account(session, currency, player.id, now)
        found.append(Balance(currency.code, account.balance_minor, currency.decimals))
    return found


async def change(
    session: AsyncSession, operator: Operator, asked: Change, now: datetime
) -> Balance:
    """Credit (from the mint) or debit (to the burn) a player; refused if it would overdraw."""
    currency = await accounts.currency_by_code(session, operator.id, asked.currency)
    player = await ensure_player(session, operator, asked.player_external_id)
    account = await accounts.player_account(session, currency, player.id, now)
    done = await accounts.grant(
        session, currency, account.id, asked.amount_minor, f"s2s:{asked.idempotency_key}"
    )
    if not done.replayed:  # a replay moved nothing and tells nobody twice
        await _tell(session, operator, player, currency, asked, done.balance_minor)
    return Balance(currency.code, done.balance_minor, currency.decimals)


async def _tell(
    session: AsyncSession,
    operator: Operator,
    player: Player,
    currency: VirtualCurrency,
    asked: Change,
    after: int,
) -> None:
    data = {
        "currency": currency.code,
        "amountMinor": asked.amount_minor,
        "balanceAfterMinor": after,
        "reason": asked.reason,
        "idempotencyKey": asked.idempotency_key,
    }
    await emit(session, operator.id, player.id, "balance_changed", data)

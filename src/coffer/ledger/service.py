"""Posting to the ledger: every change is one transaction whose postings sum to zero.

A posting changes a player's balance in the same statement that checks it
(``UPDATE … WHERE balance + amount >= 0``), so concurrent debits can never overdraw a player;
the transaction's idempotency key turns a retry into a replay of the first result. A system
account (mint, burn) is never updated in place: its balance is the sum of its postings, so no
two players' changes ever wait on (or deadlock over) one shared row.
Services take the caller's session and never commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.kit import metrics
from coffer.kit.db import connection, table, utcnow
from coffer.kit.direct import run
from coffer.kit.errors import IdempotencyKeyReused
from coffer.ledger.errors import InsufficientVirtualFunds
from coffer.ledger.models import PLAYER, LedgerAccount, LedgerPosting, LedgerTransaction

TXN_FIELDS = ("currency_id", "idempotency_key", "reason", "reference", "created_at")
POSTING_FIELDS = (
    "transaction_id", "account_id", "amount_minor", "balance_after_minor", "idempotency_key",
    "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class Leg:
    """An amount on one account: positive credits it, negative debits it. ``system``: a mint
    or burn account, whose balance is only ever the sum of its postings."""

    account_id: int
    amount_minor: int
    system: bool = False


@dataclass(frozen=True)
class Posted:
    """A transaction's result: each account's balance after it, and whether this was a replay."""

    transaction_id: int
    balances: dict[int, int]
    replayed: bool


async def post(
    session: AsyncSession,
    currency_id: int,
    key: str,
    reason: str,
    legs: Sequence[Leg],
    reference: str | None = None,
    fresh: bool = False,
) -> Posted:
    """Apply ``legs`` once for ``key``; a repeat with the same legs answers the first result.
    A ``fresh`` key (one the caller just made unique) needs no savepoint to catch a repeat."""
    if sum(leg.amount_minor for leg in legs) != 0 or not legs:
        raise ValueError(f"a ledger transaction's legs must sum to zero: {legs}")
    if fresh:
        return await _apply(session, currency_id, key, reason, legs, reference)
    try:
        async with session.begin_nested():
            return await _apply(session, currency_id, key, reason, legs, reference)
    except IntegrityError:
        return await _replay(session, currency_id, key, legs)


TXNS, POSTINGS, ACCOUNTS = table(LedgerTransaction), table(LedgerPosting), table(LedgerAccount)
ADD_TXN = (
    insert(TXNS)
    .values({name: bindparam(name, type_=TXNS.c[name].type) for name in TXN_FIELDS})
    .returning(TXNS.c.id)
)
ADD_POSTING = insert(POSTINGS).values(
    {name: bindparam(name, type_=POSTINGS.c[name].type) for name in POSTING_FIELDS}
)
_AMOUNT: Any = bindparam("b_amount", type_=ACCOUNTS.c.balance_minor.type)
MOVE = (
    update(ACCOUNTS)
    .where(ACCOUNTS.c.id == bindparam("b_id"))
    .where(or_(ACCOUNTS.c.kind != PLAYER, ACCOUNTS.c.balance_minor + _AMOUNT >= 0))
    .values(balance_minor=ACCOUNTS.c.balance_minor + _AMOUNT)
    .returning(ACCOUNTS.c.balance_minor)
)


async def _apply(
    session: AsyncSession,
    currency_id: int,
    key: str,
    reason: str,
    legs: Sequence[Leg],
    reference: str | None,
) -> Posted:
    conn = await connection(session)
    now = utcnow()
    row = {"currency_id": currency_id, "idempotency_key": key, "reason": reason}
    txn_id = int(
        (await run(conn, ADD_TXN, row | {"reference": reference, "created_at": now})).scalar()
    )
    balances: dict[int, int] = {}
    # Always the same order, so two transactions on the same accounts never deadlock.
    for index, leg in sorted(enumerate(legs), key=lambda pair: pair[1].account_id):
        after = await _move(conn, leg)
        balances[leg.account_id] = after
        posting = {
            "transaction_id": txn_id,
            "account_id": leg.account_id,
            "amount_minor": leg.amount_minor,
            "balance_after_minor": after,
            "idempotency_key": f"{currency_id}:{key}:{index}",
            "created_at": now,
        }
        await run(conn, ADD_POSTING, posting)
    # Counted when written: a caller's transaction rolled back later still counted.
    metrics.LEDGER_POSTINGS.labels(metrics.word(reason)).inc(len(legs))
    return Posted(txn_id, balances, replayed=False)


async def _move(conn: AsyncConnection, leg: Leg) -> int:
    """Change one balance, refused in the write itself if a player's would go below zero; a
    system leg changes no row (its posting records 0 as the balance after)."""
    if leg.system:
        return 0
    found = (await run(conn, MOVE, {"b_id": leg.account_id, "b_amount": leg.amount_minor})).scalar()
    if found is None:
        raise InsufficientVirtualFunds()
    return int(found)


async def _replay(session: AsyncSession, currency_id: int, key: str, legs: Sequence[Leg]) -> Posted:
    """The first transaction with this key, if it moved the same amounts; else a refusal."""
    rows = (
        await session.execute(
            select(LedgerPosting.transaction_id, LedgerPosting.account_id)
            .add_columns(LedgerPosting.amount_minor, LedgerPosting.balance_after_minor)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
            .where(
                and_(
                    LedgerTransaction.currency_id == currency_id,
                    LedgerTransaction.idempotency_key == key,
                )
            )
        )
    ).all()
    asked = sorted((leg.account_id, leg.amount_minor) for leg in legs)
    if not rows or sorted((r.account_id, r.amount_minor) for r in rows) != asked:
        raise IdempotencyKeyReused(
            f"The idempotency key {key!r} was used for a different change; use a new key."
        )
    return Posted(rows[0].transaction_id, {r.account_id: r.balance_after_minor for r in rows}, True)

"""Reads of the ledger's configuration and of its system accounts."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.kit.money import Rate, virtual_rate
from coffer.kit.paging import Page, page_after
from coffer.ledger.models import LedgerAccount, LedgerPosting, LedgerTransaction, VirtualCurrency

VIRTUAL = select(VirtualCurrency.code, VirtualCurrency.decimals)


async def currencies_of(session: AsyncSession, operator_id: int) -> Sequence[VirtualCurrency]:
    """The operator's virtual currencies, by code."""
    return (
        await session.scalars(
            select(VirtualCurrency)
            .where(VirtualCurrency.operator_id == operator_id)
            .order_by(VirtualCurrency.code)
        )
    ).all()


async def currencies_after(
    session: AsyncSession, operator_id: int, cursor: str | None, limit: int
) -> Page[VirtualCurrency]:
    """A page of the operator's virtual currencies, oldest first."""
    query = select(VirtualCurrency).where(VirtualCurrency.operator_id == operator_id)
    return await page_after(session, query, VirtualCurrency.id, cursor, limit)


async def virtual_rates(conn: AsyncConnection, operator_id: int) -> dict[str, Rate]:
    """The operator's virtual currencies as rates that convert to nothing else (SPEC §12)."""
    rows = await conn.execute(VIRTUAL.where(VirtualCurrency.operator_id == operator_id))
    return {code: virtual_rate(code, decimals) for code, decimals in rows}


async def system_totals(session: AsyncSession, currency_id: int) -> dict[str, int]:
    """The currency's mint and burn balances: the sums of their postings."""
    rows = await session.execute(
        select(LedgerAccount.kind, func.coalesce(func.sum(LedgerPosting.amount_minor), 0))
        .outerjoin(LedgerPosting, LedgerPosting.account_id == LedgerAccount.id)
        .where(LedgerAccount.currency_id == currency_id, LedgerAccount.player_id.is_(None))
        .group_by(LedgerAccount.kind)
    )
    return {kind: int(total) for kind, total in rows}


async def player_postings(
    session: AsyncSession, player_id: int, before_id: int | None, limit: int
) -> list[dict[str, object]]:
    """A player's postings in every virtual currency, newest first, paged by posting id."""
    query = (
        select(
            LedgerPosting.id,
            VirtualCurrency.code,
            LedgerPosting.amount_minor,
            LedgerPosting.balance_after_minor,
            LedgerTransaction.reason,
            LedgerTransaction.idempotency_key,
            LedgerPosting.created_at,
        )
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .join(VirtualCurrency, VirtualCurrency.id == LedgerAccount.currency_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerAccount.player_id == player_id, LedgerAccount.kind == "player")
        .order_by(LedgerPosting.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(LedgerPosting.id < before_id)
    keys = ("id", "currency", "amountMinor", "balanceAfterMinor", "reason", "idempotencyKey", "at")
    return [dict(zip(keys, row, strict=True)) for row in await session.execute(query)]

"""Recompute every balance from its postings: the ledger's own audit (``coffer ledger verify``).

Reads only; a difference means something wrote around the ledger, and the report names it.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.ledger.models import PLAYER, LedgerAccount, LedgerPosting, LedgerTransaction


@dataclass(frozen=True)
class Drift:
    account_id: int
    kind: str
    balance_minor: int
    postings_minor: int


@dataclass
class Audit:
    accounts: int = 0
    transactions: int = 0
    drifts: list[Drift] = field(default_factory=list)
    unbalanced: list[int] = field(default_factory=list)  # transaction ids whose legs do not net
    negative: list[int] = field(default_factory=list)  # player accounts below zero

    @property
    def clean(self) -> bool:
        return not (self.drifts or self.unbalanced or self.negative)


async def audit(session: AsyncSession) -> Audit:
    """Every player account against the sum of its postings, and every transaction's sum."""
    sums = (
        select(LedgerPosting.account_id, func.sum(LedgerPosting.amount_minor).label("total"))
        .group_by(LedgerPosting.account_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.balance_minor, sums.c.total)
            .outerjoin(sums, sums.c.account_id == LedgerAccount.id)
            .order_by(LedgerAccount.id)
        )
    ).all()
    found = Audit(accounts=len(rows))
    for account_id, kind, balance, total in rows:
        if kind != PLAYER:  # a system account's balance is its postings' sum, nothing else
            continue
        if balance != (total or 0):
            found.drifts.append(Drift(account_id, kind, balance, int(total or 0)))
        if balance < 0:
            found.negative.append(account_id)
    found.transactions = (
        await session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0
    )
    found.unbalanced = list(
        (
            await session.scalars(
                select(LedgerPosting.transaction_id)
                .group_by(LedgerPosting.transaction_id)
                .having(func.sum(LedgerPosting.amount_minor) != 0)
            )
        ).all()
    )
    return found

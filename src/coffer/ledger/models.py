"""The ledger's tables: currencies, accounts (one balance each), transactions and postings.

Postings are append-only (database triggers refuse UPDATE and DELETE); an account's balance is
the sum of its postings. A player's is also kept beside them, so that a debit can be refused in
the write itself; a system account's (mint, burn) is only ever that sum, never a row that every
player's change would lock. Only system accounts may go below zero.
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow

PLAYER = "player"
MINT = "mint"  # where new money comes from: grants, initial balances, regeneration
BURN = "burn"  # where spent money goes
SYSTEM_KINDS = (MINT, BURN)


class VirtualCurrency(Base):
    """An operator's own currency (gems, gold, energy); never linked to real money."""

    __tablename__ = "virtual_currencies"
    __table_args__ = (UniqueConstraint("operator_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
    decimals: Mapped[int] = mapped_column(default=0)
    initial_grant_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    regen_amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    regen_period_seconds: Mapped[int] = mapped_column(default=0)
    regen_cap_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerAccount(Base):
    """One balance: a player's in one currency, or one of the currency's system accounts."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("currency_id", "kind", "player_id"),
        # NULLs are distinct in the constraint above: one mint and one burn account per currency.
        Index(
            "uq_ledger_accounts_system",
            "currency_id",
            "kind",
            unique=True,
            sqlite_where=text("player_id IS NULL"),
            postgresql_where=text("player_id IS NULL"),
        ),
        CheckConstraint("kind <> 'player' OR balance_minor >= 0", name="player_not_negative"),
        CheckConstraint("kind <> 'player' OR player_id IS NOT NULL", name="player_named"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    currency_id: Mapped[int] = mapped_column(ForeignKey("virtual_currencies.id"))
    kind: Mapped[str] = mapped_column(String(8))
    player_id: Mapped[int | None] = mapped_column(ForeignKey("players.id"))
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Regeneration is settled up to here; the next period starts at this instant.
    regen_from: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerTransaction(Base):
    """One change of balances; its postings sum to zero. The key makes a retry a replay."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (UniqueConstraint("currency_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    currency_id: Mapped[int] = mapped_column(ForeignKey("virtual_currencies.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerPosting(Base):
    """One leg of a transaction: an amount on one account, and a player account's balance after
    (0 on a system account's leg: its balance is the sum of its postings)."""

    __tablename__ = "ledger_postings"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_ledger_postings_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    balance_after_minor: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(220))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

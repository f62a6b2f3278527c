"""The casino's own tables (not part of Coffer's schema) and the wallet RPC's request body."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel
from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from coffer_casino.store import utcnow

DEBIT = "wallet.debit"
CREDIT = "wallet.credit"
ROLLBACK = "wallet.rollback"
BALANCE = "wallet.balance"
DEPOSIT = "casino.deposit"
MAX_AMOUNT_MINOR = 10**15


def clean_text(value: str) -> str:
    """Refuse NUL, which no database column should hold."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Money = BigInteger().with_variant(Integer(), "sqlite")


class CasinoBase(DeclarativeBase):
    """A metadata of its own: the casino creates its tables itself and has no migrations."""

    type_annotation_map = {datetime: DateTime(), dict[str, Any]: JSON}


class CasinoPlayer(CasinoBase):
    """A player of the casino, created the first time any instruction names them."""

    __tablename__ = "casino_players"

    external_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    blocked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CasinoBalance(CasinoBase):
    """One balance per (player, currency), in integer minor units, never below zero."""

    __tablename__ = "casino_balances"
    __table_args__ = (CheckConstraint("balance_minor >= 0", name="non_negative"),)

    player_external_id: Mapped[str] = mapped_column(
        ForeignKey("casino_players.external_id"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    balance_minor: Mapped[int] = mapped_column(Money, default=0)


class WalletReceipt(CasinoBase):
    """The first answer given to an idempotency key, replayed verbatim to every retry."""

    __tablename__ = "casino_wallet_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    player_external_id: Mapped[str] = mapped_column(String(128))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Money)
    rollback_of: Mapped[str | None] = mapped_column(String(200))
    accepted: Mapped[bool] = mapped_column()
    answer: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerEntry(CasinoBase):
    """One row per accepted money instruction; a balance is the sum of its rows."""

    __tablename__ = "casino_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    player_external_id: Mapped[str] = mapped_column(String(128), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Money)
    provider_txn_ref: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Tombstone(CasinoBase):
    """A debit key that has been rolled back: the debit, if it ever arrives, is refused."""

    __tablename__ = "casino_tombstones"

    debit_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    rollback_key: Mapped[str] = mapped_column(String(200))
    refunded_minor: Mapped[int] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEvent(CasinoBase):
    """A webhook processed once, however many times Coffer delivered it."""

    __tablename__ = "casino_webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    received_count: Mapped[int] = mapped_column(default=1)
    payload: Mapped[dict[str, Any]] = mapped_column()
    first_received_at: Mapped[datetime] = mapped_column(default=utcnow)


Key = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(clean_text)]
PlayerId = Annotated[
    str, StringConstraints(min_length=1, max_length=128), AfterValidator(clean_text)
]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
AmountMinor = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_MINOR)]


class WalletRequest(BaseModel):
    """The body Coffer POSTs to the wallet URL; unknown fields are ignored for forward compat."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    type: Literal["wallet.debit", "wallet.credit", "wallet.rollback", "wallet.balance"]
    idempotency_key: Key
    player_external_id: PlayerId
    amount_minor: AmountMinor
    currency: CurrencyCode
    round_public_id: str | None = None
    inventory_item_id: int | None = None
    funding: str | None = None
    reference: dict[str, Any] | None = None
    rollback_of: Key | None = None

    @model_validator(mode="after")
    def _rollback_names_its_debit(self) -> "WalletRequest":
        """A rollback without ``rollbackOf`` cannot say what it undoes."""
        if self.type == ROLLBACK and self.rollback_of is None:
            raise ValueError("wallet.rollback needs rollbackOf, the key of the debit it undoes")
        return self

    def fingerprint(self) -> tuple[str, str, int, str, str | None]:
        """What must match for a reused key to count as a retry rather than a conflict."""
        return (
            self.type,
            self.player_external_id,
            self.amount_minor,
            self.currency,
            self.rollback_of,
        )


class DepositRequest(BaseModel):
    """The back office's deposit: money the player brought to the casino."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    currency: CurrencyCode
    amount_minor: Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_MINOR)]

"""Every money instruction Coffer sends (or, for operator funding, records without sending)."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class WalletInstruction(Base):
    """One money instruction: written before the RPC, finished by the request or the resolver."""

    __tablename__ = "wallet_instructions"
    __table_args__ = (
        UniqueConstraint("operator_id", "idempotency_key"),
        Index("ix_wallet_instructions_due", "state", "next_attempt_at"),
        Index("ix_wallet_instructions_player", "player_id", "id"),
        Index("ix_wallet_instructions_operator_created", "operator_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    round_public_id: Mapped[str | None] = mapped_column(String(32))
    inventory_item_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    rpc: Mapped[str] = mapped_column(String(24))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    rollback_of: Mapped[str | None] = mapped_column(String(128))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    funding: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    latency_ms: Mapped[int | None] = mapped_column()
    balance_after_minor: Mapped[int | None] = mapped_column(BigInteger)
    provider_txn_ref: Mapped[str | None] = mapped_column(String(200))
    refusal_code: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    # The request (X-Request-Id) or job that wrote it, to follow one purchase end to end.
    request_id: Mapped[str | None] = mapped_column(String(128))


class WalletAttempt(Base):
    """One HTTP attempt of an instruction: what was answered, how fast, with a truncated body."""

    __tablename__ = "wallet_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instruction_id: Mapped[int] = mapped_column(ForeignKey("wallet_instructions.id"), index=True)
    number: Mapped[int] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column()
    latency_ms: Mapped[int] = mapped_column()
    detail: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

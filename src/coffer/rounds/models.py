"""Tables for rounds, their reels and the idempotent player actions that create them."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class Round(Base):
    """One purchase: pending → held | settled | voided; held → settled | refunded."""

    __tablename__ = "rounds"
    __table_args__ = (Index("ix_rounds_player_created", "player_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    status: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    funding: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(8))
    bet_minor: Mapped[int] = mapped_column(BigInteger)
    payout_minor: Mapped[int | None] = mapped_column(BigInteger)
    refunded_minor: Mapped[int | None] = mapped_column(BigInteger)
    fx_rates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seed_pair_id: Mapped[int | None] = mapped_column(ForeignKey("seed_pairs.id"))
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    client_seed: Mapped[str | None] = mapped_column(String(64))
    server_seed_hash: Mapped[str | None] = mapped_column(String(64))
    algorithm_key: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    purchased_at: Mapped[datetime | None] = mapped_column()
    settled_at: Mapped[datetime | None] = mapped_column()
    voided_at: Mapped[datetime | None] = mapped_column()
    refunded_at: Mapped[datetime | None] = mapped_column()


class RoundReel(Base):
    """One box opened in a round: its version and price, then its ticket and prize."""

    __tablename__ = "round_reels"
    __table_args__ = (UniqueConstraint("round_id", "reel_index"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    reel_index: Mapped[int] = mapped_column()
    box_version_id: Mapped[int] = mapped_column(ForeignKey("box_versions.id"))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    ticket: Mapped[int | None] = mapped_column(BigInteger)
    prize_id: Mapped[int | None] = mapped_column(ForeignKey("box_prizes.id"))


class PlayerAction(Base):
    """(operator, player, clientActionId) names one action forever; its answer is replayed."""

    __tablename__ = "player_actions"
    __table_args__ = (UniqueConstraint("operator_id", "player_id", "client_action_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    client_action_id: Mapped[str] = mapped_column(String(80))
    request_hash: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="running")
    status_code: Mapped[int | None] = mapped_column()
    response_body: Mapped[str | None] = mapped_column(Text)  # answers stored before 0005
    result: Mapped[str | None] = mapped_column(Text)  # the use case's result, as JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()

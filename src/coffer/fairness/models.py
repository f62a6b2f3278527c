"""Seed pairs: one active pair per player, revealed when rotated."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class SeedPair(Base):
    """A player's server seed (encrypted until revealed), client seed and next nonce."""

    __tablename__ = "seed_pairs"
    __table_args__ = (
        Index(
            "uq_seed_pairs_one_active",
            "player_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"), index=True)
    server_seed_sealed: Mapped[str] = mapped_column(Text)
    server_seed_hash: Mapped[str] = mapped_column(String(64), index=True)
    revealed_server_seed: Mapped[str | None] = mapped_column(String(64))
    client_seed: Mapped[str] = mapped_column(String(64))
    next_nonce: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None] = mapped_column()


class SeedRotation(Base):
    """A rotation asked for with a clientActionId: a retry gets the first answer, not a second
    rotation (SPEC §2: every state-changing S2S call is idempotent)."""

    __tablename__ = "seed_rotations"
    __table_args__ = (UniqueConstraint("player_id", "client_action_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    client_action_id: Mapped[str] = mapped_column(String(80))
    request_hash: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str | None] = mapped_column(Text)  # the Rotated result as JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

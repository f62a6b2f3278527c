"""Container opens: each one a verifiable draw, kept with the snapshot it was drawn from."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class ContainerOpen(Base):
    """One open: claimed by its idempotency key before anything moves, then filled in."""

    __tablename__ = "container_opens"
    __table_args__ = (
        UniqueConstraint("public_id"),
        UniqueConstraint("player_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    seed_pair_id: Mapped[int | None] = mapped_column(ForeignKey("seed_pairs.id"))
    nonce: Mapped[int | None] = mapped_column()
    snapshot: Mapped[str | None] = mapped_column(Text)
    snapshot_hash: Mapped[str | None] = mapped_column(String(64))
    ticket: Mapped[int | None] = mapped_column(BigInteger)
    prize_index: Mapped[int | None] = mapped_column()
    answer: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A drop-table lock (a draw kept for a later pick) is settled once: picked or replaced.
    settled_at: Mapped[datetime | None] = mapped_column()

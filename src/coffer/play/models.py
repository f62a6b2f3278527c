"""Launches (single-use tokens an operator mints) and the player app's sessions."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId


class Launch(Base):
    """A launch token's hash and what the operator's backend decided for the session."""

    __tablename__ = "launches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    game_key: Mapped[str] = mapped_column(String(32))
    target_box_id: Mapped[int | None] = mapped_column(ForeignKey("boxes.id"))
    auto_open: Mapped[bool] = mapped_column()
    locale: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    return_url: Mapped[str | None] = mapped_column(String(2000))
    parent_origin: Mapped[str] = mapped_column(String(300))
    balance_minor: Mapped[int | None] = mapped_column()
    funding: Mapped[str] = mapped_column(String(16))
    funding_rounds: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    consumed_at: Mapped[datetime | None] = mapped_column()


class PlaySession(Base):
    """A player app session: its token's hash, the pinned currency rate and its expiries.

    ``free_opens_left`` counts the operator-funded opens of the launch's target box still
    granted; an open takes one with a conditional update."""

    __tablename__ = "play_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"), index=True)
    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    rate_to_base: Mapped[str] = mapped_column(String(100))  # exact, as numerator/denominator
    minor_digits: Mapped[int] = mapped_column()
    free_opens_left: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()
    idle_seconds: Mapped[int] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None] = mapped_column()

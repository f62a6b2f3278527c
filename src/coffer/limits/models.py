"""A player's operator-set limits and self-exclusion, and what each period has used of them."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class PlayerLimit(Base):
    """Limits for one player; a null limit is no limit. Spend is in the operator's base currency."""

    __tablename__ = "player_limits"

    player_id: Mapped[int] = mapped_column(BigId, ForeignKey("players.id"), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    spend_per_day_minor: Mapped[int | None] = mapped_column(BigInteger)
    spend_per_week_minor: Mapped[int | None] = mapped_column(BigInteger)
    opens_per_day: Mapped[int | None] = mapped_column()
    self_excluded_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlayerUsage(Base):
    """What a player spent and opened in one UTC day or ISO week; raised by conditional updates."""

    __tablename__ = "player_usage"

    player_id: Mapped[int] = mapped_column(BigId, ForeignKey("players.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date, primary_key=True)
    spent_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    opens: Mapped[int] = mapped_column(default=0)

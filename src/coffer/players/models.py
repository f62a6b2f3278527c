"""The player table: one row per (operator, external id)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base, BigId, utcnow


class Player(Base):
    """A player of one operator, created the first time the operator names them."""

    __tablename__ = "players"
    __table_args__ = (UniqueConstraint("operator_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    external_id: Mapped[str] = mapped_column(String(128))
    blocked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

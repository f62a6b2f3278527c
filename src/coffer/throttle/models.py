"""Rate-limit counters: one row per (caller, window), shared by every node."""

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from coffer.kit.db import Base


class RateBucket(Base):
    """Hits of one caller in the current fixed window (UNLOGGED on PostgreSQL: a crash may
    forget a window's count, which only forgives a few requests)."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column()

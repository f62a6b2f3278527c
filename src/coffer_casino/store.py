"""The casino's own SQLite plumbing: it shares no code with Coffer but the signing module."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no zone, so the casino stores every time in UTC without one."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso_z(value: datetime) -> str:
    """A stored (naive UTC) time as ISO-8601 with a trailing Z."""
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # no implicit BEGIN: ours is BEGIN IMMEDIATE
    cursor = dbapi_connection.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=10000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_casino_engine(database_url: str) -> AsyncEngine:
    """A SQLite engine whose transactions start with BEGIN IMMEDIATE (take the write lock)."""
    engine = create_async_engine(database_url)
    event.listen(engine.sync_engine, "connect", _pragmas)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine

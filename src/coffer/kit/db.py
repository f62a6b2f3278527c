"""Database engine, declarative base and session factory shared by every feature package."""

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVarTuple

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, Select, Table, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Row = TypeVarTuple("Row")

# BIGINT on PostgreSQL, but INTEGER on SQLite so that primary keys stay rowid aliases.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names, so migrations match on both dialects."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


POOL_RECYCLE_S = 600


def table(model: type[Base]) -> Table:
    """A model's table, for Core statements on the hot paths."""
    found = model.__table__
    assert isinstance(found, Table)
    return found


def utcnow() -> datetime:
    """The current time, always timezone-aware UTC."""
    return datetime.now(UTC)


# A session whose connection carries this option begins with BEGIN IMMEDIATE on SQLite: it takes
# the write lock at once, instead of upgrading a read lock later (which WAL refuses at once when
# another writer committed meanwhile, busy timeout or not).
SQLITE_IMMEDIATE = "coffer_sqlite_immediate"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Other transactions keep the driver's way: reads outside, BEGIN before the first write."""
    if conn.get_execution_options().get(SQLITE_IMMEDIATE):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@asynccontextmanager
async def write_session(
    sessions: async_sessionmaker[AsyncSession], writer: asyncio.Lock | None
) -> AsyncIterator[AsyncSession]:
    """A session for a short write transaction. On SQLite (``writer`` given) this process runs
    them one at a time in arrival order, each holding the write lock from its BEGIN, so
    concurrent writers queue fairly here instead of in SQLite's sleeping busy handler."""
    if writer is None:
        async with sessions() as session:
            yield session
        return
    async with writer, sessions() as session:
        await session.connection(execution_options={SQLITE_IMMEDIATE: True})
        yield session


_HELD = "coffer.connection"


async def connection(session: AsyncSession) -> AsyncConnection:
    """``session.connection()``, kept while the session stays in the same (sub)transaction:
    asking the session costs a greenlet switch (about 14 µs) and a hot path asks about twenty
    times. A new savepoint asks the session again, which is when it sends SAVEPOINT."""
    sync_session = session.sync_session
    current = sync_session.get_nested_transaction() or sync_session.get_transaction()
    held = session.info.get(_HELD)
    if held is not None and current is not None and held[0] is current and current.is_active:
        conn: AsyncConnection = held[1]
        sync = conn.sync_connection
        if sync is not None and not sync.invalidated:
            return conn
    conn = await session.connection()
    current = sync_session.get_nested_transaction() or sync_session.get_transaction()
    session.info[_HELD] = (current, conn)
    return conn


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    No liveness ping per checkout (a round trip on every transaction): PostgreSQL connections
    are recycled after ``POOL_RECYCLE_S`` instead."""
    if not url.startswith("sqlite"):
        kwargs.setdefault("pool_recycle", POOL_RECYCLE_S)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit, for shaping responses."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def dialect_insert(dialect_name: str, table: Any) -> Any:
    """The INSERT construct of a dialect, which knows ``ON CONFLICT``."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


@functools.cache
def insert_or_skip(
    dialect_name: str, into: Table, keys: tuple[str, ...], returning: tuple[str, ...] = ()
) -> Insert:
    """A prebuilt INSERT … ON CONFLICT (keys) DO NOTHING [RETURNING], values given at execute."""
    stmt = dialect_insert(dialect_name, into).on_conflict_do_nothing(index_elements=list(keys))
    if returning:
        stmt = stmt.returning(*(into.c[name] for name in returning))
    built: Insert = stmt
    return built


def _dialect_insert(session: AsyncSession, table: Any) -> Any:
    return dialect_insert(session.get_bind().dialect.name, table)


def upsert(
    session: AsyncSession,
    table: Any,
    values: dict[str, Any],
    index_elements: list[str],
    update_columns: list[str],
) -> Insert:
    """INSERT … ON CONFLICT DO UPDATE of ``update_columns``: one statement, no race."""
    stmt = _dialect_insert(session, table).values(values)
    changes = {name: stmt.excluded[name] for name in update_columns}
    result: Insert = stmt.on_conflict_do_update(index_elements=index_elements, set_=changes)
    return result


def insert_ignoring_conflict(
    session: AsyncSession,
    table: Any,
    values: dict[str, Any],
    index_elements: list[str],
    index_where: Any = None,
) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect (SQLite or PostgreSQL)."""
    stmt = _dialect_insert(session, table).values(values)
    result: Insert = stmt.on_conflict_do_nothing(
        index_elements=index_elements, index_where=index_where
    )
    return result


def rows_changed(result: object) -> int:
    """How many rows an UPDATE or DELETE touched: the check of every conditional update."""
    return int(getattr(result, "rowcount", 0) or 0)


def skip_locked(stmt: Select[*Row], session: AsyncSession, *of: Any) -> Select[*Row]:
    """``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers split a queue instead of queueing.

    SQLite has one writer at a time and no row locks; the conditional update after the read
    decides there.
    """
    if session.get_bind().dialect.name != "postgresql":
        return stmt
    locked: Select[*Row] = stmt.with_for_update(skip_locked=True, of=list(of) or None)
    return locked


RETRYABLE = frozenset({"40P01", "40001"})  # PostgreSQL: deadlock detected, serialization failure


def is_retryable(exc: BaseException) -> bool:
    """A transaction the database rolled back to break a deadlock: run it again, whole."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in RETRYABLE

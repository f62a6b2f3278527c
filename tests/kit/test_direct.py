"""kit.direct runs hot statements on the PostgreSQL driver: Core's answers, Core's transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Numeric,
    Table,
    bindparam,
    cast,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from coffer.kit.db import table
from coffer.kit.direct import run
from coffer.players.models import Player
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx

PLAYERS = table(Player)
ADD = insert(PLAYERS).returning(PLAYERS.c.id, PLAYERS.c.created_at)
ADD_MANY = insert(PLAYERS)
ADD_MANY_RETURNING = insert(PLAYERS).returning(PLAYERS.c.id, sort_by_parameter_order=True)
BY_IDS = (
    select(PLAYERS.c.id, PLAYERS.c.external_id, PLAYERS.c.created_at)
    .where(PLAYERS.c.id.in_(bindparam("b_ids", expanding=True)))
    .order_by(PLAYERS.c.id)
)
BLOCK = (
    update(PLAYERS)
    .where(PLAYERS.c.operator_id == bindparam("b_op"), PLAYERS.c.blocked.is_(False))
    .values(blocked=True)
)
NAMED = (
    select(PLAYERS.c.external_id)
    .where(PLAYERS.c.external_id.in_(("a", "e")), PLAYERS.c.operator_id == bindparam("b_op"))
    .order_by(PLAYERS.c.external_id)
)
COUNT = select(func.count()).select_from(PLAYERS).where(PLAYERS.c.operator_id == bindparam("b_op"))
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def player(operator: OperatorCtx, external_id: str) -> dict[str, object]:
    return {
        "operator_id": operator.operator_id,
        "external_id": external_id,
        "blocked": False,
        "created_at": NOW,
    }


@contextmanager
def core_statements(runtime: Runtime) -> Iterator[list[str]]:
    """The statements that went through SQLAlchemy's execution layer meanwhile (the direct
    path tells listeners too, with no execution context)."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, _p: object, context: object,
               _many: bool) -> None:  # fmt: skip
        if context is not None:
            seen.append(statement)

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_rows_counts_and_types_match_core(runtime: Runtime, operator: OperatorCtx) -> None:
    async with runtime.sessions() as session:
        conn = await session.connection()
        with core_statements(runtime) as through_core:
            added = (await run(conn, ADD, player(operator, "a"))).one()
            await run(conn, ADD_MANY, [player(operator, "b"), player(operator, "c")])
            ids = await run(conn, ADD_MANY_RETURNING, [player(operator, n) for n in "de"])
            read = (await run(conn, BY_IDS, {"b_ids": [added.id, *ids.scalars()]})).rows
            read_one = (await run(conn, BY_IDS, {"b_ids": [added.id]})).rows
            named = (await run(conn, NAMED, {"b_op": operator.operator_id})).scalars()
            blocked = await run(conn, BLOCK, {"b_op": operator.operator_id})
            again = await run(conn, BLOCK, {"b_op": operator.operator_id})
            counted = (await run(conn, COUNT, {"b_op": operator.operator_id})).scalar()
        core_read = (await conn.execute(BY_IDS, {"b_ids": [added.id, *ids.scalars()]})).all()
        await session.commit()
    assert added.created_at == NOW
    assert added.created_at.tzinfo is not None
    assert [tuple(r) for r in read] == [tuple(r) for r in core_read]
    assert [r.external_id for r in read] == ["a", "d", "e"]
    assert [r.external_id for r in read_one] == ["a"]  # the IN list rendered for one value
    assert named == ["a", "e"]  # a literal IN list
    assert (blocked.rowcount, again.rowcount, counted) == (5, 0, 5)
    # Only the several rows with RETURNING went through Core on PostgreSQL; all of it on SQLite.
    if runtime.engine.dialect.name == "postgresql":
        assert len(through_core) == 1, through_core
    else:
        assert len(through_core) >= 9


async def test_statements_run_inside_the_sessions_transaction(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    async with runtime.sessions() as session:
        conn = await session.connection()
        await run(conn, ADD, player(operator, "gone"))
        await session.rollback()
    async with runtime.engine.connect() as conn:
        await run(conn, ADD, player(operator, "kept"))  # the first statement begins, as Core's
        await conn.commit()
    async with runtime.sessions() as session:
        conn = await session.connection()
        names = (await conn.execute(select(PLAYERS.c.external_id))).scalars().all()
    assert names == ["kept"]


async def test_a_unique_violation_raises_as_core_does(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    async with runtime.sessions() as session:
        conn = await session.connection()
        await run(conn, ADD, player(operator, "twice"))
        with pytest.raises(IntegrityError):
            await run(conn, ADD, player(operator, "twice"))
        await session.rollback()


async def test_python_side_defaults_not_given_go_through_core(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    async with runtime.sessions() as session:
        conn = await session.connection()
        with core_statements(runtime) as through_core:
            row = (
                await run(conn, ADD, {"operator_id": operator.operator_id, "external_id": "x"})
            ).one()
        await session.commit()
    assert len(through_core) == 1  # created_at and blocked are computed by Core
    assert row.created_at.tzinfo is not None


async def test_a_lost_connection_is_invalidated_as_core_does(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("the direct path runs on PostgreSQL only")
    async with runtime.sessions() as session:
        conn = await session.connection()
        backend = (await conn.execute(select(func.pg_backend_pid()))).scalar_one()
        async with runtime.engine.connect() as other:
            await other.execute(select(func.pg_terminate_backend(backend)))
        with pytest.raises(DBAPIError) as lost:
            await run(conn, ADD, player(operator, "lost"))
        assert lost.value.connection_invalidated
    async with runtime.sessions() as session:  # the pool hands out a live connection next
        conn = await session.connection()
        await run(conn, ADD, player(operator, "next"))
        await session.commit()


async def test_what_core_refuses_before_sending_is_refused_the_same_way(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    async with runtime.sessions() as session:
        conn = await session.connection()
        naive = {**player(operator, "n"), "created_at": datetime(2026, 11, 30, 12, 0)}
        with pytest.raises(StatementError, match="naive datetime"):
            await run(conn, ADD, naive)
        await session.rollback()
    async with runtime.sessions() as session:
        conn = await session.connection()
        uneven = [player(operator, "a"), {"operator_id": operator.operator_id, "external_id": "b"}]
        with pytest.raises(StatementError):  # the second row lacks values the first gives
            await run(conn, ADD_MANY, uneven)
        await session.rollback()


async def test_numeric_results_and_text_statements_go_through_core(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    priced = select(cast(PLAYERS.c.id, Numeric(12, 2)).label("amount")).where(
        PLAYERS.c.external_id == bindparam("b_ext")
    )
    async with runtime.sessions() as session:
        conn = await session.connection()
        await run(conn, ADD, player(operator, "p"))
        amount = (await run(conn, priced, {"b_ext": "p"})).scalar()
        listed = (await run(conn, text("SELECT external_id, blocked FROM players"))).rows
        await session.rollback()
    assert isinstance(amount, Decimal)
    assert [tuple(r) for r in listed] == [("p", False)]


async def test_a_prepared_statement_made_stale_by_ddl_recovers_as_in_core(
    runtime: Runtime,
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are the PostgreSQL driver's")
    probe = Table("direct_probe", MetaData(), Column("id", Integer), Column("v", Integer))
    read = select(probe.c.id, probe.c.v).where(probe.c.id == bindparam("b_id"))
    async with runtime.engine.connect() as conn:
        await conn.execute(text("CREATE TABLE direct_probe (id integer, v integer)"))
        await conn.execute(text("INSERT INTO direct_probe VALUES (1, 2)"))
        await conn.commit()
        try:
            assert (await run(conn, read, {"b_id": 1})).one() == (1, 2)
            await conn.commit()
            await conn.execute(text("ALTER TABLE direct_probe ALTER COLUMN v TYPE text"))
            await conn.commit()
            with pytest.raises(DBAPIError):  # the cached plan's result type changed
                await run(conn, read, {"b_id": 1})
            await conn.rollback()
            assert (await run(conn, read, {"b_id": 1})).one() == (1, "2")  # prepared afresh
            await conn.commit()
        finally:
            await conn.rollback()
            await conn.execute(text("DROP TABLE direct_probe"))
            await conn.commit()

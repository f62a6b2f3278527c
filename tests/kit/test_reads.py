"""Hot-path reads: detached rows that read as the ORM's, and the session's connection kept."""

from sqlalchemy import inspect, select

from coffer.kit import reads
from coffer.kit.db import connection
from coffer.kit.direct import run
from coffer.players.models import Player
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.kit.test_direct import ADD, PLAYERS, player


async def test_a_detached_read_holds_what_the_orm_would_load(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    async with runtime.sessions() as session:
        session.add(Player(operator_id=operator.operator_id, external_id="first"))
        await session.flush()
        loaded = await session.scalar(select(Player))
        assert loaded is not None
        loaded.external_id = "renamed"  # not flushed yet
        read = await reads.get(session, Player, loaded.id)
        assert read is not None
        assert read is not loaded
        assert read.external_id == "renamed"  # flushed first, as the ORM's autoflush would
        for attr in inspect(Player).column_attrs:
            assert getattr(read, attr.key) == getattr(loaded, attr.key), attr.key
        assert inspect(read).transient
        assert not inspect(read).modified
        assert read not in session
        assert await reads.get(session, Player, 999_999) is None
        mine = await reads.scoped(session, Player, "operator_id", operator.operator_id, [read.id])
        assert [p.external_id for p in mine] == ["renamed"]
        assert await reads.scoped(session, Player, "operator_id", 999_999, [read.id]) == []


async def test_the_kept_connection_still_opens_and_rolls_back_savepoints(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    async with runtime.sessions() as session:
        outer = await connection(session)
        assert await connection(session) is outer
        await run(outer, ADD, player(operator, "kept"))
        nested = await session.begin_nested()
        inner = await connection(session)
        await run(inner, ADD, player(operator, "undone"))
        await nested.rollback()
        assert await connection(session) is outer
        await session.commit()
        after = await connection(session)  # a new transaction: asked again
        names = (await after.execute(select(PLAYERS.c.external_id))).scalars().all()
        assert names == ["kept"]

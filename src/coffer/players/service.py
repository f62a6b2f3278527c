"""Finding and creating players without check-then-act."""

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.kit.db import (
    connection,
    insert_ignoring_conflict,
    insert_or_skip,
    rows_changed,
    table,
    utcnow,
)
from coffer.kit.direct import run
from coffer.kit.errors import UnknownPlayer
from coffer.operators.models import Operator
from coffer.players.models import Player


async def add_player(session: AsyncSession, operator: Operator, external_id: str) -> bool:
    """Insert the player unless it exists; True for the one caller whose insert made it."""
    values = {
        "operator_id": operator.id,
        "external_id": external_id,
        "blocked": False,
        "created_at": utcnow(),
    }
    stmt = insert_ignoring_conflict(session, Player, values, ["operator_id", "external_id"])
    return rows_changed(await session.execute(stmt)) == 1


async def ensure_player(session: AsyncSession, operator: Operator, external_id: str) -> Player:
    """Return the player, inserting it first if new; concurrent callers get the same row."""
    await add_player(session, operator, external_id)
    found = await find_player(session, operator, external_id)
    assert found is not None
    return found


async def find_player(session: AsyncSession, operator: Operator, external_id: str) -> Player | None:
    """The player of this operator with that external id, if any."""
    result = await session.execute(
        select(Player).where(Player.operator_id == operator.id, Player.external_id == external_id)
    )
    return result.scalar_one_or_none()


async def player_by_id(session: AsyncSession, operator_id: int, player_id: int) -> Player | None:
    """The operator's player with that id; another operator's answers None."""
    return await session.scalar(
        select(Player).where(Player.id == player_id, Player.operator_id == operator_id)
    )


async def get_player(session: AsyncSession, operator: Operator, external_id: str) -> Player:
    """The player, or UNKNOWN_PLAYER."""
    player = await find_player(session, operator, external_id)
    if player is None:
        raise UnknownPlayer(f"Operator {operator.slug} has no player {external_id!r}.")
    return player


players = table(Player)
FIND_ID = select(players.c.id).where(
    players.c.operator_id == bindparam("b_operator"), players.c.external_id == bindparam("b_ext")
)


async def player_id(conn: AsyncConnection, operator_id: int, external_id: str) -> int:
    """The player's id, inserting the player first if new (purchase path, Core): one read for
    a known player. On SQLite the purchase's transaction holds the write lock from its BEGIN
    IMMEDIATE (``kit.db.write_session``), so this read is never upgraded to a write lock later,
    which WAL would refuse when another writer committed meanwhile."""
    key = {"b_operator": operator_id, "b_ext": external_id}
    found = (await run(conn, FIND_ID, key)).scalar()
    if found is not None:
        return int(found)
    new = {"operator_id": operator_id, "external_id": external_id, "blocked": False}
    add = insert_or_skip(conn.dialect.name, players, ("operator_id", "external_id"))
    await conn.execute(add, {**new, "created_at": utcnow()})
    return int(await conn.scalar(FIND_ID, key) or 0)


HOLD = select(Player.id).where(Player.id == bindparam("b_id")).with_for_update()


async def hold_player(session: AsyncSession, player_id: int) -> None:
    """Take the player's row lock until commit (PostgreSQL; SQLite has one writer anyway): one
    player's changes that touch several of their rows then run one after another, so two of
    them never take those rows in opposite orders and deadlock."""
    await run(await connection(session), HOLD, {"b_id": player_id})

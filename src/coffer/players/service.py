"""Finding and creating players without check-then-act."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import insert_ignoring_conflict, utcnow
from coffer.kit.errors import UnknownPlayer
from coffer.operators.models import Operator
from coffer.players.models import Player


async def ensure_player(session: AsyncSession, operator: Operator, external_id: str) -> Player:
    """Return the player, inserting it first if new; concurrent callers get the same row."""
    values = {
        "operator_id": operator.id,
        "external_id": external_id,
        "blocked": False,
        "created_at": utcnow(),
    }
    stmt = insert_ignoring_conflict(session, Player, values, ["operator_id", "external_id"])
    await session.execute(stmt)
    found = await find_player(session, operator, external_id)
    assert found is not None
    return found


async def find_player(session: AsyncSession, operator: Operator, external_id: str) -> Player | None:
    """The player of this operator with that external id, if any."""
    result = await session.execute(
        select(Player).where(Player.operator_id == operator.id, Player.external_id == external_id)
    )
    return result.scalar_one_or_none()


async def get_player(session: AsyncSession, operator: Operator, external_id: str) -> Player:
    """The player, or UNKNOWN_PLAYER."""
    player = await find_player(session, operator, external_id)
    if player is None:
        raise UnknownPlayer(f"Operator {operator.slug} has no player {external_id!r}.")
    return player

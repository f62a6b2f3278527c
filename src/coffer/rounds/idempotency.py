"""The idempotency store: one row per (operator, player, clientActionId) across every surface.

The first request of an action stores its result; every retry, through any surface, gets that
result back and renders it in its own shape.
"""

import asyncio
import hashlib
import time
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coffer.kit.canonical import canonical_json
from coffer.kit.db import connection, insert_ignoring_conflict, table, utcnow
from coffer.kit.direct import run
from coffer.kit.errors import IdempotencyKeyReused
from coffer.rounds import answers
from coffer.rounds.answers import Replayed, Result
from coffer.rounds.models import PlayerAction

POLL_SECONDS = 0.05
ACTIONS = table(PlayerAction)
FINISH = (
    update(ACTIONS)
    .where(ACTIONS.c.id == bindparam("b_id"), ACTIONS.c.state == "running")
    .values(state="done")
)


def request_hash(payload: dict[str, Any]) -> str:
    """A stable hash of the parsed request, so retries with reordered keys still match."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()


async def claim(
    session: AsyncSession, operator_id: int, player_id: int, client_action_id: str, digest: str
) -> int | None:
    """Insert the action; None when it already existed (with the same body, else REUSED)."""
    values = {
        "operator_id": operator_id,
        "player_id": player_id,
        "client_action_id": client_action_id,
        "request_hash": digest,
        "state": "running",
        "created_at": utcnow(),
    }
    keys = ["operator_id", "player_id", "client_action_id"]
    inserted = await session.execute(
        insert_ignoring_conflict(session, PlayerAction, values, keys).returning(PlayerAction.id)
    )
    action_id = inserted.scalar_one_or_none()
    if action_id is not None:
        return int(action_id)
    existing = await _find(session, operator_id, player_id, client_action_id)
    if existing.request_hash != digest:
        raise IdempotencyKeyReused(
            f"clientActionId {client_action_id!r} was used with a different request; "
            "use a new clientActionId for a new action."
        )
    return None


async def known(
    session: AsyncSession, operator_id: int, player_id: int, client_action_id: str, digest: str
) -> bool:
    """True when this action already exists (same body); checked before anything can refuse it.

    A retry must get its first answer even if, say, the box was republished since; the insert in
    ``claim`` still decides the race between concurrent first attempts.
    """
    found = await session.scalar(
        select(PlayerAction.request_hash).where(
            PlayerAction.operator_id == operator_id,
            PlayerAction.player_id == player_id,
            PlayerAction.client_action_id == client_action_id,
        )
    )
    if found is None:
        return False
    if found != digest:
        raise IdempotencyKeyReused(
            f"clientActionId {client_action_id!r} was used with a different request; "
            "use a new clientActionId for a new action."
        )
    return True


async def _find(
    session: AsyncSession, operator_id: int, player_id: int, client_action_id: str
) -> PlayerAction:
    stmt = (
        select(PlayerAction)
        .where(
            PlayerAction.operator_id == operator_id,
            PlayerAction.player_id == player_id,
            PlayerAction.client_action_id == client_action_id,
        )
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one()


async def attach_round(session: AsyncSession, action_id: int, round_id: int) -> None:
    """Link the action to its round at once, so a resolver can answer it after a crash."""
    await session.execute(
        update(PlayerAction).where(PlayerAction.id == action_id).values(round_id=round_id)
    )


async def finish(
    session: AsyncSession, action_id: int, round_id: int | None, result: Result
) -> Result:
    """Store the result once and return what is stored: the first stored result always wins."""
    await session.execute(
        update(PlayerAction)
        .where(PlayerAction.id == action_id, PlayerAction.state == "running")
        .values(state="done", round_id=round_id, result=answers.dump(result), finished_at=utcnow())
    )
    stored = await session.get(PlayerAction, action_id, populate_existing=True)
    assert stored is not None
    found = stored_result(stored)
    assert found is not None
    return found


async def finish_now(
    session: AsyncSession, action_id: int, round_id: int | None, result: Result
) -> Result:
    """``finish`` for the purchase path: no read-back when this result is the one stored."""
    conn = await connection(session)
    done = {"round_id": round_id, "result": answers.dump(result), "finished_at": utcnow()}
    changed = await run(conn, FINISH, {"b_id": action_id, **done})
    if changed.rowcount == 1:
        return result
    return await finish(session, action_id, round_id, result)


def stored_result(action: PlayerAction) -> Result | None:
    """The finished action's result: a stored result, or the bytes stored before results were."""
    if action.state != "done":
        return None
    if action.result is not None:
        return answers.load(action.result)
    if action.status_code and action.response_body is not None:
        return Replayed(action.status_code, action.response_body.encode())
    return None


async def wait_for_answer(
    sessions: async_sessionmaker[AsyncSession],
    operator_id: int,
    player_id: int,
    client_action_id: str,
    limit_s: float,
) -> Result | None:
    """Poll until the first request of this action stored its result (None if it never does)."""
    deadline = time.monotonic() + limit_s
    while True:
        async with sessions() as session:
            action = await _find(session, operator_id, player_id, client_action_id)
        found = stored_result(action)
        if found is not None:
            return found
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(POLL_SECONDS)

"""The player app's open (SPEC §11): the S2S purchase use case, for the session's player.

The session decides what the player may not: the currency (pinned at init, so the price shown
then is the one checked now, within the operator's FX tolerance), and who pays. An open of the
launch's target box is operator-funded while the launch's free opens last, taken one per round
inside the purchase's own transaction; every other open is player-funded through the wallet.
"""

import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection

from coffer.kit.db import table
from coffer.kit.direct import run
from coffer.kit.errors import ValidationFailed
from coffer.play.models import PlaySession
from coffer.play.sessions import PlayContext
from coffer.rounds import purchasing
from coffer.rounds.answers import Result
from coffer.rounds.commands import Purchase, Reel
from coffer.seamless.service import Gateway

SESSIONS = table(PlaySession)
TAKE_FREE_OPEN = (
    update(SESSIONS)
    .where(SESSIONS.c.id == bindparam("b_id"), SESSIONS.c.free_opens_left > 0)
    .values(free_opens_left=SESSIONS.c.free_opens_left - 1)
)


@dataclass(frozen=True)
class PlayOpen:
    """What the player asked: reels to open now, or a held round of theirs to open."""

    client_action_id: str
    reels: tuple[Reel, ...] | None = None
    round_public_id: str | None = None


async def open_boxes(gateway: Gateway, context: PlayContext, asked: PlayOpen) -> Result:
    """Open for the session's player; same answers and errors as the S2S purchase."""
    player = context.player.external_id
    if asked.reels is None:
        held = Purchase(player, asked.client_action_id, round_public_id=asked.round_public_id)
        return await purchasing.purchase(gateway, context.operator, held)
    if len(asked.reels) > context.operator.max_reels:
        limit = context.operator.max_reels
        raise ValidationFailed(fields={"reels": f"at most {limit} reels per open"})
    target = context.launch.target_box_id
    # A free open is one box of the target: a free session never opens several boxes free.
    free = context.free_opens_left > 0 and target is not None and len(asked.reels) == 1
    command = Purchase(
        player,
        asked.client_action_id,
        reels=asked.reels,
        currency=context.currency,
        funding="session",
        grant=functools.partial(_take_free_open, context.session_id, target) if free else None,
        pinned=context.rate,
    )
    return await purchasing.purchase(gateway, context.operator, command)


async def _take_free_open(
    session_id: int, target: int | None, conn: AsyncConnection, boxes: frozenset[int]
) -> bool:
    """One of the launch's free opens, if the reel opens its target box and one is left."""
    if boxes != {target}:
        return False
    return (await run(conn, TAKE_FREE_OPEN, {"b_id": session_id})).rowcount == 1

"""The player app's open (SPEC §11): the S2S purchase use case, for the session's player.

The session decides what the player may not: the currency (pinned at init, so the price shown
then is the one checked now, within the operator's FX tolerance), and who pays. An open of the
launch's target box is operator-funded while the launch's free opens last, taken one per round
inside the purchase's own transaction; every other open is player-funded through the wallet.
"""

import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from coffer.catalog.models import BoxVersion
from coffer.kit.db import table
from coffer.kit.direct import run
from coffer.kit.errors import ValidationFailed
from coffer.kit.money import convert
from coffer.operators.service import rates_now
from coffer.play.models import PlaySession
from coffer.play.sessions import PlayContext
from coffer.rounds import purchasing
from coffer.rounds.answers import Result
from coffer.rounds.commands import Purchase, Reel
from coffer.seamless.service import Gateway

VERSIONS, SESSIONS = table(BoxVersion), table(PlaySession)
PRICES = select(
    VERSIONS.c.id, VERSIONS.c.box_id, VERSIONS.c.price_minor, VERSIONS.c.currency
).where(
    VERSIONS.c.id.in_(bindparam("b_ids", expanding=True)),
    VERSIONS.c.operator_id == bindparam("b_operator"),
)
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
    expected, boxes = await _priced(gateway, context, asked.reels)
    target = context.launch.target_box_id
    free = context.free_opens_left > 0 and target is not None and boxes == {target}
    command = Purchase(
        player,
        asked.client_action_id,
        reels=asked.reels,
        currency=context.currency,
        funding="session",
        expected_price_minor=expected,
        grant=functools.partial(_take_free_open, context.session_id) if free else None,
    )
    return await purchasing.purchase(gateway, context.operator, command)


async def _priced(
    gateway: Gateway, context: PlayContext, reels: tuple[Reel, ...]
) -> tuple[int | None, set[int]]:
    """The price at the session's pinned rate (None when a version or currency is unknown:
    the purchase then refuses it with its own error), and the boxes the reels open."""
    ids = sorted({r.box_version_id for r in reels})
    async with gateway.sessions() as session:
        conn = await session.connection()
        params = {"b_ids": ids, "b_operator": context.operator.id}
        found = {row.id: row for row in await run(conn, PRICES, params)}
        rates = await rates_now(conn, context.operator.id)
    if any(r.box_version_id not in found for r in reels):
        return None, set()
    if any(found[r.box_version_id].currency not in rates for r in reels):
        return None, set()
    rows = [found[r.box_version_id] for r in reels]
    total = sum(convert(row.price_minor, rates[row.currency], context.rate) for row in rows)
    return total, {row.box_id for row in rows}


async def _take_free_open(session_id: int, conn: AsyncConnection) -> bool:
    return (await run(conn, TAKE_FREE_OPEN, {"b_id": session_id})).rowcount == 1

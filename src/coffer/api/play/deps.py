"""The player app's authentication: ``Authorization: Bearer ps_…`` names a live session."""

from typing import Annotated

from fastapi import Depends, Request

from coffer.api.deps import the_runtime
from coffer.api.ratelimit import count_request
from coffer.kit.db import utcnow
from coffer.play.api_tokens import API_GAME
from coffer.play.errors import SessionInvalid
from coffer.play.sessions import PlayContext, authenticate


async def player_session(request: Request) -> PlayContext:
    """One read outside any transaction (PostgreSQL: no BEGIN); the token never reaches a log.
    Any live player session: the player app's, or one the operator minted for a game client."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip().startswith("ps_"):
        raise SessionInvalid()
    runtime = the_runtime(request)
    async with runtime.engine.connect() as conn:
        reader = conn
        if conn.dialect.name == "postgresql":
            reader = await conn.execution_options(isolation_level="AUTOCOMMIT")
        context = await authenticate(reader, token.strip(), utcnow())
        caller = ("play", str(context.session_id))
        await count_request(reader, runtime.settings, caller, context.operator.rate_limits)
    return context


async def play_context(request: Request) -> PlayContext:
    """A player-app session: a token minted for a game client's orders is refused here, so it
    never reaches the app's real-money routes (opens, cashouts, shipping)."""
    context = await player_session(request)
    if context.launch.game_key == API_GAME:
        raise SessionInvalid(
            "This token was minted for the orders API (/inventory/v1) only; open the player "
            "app with a launch (POST /api/s2s/launches)."
        )
    return context


Play = Annotated[PlayContext, Depends(play_context)]
AnyPlayer = Annotated[PlayContext, Depends(player_session)]

"""The game server's session: ``POST session`` with the server key, then ``x-auth-token``.

The server key is an admin token scoped to one operator (the game), as PlayFab's secret key
is; a global token names no game and is refused. ``LL-Version`` may be either version
LootLocker's clients send (2021-03-01 in its docs, 2021-06-01 in its server SDK) or absent.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from coffer.api.deps import RuntimeDep
from coffer.api.lootlocker import RESPONSES
from coffer.api.ratelimit import count_request
from coffer.kit.db import utcnow, write_session
from coffer.kit.errors import AuthError, Forbidden, NotFound, ValidationFailed
from coffer.kit.schemas import JSON_SAFE_MAX, iso_z
from coffer.kit.secrets import token_hash
from coffer.operators import server_sessions
from coffer.operators import service as operators
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.players.service import player_by_id
from coffer.runtime import Runtime

VERSIONS = ("2021-03-01", "2021-06-01")
PathId = Annotated[int, Field(ge=1, le=JSON_SAFE_MAX)]  # a player, instance or table id
BodyId = Annotated[StrictInt, Field(ge=1, le=JSON_SAFE_MAX)]
BASE = "/compat/lootlocker/server"


class MissingToken(AuthError):
    code = "SESSION_INVALID"
    default_message = "Send x-auth-token with the token POST session returned."


def check_version(request: Request) -> None:
    """Refuse an ``LL-Version`` Coffer does not speak (an absent one is the latest)."""
    version = request.headers.get("ll-version")
    if version is not None and version not in VERSIONS:
        raise ValidationFailed(
            f"LL-Version {version!r} is not served; send one of {', '.join(VERSIONS)}."
        )


async def game_of(request: Request, runtime: RuntimeDep) -> Operator:
    """The operator (game) of the live session named by ``x-auth-token``."""
    check_version(request)
    token = request.headers.get("x-auth-token", "").strip()
    if not token:
        raise MissingToken()
    async with runtime.engine.connect() as conn:
        game = await server_sessions.authenticate(conn, token, utcnow())
        caller = ("s2s", f"lootlocker:{token_hash(token)[:24]}")  # a game server's own quota
        await count_request(conn, runtime.settings, caller, game.rate_limits)
    return game


Game = Annotated[Operator, Depends(game_of)]


async def player_of(runtime: Runtime, game: Operator, player_id: int) -> Player:
    """The game's player with that id; NOT_FOUND for another game's or none."""
    async with runtime.sessions() as session:
        found = await player_by_id(session, game.id, player_id)
    if found is None:
        raise NotFound(f"No player {player_id} in this game.")
    return found


router = APIRouter(prefix=BASE, tags=["LootLocker (compatibility)"], responses=RESPONSES)


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    game_version: Annotated[str, StringConstraints(max_length=64)] | None = None


@router.post("/session")
async def start_session(
    request: Request,
    runtime: RuntimeDep,
    x_server_key: Annotated[str, Header(max_length=200)] = "",
    body: SessionIn | None = None,
) -> dict[str, str]:
    """Trade the game's server key (an operator-scoped admin token) for a session token."""
    check_version(request)
    if not x_server_key.strip():
        raise MissingToken("Send x-server-key: an admin token scoped to your operator.")
    now = utcnow()
    async with write_session(runtime.sessions, runtime.writer) as session:
        configured = runtime.settings.admin_token
        principal = await operators.authenticate_admin(session, configured, x_server_key.strip())
        if principal.operator_id is None:
            raise Forbidden(
                "A global admin token names no game; use one scoped to the operator "
                "(coffer admin-token --operator <slug>)."
            )
        token = await server_sessions.start(session, principal.operator_id, now)
        await session.commit()
    return {"token": token}


@router.get("/ping")
async def ping(request: Request, runtime: RuntimeDep, game: Game) -> dict[str, str]:
    """Keep the session alive for another hour; answers the server's time."""
    now = utcnow()
    token = request.headers.get("x-auth-token", "").strip()
    async with write_session(runtime.sessions, runtime.writer) as session:
        await server_sessions.ping(session, token, now)
        await session.commit()
    return {"pong": iso_z(now)}

"""Who a PlayFab call acts for: a Client call's session ticket, a Server call's secret key.

A Server or Admin call's ``X-SecretKey`` is an admin token scoped to one operator (the title);
a global token names no title, so it is refused. A Server call names its player by PlayFabId.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints

from coffer.api.playfab import Failure
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.shapes import player_id_of
from coffer.api.ratelimit import count_on_own_connection, count_request
from coffer.kit.db import utcnow
from coffer.kit.errors import AdminTokenInvalid
from coffer.operators import service as operators
from coffer.operators.models import Operator
from coffer.play.sessions import authenticate
from coffer.players.service import player_by_id

PlayFabId = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{16}$")]


@dataclass(frozen=True)
class Actor:
    """The title (operator) and player a call acts for; ``trusted`` for the game server."""

    operator: Operator
    player_id: int
    external_id: str
    trusted: bool

    @property
    def who(self) -> tuple[int, str]:
        return self.player_id, self.external_id


Core = Callable[[Call, Actor], Awaitable[dict[str, Any]]]


async def client_actor(call: Call, now: datetime) -> Actor:
    """The session behind ``X-Authorization``; PlayFab's NotAuthenticated without one."""
    ticket = call.request.headers.get("x-authorization", "").strip()
    if not ticket:
        raise Failure("NotAuthenticated", 1074, "This API needs a session ticket.", 401)
    async with call.runtime.engine.connect() as conn:
        context = await authenticate(conn, ticket, now)
        caller = ("play", str(context.session_id))
        await count_request(conn, call.runtime.settings, caller, context.operator.rate_limits)
    player = context.player
    return Actor(context.operator, player.id, player.external_id, trusted=False)


async def title_of(call: Call) -> Operator:
    """The operator whose scoped admin token is the call's ``X-SecretKey``."""
    key = call.request.headers.get("x-secretkey", "").strip()
    if not key:
        raise Failure("NotAuthenticated", 1074, "This API needs the title's secret key.", 401)
    runtime = call.runtime
    async with runtime.sessions() as session:
        try:
            configured = runtime.settings.admin_token
            principal = await operators.authenticate_admin(session, configured, key)
        except AdminTokenInvalid as exc:
            raise Failure(
                "NotAuthenticated", 1074, "The secret key is unknown or revoked.", 401
            ) from exc
        if principal.operator_id is None:
            raise Failure(
                "NotAuthorized", 1089,
                "A global admin token names no title; use a token scoped to the operator "
                "(coffer admin-token --operator <slug>).",
                403,
            )  # fmt: skip
        operator = await session.get(Operator, principal.operator_id)
    if operator is None or operator.status != "active":
        raise Failure("NotAuthorized", 1089, "This title is not active.", 403)
    caller = ("admin", principal.actor.split(" ", 1)[0])
    await count_on_own_connection(runtime, caller, operator.rate_limits)
    return operator


class PlayerIn(Body):
    PlayFabId: PlayFabId


async def server_actor(call: Call) -> Actor:
    """The title's player the body's ``PlayFabId`` names; AccountNotFound for any other."""
    operator = await title_of(call)
    ask = call.parse(PlayerIn)
    async with call.runtime.sessions() as session:
        player = await player_by_id(session, operator.id, player_id_of(ask.PlayFabId) or 0)
    if player is None:
        raise Failure("AccountNotFound", 1001, f"No player with PlayFabId {ask.PlayFabId}.")
    return Actor(operator, player.id, player.external_id, trusted=True)


def as_client(core: Core) -> Handler:
    """The Client method: the core acting for the session's player."""

    async def handler(call: Call) -> dict[str, Any]:
        return await core(call, await client_actor(call, utcnow()))

    handler.__doc__ = core.__doc__
    return handler


def as_server(core: Core) -> Handler:
    """The Server method: the core acting for the player the body names, trusted."""

    async def handler(call: Call) -> dict[str, Any]:
        return await core(call, await server_actor(call))

    handler.__doc__ = core.__doc__
    return handler

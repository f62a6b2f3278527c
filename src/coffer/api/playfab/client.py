"""PlayFab's Client API: the calls a game client makes with its session ticket."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import StrictBool, StringConstraints

from coffer.api.playfab import Failure
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.shapes import balances, item_instance, playfab_id, recharge_times
from coffer.kit.db import utcnow, write_session
from coffer.kit.errors import NotFound
from coffer.kit.schemas import iso_z
from coffer.loot.holdings import holdings
from coffer.play.api_tokens import client_login
from coffer.play.sessions import PlayContext, authenticate

CustomId = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class LoginIn(Body):
    TitleId: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    CustomId: CustomId
    CreateAccount: StrictBool = False


async def login_with_custom_id(call: Call) -> dict[str, Any]:
    """A session ticket for the player whose external id is ``CustomId`` (created on demand)."""
    ask = call.parse(LoginIn)
    now = utcnow()
    runtime = call.runtime
    try:
        async with write_session(runtime.sessions, runtime.writer) as session:
            login = await client_login(session, ask.TitleId, ask.CustomId, ask.CreateAccount, now)
            await session.commit()
    except NotFound as exc:
        if exc.code != "NOT_FOUND":
            raise
        raise Failure("InvalidTitleId", 1004, exc.message) from exc
    return {
        "SessionTicket": login.started.token,
        "PlayFabId": playfab_id(login.player_id),
        "NewlyCreated": login.created,
        "SettingsForUser": {"NeedsAttribution": False},  # the SDK reads it when present
        "LastLoginTime": iso_z(now),
    }


async def player_of(call: Call, now: datetime) -> PlayContext:
    """The session behind ``X-Authorization``; PlayFab's NotAuthenticated without one."""
    ticket = call.request.headers.get("x-authorization", "").strip()
    if not ticket:
        raise Failure("NotAuthenticated", 1074, "This API needs a session ticket.", 401)
    async with call.runtime.engine.connect() as conn:
        return await authenticate(conn, ticket, now)


async def get_user_inventory(call: Call) -> dict[str, Any]:
    """Every live item instance and every balance, as the reference page shapes them."""
    now = utcnow()
    player = await player_of(call, now)
    runtime = call.runtime
    async with write_session(runtime.sessions, runtime.writer) as session:
        held = await holdings(session, player.operator.id, player.player.id, now)
        await session.commit()  # a balance read may open an account or post regeneration
    return {
        "Inventory": [item_instance(instance, item) for instance, item in held.instances],
        "VirtualCurrency": balances(held.balances),
        "VirtualCurrencyRechargeTimes": recharge_times(held.balances, now),
    }


METHODS: dict[str, Handler] = {
    "LoginWithCustomID": login_with_custom_id,
    "GetUserInventory": get_user_inventory,
}

"""PlayFab's Client API: the calls a game client makes with its session ticket."""

from typing import Annotated, Any

from pydantic import StrictBool, StringConstraints

from coffer.api.playfab import Failure
from coffer.api.playfab.access import Actor, as_client, as_server
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.shapes import balances, item_instance, playfab_id, recharge_times
from coffer.kit.db import utcnow, write_session
from coffer.kit.errors import NotFound
from coffer.kit.schemas import iso_z
from coffer.loot.holdings import holdings
from coffer.play.api_tokens import client_login

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


async def get_user_inventory(call: Call, actor: Actor) -> dict[str, Any]:
    """Every live item instance and every balance, as the reference page shapes them."""
    now = utcnow()
    runtime = call.runtime
    async with write_session(runtime.sessions, runtime.writer) as session:
        held = await holdings(session, actor.operator.id, actor.player_id, now)
        await session.commit()  # a balance read may open an account or post regeneration
    found = {
        "Inventory": [item_instance(instance, item) for instance, item in held.instances],
        "VirtualCurrency": balances(held.balances),
        "VirtualCurrencyRechargeTimes": recharge_times(held.balances, now),
    }
    if actor.trusted:  # the Server API's answer names the player too
        found["PlayFabId"] = playfab_id(actor.player_id)
    return found


CLIENT: dict[str, Handler] = {
    "LoginWithCustomID": login_with_custom_id,
    "GetUserInventory": as_client(get_user_inventory),
}
SERVER: dict[str, Handler] = {"GetUserInventory": as_server(get_user_inventory)}

"""PlayFab's calls that change what a player holds outright: consume items, move currency.

Each serves the Client API (the session's player) and the Server API (the player a PlayFabId
names); a client credits itself only where the operator allows it (SPEC §12).
"""

from typing import Annotated, Any

from pydantic import Field, StrictInt, StringConstraints
from ulid import ULID

from coffer.api.playfab import Failure
from coffer.api.playfab.access import Actor, as_client, as_server
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.shapes import playfab_id
from coffer.kit.db import utcnow, write_session
from coffer.kit.money import MAX_MINOR
from coffer.ledger import balances
from coffer.ledger.errors import UnknownVirtualCurrency
from coffer.loot.consuming import consume

InstanceId = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")]
Amount = Annotated[StrictInt, Field(ge=1, le=MAX_MINOR)]


class ConsumeIn(Body):
    ItemInstanceId: InstanceId
    ConsumeCount: Annotated[StrictInt, Field(ge=1, le=10**6)]


async def consume_item(call: Call, actor: Actor) -> dict[str, Any]:
    """Use ``ConsumeCount`` of an instance (a consumable's uses, else a stack's count)."""
    ask = call.parse(ConsumeIn)
    now = utcnow()
    runtime = call.runtime
    async with write_session(runtime.sessions, runtime.writer) as session:
        after = await consume(
            session, actor.operator.id, actor.who, int(ask.ItemInstanceId), ask.ConsumeCount, now
        )
        await session.commit()
    left = after.remaining_uses if after.remaining_uses is not None else after.count
    return {"ItemInstanceId": ask.ItemInstanceId, "RemainingUses": left}


class CurrencyIn(Body):
    VirtualCurrency: Annotated[str, StringConstraints(min_length=1, max_length=8)]
    Amount: Amount


async def _move(call: Call, actor: Actor, sign: int) -> dict[str, Any]:
    ask = call.parse(CurrencyIn)
    now = utcnow()
    if (
        sign > 0
        and not actor.trusted
        and not actor.operator.policies.get("client_currency_grants", False)
    ):
        raise Failure(
            "APINotEnabledForGameClientAccess", 1082,
            "This API method is not enabled for client access: the operator has not turned on "
            "its clientCurrencyGrants policy (SPEC §12); grant from the game server instead.",
            403,
        )  # fmt: skip
    change = balances.Change(
        actor.external_id, ask.VirtualCurrency, sign * ask.Amount, f"playfab:{ULID()}",
        reason="operator" if actor.trusted else "client",
    )  # fmt: skip
    runtime = call.runtime
    try:
        async with write_session(runtime.sessions, runtime.writer) as session:
            done = await balances.change(session, actor.operator, change, now)
            await session.commit()
    except UnknownVirtualCurrency as exc:
        raise Failure("InvalidVirtualCurrency", 1051, exc.message) from exc
    return {
        "PlayFabId": playfab_id(actor.player_id),
        "VirtualCurrency": done.currency,
        "BalanceChange": sign * ask.Amount,
        "Balance": done.balance_minor,
    }


async def add_user_virtual_currency(call: Call, actor: Actor) -> dict[str, Any]:
    """Credit the player; a client only where the operator lets clients credit themselves."""
    return await _move(call, actor, 1)


async def subtract_user_virtual_currency(call: Call, actor: Actor) -> dict[str, Any]:
    """Debit the player's balance; past it, InsufficientFunds and nothing moves."""
    return await _move(call, actor, -1)


CORES = {
    "ConsumeItem": consume_item,
    "AddUserVirtualCurrency": add_user_virtual_currency,
    "SubtractUserVirtualCurrency": subtract_user_virtual_currency,
}
CLIENT: dict[str, Handler] = {name: as_client(core) for name, core in CORES.items()}
SERVER: dict[str, Handler] = {name: as_server(core) for name, core in CORES.items()}

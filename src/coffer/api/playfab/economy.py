"""PlayFab's Client calls that change what a player holds: consume items, move currency."""

from typing import Annotated, Any

from pydantic import Field, StrictInt, StringConstraints
from ulid import ULID

from coffer.api.playfab import Failure
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.client import player_of
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


async def consume_item(call: Call) -> dict[str, Any]:
    """Use ``ConsumeCount`` of an instance (a consumable's uses, else a stack's count)."""
    ask = call.parse(ConsumeIn)
    now = utcnow()
    player = await player_of(call, now)
    runtime = call.runtime
    who = (player.player.id, player.player.external_id)
    async with write_session(runtime.sessions, runtime.writer) as session:
        after = await consume(
            session, player.operator.id, who, int(ask.ItemInstanceId), ask.ConsumeCount, now
        )
        await session.commit()
    left = after.remaining_uses if after.remaining_uses is not None else after.count
    return {"ItemInstanceId": ask.ItemInstanceId, "RemainingUses": left}


class CurrencyIn(Body):
    VirtualCurrency: Annotated[str, StringConstraints(min_length=1, max_length=8)]
    Amount: Amount


async def _move(call: Call, sign: int) -> dict[str, Any]:
    ask = call.parse(CurrencyIn)
    now = utcnow()
    player = await player_of(call, now)
    if sign > 0 and not player.operator.policies.get("client_currency_grants", False):
        raise Failure(
            "APINotEnabledForGameClientAccess", 1082,
            "This API method is not enabled for client access: the operator has not turned on "
            "its clientCurrencyGrants policy (SPEC §12); grant from the game server instead.",
            403,
        )  # fmt: skip
    change = balances.Change(
        player.player.external_id, ask.VirtualCurrency, sign * ask.Amount, f"playfab:{ULID()}",
        reason="client",
    )  # fmt: skip
    runtime = call.runtime
    try:
        async with write_session(runtime.sessions, runtime.writer) as session:
            done = await balances.change(session, player.operator, change, now)
            await session.commit()
    except UnknownVirtualCurrency as exc:
        raise Failure("InvalidVirtualCurrency", 1051, exc.message) from exc
    return {
        "PlayFabId": playfab_id(player.player.id),
        "VirtualCurrency": done.currency,
        "BalanceChange": sign * ask.Amount,
        "Balance": done.balance_minor,
    }


async def add_user_virtual_currency(call: Call) -> dict[str, Any]:
    """Refused unless the operator lets clients credit themselves."""
    return await _move(call, 1)


async def subtract_user_virtual_currency(call: Call) -> dict[str, Any]:
    """Debit the player's own balance; past it, InsufficientFunds and nothing moves."""
    return await _move(call, -1)


METHODS: dict[str, Handler] = {
    "ConsumeItem": consume_item,
    "AddUserVirtualCurrency": add_user_virtual_currency,
    "SubtractUserVirtualCurrency": subtract_user_virtual_currency,
}

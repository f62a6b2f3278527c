"""PlayFab's Server API calls that only a game server makes: its own login for a player, grants,
revocations, uses and custom data of a player's instances."""

from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.playfab import Failure, from_coffer
from coffer.api.playfab.access import Actor, PlayFabId, as_server, title_of
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.orders import granted, in_write, place
from coffer.api.playfab.shapes import item_instance, player_id_of, playfab_id
from coffer.catalog.items import item_by_ref
from coffer.kit.db import utcnow
from coffer.kit.errors import CofferError
from coffer.kit.schemas import iso_z
from coffer.loot import consuming
from coffer.loot.holdings import these
from coffer.orders import results
from coffer.orders.asks import EntryAsk
from coffer.play.api_tokens import login
from coffer.players.service import player_by_id

Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]
InstanceId = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")]
Value = Annotated[str, StringConstraints(max_length=5000)]


class ServerLoginIn(Body):
    ServerCustomId: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    CreateAccount: StrictBool = False


async def login_with_server_custom_id(call: Call) -> dict[str, Any]:
    """A session ticket for the title's player whose external id is ``ServerCustomId``."""
    operator = await title_of(call)
    ask = call.parse(ServerLoginIn)
    now = utcnow()

    async def work(session: AsyncSession) -> dict[str, Any]:
        done = await login(session, operator, ask.ServerCustomId, ask.CreateAccount, now)
        return {
            "SessionTicket": done.started.token,
            "PlayFabId": playfab_id(done.player_id),
            "NewlyCreated": done.created,
            "LastLoginTime": iso_z(now),
        }

    return await in_write(call, work)


class GrantIn(Body):
    ItemIds: Annotated[list[Ref], Field(min_length=1, max_length=100)]
    Annotation: Annotated[str, StringConstraints(max_length=256)] | None = None


async def grant_items_to_user(call: Call, actor: Actor) -> dict[str, Any]:
    """Grant one of each item (a bundle grants its contents); each item stands on its own."""
    ask = call.parse(GrantIn)
    now = utcnow()
    owner = playfab_id(actor.player_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        ids = [await item_by_ref(session, actor.operator.id, ref) for ref in ask.ItemIds]
        entries = [
            EntryAsk("create_new_persistent_inventory", 1, item_id=item.id if item else 0)
            for item in ids
        ]
        done = await place(session, actor, entries, now, whole=False)
        found: list[dict[str, Any]] = []
        for ref, entry in zip(ask.ItemIds, done, strict=True):
            if entry["result"] != results.SUCCESS:
                found.append({"ItemId": ref, "PlayFabId": owner, "Result": False})
                continue
            held = await these(session, actor.operator.id, actor.player_id, granted(entry))
            found += [
                {**item_instance(i, item), "PlayFabId": owner, "Result": True} for i, item in held
            ]
        return {"ItemGrantResults": found}

    return await in_write(call, work)


class InstanceIn(Body):
    ItemInstanceId: InstanceId


async def revoke_inventory_item(call: Call, actor: Actor) -> dict[str, Any]:
    """Take the whole instance away."""
    ask = call.parse(InstanceIn)

    async def work(session: AsyncSession) -> dict[str, Any]:
        await consuming.revoke(
            session, actor.operator.id, actor.who, int(ask.ItemInstanceId), utcnow()
        )
        return {}

    return await in_write(call, work)


class RevokeOne(Body):
    PlayFabId: PlayFabId
    ItemInstanceId: InstanceId


class RevokesIn(Body):
    Items: Annotated[list[RevokeOne], Field(min_length=1, max_length=200)]


async def revoke_inventory_items(call: Call) -> dict[str, Any]:
    """Take each instance away; each that cannot be is listed in ``Errors`` and the rest go."""
    operator = await title_of(call)
    ask = call.parse(RevokesIn)
    now = utcnow()

    async def work(session: AsyncSession) -> dict[str, Any]:
        errors = []
        for one in ask.Items:
            try:
                async with session.begin_nested():
                    player = await player_by_id(
                        session, operator.id, player_id_of(one.PlayFabId) or 0
                    )
                    if player is None:
                        raise Failure("AccountNotFound", 1001, f"No player {one.PlayFabId}.")
                    who = (player.id, player.external_id)
                    await consuming.revoke(session, operator.id, who, int(one.ItemInstanceId), now)
            except (Failure, CofferError) as exc:
                failure = exc if isinstance(exc, Failure) else from_coffer(exc)
                errors.append({
                    "Error": failure.error, "ErrorCode": failure.number,
                    "ErrorMessage": failure.message, "Item": one.model_dump(),
                })  # fmt: skip
        return {"Errors": errors}

    return await in_write(call, work)


class UsesIn(Body):
    ItemInstanceId: InstanceId
    UsesToAdd: Annotated[StrictInt, Field(ge=-(10**6), le=10**6)]


async def modify_item_uses(call: Call, actor: Actor) -> dict[str, Any]:
    """Add uses (a stack's count) or, with a negative number, use them up."""
    ask = call.parse(UsesIn)

    async def work(session: AsyncSession) -> dict[str, Any]:
        after = await consuming.modify_uses(
            session, actor.operator.id, actor.who, int(ask.ItemInstanceId), ask.UsesToAdd,
            utcnow(),
        )  # fmt: skip
        left = after.remaining_uses if after.remaining_uses is not None else after.count
        return {"ItemInstanceId": ask.ItemInstanceId, "RemainingUses": left}

    return await in_write(call, work)


class DataIn(Body):
    ItemInstanceId: InstanceId
    Data: Annotated[dict[Ref, Value | None], Field(max_length=10)] | None = None
    KeysToRemove: Annotated[list[Ref], Field(max_length=10)] | None = None


async def update_custom_data(call: Call, actor: Actor) -> dict[str, Any]:
    """Set keys of the instance's custom data; a null value or ``KeysToRemove`` drops a key."""
    ask = call.parse(DataIn)
    data = {k: v for k, v in (ask.Data or {}).items() if v is not None}
    removed = frozenset(ask.KeysToRemove or ()) | {
        k for k, v in (ask.Data or {}).items() if v is None
    }

    async def work(session: AsyncSession) -> dict[str, Any]:
        await consuming.rewrite_data(
            session, actor.operator.id, actor.who, int(ask.ItemInstanceId), data, removed,
            utcnow(),
        )  # fmt: skip
        return {}

    return await in_write(call, work)


SERVER: dict[str, Handler] = {
    "LoginWithServerCustomId": login_with_server_custom_id,
    "GrantItemsToUser": as_server(grant_items_to_user),
    "RevokeInventoryItem": as_server(revoke_inventory_item),
    "RevokeInventoryItems": revoke_inventory_items,
    "ModifyItemUses": as_server(modify_item_uses),
    "UpdateUserInventoryItemCustomData": as_server(update_custom_data),
}

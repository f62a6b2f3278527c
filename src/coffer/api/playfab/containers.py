"""PlayFab's UnlockContainerItem and UnlockContainerInstance, on the engine's container open.

The open spends the container and one of its key item (the player's fullest stack of it, not
a named instance), draws one entry of its drop table with the player's seeds (SPEC §10) and
grants it; each unlock is a new open, as PlayFab's API has no idempotency key.
"""

from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.api.playfab import Failure
from coffer.api.playfab.access import Actor, as_client, as_server
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.orders import in_write
from coffer.api.playfab.shapes import item_instance
from coffer.catalog.items import item_by_ref
from coffer.inventory import instances
from coffer.inventory.errors import NotEnoughItems
from coffer.kit.db import utcnow
from coffer.kit.errors import InventoryItemNotFound
from coffer.loot.containers import NotAContainer, OpenAsk, open_container
from coffer.loot.holdings import these

Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]
InstanceId = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")]


class ItemIn(Body):
    ContainerItemId: Ref


class InstanceIn(Body):
    ContainerItemInstanceId: InstanceId
    KeyItemInstanceId: Annotated[str, StringConstraints(max_length=64)] | None = None


async def _unlock(session: AsyncSession, call: Call, actor: Actor, instance: int) -> dict[str, Any]:
    """Open the instance; the unlock result in PlayFab's shape, or its container errors."""
    ask = OpenAsk(actor.operator.id, actor.player_id, actor.external_id, instance, f"pf_{ULID()}")
    try:
        answer = await open_container(session, call.runtime.secrets, ask, utcnow())
    except NotAContainer as exc:
        raise Failure("InvalidContainerItem", 1017, exc.message) from exc
    except InventoryItemNotFound as exc:
        raise Failure("ContainerNotOwned", 1018, exc.message) from exc
    except NotEnoughItems as exc:
        raise Failure("KeyNotOwned", 1019, f"The container needs its key: {exc.message}") from exc
    changes = answer["changes"]
    key = [c for c in changes[1:] if c["countAfter"] < c["countBefore"]]
    gained = [c for c in changes[1:] if c["countAfter"] > c["countBefore"]]
    ids = [c["inventoryItemId"] for c in gained if c["inventoryItemId"] is not None]
    held = await these(session, actor.operator.id, actor.player_id, ids)
    currencies: dict[str, int] = {}
    for change in gained:
        if change["inventoryItemId"] is None and change["currency"]:
            amount = change["countAfter"] - change["countBefore"]
            currencies[change["currency"]] = currencies.get(change["currency"], 0) + amount
    found: dict[str, Any] = {
        "UnlockedItemInstanceId": str(instance),
        "GrantedItems": [item_instance(i, item) for i, item in held],
        "VirtualCurrency": currencies,
    }
    if key and key[0]["inventoryItemId"] is not None:
        found["UnlockedWithItemInstanceId"] = str(key[0]["inventoryItemId"])
    return found


async def unlock_container_item(call: Call, actor: Actor) -> dict[str, Any]:
    """Open one container of the item the player holds (their fullest stack of it)."""
    ask = call.parse(ItemIn)

    async def work(session: AsyncSession) -> dict[str, Any]:
        item = await item_by_ref(session, actor.operator.id, ask.ContainerItemId)
        if item is None:
            raise Failure("ItemNotFound", 1047, f"No item {ask.ContainerItemId!r}.")
        stack = await instances.stack_of(session, actor.player_id, item.id, utcnow())
        if stack is None:
            raise Failure(
                "ContainerNotOwned", 1018, f"The player holds no {ask.ContainerItemId!r}."
            )
        return await _unlock(session, call, actor, stack.id)

    return await in_write(call, work)


async def unlock_container_instance(call: Call, actor: Actor) -> dict[str, Any]:
    """Open the named container instance."""
    ask = call.parse(InstanceIn)

    async def work(session: AsyncSession) -> dict[str, Any]:
        return await _unlock(session, call, actor, int(ask.ContainerItemInstanceId))

    return await in_write(call, work)


CORES = {
    "UnlockContainerItem": unlock_container_item,
    "UnlockContainerInstance": unlock_container_instance,
}
CLIENT: dict[str, Handler] = {name: as_client(core) for name, core in CORES.items()}
SERVER: dict[str, Handler] = {name: as_server(core) for name, core in CORES.items()}

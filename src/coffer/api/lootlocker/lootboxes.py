"""Loot boxes: a container instance's odds (inspect) and its open, on the engine's containers.

LootLocker's server API has no loot box routes of its own (its game API inspects and opens at
``asset/instance/{id}/inspect`` and ``…/open``); Coffer serves them beside the instance's
storage. An open spends the box and its key item, draws with the player's seeds (SPEC §10) and
grants the prize; its ``fairness`` verifies like a round's.
"""

from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.api.compat import in_write
from coffer.api.deps import RuntimeDep
from coffer.api.lootlocker import RESPONSES
from coffer.api.lootlocker.access import BASE, Game, PathId, player_of
from coffer.api.lootlocker.shapes import inventory_item
from coffer.catalog.items import items_by_id
from coffer.catalog.models import Loot
from coffer.inventory.instances import held
from coffer.kit import reads
from coffer.kit.db import utcnow
from coffer.loot.containers import NotAContainer, OpenAsk, open_container
from coffer.loot.holdings import these

router = APIRouter(prefix=BASE, tags=["LootLocker (compatibility)"], responses=RESPONSES)
PATH = "/player/{player_id}/assets/instances/{instance_id}"


@router.get(PATH + "/inspect")
async def inspect(player_id: PathId, instance_id: PathId, game: Game, runtime: RuntimeDep) -> Any:
    """What the box can give, each entry with its weight (its odds are weight / total)."""
    player = await player_of(runtime, game, player_id)
    async with runtime.sessions() as session:
        box = await held(session, player.id, instance_id, utcnow())
        item = (await items_by_id(session, game.id, {box.item_id}))[box.item_id]
        loot = await reads.get(session, Loot, item.loot_id) if item.loot_id else None
    if item.kind != "container" or loot is None or loot.kind != "drop_table":
        raise NotAContainer(fields={"instance_id": f"asset {item.id} is not a loot box"})
    return {
        "success": True,
        "contents": [
            {"asset_id": entry["itemId"], "asset_variation_id": None,
             "asset_rental_option_id": None, "quantity": entry["quantity"],
             "weight": entry["weight"]}
            for entry in loot.contents
        ],
    }  # fmt: skip


@router.put(PATH + "/open")
async def open_box(player_id: PathId, instance_id: PathId, game: Game, runtime: RuntimeDep) -> Any:
    """Open the box: answers what it granted and how to verify the draw."""
    player = await player_of(runtime, game, player_id)

    async def work(session: AsyncSession) -> Any:
        ask = OpenAsk(game.id, player.id, player.external_id, instance_id, f"ll_{ULID()}")
        answer = await open_container(session, runtime.secrets, ask, utcnow())
        gained = [c for c in answer["changes"][1:] if c["countAfter"] > c["countBefore"]]
        ids = [c["inventoryItemId"] for c in gained if c["inventoryItemId"] is not None]
        found = await these(session, game.id, player.id, ids)
        return {
            "success": True,
            "check_grant_notifications": False,
            "items": [inventory_item(i, item) for i, item in found],
            "fairness": answer["open"]["fairness"],
        }

    return await in_write(runtime, work)

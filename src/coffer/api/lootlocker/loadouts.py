"""A player's loadout: get it, equip an instance (or an asset's instance), unequip one."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StrictInt
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.compat import in_write
from coffer.api.deps import RuntimeDep
from coffer.api.lootlocker import RESPONSES
from coffer.api.lootlocker.access import BASE, BodyId, Game, PathId, player_of
from coffer.api.lootlocker.shapes import RENTAL, asset
from coffer.catalog.items import items_by_id
from coffer.inventory import loadouts
from coffer.kit.db import utcnow
from coffer.kit.errors import ValidationFailed
from coffer.kit.schemas import iso_z

router = APIRouter(prefix=BASE, tags=["LootLocker (compatibility)"], responses=RESPONSES)


async def _loadout(session: AsyncSession, operator_id: int, player_id: int) -> dict[str, Any]:
    """The loadout in LootLocker's shape: each equipped instance with its asset."""
    found: list[tuple[Any, datetime]] = await loadouts.equipped(session, player_id, utcnow())
    items = await items_by_id(session, operator_id, {i.item_id for i, _ in found})
    return {
        "items": [
            {"variation_id": None, "instance_id": instance.id, "mounted_at": iso_z(at),
             "asset": asset(items[instance.item_id]), "rental": dict(RENTAL)}
            for instance, at in found
            if instance.item_id in items
        ]
    }  # fmt: skip


@router.get("/player/{player_id}/loadout")
async def get_loadout(player_id: PathId, game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """The instances the player has equipped."""
    player = await player_of(runtime, game, player_id)
    async with runtime.sessions() as session:
        return await _loadout(session, game.id, player.id)


class EquipIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    instance_id: BodyId | None = None
    asset_id: BodyId | None = None
    asset_variation_id: StrictInt | None = None
    rental_option_id: StrictInt | None = None


@router.post("/player/{player_id}/loadout")
async def equip(
    player_id: PathId, body: EquipIn, game: Game, runtime: RuntimeDep
) -> dict[str, Any]:
    """Equip an instance, or the player's instance of an asset; answers the whole loadout."""
    if (body.instance_id is None) == (body.asset_id is None):
        raise ValidationFailed("Send instance_id or asset_id (one of them).")
    if body.asset_variation_id is not None or body.rental_option_id is not None:
        raise ValidationFailed("Coffer's assets have no variations or rental options.")
    player = await player_of(runtime, game, player_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        if body.instance_id is not None:
            await loadouts.equip(session, player.id, body.instance_id, utcnow())
        elif body.asset_id is not None:
            await loadouts.equip_item(session, player.id, body.asset_id, utcnow())
        return await _loadout(session, game.id, player.id)

    return await in_write(runtime, work)


@router.delete("/player/{player_id}/loadout/{instance_id}")
async def unequip(
    player_id: PathId, instance_id: PathId, game: Game, runtime: RuntimeDep
) -> dict[str, Any]:
    """Take an instance out of the loadout; answers the loadout left."""
    player = await player_of(runtime, game, player_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        await loadouts.unequip(session, player.id, instance_id)
        return await _loadout(session, game.id, player.id)

    return await in_write(runtime, work)

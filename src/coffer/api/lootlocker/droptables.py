"""Drop tables: compute and lock a drop for the player, then pick it (loot.locks).

Coffer's drop tables give one entry per draw, so a compute locks one drop
(``drop_table_max_picks`` is 1); its ``fairness`` verifies the draw like a round's.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.compat import in_write
from coffer.api.deps import RuntimeDep
from coffer.api.lootlocker import RESPONSES
from coffer.api.lootlocker.access import BASE, Game, PathId, player_of
from coffer.api.lootlocker.shapes import asset
from coffer.catalog.items import items_by_id
from coffer.kit.db import utcnow
from coffer.kit.schemas import JSON_SAFE_MAX
from coffer.loot import locks
from coffer.loot.holdings import these

router = APIRouter(prefix=BASE, tags=["LootLocker (compatibility)"], responses=RESPONSES)
PATH = "/player/{player_id}/droptables/{drop_table_id}"


@router.post(PATH + "/compute")
async def compute(
    player_id: PathId, drop_table_id: PathId, game: Game, runtime: RuntimeDep,
    tag: Annotated[str | None, Query(max_length=64)] = None, asset_details: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Draw the table for the player and lock the drop until it is picked."""
    player = await player_of(runtime, game, player_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        who = (player.id, player.external_id)
        locked = await locks.compute(
            session, runtime.secrets, game.id, who, drop_table_id, utcnow()
        )
        drop: dict[str, Any] = {
            "id": locked.lock_id, "asset_id": locked.item_id, "asset_variation_id": None,
            "asset_rental_option_id": None, "quantity": locked.quantity,
        }  # fmt: skip
        if asset_details:
            item = (await items_by_id(session, game.id, {locked.item_id}))[locked.item_id]
            drop["asset"] = asset(item)
        return {"items": [drop], "fairness": locked.fairness}

    return await in_write(runtime, work)


class PicksIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    picks: Annotated[
        list[Annotated[StrictInt, Field(ge=1, le=JSON_SAFE_MAX)]], Field(max_length=50)
    ]


@router.post(PATH + "/pick")
async def pick(
    player_id: PathId, drop_table_id: PathId, body: PicksIn, game: Game, runtime: RuntimeDep
) -> dict[str, Any]:
    """Grant the picked drops; each lock is granted once."""
    player = await player_of(runtime, game, player_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        who = (player.id, player.external_id)
        effects = await locks.pick(session, game.id, who, drop_table_id, body.picks, utcnow())
        ids = [e.after.id for e in effects if not e.account]
        found = await these(session, game.id, player.id, ids)
        return {
            "items": [
                {"instance_id": i.id, "variation_id": None, "rental_option_id": None,
                 "quantity": i.count, "asset": asset(item)}
                for i, item in found
            ]
        }  # fmt: skip

    return await in_write(runtime, work)

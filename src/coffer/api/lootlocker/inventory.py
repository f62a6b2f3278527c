"""A player's inventory: list it, add an asset, alter it (adds and removes, all or none), and
the game's assets and universal assets."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.compat import granted, in_write, place
from coffer.api.deps import RuntimeDep
from coffer.api.lootlocker import RESPONSES
from coffer.api.lootlocker.access import BASE, BodyId, Game, PathId, check_version, player_of
from coffer.api.lootlocker.shapes import (
    RENTAL,
    asset,
    bundle_contents,
    inventory_item,
    inventory_page,
)
from coffer.catalog.models import Item
from coffer.catalog.store import catalog
from coffer.kit.db import utcnow
from coffer.kit.errors import NotFound, ValidationFailed
from coffer.kit.schemas import JSON_SAFE_MAX
from coffer.loot import consuming
from coffer.loot.holdings import page, these
from coffer.operators.models import Operator
from coffer.orders import results, service
from coffer.orders.asks import EntryAsk
from coffer.players.models import Player

router = APIRouter(prefix=BASE, tags=["LootLocker (compatibility)"], responses=RESPONSES)
JSON_BODY = {"application/json": {"schema": {"type": "object"}}}
Count = Annotated[int, Query(ge=-(2**31), le=2**31)]
After = Annotated[int, Query(ge=0, le=JSON_SAFE_MAX)]


def page_size(count: int | None) -> int:
    """LootLocker's ``count``: 1-200, anything else 50."""
    return count if count is not None and 1 <= count <= 200 else 50


PAGE_DOC: dict[int | str, dict[str, Any]] = {
    200: {"description": "`{total, items: [InventoryItem]}`", "content": JSON_BODY}
}


@router.get("/player/{player_id}/inventory", response_class=Response, responses=PAGE_DOC)
async def list_inventory(
    player_id: PathId, game: Game, runtime: RuntimeDep,
    count: Count | None = None, after: After = 0,
) -> Response:  # fmt: skip
    """The player's live instances after instance ``after``, ``count`` at a time."""
    player = await player_of(runtime, game, player_id)
    async with runtime.sessions() as session:
        found, total = await page(session, game.id, player.id, after, page_size(count), utcnow())
    return Response(inventory_page(found, total), media_type="application/json")


class AssetIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    asset_id: BodyId
    asset_variation_id: StrictInt | None = None
    rental_option_id: StrictInt | None = None


def _entry(asked: AssetIn) -> EntryAsk:
    if asked.asset_variation_id is not None or asked.rental_option_id is not None:
        raise ValidationFailed("Coffer's assets have no variations or rental options.")
    return EntryAsk("create_new_persistent_inventory", 1, item_id=asked.asset_id)


async def _add(
    session: AsyncSession, game: Operator, player: Player, asked: list[AssetIn]
) -> list[int]:
    """Grant one of each asset, all or none; the instances granted."""
    who = service.Who(game.id, player.id, player.external_id)
    entries = [_entry(one) for one in asked]
    done = await place(
        session, who, entries, utcnow(), whole=True, trusted=True, source="LOOTLOCKER"
    )
    refused = [e["result"] for e in done if e["result"] not in (results.SUCCESS, results.ROLLBACK)]
    if refused:
        if refused[0] == results.ITEM_NOT_FOUND:
            raise NotFound("No such asset in this game; nothing changed.")
        raise ValidationFailed(f"The asset could not be added ({refused[0]}); nothing changed.")
    return [instance for entry in done for instance in granted(entry)]


@router.post("/player/{player_id}/inventory")
async def add_asset(
    player_id: PathId, body: AssetIn, game: Game, runtime: RuntimeDep
) -> dict[str, Any]:
    """Grant one of the asset (a bundle grants its contents)."""
    player = await player_of(runtime, game, player_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        ids = await _add(session, game, player, [body])
        held = await these(session, game.id, player.id, ids)
        items = [{**inventory_item(i, item), "mounted_at": ""} for i, item in held]
        return {"items": items}

    return await in_write(runtime, work)


class AlterIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    add: Annotated[list[AssetIn], Field(max_length=100)] = Field(default_factory=list)
    remove: Annotated[list[BodyId], Field(max_length=100)] = Field(default_factory=list)


@router.patch("/player/{player_id}/inventory")
async def alter_inventory(
    player_id: PathId, body: AlterIn, game: Game, runtime: RuntimeDep
) -> dict[str, Any]:
    """Remove the instances and add the assets in one transaction: if any part fails,
    nothing changes."""
    player = await player_of(runtime, game, player_id)
    who = (player.id, player.external_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        now = utcnow()
        for instance_id in dict.fromkeys(body.remove):
            await consuming.revoke(session, game.id, who, instance_id, now)
        ids = await _add(session, game, player, body.add) if body.add else []
        held = await these(session, game.id, player.id, ids)
        return {"added": [asset(item) for _, item in held], "removed": list(body.remove)}

    return await in_write(runtime, work)


@router.get("/inventory/universal")
async def universal_assets(game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """The assets every player holds: the game's ``always_owned`` items."""
    async with runtime.sessions() as session:
        found = await session.scalars(
            select(Item)
            .where(Item.operator_id == game.id, Item.inventory_type == "always_owned")
            .where(Item.is_active)
            .order_by(Item.id)
        )
        owned = list(found)
    return {
        "global_assets": [
            {"universal_id": item.id, "variation_id": None, "rental_option_id": None,
             "acquisition_source": "grant_default_loadout", "asset": asset(item),
             "rental": dict(RENTAL)}
            for item in owned
        ]
    }  # fmt: skip


@router.get("/assets")
async def list_assets(
    game: Game, runtime: RuntimeDep, count: Count | None = None, after: After = 0,
    context_id: Annotated[int | None, Query(ge=-1, le=2**31)] = None,
    include_ugc: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """The game's assets (its items, currencies apart) after asset ``after``."""
    async with runtime.sessions() as session:
        found = await catalog(session, game.id)
    listed = [item for item in found.items.values() if item.id > after]
    items = listed[: page_size(count)]
    return {
        "total": len(found.items),
        "items": [asset(i, bundle_contents(i, found.loots, found.items)) for i in items],
    }


__all__ = ["check_version", "router"]

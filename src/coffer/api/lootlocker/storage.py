"""An asset instance's storage: its key-value pairs, which are the instance's custom data.

A pair's id is derived from its key (a stable 31-bit hash), so the same key keeps its id and
no table of ids is needed; renaming a pair's key gives it a new id.
"""

import zlib
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.compat import in_write
from coffer.api.deps import RuntimeDep
from coffer.api.lootlocker import RESPONSES
from coffer.api.lootlocker.access import BASE, Game, PathId, player_of
from coffer.inventory.instances import held
from coffer.kit.db import utcnow
from coffer.kit.errors import NotFound
from coffer.loot.consuming import rewrite_data
from coffer.operators.models import Operator
from coffer.players.models import Player

router = APIRouter(prefix=BASE, tags=["LootLocker (compatibility)"], responses=RESPONSES)
PATH = "/player/{player_id}/assets/instances/{instance_id}/storage"
PairId = Annotated[int, Field(ge=0, le=2**31 - 1)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Value = Annotated[str, StringConstraints(max_length=5000)]


def pair_id(key: str) -> int:
    return zlib.crc32(key.encode()) & 0x7FFFFFFF


def pairs(data: dict[str, str]) -> list[dict[str, Any]]:
    return [{"id": pair_id(k), "key": k, "value": v} for k, v in sorted(data.items())]


def _named(data: dict[str, str], wanted: int) -> str:
    for key in data:
        if pair_id(key) == wanted:
            return key
    raise NotFound(f"No storage pair {wanted} on this instance.")


async def _data(runtime: RuntimeDep, game: Operator, player_id: int, instance: int) -> Any:
    player = await player_of(runtime, game, player_id)
    async with runtime.sessions() as session:
        found = await held(session, player.id, instance, utcnow())
    return player, dict(found.custom_data)


async def _write(
    runtime: RuntimeDep, game: Operator, player: Player, instance: int,
    data: dict[str, str], removed: frozenset[str],
) -> dict[str, str]:  # fmt: skip
    """Set ``data`` and drop ``removed`` on the instance; its data afterwards."""

    async def work(session: AsyncSession) -> dict[str, str]:
        who = (player.id, player.external_id)
        after = await rewrite_data(session, game.id, who, instance, data, removed, utcnow())
        return dict(after.custom_data)

    return await in_write(runtime, work)


@router.get(PATH)
async def list_pairs(
    player_id: PathId, instance_id: PathId, game: Game, runtime: RuntimeDep
) -> Any:
    """Every pair of the instance."""
    _, data = await _data(runtime, game, player_id, instance_id)
    return {"storage": pairs(data)}


@router.get(PATH + "/{pair}")
async def get_pair(
    player_id: PathId, instance_id: PathId, pair: PairId, game: Game, runtime: RuntimeDep
) -> Any:
    """One pair, by its id."""
    _, data = await _data(runtime, game, player_id, instance_id)
    key = _named(data, pair)
    return {"storage": {"id": pair, "key": key, "value": data[key]}}


class PairIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: Key
    value: Value


class PairsIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    storage: Annotated[list[PairIn], Field(min_length=1, max_length=100)]


@router.post(PATH)
async def create_pair(
    player_id: PathId, instance_id: PathId, body: PairIn, game: Game, runtime: RuntimeDep
) -> Any:
    """Set one pair; answers every pair."""
    player, _ = await _data(runtime, game, player_id, instance_id)
    after = await _write(runtime, game, player, instance_id, {body.key: body.value}, frozenset())
    return {"storage": pairs(after)}


@router.put(PATH)
async def update_pairs(
    player_id: PathId, instance_id: PathId, body: PairsIn, game: Game, runtime: RuntimeDep
) -> Any:
    """Set pairs by their keys; answers every pair."""
    player, _ = await _data(runtime, game, player_id, instance_id)
    data = {one.key: one.value for one in body.storage}
    return {"storage": pairs(await _write(runtime, game, player, instance_id, data, frozenset()))}


@router.put(PATH + "/{pair}")
async def update_pair(
    player_id: PathId,
    instance_id: PathId,
    pair: PairId,
    body: PairIn,
    game: Game,
    runtime: RuntimeDep,
) -> Any:
    """Replace one pair (its key may change, and its id with it)."""
    player, data = await _data(runtime, game, player_id, instance_id)
    old = _named(data, pair)
    gone = frozenset() if old == body.key else frozenset({old})
    await _write(runtime, game, player, instance_id, {body.key: body.value}, gone)
    return {"storage": {"id": pair_id(body.key), "key": body.key, "value": body.value}}


@router.delete(PATH + "/{pair}")
async def delete_pair(
    player_id: PathId, instance_id: PathId, pair: PairId, game: Game, runtime: RuntimeDep
) -> Any:
    """Remove one pair; answers the pairs left."""
    player, data = await _data(runtime, game, player_id, instance_id)
    key = _named(data, pair)
    return {
        "storage": pairs(await _write(runtime, game, player, instance_id, {}, frozenset({key})))
    }

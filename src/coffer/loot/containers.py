"""Opening a container (SPEC §12): it and its key are spent, one entry of its drop table is
drawn with the player's seeds (SPEC §10) and granted, and the open is kept for anyone to verify.

The open's idempotency key is claimed by a unique constraint before anything moves, so a repeat
(a concurrent one too) answers the first open; the draw takes the player's next nonce, exactly
as a box round does, so rounds and opens share one sequence of nonces.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.catalog.items import items_by_id
from coffer.catalog.models import Item, Loot
from coffer.fairness.algorithm import ALGORITHM_KEY
from coffer.fairness.models import SeedPair
from coffer.fairness.service import next_nonce
from coffer.inventory import instances
from coffer.inventory.instances import Grant
from coffer.kit import reads
from coffer.kit.db import insert_ignoring_conflict, rows_changed
from coffer.kit.errors import IdempotencyKeyReused, NotFound, ValidationFailed
from coffer.kit.secrets import SecretBox
from coffer.loot import drops
from coffer.loot.effects import Effect, Mover, spend
from coffer.loot.events import tell
from coffer.loot.filling import grant_item
from coffer.loot.models import ContainerOpen
from coffer.players.service import hold_player

CONTAINER = "container"
DROP_TABLE = "drop_table"


class NotAContainer(ValidationFailed):
    default_message = "That inventory item is not a container; only containers open."


@dataclass(frozen=True)
class OpenAsk:
    operator_id: int
    player_id: int
    external_id: str
    instance_id: int
    key: str


async def open_container(
    session: AsyncSession, secrets: SecretBox, ask: OpenAsk, now: datetime
) -> dict[str, Any]:
    """Open the container once per key; a repeat answers the first open."""
    await hold_player(session, ask.player_id)
    public_id = f"co_{ULID()}"
    row = {
        "public_id": public_id,
        "operator_id": ask.operator_id,
        "player_id": ask.player_id,
        "idempotency_key": ask.key,
        "created_at": now,
    }
    keys = ["player_id", "idempotency_key"]
    claimed = await session.execute(insert_ignoring_conflict(session, ContainerOpen, row, keys))
    if not rows_changed(claimed):
        return await _first(session, ask)
    mover = Mover(ask.operator_id, ask.player_id, f"open:{public_id}", "container", now, True)
    effects, item, loot = await _spend(session, mover, ask)
    answer, drawn, values = await _draw(session, secrets, mover, item, loot, public_id)
    effects += drawn
    answer["changes"] = [_change(e) for e in effects]
    answer["open"]["containerInventoryItemId"] = ask.instance_id
    await session.execute(  # the draw and its answer, in one write
        update(ContainerOpen)
        .where(ContainerOpen.public_id == public_id)
        .values(**values, answer=answer)
    )
    await tell(session, ask.operator_id, (ask.player_id, ask.external_id), public_id, effects)
    return answer


async def _first(session: AsyncSession, ask: OpenAsk) -> dict[str, Any]:
    answer = await session.scalar(
        select(ContainerOpen.answer).where(
            ContainerOpen.player_id == ask.player_id, ContainerOpen.idempotency_key == ask.key
        )
    )
    assert answer, "an open claimed by a committed transaction has its answer"
    if answer["open"]["containerInventoryItemId"] != ask.instance_id:
        raise IdempotencyKeyReused("This idempotency key opened another container; use a new key.")
    return dict(answer)


async def _spend(
    session: AsyncSession, mover: Mover, ask: OpenAsk
) -> tuple[list[Effect], Item, Loot]:
    """Take the container (and its key, if it needs one); refused before anything is drawn."""
    held = await instances.held(session, ask.player_id, ask.instance_id, mover.now)
    item = (await items_by_id(session, ask.operator_id, {held.item_id}, mover.items))[held.item_id]
    loot = await reads.get(session, Loot, item.loot_id) if item.loot_id is not None else None
    if item.kind != CONTAINER or loot is None or loot.kind != DROP_TABLE:
        raise NotAContainer(fields={"inventoryItemId": f"item {item.id} is not a container"})
    taken = await instances.take(session, ask.player_id, held.id, 1, mover.now)
    effects = [Effect(item.id, taken.before, taken.after)]
    if item.key_item_id is not None:
        key = await items_by_id(session, ask.operator_id, {item.key_item_id}, mover.items)
        effects.append(await spend(session, mover, key[item.key_item_id], 1, "key"))
    return effects, item, loot


async def _draw(
    session: AsyncSession, secrets: SecretBox, mover: Mover, item: Item, loot: Loot, public_id: str
) -> tuple[dict[str, Any], list[Effect], dict[str, Any]]:
    """Draw the prize (SPEC §10), grant it, and answer with what the open row records."""
    ids = {entry["itemId"] for entry in loot.contents}
    contents = await items_by_id(session, mover.operator_id, ids, mover.items)
    names = {i: found.name for i, found in contents.items()}
    published = drops.snapshot(loot.id, loot.version, loot.name, loot.contents, names)
    drawing = await next_nonce(session, secrets, mover.player_id)
    weights = [entry["weight"] for entry in loot.contents]
    chosen = drops.pick(drawing.server_seed, drawing.client_seed, drawing.nonce, weights)
    entry = loot.contents[chosen.index]
    prize = Grant(contents[entry["itemId"]], entry["quantity"], CONTAINER)
    effects = await grant_item(session, mover, prize, "prize")
    values = {
        "seed_pair_id": drawing.pair_id, "nonce": drawing.nonce, "snapshot": published.text,
        "snapshot_hash": published.hash, "ticket": chosen.ticket, "prize_index": chosen.index,
    }  # fmt: skip
    answer = {
        "open": {
            "openId": public_id,
            "containerItemId": item.id,
            "prize": {
                "itemId": entry["itemId"],
                "quantity": entry["quantity"],
                "name": names.get(entry["itemId"], ""),
            },
            "fairness": {
                "algorithmKey": ALGORITHM_KEY,
                "serverSeedHash": drawing.server_seed_hash,
                "clientSeed": drawing.client_seed,
                "nonce": drawing.nonce,
                "ticket": chosen.ticket,
                "prizeId": chosen.index + 1,
                "snapshotHash": published.hash,
                "snapshotUrl": f"/fairness/container-opens/{public_id}/snapshot",
            },
        }
    }
    return answer, effects, values


def _change(effect: Effect) -> dict[str, Any]:
    return {
        "inventoryItemId": None if effect.account else effect.after.id,
        "itemId": effect.item_id,
        "countBefore": effect.before.count if effect.before else 0,
        "countAfter": effect.after.count,
        "currency": effect.currency,
    }


@dataclass(frozen=True)
class PublicOpen:
    public_id: str
    server_seed_hash: str
    server_seed: str | None  # once the pair was rotated
    client_seed: str
    nonce: int
    ticket: int
    prize_id: int
    snapshot: str
    snapshot_hash: str


async def public_open(session: AsyncSession, public_id: str) -> PublicOpen:
    """An open's draw values for anyone holding its id; NOT_FOUND for any other id."""
    found = (
        await session.execute(
            select(ContainerOpen, SeedPair)
            .join(SeedPair, SeedPair.id == ContainerOpen.seed_pair_id)
            .where(ContainerOpen.public_id == public_id)
        )
    ).first()
    if found is None:
        raise NotFound(f"No container open {public_id}.")
    opened, pair = found
    assert opened.nonce is not None
    assert opened.ticket is not None
    assert opened.prize_index is not None
    assert opened.snapshot is not None
    assert opened.snapshot_hash is not None
    return PublicOpen(
        opened.public_id, pair.server_seed_hash, pair.revealed_server_seed, pair.client_seed,
        opened.nonce, opened.ticket, opened.prize_index + 1, opened.snapshot,
        opened.snapshot_hash,
    )  # fmt: skip

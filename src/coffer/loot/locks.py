"""Drop tables computed and locked for a player, then picked (LootLocker's drop tables).

A compute draws one entry of a drop table with the player's seeds (SPEC §10), exactly as a
container open draws, and keeps it unsettled as an open without a container, verifiable at
the same public address. A pick grants it once: a conditional update settles it. A new compute
of the same table settles the player's earlier unpicked lock of it, which is then never granted.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.catalog.items import items_by_id
from coffer.catalog.models import Loot
from coffer.fairness.algorithm import ALGORITHM_KEY
from coffer.fairness.service import next_nonce
from coffer.inventory.instances import Grant
from coffer.kit import reads
from coffer.kit.errors import NotFound
from coffer.kit.secrets import SecretBox
from coffer.loot import drops
from coffer.loot.effects import Effect, Mover
from coffer.loot.events import tell
from coffer.loot.filling import grant_item
from coffer.loot.models import ContainerOpen
from coffer.players.service import hold_player

Who = tuple[int, str]  # the player's id and external id


@dataclass(frozen=True)
class Locked:
    lock_id: int
    item_id: int
    quantity: int
    fairness: dict[str, Any]


def _unsettled(player_id: int, prefix: str) -> Any:
    return (
        (ContainerOpen.player_id == player_id)
        & ContainerOpen.idempotency_key.startswith(prefix)
        & ContainerOpen.settled_at.is_(None)
    )


async def compute(
    session: AsyncSession, secrets: SecretBox, operator_id: int, player: Who, loot_id: int,
    now: datetime,
) -> Locked:  # fmt: skip
    """Draw one entry of the drop table and lock it for the player."""
    await hold_player(session, player[0])
    loot = await reads.get(session, Loot, loot_id)
    if loot is None or loot.operator_id != operator_id or loot.kind != "drop_table":
        raise NotFound(f"No drop table {loot_id}.")
    prefix = f"lock:{loot.id}:"
    await session.execute(
        update(ContainerOpen).where(_unsettled(player[0], prefix)).values(settled_at=now)
    )
    names = {i: item.name for i, item in (await items_by_id(
        session, operator_id, {entry["itemId"] for entry in loot.contents}
    )).items()}  # fmt: skip
    published = drops.snapshot(loot.id, loot.version, loot.name, loot.contents, names)
    drawing = await next_nonce(session, secrets, player[0])
    weights = [entry["weight"] for entry in loot.contents]
    chosen = drops.pick(drawing.server_seed, drawing.client_seed, drawing.nonce, weights)
    entry = loot.contents[chosen.index]
    public_id = f"co_{ULID()}"
    fairness = {
        "algorithmKey": ALGORITHM_KEY, "serverSeedHash": drawing.server_seed_hash,
        "clientSeed": drawing.client_seed, "nonce": drawing.nonce, "ticket": chosen.ticket,
        "prizeId": chosen.index + 1, "snapshotHash": published.hash,
        "snapshotUrl": f"/fairness/container-opens/{public_id}/snapshot",
    }  # fmt: skip
    lock = {"lootId": loot.id, "itemId": entry["itemId"], "quantity": entry["quantity"]}
    row = await session.execute(
        insert(ContainerOpen).values(
            public_id=public_id, operator_id=operator_id, player_id=player[0],
            idempotency_key=prefix + public_id, seed_pair_id=drawing.pair_id,
            nonce=drawing.nonce, snapshot=published.text, snapshot_hash=published.hash,
            ticket=chosen.ticket, prize_index=chosen.index, created_at=now,
            answer={"lock": lock, "open": {"openId": public_id, "fairness": fairness}},
        ).returning(ContainerOpen.id)
    )  # fmt: skip
    return Locked(int(row.scalar_one()), entry["itemId"], entry["quantity"], fairness)


async def pick(
    session: AsyncSession, operator_id: int, player: Who, loot_id: int, lock_ids: list[int],
    now: datetime,
) -> list[Effect]:  # fmt: skip
    """Grant each lock of this table once; NOT_FOUND for one that is not the player's to pick."""
    await hold_player(session, player[0])
    effects: list[Effect] = []
    for lock_id in dict.fromkeys(lock_ids):
        taken = await session.execute(
            update(ContainerOpen)
            .where(ContainerOpen.id == lock_id, _unsettled(player[0], f"lock:{loot_id}:"))
            .values(settled_at=now)
            .returning(ContainerOpen.answer, ContainerOpen.public_id)
        )
        row = taken.one_or_none()
        if row is None:
            raise NotFound(f"Drop {lock_id} is not locked for this player (or was picked).")
        lock = row.answer["lock"]
        items = await items_by_id(session, operator_id, {lock["itemId"]})
        if lock["itemId"] not in items:
            raise NotFound(f"The drop's item {lock['itemId']} no longer exists.")
        mover = Mover(operator_id, player[0], f"drop:{row.public_id}", "drop_table", now, True)
        prize = Grant(items[lock["itemId"]], lock["quantity"], "drop_table")
        effects += await grant_item(session, mover, prize, "prize")
    if effects:
        await tell(session, operator_id, player, f"drop_{ULID()}", effects)
    return effects

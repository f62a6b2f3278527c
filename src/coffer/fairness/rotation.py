"""Rotating a player's seed pair once per clientActionId: a retry answers as the first one did.

The action row is inserted before the rotation, in the same transaction; a concurrent request
with the same key waits on the unique index (PostgreSQL) or the single writer (SQLite), then
finds the row and answers from it, so one key never rotates twice.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.fairness import algorithm, service
from coffer.fairness.models import SeedPair, SeedRotation
from coffer.kit.canonical import canonical_json, compact_json
from coffer.kit.db import insert_ignoring_conflict, utcnow
from coffer.kit.errors import IdempotencyKeyReused
from coffer.kit.secrets import SecretBox
from coffer.players.models import Player


@dataclass(frozen=True)
class SeedState:
    """What the player's next draw commits to."""

    server_seed_hash: str
    client_seed: str
    next_nonce: int
    algorithm_key: str = algorithm.ALGORITHM_KEY


@dataclass(frozen=True)
class Rotated:
    """The revealed pair (with its seed, now public) and the pair that replaced it."""

    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonces_used: int
    revealed_at: datetime
    current: SeedState


def state_of(pair: SeedPair) -> SeedState:
    return SeedState(pair.server_seed_hash, pair.client_seed, pair.next_nonce)


async def rotate_once(
    session: AsyncSession,
    box: SecretBox,
    player: Player,
    client_action_id: str,
    client_seed: str | None,
) -> Rotated:
    """Rotate unless this clientActionId already did; then answer what it answered."""
    digest = hashlib.sha256(canonical_json({"rotate": client_seed})).hexdigest()
    values = {
        "operator_id": player.operator_id,
        "player_id": player.id,
        "client_action_id": client_action_id,
        "request_hash": digest,
        "created_at": utcnow(),
    }
    keys = ["player_id", "client_action_id"]
    claimed = await session.scalar(
        insert_ignoring_conflict(session, SeedRotation, values, keys).returning(SeedRotation.id)
    )
    if claimed is None:
        return await _earlier(session, player, client_action_id, digest)
    rotation = await service.rotate(session, box, player, client_seed)
    old = rotation.revealed
    assert old.revealed_at is not None
    rotated = Rotated(
        rotation.revealed_server_seed,
        old.server_seed_hash,
        old.client_seed,
        old.next_nonce,
        old.revealed_at,
        state_of(rotation.current),
    )
    answer = {**asdict(rotated), "revealed_at": rotated.revealed_at.isoformat()}
    await session.execute(
        update(SeedRotation).where(SeedRotation.id == claimed).values(answer=compact_json(answer))
    )
    return rotated


async def _earlier(
    session: AsyncSession, player: Player, client_action_id: str, digest: str
) -> Rotated:
    row = await session.scalar(
        select(SeedRotation).where(
            SeedRotation.player_id == player.id,
            SeedRotation.client_action_id == client_action_id,
        )
    )
    assert row is not None
    assert row.answer is not None
    if row.request_hash != digest:
        raise IdempotencyKeyReused(
            f"clientActionId {client_action_id!r} was used with a different request; "
            "use a new clientActionId for a new rotation."
        )
    data = json.loads(row.answer)
    data["revealed_at"] = datetime.fromisoformat(data["revealed_at"])
    data["current"] = SeedState(**data["current"])
    return Rotated(**data)

"""Seed pairs: created lazily, one active per player, nonces reserved by conditional update."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.fairness import algorithm
from coffer.fairness.models import SeedPair
from coffer.kit.db import connection, insert_ignoring_conflict, rows_changed, table, utcnow
from coffer.kit.direct import run
from coffer.kit.errors import Conflict, InvalidClientSeed
from coffer.kit.secrets import SecretBox
from coffer.players.models import Player

RandBytes = Callable[[int], bytes]
ACTIVE = text("status = 'active'")
ROTATE_ATTEMPTS = 50  # a concurrent rotation wins the row; we then rotate the pair it made


@dataclass(frozen=True)
class Rotation:
    """The pair that was just revealed and the pair that replaced it."""

    revealed: SeedPair
    revealed_server_seed: str
    current: SeedPair


async def _insert_pair(
    session: AsyncSession, box: SecretBox, player: Player, client_seed: str, rand: RandBytes
) -> None:
    server_seed = algorithm.new_server_seed(rand)
    values = {
        "operator_id": player.operator_id,
        "player_id": player.id,
        "server_seed_sealed": box.seal(server_seed),
        "server_seed_hash": algorithm.server_seed_hash(server_seed),
        "client_seed": client_seed,
        "next_nonce": 0,
        "status": "active",
        "created_at": utcnow(),
    }
    stmt = insert_ignoring_conflict(session, SeedPair, values, ["player_id"], ACTIVE)
    await session.execute(stmt)


async def active_pair(
    session: AsyncSession, box: SecretBox, player: Player, rand: RandBytes = secrets.token_bytes
) -> SeedPair:
    """The player's active pair, created on first use; concurrent callers share one."""
    pair = await _find_active(session, player)
    if pair is None:
        await _insert_pair(session, box, player, algorithm.new_client_seed(rand), rand)
        pair = await _find_active(session, player)
    assert pair is not None
    return pair


async def _find_active(session: AsyncSession, player: Player) -> SeedPair | None:
    stmt = (
        select(SeedPair)
        .where(SeedPair.player_id == player.id, SeedPair.status == "active")
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def reserve_nonce(session: AsyncSession, pair: SeedPair) -> int:
    """Take the pair's next nonce exactly once; fails if the pair was revealed meanwhile."""
    result = await session.execute(
        update(SeedPair)
        .where(SeedPair.id == pair.id, SeedPair.status == "active")
        .values(next_nonce=SeedPair.next_nonce + 1)
        .returning(SeedPair.next_nonce)
    )
    row = result.one_or_none()
    if row is None:
        raise Conflict("The seed pair was rotated while drawing; retry the request.")
    return int(row[0]) - 1


async def take_nonce(session: AsyncSession, box: SecretBox, player: Player) -> tuple[SeedPair, int]:
    """The active pair and its next nonce; a rotation in between moves us to the new pair."""
    for _attempt in range(ROTATE_ATTEMPTS):
        pair = await active_pair(session, box, player)
        try:
            return pair, await reserve_nonce(session, pair)
        except Conflict:
            continue
    raise Conflict("The seed pair keeps being rotated concurrently; retry the request.")


PAIRS = table(SeedPair)
TAKE_NONCE = (
    update(PAIRS)
    .where(PAIRS.c.player_id == bindparam("b_player"), PAIRS.c.status == "active")
    .values(next_nonce=PAIRS.c.next_nonce + 1)
    .returning(
        PAIRS.c.id,
        PAIRS.c.server_seed_sealed,
        PAIRS.c.server_seed_hash,
        PAIRS.c.client_seed,
        PAIRS.c.next_nonce,
    )
)


@dataclass(frozen=True)
class Drawing:
    """The pair a draw uses and the nonce it took (purchase path)."""

    pair_id: int
    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonce: int


async def next_nonce(session: AsyncSession, box: SecretBox, player_id: int) -> Drawing:
    """Take the active pair's next nonce in one statement; a player without a pair gets one."""
    conn: AsyncConnection = await connection(session)
    taken = (await run(conn, TAKE_NONCE, {"b_player": player_id})).one_or_none()
    if taken is not None:
        seed = box.open(taken.server_seed_sealed)
        return Drawing(
            taken.id, seed, taken.server_seed_hash, taken.client_seed, taken.next_nonce - 1
        )
    player = await session.get(Player, player_id)
    assert player is not None
    pair, nonce = await take_nonce(session, box, player)
    seed = box.open(pair.server_seed_sealed)
    return Drawing(pair.id, seed, pair.server_seed_hash, pair.client_seed, nonce)


async def rotate(
    session: AsyncSession,
    box: SecretBox,
    player: Player,
    client_seed: str | None = None,
    rand: RandBytes = secrets.token_bytes,
) -> Rotation:
    """Reveal the active server seed and start a new pair (with the player's client seed)."""
    if client_seed is not None and not algorithm.is_valid_client_seed(client_seed):
        raise InvalidClientSeed(fields={"clientSeed": "1-64 printable ASCII characters"})
    for _attempt in range(ROTATE_ATTEMPTS):
        old = await active_pair(session, box, player, rand)
        server_seed = box.open(old.server_seed_sealed)
        revealed = await session.execute(
            update(SeedPair)
            .where(SeedPair.id == old.id, SeedPair.status == "active")
            .values(status="revealed", revealed_at=utcnow(), revealed_server_seed=server_seed)
        )
        if rows_changed(revealed) == 1:
            break
    else:
        raise Conflict("The seed pair keeps being rotated concurrently; read the state again.")
    await _insert_pair(session, box, player, client_seed or algorithm.new_client_seed(rand), rand)
    current = await _find_active(session, player)
    assert current is not None
    await session.refresh(old)
    return Rotation(revealed=old, revealed_server_seed=server_seed, current=current)

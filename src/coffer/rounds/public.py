"""A round's draw in public (SPEC §10): what anyone holding its id needs to recompute it.

The server seed appears only once its pair was rotated (revealed); before that the round shows
the seed's hash, which it committed to. No player, amount or operator is shown.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.fairness.models import SeedPair
from coffer.kit.errors import RoundNotFound
from coffer.rounds.models import Round, RoundReel


@dataclass(frozen=True)
class PublicReel:
    reel_index: int
    box_version_id: int
    snapshot_hash: str
    ticket: int | None
    prize_id: int | None


@dataclass(frozen=True)
class PublicRound:
    public_id: str
    status: str
    settled_at: datetime | None
    algorithm_key: str | None
    server_seed_hash: str | None
    server_seed: str | None  # once revealed
    client_seed: str | None
    nonce: int | None
    reels: tuple[PublicReel, ...]


async def public_round(session: AsyncSession, public_id: str) -> PublicRound:
    """The round's public draw values; ROUND_NOT_FOUND for an id no round has."""
    found = (
        await session.execute(
            select(Round, SeedPair.revealed_server_seed)
            .outerjoin(SeedPair, SeedPair.id == Round.seed_pair_id)
            .where(Round.public_id == public_id)
        )
    ).first()
    if found is None:
        raise RoundNotFound(f"No round {public_id}.")
    round_, revealed = found
    reels = (
        await session.scalars(
            select(RoundReel).where(RoundReel.round_id == round_.id).order_by(RoundReel.reel_index)
        )
    ).all()
    return PublicRound(
        round_.public_id,
        round_.status,
        round_.settled_at,
        round_.algorithm_key,
        round_.server_seed_hash,
        revealed,
        round_.client_seed,
        round_.nonce,
        tuple(
            PublicReel(r.reel_index, r.box_version_id, r.snapshot_hash, r.ticket, r.prize_id)
            for r in reels
        ),
    )

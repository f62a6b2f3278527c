"""Drawing a round: claim it by conditional update, take one nonce, pick each reel's prize."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.cards import Card, Prize, card
from coffer.catalog.models import Item
from coffer.catalog.snapshot import cash_name
from coffer.fairness import algorithm
from coffer.fairness import service as fairness
from coffer.inventory.models import Entitlement, InventoryItem
from coffer.inventory.rules import VAULT_TYPES, cashback_minor
from coffer.inventory.states import UNRESOLVED
from coffer.kit.db import connection, rows_changed, utcnow
from coffer.kit.money import Rate
from coffer.kit.secrets import SecretBox
from coffer.operators.service import convert_checked
from coffer.players.models import Player
from coffer.rounds.answers import ReelView, WonItemView
from coffer.rounds.models import Round, RoundReel


@dataclass(frozen=True)
class Settlement:
    """What a draw produced: the reel and won-item views, the cash to credit, bonuses owed."""

    reels: list[ReelView]
    won: list[WonItemView]
    cash_minor: int
    bonuses: list[Entitlement]


async def claim_for_draw(session: AsyncSession, round_id: int, from_status: str) -> bool:
    """Move the round to settled only if it is still in ``from_status``; False if it was not."""
    result = await session.execute(
        update(Round)
        .where(Round.id == round_id, Round.status == from_status)
        .values(status="settled", settled_at=utcnow())
    )
    return rows_changed(result) == 1


async def _picks(
    session: AsyncSession, seed: str, client_seed: str, nonce: int, reels: list[RoundReel]
) -> list[tuple[Card, Prize]]:
    """Each reel's version card (as published, by its snapshot hash) and drawn prize."""
    conn = await connection(session)
    words = algorithm.words(seed, client_seed, nonce, len(reels))
    picked = []
    for reel, word in zip(reels, words, strict=True):
        drawn = await card(conn, reel.box_version_id, reel.snapshot_hash)
        reel.ticket, prize = drawn.pick(word)
        reel.prize_id = prize.id
        picked.append((drawn, prize))
    return picked


async def draw_round(
    session: AsyncSession,
    secrets: SecretBox,
    round_: Round,
    player: Player,
    rates: dict[str, Rate],
    policies: dict[str, Any],
) -> Settlement:
    """Draw every reel with the player's next nonce and record prizes, vault rows and payout."""
    pair, nonce = await fairness.take_nonce(session, secrets, player)
    seed = secrets.open(pair.server_seed_sealed)
    reels = list(
        (
            await session.scalars(
                select(RoundReel)
                .where(RoundReel.round_id == round_.id)
                .order_by(RoundReel.reel_index)
            )
        ).all()
    )
    picked = await _picks(session, seed, pair.client_seed, nonce, reels)
    items = await _won_items(session, [prize for _card, prize in picked])
    target = rates[round_.currency]
    views, won, bonuses, cash = [], [], [], 0
    for reel, (drawn, prize) in zip(reels, picked, strict=True):
        source = rates[drawn.currency]
        value = convert_checked(prize.value_minor, source, target)
        item = items.get(prize.item_id) if prize.item_id else None
        name = item.name if item else cash_name(value, target.currency, target.minor_digits)
        views.append(ReelView(reel.reel_index, reel.box_version_id, prize.item_id, name, value))
        if item is None:
            cash += value
        elif item.type in VAULT_TYPES:
            won.append(await _to_vault(session, round_, reel, item, policies))
        else:
            bonus = Entitlement(
                operator_id=round_.operator_id,
                player_id=round_.player_id,
                item_id=item.id,
                round_id=round_.id,
                reel_index=reel.reel_index,
                created_at=utcnow(),
            )
            session.add(bonus)
            bonuses.append(bonus)
    round_.seed_pair_id, round_.nonce, round_.client_seed = pair.id, nonce, pair.client_seed
    round_.server_seed_hash, round_.algorithm_key = pair.server_seed_hash, algorithm.ALGORITHM_KEY
    round_.payout_minor = sum(v.value_minor for v in views)
    await session.flush()
    return Settlement(views, won, cash, bonuses)


async def _won_items(session: AsyncSession, picked: list[Prize]) -> dict[int, Item]:
    """The won items as they are now (live names and cashback rules), one query."""
    items = await session.scalars(
        select(Item).where(Item.id.in_({p.item_id for p in picked if p.item_id}))
    )
    return {i.id: i for i in items}


async def _to_vault(
    session: AsyncSession, round_: Round, reel: RoundReel, item: Item, policies: dict[str, Any]
) -> WonItemView:
    now = utcnow()
    row = InventoryItem(
        operator_id=round_.operator_id,
        player_id=round_.player_id,
        item_id=item.id,
        round_id=round_.id,
        round_public_id=round_.public_id,
        reel_index=reel.reel_index,
        state=UNRESOLVED,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return WonItemView(
        row.id, item.id, item.name, cashback_minor(item, policies), item.currency, UNRESOLVED
    )

"""One player as staff see them: vault, rounds, and every wallet instruction with its attempts."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory.models import InventoryItem
from coffer.operators.models import Operator
from coffer.players.service import get_player
from coffer.rounds.models import Round
from coffer.seamless.models import WalletAttempt, WalletInstruction

SHOWN = 50  # newest of each kind


@dataclass(frozen=True)
class PlayerPicture:
    external_id: str
    created_at: datetime
    items: list[tuple[InventoryItem, Item]]
    rounds: list[Round]
    instructions: list[tuple[WalletInstruction, list[WalletAttempt]]]


async def player_picture(
    session: AsyncSession, operator: Operator, external_id: str
) -> PlayerPicture:
    """The newest items, rounds and instructions of one player (UNKNOWN_PLAYER if none)."""
    player = await get_player(session, operator, external_id)
    items = await session.execute(
        select(InventoryItem, Item)
        .join(Item, Item.id == InventoryItem.item_id)
        .where(InventoryItem.player_id == player.id)
        .order_by(InventoryItem.id.desc())
        .limit(SHOWN)
    )
    rounds = await session.scalars(
        select(Round).where(Round.player_id == player.id).order_by(Round.id.desc()).limit(SHOWN)
    )
    instructions = list(
        await session.scalars(
            select(WalletInstruction)
            .where(WalletInstruction.player_id == player.id)
            .order_by(WalletInstruction.id.desc())
            .limit(SHOWN)
        )
    )
    return PlayerPicture(
        player.external_id,
        player.created_at,
        [(row, item) for row, item in items],
        list(rounds),
        [(i, await attempts_of(session, i.id)) for i in instructions],
    )


async def attempts_of(session: AsyncSession, instruction_id: int) -> list[WalletAttempt]:
    found = await session.scalars(
        select(WalletAttempt)
        .where(WalletAttempt.instruction_id == instruction_id)
        .order_by(WalletAttempt.id)
    )
    return list(found)

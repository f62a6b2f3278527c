"""One player as staff see them: vault, rounds, and every wallet instruction with its attempts."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory.models import InventoryItem
from coffer.operators.models import Operator
from coffer.players.service import get_player
from coffer.rounds.models import Round
from coffer.seamless.models import WalletAttempt, WalletInstruction

Row = TypeVar("Row")
Newest = TypeVar("Newest", Round, WalletInstruction)

SHOWN = 50  # newest of each kind, a page
ATTENTION = ("review", "uncertain", "rolling_back", "pending")  # a person may have to act
ATTENTION_SHOWN = 200


@dataclass(frozen=True)
class Below:
    """Where each list of the picture continues: below these ids (None: from the newest)."""

    items: int | None = None
    rounds: int | None = None
    instructions: int | None = None


@dataclass(frozen=True)
class PlayerPicture:
    external_id: str
    created_at: datetime
    items: list[tuple[InventoryItem, Item]]
    rounds: list[Round]
    instructions: list[tuple[WalletInstruction, list[WalletAttempt]]]
    attention: list[tuple[WalletInstruction, list[WalletAttempt]]]
    more: Below  # the last id of each list with older rows beyond it, else None
    attention_cut: bool  # more than ATTENTION_SHOWN need a person: the oldest are shown


async def player_picture(
    session: AsyncSession,
    operator: Operator,
    external_id: str,
    below: Below = Below(),
    limit: int = SHOWN,
) -> PlayerPicture:
    """A page of the player's items, rounds and instructions, newest first, and every
    instruction a person may have to act on, however old (UNKNOWN_PLAYER if none)."""
    player = await get_player(session, operator, external_id)
    item_query = (
        select(InventoryItem, Item)
        .join(Item, Item.id == InventoryItem.item_id)
        .where(InventoryItem.player_id == player.id)
    )
    if below.items is not None:
        item_query = item_query.where(InventoryItem.id < below.items)
    found = await session.execute(item_query.order_by(InventoryItem.id.desc()).limit(limit + 1))
    items = [(row, item) for row, item in found]
    rounds = await _newest(session, Round, player.id, below.rounds, limit)
    instructions = await _newest(session, WalletInstruction, player.id, below.instructions, limit)
    attention = list(
        await session.scalars(
            select(WalletInstruction)
            .where(WalletInstruction.player_id == player.id)
            .where(WalletInstruction.state.in_(ATTENTION))
            .order_by(WalletInstruction.id)
            .limit(ATTENTION_SHOWN + 1)
        )
    )
    more = Below(
        _last(items[:limit], len(items) > limit, lambda pair: pair[0].id),
        _last(rounds[:limit], len(rounds) > limit, lambda r: r.id),
        _last(instructions[:limit], len(instructions) > limit, lambda i: i.id),
    )
    shown = instructions[:limit]
    logs = await attempts_of(session, [i.id for i in (*shown, *attention)])
    return PlayerPicture(
        player.external_id, player.created_at, items[:limit], rounds[:limit],
        [(i, logs.get(i.id, [])) for i in shown],
        [(i, logs.get(i.id, [])) for i in attention[:ATTENTION_SHOWN]], more,
        len(attention) > ATTENTION_SHOWN,
    )  # fmt: skip


async def _newest(
    session: AsyncSession, model: type[Newest], player_id: int, below: int | None, limit: int
) -> list[Newest]:
    query = select(model).where(model.player_id == player_id)
    if below is not None:
        query = query.where(model.id < below)
    return list(await session.scalars(query.order_by(model.id.desc()).limit(limit + 1)))


def _last(shown: list[Row], more: bool, id_of: Callable[[Row], int]) -> int | None:
    return id_of(shown[-1]) if more and shown else None


async def attempts_of(
    session: AsyncSession, instruction_ids: list[int]
) -> dict[int, list[WalletAttempt]]:
    """Every attempt of these instructions, in order, by instruction id (one query)."""
    found: dict[int, list[WalletAttempt]] = {}
    if not instruction_ids:
        return found
    rows = await session.scalars(
        select(WalletAttempt)
        .where(WalletAttempt.instruction_id.in_(sorted(set(instruction_ids))))
        .order_by(WalletAttempt.id)
    )
    for attempt in rows:
        found.setdefault(attempt.instruction_id, []).append(attempt)
    return found

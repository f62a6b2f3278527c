"""Published box versions as cards for the purchase path: read once, then served from memory.

A published version never changes, so its price, currency and prize table (with cumulative
weights built once) are cached per process, keyed by id and snapshot hash so that another
database reusing an id never sees a stale card. Whether the version is still its box's current
one and the box active can change at any time in any process, so ``playable`` reads that inside
the purchase's transaction: one query for every reel. Neither the snapshot nor the draft is read.
"""

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from coffer.catalog.models import Box, BoxPrize, BoxVersion
from coffer.catalog.schemas import MAX_ID
from coffer.fairness import algorithm
from coffer.fairness.algorithm import PrizeTable
from coffer.kit.db import table
from coffer.kit.direct import run
from coffer.kit.errors import BoxNotPlayable, PurchasesPaused, UnknownBox

CARD_CACHE_SIZE = 256

versions, boxes, prizes = table(BoxVersion), table(Box), table(BoxPrize)


@dataclass(frozen=True, slots=True)
class Prize:
    id: int
    item_id: int | None
    value_minor: int
    weight: int
    sort_index: int


@dataclass(frozen=True, slots=True)
class Card:
    """What a purchase needs of a published version, none of it ever changing."""

    id: int
    operator_id: int
    price_minor: int
    currency: str
    snapshot_hash: str
    prizes: tuple[Prize, ...]  # in draw order (sortIndex, prizeId)
    table: PrizeTable
    box_id: int = 0

    def pick(self, word: int) -> tuple[int, Prize]:
        """The ticket a stream word draws in this version, and its prize (SPEC §10)."""
        ticket = algorithm.ticket(word, self.table.total)
        return ticket, self.prizes[self.table.pick(ticket)]


STATE = (
    select(
        versions.c.id,
        versions.c.snapshot_hash,
        boxes.c.id,
        boxes.c.is_active,
        boxes.c.current_version_id,
        boxes.c.purchases_paused,
    )
    .join(boxes, boxes.c.id == versions.c.box_id)
    .where(
        versions.c.id.in_(bindparam("b_ids", expanding=True)),
        versions.c.operator_id == bindparam("b_operator"),
    )
)
_cards: OrderedDict[tuple[int, str], Card] = OrderedDict()


async def playable(
    conn: AsyncConnection, operator_id: int, version_ids: Sequence[int]
) -> list[Card]:
    """Each version's card, in order, if it is the current version of this operator's active
    box; else UNKNOWN_BOX or BOX_NOT_PLAYABLE for the first that is not."""
    wanted = {v for v in version_ids if 1 <= v <= MAX_ID}
    found = {}
    if wanted:
        rows = await run(conn, STATE, {"b_ids": sorted(wanted), "b_operator": operator_id})
        found = {row[0]: row for row in rows}
    cards = []
    for version_id in version_ids:
        row = found.get(version_id)
        if row is None or not row[1]:
            raise UnknownBox(f"No box version {version_id}.")
        _id, snapshot_hash, box_id, is_active, current, paused = row
        if not is_active:
            raise BoxNotPlayable(f"Box {box_id} is not active.")
        if paused:
            raise PurchasesPaused(
                f"Purchases of box {box_id} are paused by the operator; held rounds of it "
                "still open, and the vault works as before."
            )
        if current != version_id:
            raise BoxNotPlayable(
                f"Box version {version_id} was superseded by version {current} "
                f"of box {box_id}; refresh the box and retry."
            )
        cards.append(await card(conn, version_id, snapshot_hash))
    return cards


async def card(conn: AsyncConnection, version_id: int, snapshot_hash: str) -> Card:
    """The cached card of a published version (read from the database the first time)."""
    key = (version_id, snapshot_hash)
    found = _cards.get(key)
    if found is not None:
        _cards.move_to_end(key)
        return found
    head = (
        await conn.execute(
            select(
                versions.c.operator_id,
                versions.c.price_minor,
                versions.c.currency,
                versions.c.box_id,
            ).where(versions.c.id == version_id)
        )
    ).one()
    rows = await conn.execute(
        select(
            prizes.c.id,
            prizes.c.item_id,
            prizes.c.value_minor,
            prizes.c.weight,
            prizes.c.sort_index,
        )
        .where(prizes.c.box_version_id == version_id)
        .order_by(prizes.c.sort_index, prizes.c.id)
    )
    listed = rows.all()
    made = Card(
        version_id,
        head.operator_id,
        head.price_minor,
        head.currency,
        snapshot_hash,
        tuple(Prize(r.id, r.item_id, r.value_minor, r.weight, r.sort_index) for r in listed),
        PrizeTable(r.weight for r in listed),
        head.box_id,
    )
    _cards[key] = made
    while len(_cards) > CARD_CACHE_SIZE:
        _cards.popitem(last=False)
    return made

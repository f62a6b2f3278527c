"""Filling a loot: every entry of a bundle, each item's bundle contents in turn.

Ledger keys name the entry path (``<order key>:<entry>:<content index>…``), so a fill is
posted once per order entry however deep its bundles go.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.items import items_by_id
from coffer.catalog.models import Loot
from coffer.inventory.errors import StackLimitReached
from coffer.inventory.instances import Grant
from coffer.kit import reads
from coffer.kit.errors import ValidationFailed
from coffer.kit.money import MAX_MINOR
from coffer.loot.effects import Effect, Mover, give

BUNDLE = "bundle"
MAX_DEPTH = 4  # a bundle in a bundle in a bundle… is refused when defined past this


async def fill(
    session: AsyncSession,
    mover: Mover,
    loot: Loot,
    quantity: int,
    suffix: str,
    bucket: str | None = None,
) -> list[Effect]:
    """Grant ``quantity`` times every entry of the bundle ``loot``."""
    return await _fill(session, mover, loot, quantity, suffix, bucket, depth=0)


async def _fill(
    session: AsyncSession,
    mover: Mover,
    loot: Loot,
    quantity: int,
    suffix: str,
    bucket: str | None,
    depth: int,
) -> list[Effect]:
    if loot.kind != BUNDLE or depth > MAX_DEPTH:
        raise ValidationFailed(f"Loot {loot.id} cannot be filled: it is not a bundle.")
    wanted = {e["itemId"] for e in loot.contents}
    items = await items_by_id(session, mover.operator_id, wanted, mover.items)
    effects: list[Effect] = []
    for index, entry in enumerate(loot.contents):
        count = entry["quantity"] * quantity
        if count > MAX_MINOR:
            raise StackLimitReached(f"{count} of item {entry['itemId']} is more than one grant.")
        grant = Grant(items[entry["itemId"]], count, "order", bucket=bucket)
        effects += await _grant(session, mover, grant, f"{suffix}:{index}", depth)
    return effects


async def grant_item(
    session: AsyncSession, mover: Mover, asked: Grant, suffix: str
) -> list[Effect]:
    """Grant an item: a bundle grants its contents, a currency credits the balance."""
    return await _grant(session, mover, asked, suffix, depth=0)


async def _grant(
    session: AsyncSession, mover: Mover, asked: Grant, path: str, depth: int
) -> list[Effect]:
    item = asked.item
    if item.kind == BUNDLE and item.loot_id is not None:
        inner = await reads.get(session, Loot, item.loot_id)
        assert inner is not None
        return await _fill(session, mover, inner, asked.quantity, path, asked.bucket, depth + 1)
    return await give(session, mover, asked, path)

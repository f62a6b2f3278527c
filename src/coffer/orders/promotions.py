"""Promotion codes: defined by the operator, claimed by a player once, while uses last."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.loots import get_loot
from coffer.catalog.models import Loot
from coffer.kit import reads
from coffer.kit.db import insert_ignoring_conflict, rows_changed
from coffer.kit.errors import AlreadyExists, ValidationFailed
from coffer.kit.paging import Page, page_after
from coffer.operators.models import Operator
from coffer.orders import results
from coffer.orders.models import Claim, Promotion
from coffer.orders.results import EntryFailed


@dataclass(frozen=True)
class PromotionSpec:
    code: str
    loot_id: int
    uses: int | None = None  # None: unlimited
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    is_active: bool = True


async def define_promotion(
    session: AsyncSession, operator: Operator, spec: PromotionSpec
) -> Promotion:
    """A new code for one of the operator's loots; ALREADY_EXISTS for a code in use."""
    loot = await get_loot(session, operator, spec.loot_id)
    if loot.kind != "bundle":
        raise ValidationFailed(fields={"lootId": "a promotion fills a bundle, not a drop table"})
    if spec.starts_at and spec.expires_at and spec.expires_at <= spec.starts_at:
        raise ValidationFailed(fields={"expiresAt": "must be after startsAt"})
    values = {
        "operator_id": operator.id,
        "code": spec.code,
        "loot_id": spec.loot_id,
        "uses_left": spec.uses,
        "starts_at": spec.starts_at,
        "expires_at": spec.expires_at,
        "is_active": spec.is_active,
    }
    made = await session.execute(
        insert_ignoring_conflict(session, Promotion, values, ["operator_id", "code"])
    )
    if not rows_changed(made):
        raise AlreadyExists(f"Promotion code {spec.code!r} already exists.")
    found = await session.scalar(
        select(Promotion).where(Promotion.operator_id == operator.id, Promotion.code == spec.code)
    )
    assert found is not None
    return found


async def promotions_after(
    session: AsyncSession, operator: Operator, cursor: str | None, limit: int
) -> Page[Promotion]:
    """A page of the operator's promotions, oldest first."""
    query = select(Promotion).where(Promotion.operator_id == operator.id)
    return await page_after(session, query, Promotion.id, cursor, limit)


async def list_promotions(session: AsyncSession, operator: Operator) -> list[Promotion]:
    found = await session.scalars(
        select(Promotion).where(Promotion.operator_id == operator.id).order_by(Promotion.id)
    )
    return list(found)


async def claim_once(session: AsyncSession, player_id: int, key: str, order_id: str) -> bool:
    """Record the player's one claim of ``key``; False when it was claimed before."""
    row = {"player_id": player_id, "claim_key": key, "order_public_id": order_id}
    made = await session.execute(
        insert_ignoring_conflict(session, Claim, row, ["player_id", "claim_key"])
    )
    return rows_changed(made) == 1


async def claim(
    session: AsyncSession, operator_id: int, player_id: int, code: str, order_id: str,
    now: datetime,
) -> Loot:  # fmt: skip
    """Claim the code for the player: its loot, or the entry result that says why not."""
    promo = await session.scalar(
        select(Promotion).where(Promotion.operator_id == operator_id, Promotion.code == code)
    )
    if promo is None:
        raise EntryFailed(results.PROMOTION_NOT_FOUND)
    if not promo.is_active or (promo.starts_at is not None and now < promo.starts_at):
        raise EntryFailed(results.PROMOTION_NOT_AVAILABLE)
    if promo.expires_at is not None and now >= promo.expires_at:
        raise EntryFailed(results.PROMOTION_EXPIRED)
    if not await claim_once(session, player_id, f"promo:{promo.id}", order_id):
        raise EntryFailed(results.PROMOTION_CLAIMED)
    if promo.uses_left is not None:
        taken = await session.execute(
            update(Promotion)
            .where(Promotion.id == promo.id, Promotion.uses_left > 0)
            .values(uses_left=Promotion.uses_left - 1)
        )
        if rows_changed(taken) != 1:
            raise EntryFailed(results.PROMOTION_NO_USES_LEFT)
    loot = await reads.get(session, Loot, promo.loot_id)
    assert loot is not None
    return loot

"""Promotion codes: defined by the operator, claimed by a player once, while uses last."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.loots import get_loot
from coffer.catalog.models import Loot
from coffer.kit import reads
from coffer.kit.db import insert_ignoring_conflict, rows_changed
from coffer.kit.errors import AlreadyExists, NotFound, ValidationFailed
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
        raise _empty_window()
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


async def get_promotion(session: AsyncSession, operator: Operator, promotion_id: int) -> Promotion:
    """The operator's promotion as stored now; another operator's answers as if it did not exist."""
    found = await session.scalar(
        select(Promotion)
        .where(Promotion.id == promotion_id, Promotion.operator_id == operator.id)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(f"Operator {operator.slug} has no promotion {promotion_id}.")
    return found


async def update_promotion(
    session: AsyncSession, operator: Operator, promotion_id: int, changes: dict[str, Any]
) -> Promotion:
    """Apply staff's changes in one UPDATE: ``uses_left`` is set, never read and written back,
    and the window is checked in its WHERE, so a concurrent change cannot empty it."""
    if changes:
        changed = await session.execute(
            update(Promotion)
            .where(
                Promotion.id == promotion_id,
                Promotion.operator_id == operator.id,
                _window_kept(changes),
            )
            .values(**changes)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(changed) != 1:
            await get_promotion(session, operator, promotion_id)  # NOT_FOUND first
            raise _empty_window()
    return await get_promotion(session, operator, promotion_id)


def _empty_window() -> ValidationFailed:
    return ValidationFailed(fields={"expiresAt": "must be after startsAt"})


def _window_kept(changes: dict[str, Any]) -> ColumnElement[bool]:
    """Whether expiry stays after the start once the changes are merged with the stored row."""
    starts, expires = changes.get("starts_at"), changes.get("expires_at")
    if "starts_at" in changes and "expires_at" in changes:
        if starts is not None and expires is not None and expires <= starts:
            raise _empty_window()
        return true()
    if starts is not None:
        return or_(Promotion.expires_at.is_(None), Promotion.expires_at > starts)
    if expires is not None:
        return or_(Promotion.starts_at.is_(None), Promotion.starts_at < expires)
    return true()


def _open_or_refuse(promo: Promotion | None, now: datetime) -> None:
    """Refuse a promotion that is gone, inactive, not started yet or expired at ``now``."""
    if promo is None:
        raise EntryFailed(results.PROMOTION_NOT_FOUND)
    if not promo.is_active or (promo.starts_at is not None and now < promo.starts_at):
        raise EntryFailed(results.PROMOTION_NOT_AVAILABLE)
    if promo.expires_at is not None and now >= promo.expires_at:
        raise EntryFailed(results.PROMOTION_EXPIRED)


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
    found = select(Promotion).where(Promotion.operator_id == operator_id, Promotion.code == code)
    promo = await session.scalar(found)
    if promo is None:
        raise EntryFailed(results.PROMOTION_NOT_FOUND)
    _open_or_refuse(promo, now)
    if not await claim_once(session, player_id, f"promo:{promo.id}", order_id):
        raise EntryFailed(results.PROMOTION_CLAIMED)
    # The use is taken under the terms as they stand now, not as read above: staff may have
    # deactivated it, moved its window or changed its limit since (NULL - 1 stays NULL).
    taken = await session.execute(
        update(Promotion)
        .where(Promotion.id == promo.id, Promotion.is_active.is_(True))
        .where(or_(Promotion.starts_at.is_(None), Promotion.starts_at <= now))
        .where(or_(Promotion.expires_at.is_(None), Promotion.expires_at > now))
        .where(or_(Promotion.uses_left.is_(None), Promotion.uses_left > 0))
        .values(uses_left=Promotion.uses_left - 1)
    )
    if rows_changed(taken) != 1:
        _open_or_refuse(await session.scalar(found.execution_options(populate_existing=True)), now)
        raise EntryFailed(results.PROMOTION_NO_USES_LEFT)
    loot = await reads.get(session, Loot, promo.loot_id)
    assert loot is not None
    return loot

"""Admin API for loots (bundles that orders fill and sell) and promotion codes (SPEC §14)."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import (
    AwareDatetime,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import CursorParam, Limit
from coffer.catalog import browse, loots
from coffer.catalog.loot_schemas import ContentIn, LootIn, LootOut, LootUpdate, PriceIn
from coffer.catalog.models import Loot
from coffer.catalog.traits import Id
from coffer.kit.schemas import (
    JSON_SAFE_MAX,
    ApiModel,
    PageCursor,
    SafeText,
    Unchangeable,
    UtcTime,
    not_null,
    unchangeable,
)
from coffer.orders import promotions
from coffer.orders.models import Promotion
from coffer.orders.promotions import PromotionSpec

router = APIRouter(prefix="/api/admin/operators/{slug}", tags=["admin: loots and promotions"])
LootId = Annotated[int, Path(ge=1, le=JSON_SAFE_MAX)]


def loot_out(loot: Loot) -> LootOut:
    return LootOut(
        loot_id=loot.id,
        name=loot.name,
        kind=loot.kind,
        contents=[ContentIn.model_validate(c) for c in loot.contents],
        prices=[PriceIn.model_validate(p) for p in loot.prices],
        is_active=loot.is_active,
        client_fillable=loot.client_fillable,
        vendor_etag=loots.etag(loot),
        created_at=loot.created_at,
        updated_at=loot.updated_at,
    )


class LootList(ApiModel):
    loots: list[LootOut]
    cursor: PageCursor


@router.post("/loots", status_code=201, responses=errors_for(401, 404, 422))
async def create_loot(body: LootIn, operator: AdminOperator, session: DbSession) -> LootOut:
    """A bundle of the operator's items and currency amounts, with its prices."""
    loot = await loots.create_loot(session, operator, body)
    await session.commit()
    return loot_out(loot)


@router.get("/loots", responses=errors_for(401, 404, 422))
async def list_loots(
    operator: AdminOperator, session: DbSession, limit: Limit = 50, cursor: CursorParam = None
) -> LootList:
    """The operator's loots, oldest first; page with ``cursor.next``."""
    found = await browse.loots_after(session, operator.id, cursor, limit)
    page = PageCursor(next=found.next_cursor, prev=None)
    return LootList(loots=[loot_out(loot) for loot in found.rows], cursor=page)


@router.get("/loots/{loot_id}", responses=errors_for(401, 404))
async def get_loot(loot_id: LootId, operator: AdminOperator, session: DbSession) -> LootOut:
    return loot_out(await loots.get_loot(session, operator, loot_id))


@router.patch("/loots/{loot_id}", responses=errors_for(401, 404, 422))
async def update_loot(
    loot_id: LootId, body: LootUpdate, operator: AdminOperator, session: DbSession
) -> LootOut:
    """Change a loot; its ``vendorEtag`` changes, so orders naming the old one are refused."""
    loot = await loots.update_loot(session, operator, loot_id, body)
    await session.commit()
    return loot_out(loot)


class PromotionIn(ApiModel):
    code: Annotated[SafeText, StringConstraints(min_length=1, max_length=64)]
    loot_id: Id
    uses: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None
    starts_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    is_active: StrictBool = True


class PromotionOut(ApiModel):
    promotion_id: int
    code: str
    loot_id: int
    uses_left: int | None
    starts_at: UtcTime | None
    expires_at: UtcTime | None
    is_active: bool


class PromotionList(ApiModel):
    promotions: list[PromotionOut]
    cursor: PageCursor


def promotion_out(promo: Promotion) -> PromotionOut:
    return PromotionOut(
        promotion_id=promo.id,
        code=promo.code,
        loot_id=promo.loot_id,
        uses_left=promo.uses_left,
        starts_at=promo.starts_at,
        expires_at=promo.expires_at,
        is_active=promo.is_active,
    )


@router.post("/promotions", status_code=201, responses=errors_for(401, 404, 409, 422))
async def create_promotion(
    body: PromotionIn, operator: AdminOperator, session: DbSession
) -> PromotionOut:
    """A code players claim once each (``promotion_code`` entries) for a loot."""
    spec = PromotionSpec(**body.model_dump())
    promo = await promotions.define_promotion(session, operator, spec)
    await session.commit()
    return promotion_out(promo)


@router.get("/promotions", responses=errors_for(401, 404, 422))
async def list_promotions(
    operator: AdminOperator, session: DbSession, limit: Limit = 50, cursor: CursorParam = None
) -> PromotionList:
    """The operator's promotion codes, oldest first; page with ``cursor.next``."""
    found = await promotions.promotions_after(session, operator, cursor, limit)
    page = PageCursor(next=found.next_cursor, prev=None)
    return PromotionList(promotions=[promotion_out(p) for p in found.rows], cursor=page)


PromotionId = Annotated[int, Path(alias="promotionId", ge=1, le=JSON_SAFE_MAX)]
FIXED_PROMOTION_FIELDS = {
    "code": "players may hold the old code; define a new promotion and deactivate this one",
    "loot_id": "claims so far filled this loot; define a new promotion and deactivate this one",
}


class PromotionUpdate(ApiModel):
    """What staff may change of a promotion; omitted fields keep their value."""

    uses_left: Annotated[StrictInt, Field(ge=0, le=2**31 - 1)] | None = None
    starts_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    is_active: StrictBool | None = None
    code: Unchangeable = None
    loot_id: Unchangeable = None

    _required = field_validator("is_active")(not_null)
    _fixed = field_validator(*FIXED_PROMOTION_FIELDS, mode="before")(
        unchangeable(FIXED_PROMOTION_FIELDS)
    )


@router.get("/promotions/{promotionId}", responses=errors_for(401, 404, 422))
async def get_promotion(
    promotion_id: PromotionId, operator: AdminOperator, session: DbSession
) -> PromotionOut:
    return promotion_out(await promotions.get_promotion(session, operator, promotion_id))


@router.patch("/promotions/{promotionId}", responses=errors_for(401, 404, 422))
async def update_promotion(
    promotion_id: PromotionId, body: PromotionUpdate, operator: AdminOperator, session: DbSession
) -> PromotionOut:
    """Set the uses left (null: unlimited), the window or isActive; code and loot are fixed.
    Claims take a use in place, so one under way counts against the number set here."""
    changes = body.model_dump(exclude_unset=True)
    promo = await promotions.update_promotion(session, operator, promotion_id, changes)
    await session.commit()
    return promotion_out(promo)

"""S2S catalog routes: the live boxes with prices, odds and snapshot links (SPEC §5)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from coffer.api.deps import DbSession, S2SOperator
from coffer.api.openapi import errors_for
from coffer.api.params import BoxId, CurrencyQuery, LocaleQuery, Page, PerPage
from coffer.api.s2s.signed import SignedRoute
from coffer.catalog import listing
from coffer.catalog.listing import BoxQuery, LiveBox
from coffer.catalog.schemas import LiveBoxEnvelope, LiveBoxList, LiveBoxOut, LivePrizeOut

router = APIRouter(prefix="/api/s2s", tags=["s2s: catalog"], route_class=SignedRoute)


def snapshot_url(request: Request, box_version_id: int) -> str:
    """An absolute URL on the host the caller used, so it works behind any ingress."""
    return f"{str(request.base_url).rstrip('/')}/fairness/box-version/{box_version_id}/snapshot"


def live_box_out(request: Request, live: LiveBox) -> LiveBoxOut:
    return LiveBoxOut(
        box_id=live.box.id,
        box_version_id=live.version.id,
        version_number=live.version.version_number,
        name=live.box.name,
        price_minor=live.price_minor,
        currency=live.currency,
        house_edge_bps=live.version.house_edge_bps,
        snapshot_url=snapshot_url(request, live.version.id),
        snapshot_hash=live.version.snapshot_hash,
        custom_attributes=live.box.custom_attributes,
        image_url=live.box.image_url,
        prizes=[
            LivePrizeOut(
                prize_id=p.prize_id,
                item_id=p.item_id,
                name=p.name,
                value_minor=p.value_minor,
                currency=p.currency,
                image_url=p.image_url,
                odds=p.odds,
            )
            for p in live.prizes
        ],
    )


@router.get("/boxes", responses=errors_for(401, 403, 422))
async def list_live_boxes(
    request: Request,
    operator: S2SOperator,
    session: DbSession,
    page: Page = 1,
    per_page: PerPage = 50,
    ids: Annotated[str | None, Query(max_length=4000, description="e.g. 1,2,3")] = None,
    currency: CurrencyQuery = None,
    locale: LocaleQuery = None,
) -> LiveBoxList:
    """Active, published boxes with live prize names and odds."""
    query = BoxQuery(
        page=page,
        per_page=per_page,
        ids=None if ids is None else listing.parse_ids(ids),
        currency=currency,
        locale=locale,
    )
    found, total = await listing.live_boxes(session, operator, query)
    return LiveBoxList(
        boxes=[live_box_out(request, b) for b in found],
        page=page,
        per_page=per_page,
        total=total,
    )


@router.get("/boxes/{boxId}", responses=errors_for(401, 403, 404, 422))
async def get_live_box(
    request: Request,
    box_id: BoxId,
    operator: S2SOperator,
    session: DbSession,
    currency: CurrencyQuery = None,
    locale: LocaleQuery = None,
) -> LiveBoxEnvelope:
    """One active, published box; anything else (or another operator's) is UNKNOWN_BOX."""
    live = await listing.live_box(
        session, operator, box_id, BoxQuery(currency=currency, locale=locale)
    )
    return LiveBoxEnvelope(box=live_box_out(request, live))

"""Catalog routes: admin items and boxes, S2S box listing, public fairness snapshots."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from coffer.catalog import boxes, items, listing, publish, service
from coffer.catalog.boxes import BoxView
from coffer.catalog.listing import BoxQuery, LiveBox
from coffer.catalog.models import Box, BoxVersion, Item
from coffer.catalog.schemas import (
    BoxBrief,
    BoxCreate,
    BoxList,
    BoxOut,
    BoxUpdate,
    DraftIn,
    DraftOut,
    ItemCreate,
    ItemList,
    ItemOut,
    ItemUpdate,
    LiveBoxEnvelope,
    LiveBoxList,
    LiveBoxOut,
    LivePrizeOut,
    Published,
    VersionSummary,
)
from coffer.web.deps import AdminOperator, DbSession, S2SOperator
from coffer.web.openapi import errors_for
from coffer.web.signed import SignedRoute

admin_router = APIRouter(prefix="/api/admin/operators/{slug}", tags=["admin: catalog"])
s2s_router = APIRouter(prefix="/api/s2s", tags=["s2s: catalog"], route_class=SignedRoute)
public_router = APIRouter(prefix="/fairness", tags=["fairness"])

ItemId = Annotated[int, Path(alias="itemId")]
BoxId = Annotated[int, Path(alias="boxId")]
Page = Annotated[int, Query(ge=1, le=10**9, description="1-based page number")]
PerPage = Annotated[int, Query(alias="perPage", ge=1, le=200)]
CurrencyQuery = Annotated[
    str | None, Query(pattern=r"^[A-Z]{3}$", description="Show prices in this currency")
]
LocaleQuery = Annotated[str | None, Query(max_length=35, description="e.g. 'en' or 'de-AT'")]


def item_out(item: Item) -> ItemOut:
    return ItemOut(
        item_id=item.id,
        name=item.name,
        type=item.type,
        image_url=item.image_url,
        value_minor=item.value_minor,
        currency=item.currency,
        cashback_minor=item.cashback_minor,
        cashback_bps=item.cashback_bps,
        shippable=item.shippable,
        custom_attributes=item.custom_attributes,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def version_summary(version: BoxVersion) -> VersionSummary:
    return VersionSummary(
        box_version_id=version.id,
        version_number=version.version_number,
        price_minor=version.price_minor,
        currency=version.currency,
        house_edge_bps=version.house_edge_bps,
        total_weight=version.total_weight,
        snapshot_hash=version.snapshot_hash,
        published_at=version.published_at,
    )


def box_out(view: BoxView) -> BoxOut:
    box = view.box
    current = [v for v in view.versions if v.id == box.current_version_id]
    return BoxOut(
        box_id=box.id,
        name=box.name,
        slug=box.slug,
        is_active=box.is_active,
        image_url=box.image_url,
        custom_attributes=box.custom_attributes,
        draft=DraftOut.model_validate(box.draft),
        current_version=version_summary(current[0]) if current else None,
        versions=[version_summary(v) for v in view.versions],
        created_at=box.created_at,
        updated_at=box.updated_at,
    )


def box_brief(box: Box) -> BoxBrief:
    return BoxBrief(
        box_id=box.id,
        name=box.name,
        slug=box.slug,
        is_active=box.is_active,
        image_url=box.image_url,
        custom_attributes=box.custom_attributes,
        current_version_id=box.current_version_id,
        created_at=box.created_at,
        updated_at=box.updated_at,
    )


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


# -- admin: items --------------------------------------------------------------------------


@admin_router.post("/items", status_code=201, responses=errors_for(401, 404, 422))
async def create_item(body: ItemCreate, operator: AdminOperator, session: DbSession) -> ItemOut:
    """Create an item priced in one of the operator's configured currencies."""
    item = await items.create_item(session, operator, body)
    await session.commit()
    return item_out(item)


@admin_router.get("/items", responses=errors_for(401, 404, 422))
async def list_items(
    operator: AdminOperator, session: DbSession, page: Page = 1, per_page: PerPage = 50
) -> ItemList:
    """The operator's items, oldest first."""
    found, total = await items.list_items(session, operator, page, per_page)
    return ItemList(items=[item_out(i) for i in found], page=page, per_page=per_page, total=total)


@admin_router.get("/items/{itemId}", responses=errors_for(401, 404, 422))
async def get_item(item_id: ItemId, operator: AdminOperator, session: DbSession) -> ItemOut:
    """One item."""
    return item_out(await items.get_item(session, operator, item_id))


@admin_router.patch("/items/{itemId}", responses=errors_for(401, 404, 422))
async def update_item(
    item_id: ItemId, body: ItemUpdate, operator: AdminOperator, session: DbSession
) -> ItemOut:
    """Change any item field; names and images are live in every vault and box listing."""
    item = await items.update_item(session, operator, item_id, body)
    await session.commit()
    return item_out(item)


# -- admin: boxes --------------------------------------------------------------------------


@admin_router.post("/boxes", status_code=201, responses=errors_for(401, 404, 409, 422))
async def create_box(body: BoxCreate, operator: AdminOperator, session: DbSession) -> BoxOut:
    """Create a box with a draft prize table; publish it to make it openable."""
    view = await boxes.create_box(session, operator, body)
    await session.commit()
    return box_out(view)


@admin_router.get("/boxes", responses=errors_for(401, 404, 422))
async def list_boxes(
    operator: AdminOperator, session: DbSession, page: Page = 1, per_page: PerPage = 50
) -> BoxList:
    """The operator's boxes, active or not, oldest first."""
    found, total = await boxes.list_boxes(session, operator, page, per_page)
    return BoxList(boxes=[box_brief(b) for b in found], page=page, per_page=per_page, total=total)


@admin_router.get("/boxes/{boxId}", responses=errors_for(401, 404, 422))
async def get_box(box_id: BoxId, operator: AdminOperator, session: DbSession) -> BoxOut:
    """A box with its draft, current version and every published version."""
    return box_out(await boxes.box_view(session, operator, box_id))


@admin_router.put("/boxes/{boxId}/draft", responses=errors_for(401, 404, 422))
async def put_draft(
    box_id: BoxId, body: DraftIn, operator: AdminOperator, session: DbSession
) -> BoxOut:
    """Replace the draft price, currency and prizes; players see it only after a publish."""
    view = await boxes.put_draft(session, operator, box_id, body)
    await session.commit()
    return box_out(view)


@admin_router.patch("/boxes/{boxId}", responses=errors_for(401, 404, 422))
async def update_box(
    box_id: BoxId, body: BoxUpdate, operator: AdminOperator, session: DbSession
) -> BoxOut:
    """Change name, isActive, imageUrl or customAttributes; never creates a version."""
    view = await boxes.update_box(session, operator, box_id, body)
    await session.commit()
    return box_out(view)


@admin_router.post(
    "/boxes/{boxId}/publish", status_code=201, responses=errors_for(401, 404, 409, 422)
)
async def publish_box(box_id: BoxId, operator: AdminOperator, session: DbSession) -> Published:
    """Freeze the draft into a new immutable version that supersedes the current one."""
    version = await publish.publish(session, operator, box_id)
    await session.commit()
    return Published(
        box_version_id=version.id,
        version_number=version.version_number,
        house_edge_bps=version.house_edge_bps,
        snapshot_hash=version.snapshot_hash,
    )


# -- S2S -----------------------------------------------------------------------------------


@s2s_router.get("/boxes", responses=errors_for(401, 403, 422))
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


@s2s_router.get("/boxes/{boxId}", responses=errors_for(401, 403, 404, 422))
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


# -- public --------------------------------------------------------------------------------

SNAPSHOT_DOC: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The canonical snapshot bytes; sha256 of the body is X-Snapshot-Hash.",
        "content": {"application/json": {}},
    }
}


@public_router.get(
    "/box-version/{boxVersionId}/snapshot",
    response_class=Response,
    responses={**SNAPSHOT_DOC, **errors_for(404, 422)},
)
async def get_snapshot(
    session: DbSession, box_version_id: Annotated[int, Path(alias="boxVersionId")]
) -> Response:
    """The exact published snapshot of a box version, byte for byte as hashed."""
    version = await service.published_version(session, box_version_id)
    return Response(
        content=version.snapshot.encode("utf-8"),
        media_type="application/json",
        headers={"X-Snapshot-Hash": version.snapshot_hash},
    )
